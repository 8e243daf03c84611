"""What compiling a condition needs to know besides the condition: time and where data lives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir


def _missing(what: str):
    def fail(*_args):
        raise LookupError(f"this compile context has no {what}")
    return fail


@dataclass(frozen=True)
class Context:
    """``as_of``: the build time, naive UTC ("now" for windows, ``days_since``, ``now()``).
    ``local_offset``: added to timestamps before their hour, weekday, day or date is taken (the
    workspace's time zone; stored timestamps are naive UTC). ``fact(name)``: a fact table with
    ``customer_id``, ``at`` and its own columns. ``tags()``/``segments()``: ``(customer_id, tag)`` and
    ``(customer_id, segment)`` memberships. The alias maps turn labels into names, as in ``Env``.
    """

    as_of: dt.datetime
    local_offset: dt.timedelta = dt.timedelta(0)
    fact: Callable[[str], ir.Table] = field(default=_missing("fact tables"))
    tags: Callable[[], ir.Table] = field(default=_missing("tag memberships"))
    segments: Callable[[], ir.Table] = field(default=_missing("segment memberships"))
    tag_aliases: Mapping[str, str] = field(default_factory=dict)
    segment_aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.as_of.tzinfo is not None:
            raise ValueError("as_of is a naive UTC datetime")

    def now(self) -> ir.TimestampScalar:
        return ibis.literal(self.as_of, type="timestamp")

    def shifted(self, delta: dt.timedelta) -> ir.TimestampScalar:
        """``as_of + delta``, written as arithmetic on ``now()`` (not folded in Python): ``as_of`` is then
        the only time literal of a compiled build, which is what lets a compiled build be kept and
        run again at another time (``profiles.plans``)."""
        return self.now() + ibis.interval(seconds=int(delta.total_seconds())) if delta else self.now()

    def today(self) -> ir.DateScalar:
        """The local date of ``as_of`` (in SQL, from ``now()``)."""
        return self.local(self.now()).date()

    def local(self, value: ir.Value) -> ir.Value:
        """A timestamp moved into the workspace's time zone; dates stay as they are."""
        if not value.type().is_timestamp() or not self.local_offset:
            return value
        return value + ibis.interval(seconds=int(self.local_offset.total_seconds()))


def epoch_seconds(value: ir.Value) -> ir.IntegerValue:
    """Whole seconds since 1970 of a date (its midnight) or a timestamp, as int64, in either engine.

    Floored: Spark's seconds are whole (the fraction dropped) and DuckDB's carry it, and a cast alone
    would round DuckDB's to the nearest second (12:00:00.755 to 12:00:01, a day short of 20 days).
    """
    if value.type().is_date():
        value = value.cast("timestamp")
    return value.epoch_seconds().floor().cast("int64")


def whole_units(seconds: ir.NumericValue, unit_seconds: int) -> ir.IntegerValue:
    """floor(seconds / unit): whole days or hours, rounded towards the past."""
    return (seconds.cast("float64") / unit_seconds).floor().cast("int64")
