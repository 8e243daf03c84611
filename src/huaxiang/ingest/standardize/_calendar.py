"""Take a date/time string apart once, for both the ``date`` and the ``timestamp`` standardizers.

One regex covers the spellings seen in Chinese business data — ``2024-01-05``, ``2024/1/5``,
``2024.1.5``, ``20240105``, ``2024年1月5日``, with an optional ``10:30``, ``10:30:00.123``,
``10时30分``, ``T`` separator and ``Z``/``+08:00`` offset — and rewrites the match into
``|``-separated fields. Capturing regexes are the expensive part, so callers try a plain ISO
string with a cheap non-capturing match first and only fall back to this on other spellings.
Day-first and month-first forms (``05/01/2024``) are ambiguous and need an explicit format.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

_DATE = r"(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
_CLOCK = r"(\d{1,2})\s*(?::|时|点)\s*(\d{1,2})\s*(?:(?::|分)\s*(\d{1,2}(?:\.\d{1,9})?)\s*秒?|分)?"
_ZONE = r"(Z|z|[+-]\d{2}(?::?\d{2})?)"
PATTERN = rf"^{_DATE}(?:\s*[T ]?\s*{_CLOCK}\s*{_ZONE}?)?$"
_FIELDS = r"\1|\2\4|\3\5|\6|\7|\8|\9"

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
ISO_LOCAL = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$"
# The shape machines write (APIs, event collectors, ISO exports): an exact instant.
ISO_INSTANT = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:\d{2})?)$"


@dataclass(frozen=True)
class Parts:
    """ISO strings built from a matched input; ``date`` is NULL when the input did not match."""

    date: ir.StringValue  # YYYY-MM-DD, not yet checked to be a real day
    clock: ir.StringValue  # HH:MM:SS[.fff], midnight when the input had no time
    zone: ir.StringValue  # 'Z', '+08:00', '+0800', '-05' or NULL


def _pad(field: ir.StringValue) -> ir.StringValue:
    return field.lpad(2, "0")


def parts(text: ir.StringValue) -> Parts:
    matched = text.re_search(PATTERN)
    fields = ibis.ifelse(matched, text.re_replace(PATTERN, _FIELDS), ibis.null("string")).split("|")
    date = fields[0] + "-" + _pad(fields[1]) + "-" + _pad(fields[2])
    hour, minute, second = fields[3].nullif(""), fields[4].nullif(""), fields[5].nullif("")
    second = ibis.ifelse(second.re_search(r"^\d(\.|$)"), "0" + second, second)
    clock = _pad(hour.fill_null("0")) + ":" + _pad(minute.fill_null("0")) + ":" + second.fill_null("00")
    return Parts(date=date, clock=clock, zone=fields[6].nullif(""))


def offset_minutes(zone: ir.StringValue) -> ir.IntegerValue:
    """Minutes east of UTC for 'Z', '+08:00', '+0800' or '+08'."""
    digits = zone.substr(1).replace(":", "")
    minutes = digits.substr(0, 2).cast("int32") * 60 + digits.substr(2, 2).nullif("").cast("int32").fill_null(0)
    signed = ibis.ifelse(zone.startswith("-"), -minutes, minutes)
    return ibis.ifelse(zone.upper() == "Z", 0, signed)
