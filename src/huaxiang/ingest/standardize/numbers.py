"""Numbers typed by people: thousands separators, currency marks, full-width digits.

Validation is a regex gate before ``try_cast`` so that every backend accepts exactly the same
strings (casts alone differ: DuckDB reads ``'1e5'`` or ``' 12'`` where others may not).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._registry import Cleaned, rejected, standardizer
from .text import normalize

_GROUPED = r"(\d+|\d{1,3}(,\d{3})+)"
_INTEGER = rf"^[+-]?{_GROUPED}(\.0*)?$"
_DECIMAL = rf"^[+-]?({_GROUPED}(\.\d*)?|\.\d+)([eE][+-]?\d{{1,3}})?$"
# Exponents come from machines (a float column of a Parquet or JSON file written as text: 1e-05).
_MONEY = rf"^[+-]?{_GROUPED}(\.\d+)?([eE][+-]?\d{{1,3}})?$"
_PLAIN = r"^-?\d+(\.\d+)?$"
# Currency words and marks people add around amounts; full-width ones are half-width by now.
_CURRENCY = r"(?i:rmb|cny)|人民币|[元圆¥￥$\s]"


def _checked_cast(text: ir.StringValue, pattern: str, dtype: str, code: str) -> Cleaned:
    ok = text.re_search(pattern)
    value = ok.ifelse(text.replace(",", "").try_cast(dtype), ibis.null(dtype))
    return Cleaned(value, rejected(text, value, code))


@standardizer("integer")
def integer(col: ir.StringValue) -> Cleaned:
    """BIGINT; ``1,234`` and ``12.0`` are accepted, ``12.5`` and overflow are not."""
    text = normalize(col)
    whole = ibis.ifelse(text.contains("."), text.split(".")[0], text)
    ok = text.re_search(_INTEGER)
    value = ok.ifelse(whole.replace(",", "").try_cast("int64"), ibis.null("int64"))
    return Cleaned(value, rejected(text, value, "invalid_integer"))


@standardizer("decimal")
def decimal(col: ir.StringValue) -> Cleaned:
    """DECIMAL(18,4), rounded half away from zero."""
    return _checked_cast(normalize(col), _DECIMAL, "decimal(18,4)", "invalid_decimal")


@standardizer("money")
def money(col: ir.StringValue) -> Cleaned:
    """DECIMAL(18,2) from ``¥1,234.50``, ``1，234.50元``, ``RMB 100``, ``-12.5``.

    Amounts in 万/千 or with accounting parentheses are rejected rather than guessed.
    """
    text = normalize(col)
    stripped = text.re_replace(_CURRENCY, "")
    # Most amounts are plain numbers; skip the currency regex for them.
    amount = ibis.ifelse(text.re_search(_PLAIN), text, stripped)
    cleaned = _checked_cast(amount, _MONEY, "decimal(18,2)", "invalid_money")
    return Cleaned(cleaned.value, rejected(text, cleaned.value, "invalid_money"))
