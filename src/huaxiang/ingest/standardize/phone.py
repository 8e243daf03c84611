"""Phone numbers → E.164.

Chinese numbers are decided in SQL: a mobile is ``1[3-9]`` + 9 digits, a landline is trunk ``0`` +
area code (``10``, ``2x`` or three digits from ``3``-``9``) + a 7-8 digit local number, and
``400``/``800`` service numbers have 10 digits. That covers nearly every row of a Chinese customer
file at SQL speed. Everything else that can still be a phone number (a foreign number written with
``+``/``00``, or any number when the default region is not CN) goes to ``phonenumbers`` in a
vectorized UDF that DuckDB only calls for the rows the SQL path left undecided.
"""

from __future__ import annotations

from functools import lru_cache

import ibis
import ibis.expr.types as ir
import phonenumbers
import pyarrow as pa

from ._registry import Cleaned, let, null_string, rejected, standardizer
from .text import half_width, normalize

_SEPARATORS = r"[\s\-().\x{b7}/]"
_CN_MOBILE = r"^1[3-9]\d{9}$"
_CN_LANDLINE = r"^(10|2\d|[3-9]\d{2})\d{7,8}$"
_CN_SERVICE = r"^[48]00\d{7}$"
_DIALABLE = r"^\+?\d{4,17}$"


@lru_cache(maxsize=100_000)
def _to_e164(number: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@ibis.udf.scalar.pyarrow(name="huaxiang_phone_e164", null_handling="special")
def _phonenumbers_e164(number: str, region: str) -> str:
    """Validate with libphonenumber; each distinct value of the batch is parsed once."""
    if len(number) == 0:  # DuckDB calls the branch for every chunk, even with no rows in it
        return pa.array([], pa.string())
    numbers = pa.chunked_array([number]) if isinstance(number, pa.Array) else number
    regions = region.to_pylist()
    unique = numbers.unique()
    parsed = [
        None if n is None else _to_e164(n, regions[0])
        for n in unique.to_pylist()
    ]
    positions = pa.compute.index_in(numbers, value_set=unique)
    return pa.compute.take(pa.array(parsed, pa.string()), positions)


def _dialable(col: ir.StringValue) -> ir.StringValue:
    """Digits with an optional leading ``+``; ``00`` (international prefix) becomes ``+``."""
    return half_width(col).re_replace(_SEPARATORS, "").re_replace("^00", "+")


def _chinese(number: ir.StringValue) -> ir.StringValue:
    """E.164 for a Chinese number, NULL when it is not one."""
    has_country = number.startswith("+86") | (number.startswith("86") & (number.length() >= 12))
    national = ibis.cases(
        (number.startswith("+86"), number.substr(3)),
        (number.startswith("86") & has_country, number.substr(2)),
        else_=number,
    )
    trunk = national.startswith("0")
    subscriber = ibis.ifelse(trunk, national.substr(1), national)
    valid = ibis.cases(
        (~trunk & subscriber.re_search(_CN_MOBILE), True),
        ((trunk | has_country) & subscriber.re_search(_CN_LANDLINE), True),
        (~trunk & subscriber.re_search(_CN_SERVICE), True),
        else_=False,
    )
    return ibis.ifelse(valid, "+86" + subscriber, null_string())


def _goes_to_fallback(number: ir.StringValue, region: str) -> ir.BooleanValue:
    if region == "CN":
        return number.startswith("+") & ~number.startswith("+86")
    return ~number.startswith("+86")


@standardizer("phone")
def phone(col: ir.StringValue, region: str = "CN") -> Cleaned:
    """E.164 string; ``region`` is the country assumed for numbers written without one."""
    region = region.upper()
    value = let(_dialable(col), lambda number: ibis.cases(
        (~number.re_search(_DIALABLE), null_string()),
        (_goes_to_fallback(number, region), _phonenumbers_e164(number, region)),
        else_=_chinese(number),
    ))
    slow = Cleaned(value, rejected(normalize(col), value, "invalid_phone"))
    if region != "CN":
        return slow
    # A bare 11-digit mobile is most of a Chinese customer file: one match on the raw text decides
    # it, and the rest of the expression (which DuckDB evaluates lazily) never runs for it.
    fast = col.re_search(_CN_MOBILE)
    return Cleaned(
        ibis.ifelse(fast, "+86" + col, slow.value), ibis.ifelse(fast, null_string(), slow.reason)
    )
