"""Points in time (orders, events) → naive TIMESTAMP in UTC, as the warehouse stores them.

Values with an offset (``Z``, ``+08:00``) are exact instants. Naive values are wall-clock time in
the workspace ``timezone``. Ten and thirteen digit numbers are Unix epoch seconds and
milliseconds, which are UTC by definition.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from . import _backend
from ._calendar import ISO_INSTANT, ISO_LOCAL, offset_minutes, parts
from ._registry import Cleaned, rejected, standardizer
from .text import normalize

_UNIX_EPOCH = ibis.timestamp("1970-01-01 00:00:00")


def _from_epoch(text: ir.StringValue) -> ir.TimestampValue:
    number = text.try_cast("int64")
    return ibis.cases(
        (text.length() == 10, _UNIX_EPOCH + number.as_interval("s")),
        else_=_UNIX_EPOCH + number.as_interval("ms"),
    ).cast("timestamp")


def _from_text(text: ir.StringValue, zone: str) -> ir.TimestampValue:
    """Parse the built-in spellings; naive results are read in ``zone``."""
    p = parts(text)
    wall = (p.date + " " + p.clock).try_cast("timestamp")
    exact = wall - offset_minutes(p.zone).as_interval("m")
    return ibis.cases(
        (text.re_search(ISO_LOCAL), _backend.local_to_utc(text.replace("T", " ").try_cast("timestamp"), zone)),
        (text.re_search(ISO_INSTANT), _backend.instant_to_utc(text)),
        (p.zone.notnull(), exact),
        else_=_backend.local_to_utc(wall, zone),
    )


def _explicit(text: ir.StringValue, fmt: str, zone: str) -> ir.TimestampValue:
    parsed = _backend.try_parse(text, fmt)
    return parsed if "%z" in fmt or "%Z" in fmt else _backend.local_to_utc(parsed, zone)


@standardizer("timestamp")
def timestamp(
    col: ir.StringValue, timezone: str = "Asia/Shanghai", formats: Sequence[str] | None = None
) -> Cleaned:
    """Naive UTC TIMESTAMP; ``formats`` are strptime formats tried before the built-in spellings.

    A format with ``%z`` yields an exact instant; other formats are read in ``timezone``.
    """
    text = normalize(col)
    explicit = [_explicit(text, f, timezone) for f in formats or ()]
    builtin = ibis.ifelse(text.re_search(r"^(\d{10}|\d{13})$"), _from_epoch(text), _from_text(text, timezone))
    value = ibis.coalesce(*explicit, builtin) if explicit else builtin
    return Cleaned(value, rejected(text, value, "invalid_timestamp"))
