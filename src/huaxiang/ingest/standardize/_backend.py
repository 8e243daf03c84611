"""Backend-specific SQL functions, kept in one place so a Spark twin can be added beside them.

Everything else in this package is portable Ibis. These wrap DuckDB built-ins (ICU is loaded by
default, so ``timezone`` knows IANA zones) for the two things Ibis has no portable operation for:
parsing with a user-given strptime format without failing the query, and converting wall-clock
time in a named zone to UTC.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

_UTC = dt.Timestamp(timezone="UTC")


@ibis.udf.scalar.builtin(name="try_strptime")
def _try_strptime(text: str, fmt: str) -> dt.timestamp:
    """NULL instead of an error when ``text`` does not fit ``fmt``."""


@ibis.udf.scalar.builtin(name="try_strptime")
def _try_strptime_tz(text: str, fmt: str) -> _UTC:
    """DuckDB returns TIMESTAMPTZ when the format has ``%z``/``%Z``."""


@ibis.udf.scalar.builtin(name="timezone")
def _attach_zone(zone: str, ts: dt.timestamp) -> _UTC:
    """Read a naive timestamp as wall-clock time in ``zone``."""


@ibis.udf.scalar.builtin(name="timezone")
def _wall_clock(zone: str, ts: _UTC) -> dt.timestamp:
    """The naive wall-clock time of an instant in ``zone``."""


def try_parse(text: ir.StringValue, fmt: str) -> ir.TimestampValue:
    """Naive timestamp parsed with strptime ``fmt``, NULL on mismatch.

    A format with an offset (``%z``/``%Z``) yields that instant in UTC, still naive.
    """
    if "%z" in fmt or "%Z" in fmt:
        return _wall_clock("UTC", _try_strptime_tz(text, fmt))
    return _try_strptime(text, fmt)


def local_to_utc(ts: ir.TimestampValue, zone: str) -> ir.TimestampValue:
    """Naive wall-clock time in ``zone`` → naive UTC."""
    if zone.upper() in {"UTC", "ETC/UTC", "Z"}:
        return ts
    return _wall_clock("UTC", _attach_zone(zone, ts))


def instant_to_utc(text: ir.StringValue) -> ir.TimestampValue:
    """Naive UTC of an ISO 8601 string with an offset (``2024-01-05T10:00:00+08:00``), NULL if invalid.

    DuckDB's own TIMESTAMPTZ parser; far cheaper than taking the string apart with a regex.
    """
    return _wall_clock("UTC", text.try_cast(_UTC))
