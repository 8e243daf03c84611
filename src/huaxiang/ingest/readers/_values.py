"""Python cell values to the text a user expects to see, for readers that stream via Python.

Excel stores every number as a float, so a phone number arrives as 13800138000.0; staging it
as "13800138000.0" would break phone standardisation and ID matching downstream. Whole floats
therefore lose the ".0", dates become ISO text, and empty text is missing (NULL).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math


def to_text(value: object) -> str | None:
    """The staged text of one value; None and empty strings become NULL."""
    if value is None:
        return None
    kind = type(value)
    if kind is str:
        return value or None  # type: ignore[return-value]
    if kind is float:
        return float_text(value)  # type: ignore[arg-type]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    return _other_text(value)


def float_text(value: float) -> str | None:
    if math.isnan(value):
        return None
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _other_text(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.hex()
        return text if text.isprintable() else raw.hex()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value) or None


def column_texts(rows: list[list[object]] | list[tuple[object, ...]], width: int) -> list[list[str | None]]:
    """Transpose row tuples into per-column text lists, the shape Arrow batches want."""
    columns: list[list[str | None]] = []
    for values in zip(*rows) if rows else [() for _ in range(width)]:
        columns.append([v if type(v) is str and v else to_text(v) for v in values])
    return columns
