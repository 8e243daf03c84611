"""The demo's clock: a fixed "today" and activity spread over the people's active time.

Every time in the demo is a naive local time (Asia/Shanghai for zh, America/New_York for en),
held as int64 seconds since 1970-01-01 so that arithmetic stays vectorized. Nothing reads the
wall clock: the same seed gives the same files on any day.
"""

from __future__ import annotations

import numpy as np

from huaxiang.demo.sampling import choice_by_group

DAY = 86_400
YEAR = 365.25 * DAY


def seconds(iso: str) -> int:
    return int(np.datetime64(iso, "s").astype(np.int64))


NOW = seconds("2026-06-30T20:00:00")  # the demo's "today", the moment of the export
HISTORY_START = seconds("2023-07-01T00:00:00")  # orders, events and service history start here
FIRST_REGISTRATION = seconds("2019-01-01T00:00:00")
DECLINE = 180 * DAY  # engagement fades over this span before a customer churns
DECLINE_FLOOR = 0.35
PROMO_DAYS = ("2023-11-11", "2024-06-18", "2024-11-11", "2025-06-18", "2025-11-11", "2026-06-18")


def to_datetime64(t: np.ndarray) -> np.ndarray:
    return np.asarray(t, dtype=np.int64).astype("datetime64[s]")


def to_days(t: np.ndarray) -> np.ndarray:
    return np.floor_divide(np.asarray(t, dtype=np.int64), DAY)


def activity_factor(t: np.ndarray, churn: np.ndarray) -> np.ndarray:
    """How active a customer still is at ``t``: 1 until the decline, then fading to churn.

    ``churn`` is NaN-free: people who never churn carry a churn time far in the future.
    """
    left = (churn - t) / DECLINE
    return np.clip(DECLINE_FLOOR + (1 - DECLINE_FLOOR) * left, DECLINE_FLOOR, 1.0)


def spread(
    rng: np.random.Generator,
    start: np.ndarray,
    end: np.ndarray,
    churn: np.ndarray,
    per_year: np.ndarray,
    hours: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Random activity times per owner: a Poisson count over [start, end), thinned before churn.

    Returns (owner index, time) sorted by owner then time. With ``hours`` (a groups x 24 matrix
    of hour-of-day weights) the time of day follows the owner's group, e.g. students at night.
    """
    span = np.maximum(end - start, 0)
    counts = rng.poisson(per_year * span / YEAR)
    owner = np.repeat(np.arange(len(start)), counts)
    t = start[owner] + (rng.random(len(owner)) * span[owner]).astype(np.int64)
    keep = rng.random(len(owner)) < activity_factor(t, churn[owner])
    owner, t = owner[keep], t[keep]
    if hours is not None:
        t = _time_of_day(rng, t, hours, groups[owner], start[owner], end[owner])
    order = np.lexsort((t, owner))
    return owner[order], t[order]


def _time_of_day(rng, t, hours, groups, lo, hi) -> np.ndarray:
    """Move each time within its day to an hour drawn from its group's profile."""
    hour = choice_by_group(rng, groups, hours)
    moved = to_days(t) * DAY + hour * 3600 + rng.integers(0, 3600, len(t))
    return np.where((moved >= lo) & (moved < hi), moved, t)


def hour_profile(peaks: tuple[tuple[float, float, float], ...]) -> np.ndarray:
    """24 hour-of-day weights from (hour, width, weight) bumps plus a little background."""
    h = np.arange(24)
    w = np.full(24, 0.02)
    for peak, width, weight in peaks:
        d = np.minimum(np.abs(h - peak), 24 - np.abs(h - peak))
        w += weight * np.exp(-0.5 * (d / width) ** 2)
    w[1:6] *= 0.15  # almost nobody shops at 3 am
    return w / w.sum()


def promo_shift(rng: np.random.Generator, t: np.ndarray, lo: np.ndarray, hi: np.ndarray, share: float) -> np.ndarray:
    """Move a share of times onto 618 / Double 11 days, when they fall in the owner's window."""
    days = np.array([seconds(d + "T00:00:00") for d in PROMO_DAYS])
    target = days[rng.integers(0, len(days), len(t))] + rng.integers(8 * 3600, 24 * 3600, len(t))
    move = (rng.random(len(t)) < share) & (target >= lo) & (target < hi)
    return np.where(move, target, t)


def us_eastern_offset(t: np.ndarray) -> np.ndarray:
    """UTC offset in hours (-4 in daylight saving time, else -5) of New York local times."""
    years = range(2018, 2028)
    starts = np.array([_nth_sunday(y, 3, 2) for y in years]) + 2 * 3600
    ends = np.array([_nth_sunday(y, 11, 1) for y in years]) + 2 * 3600
    year_ix = np.clip(t.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970 - 2018, 0, len(starts) - 1)
    dst = (t >= starts[year_ix]) & (t < ends[year_ix])
    return np.where(dst, -4, -5)


def _nth_sunday(year: int, month: int, n: int) -> int:
    first = np.datetime64(f"{year}-{month:02d}-01")
    weekday = (first.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    day = first + np.timedelta64((6 - weekday) % 7 + 7 * (n - 1), "D")
    return int(day.astype("datetime64[s]").astype(np.int64))
