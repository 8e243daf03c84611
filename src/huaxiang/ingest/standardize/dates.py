"""Calendar dates (birthdays, sign-up days) and ages.

Excel exports often leave dates as serial numbers (``45296`` = 2024-01-05), so plain numbers of
up to seven digits are read as Excel serials; eight digits are ``yyyymmdd``. Pass
``excel=False`` for columns where a bare number must not be taken as a date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date as Date

import ibis
import ibis.expr.types as ir

from . import _backend
from ._calendar import ISO_DATE, parts
from ._registry import Cleaned, null_string, standardizer
from .text import normalize

_EXCEL_SERIAL = r"^\d{1,7}(\.\d+)?$"
_EXCEL_EPOCH = Date(1899, 12, 30)  # serial 0; Excel's phantom 1900-02-29 makes 1-60 one day off
_EXCEL_MAX = 2958465  # 9999-12-31


def _from_excel(text: ir.StringValue) -> ir.DateValue:
    serial = text.try_cast("float64")
    ok = text.re_search(_EXCEL_SERIAL) & serial.between(1, _EXCEL_MAX)
    days = serial.floor().cast("int64").as_interval("D")
    return ok.ifelse((ibis.literal(_EXCEL_EPOCH) + days).cast("date"), ibis.null("date"))


def parse_date(text: ir.StringValue, formats: Sequence[str] = (), excel: bool = True) -> ir.DateValue:
    """The date written in ``text`` (already normalized), NULL when there is none."""
    explicit = [_backend.try_parse(text, f).cast("date") for f in formats]
    builtin = ibis.cases(
        (text.re_search(ISO_DATE), text.try_cast("date")),
        else_=parts(text).date.try_cast("date"),
    )
    if excel:
        builtin = ibis.ifelse(text.re_search(_EXCEL_SERIAL), _from_excel(text), builtin)
    return ibis.coalesce(*explicit, builtin) if explicit else builtin


def _as_date(bound: str | Date | None) -> Date | None:
    return Date.fromisoformat(bound) if isinstance(bound, str) else bound


@standardizer("date")
def date(
    col: ir.StringValue,
    formats: Sequence[str] | None = None,
    min: str | Date | None = "1900-01-01",  # noqa: A002 - the option's public name
    max: str | Date | None = None,  # noqa: A002
    excel: bool = True,
) -> Cleaned:
    """DATE; ``formats`` are strptime formats tried before the built-in spellings."""
    text = normalize(col)
    parsed = parse_date(text, formats or (), excel)
    low, high = _as_date(min), _as_date(max)
    in_range = ibis.literal(True)
    if low is not None:
        in_range &= parsed >= low
    if high is not None:
        in_range &= parsed <= high
    reason = ibis.cases(
        (text.isnull(), null_string()),
        (parsed.isnull(), "invalid_date"),
        (~in_range, "date_out_of_range"),
        else_=null_string(),
    )
    return Cleaned(in_range.ifelse(parsed, ibis.null("date")), reason)


def age_from(birth: ir.DateValue, as_of: ir.DateValue | Date) -> ir.IntegerValue:
    """Whole years from ``birth`` to ``as_of``; a 29 February birthday counts from 1 March."""
    as_of = ibis.literal(as_of) if isinstance(as_of, Date) else as_of
    years = as_of.year() - birth.year()
    before_birthday = as_of.month() * 100 + as_of.day() < birth.month() * 100 + birth.day()
    return years - before_birthday.ifelse(1, 0)
