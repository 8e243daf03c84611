"""Vectorized string building on numpy ``StringDType`` arrays.

The generator formats millions of values (ids, phones, dates, texts); these helpers keep that
in numpy's C string kernels instead of Python loops.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from huaxiang.demo.timeline import us_eastern_offset

S = np.dtypes.StringDType()


def text(values) -> np.ndarray:
    """Any array-like as a string array."""
    return np.asarray(values).astype(S)


def labels(options: Sequence[str], index: np.ndarray) -> np.ndarray:
    """``options[index]`` for every row."""
    return np.asarray(list(options), dtype=S)[np.asarray(index)]


def join(*parts) -> np.ndarray:
    """Concatenate string arrays and scalars element-wise."""
    out = parts[0] if isinstance(parts[0], np.ndarray) else np.asarray(parts[0], dtype=S)
    for part in parts[1:]:
        out = np.strings.add(out.astype(S), part if isinstance(part, str) else np.asarray(part).astype(S))
    return out


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Integers as zero-padded decimal strings."""
    return np.strings.zfill(np.asarray(values, dtype=np.int64).astype(S), width)


def choose(conditions: Sequence[np.ndarray], choices: Sequence[np.ndarray], default: np.ndarray) -> np.ndarray:
    """``np.select`` for string arrays (which ``np.select`` does not accept)."""
    out = np.asarray(default).astype(S).copy()
    for cond, value in reversed(list(zip(conditions, choices))):
        value = np.asarray(value).astype(S)
        out[cond] = value[cond] if value.ndim else value
    return out


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(values: np.ndarray) -> np.ndarray:
    """Digits typed with a Chinese input method (０１２…)."""
    return np.strings.translate(values.astype(S), FULL_WIDTH)


def date_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of day numbers since 1970-01-01."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def iso_date(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]")).astype(S)


def iso_datetime(t: np.ndarray, sep: str = " ") -> np.ndarray:
    """'YYYY-MM-DD HH:MM:SS' of int64 seconds."""
    out = np.datetime_as_string(np.asarray(t, dtype=np.int64).astype("datetime64[s]")).astype(S)
    return np.strings.replace(out, "T", sep) if sep != "T" else out


def local_iso(t: np.ndarray, locale: str) -> np.ndarray:
    """ISO 8601 with the local UTC offset: +08:00 in China, -05:00 / -04:00 in New York."""
    stamp = iso_datetime(t, "T")
    if locale == "zh":
        return join(stamp, "+08:00")
    return join(stamp, np.where(us_eastern_offset(np.asarray(t)) == -4, "-04:00", "-05:00").astype(S))


def fill(templates: Sequence[str], which: np.ndarray, slots: dict[str, np.ndarray]) -> np.ndarray:
    """Render ``templates[which]`` per row, replacing ``{slot}`` by the row's value in ``slots``.

    One pass per template and slot, never per row.
    """
    out = np.empty(len(which), dtype=S)
    for i, template in enumerate(templates):
        rows = np.flatnonzero(which == i)
        if len(rows) == 0:
            continue
        value = np.full(len(rows), template, dtype=S)
        for name, column in slots.items():
            key = "{" + name + "}"
            if key in template:
                value = _replace_each(value, key, column[rows])
        out[rows] = value
    return out


def _replace_each(values: np.ndarray, key: str, replacement: np.ndarray) -> np.ndarray:
    """Replace ``key`` (which occurs once in every row) by the row's own replacement."""
    head, _, tail = np.strings.partition(values, np.array(key, dtype=S))
    return join(head, replacement.astype(S), tail)
