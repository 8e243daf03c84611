"""The types of the condition language and how storage dtypes map to them."""

from __future__ import annotations

import re
from enum import Enum


class Type(str, Enum):
    NUMBER = "number"
    STRING = "string"
    BOOL = "bool"
    DATE = "date"
    TIMESTAMP = "timestamp"
    DURATION = "duration"
    LIST_STRING = "list<string>"
    LIST_NUMBER = "list<number>"
    NULL = "null"  # the type of the literal null: fits anything

    def __str__(self) -> str:
        return self.value


SCALARS = frozenset({Type.NUMBER, Type.STRING, Type.BOOL, Type.DATE, Type.TIMESTAMP})
TEMPORAL = frozenset({Type.DATE, Type.TIMESTAMP})
ORDERED = frozenset({Type.NUMBER, Type.STRING, Type.DATE, Type.TIMESTAMP})

_NUMERIC = re.compile(r"^(u?int(8|16|32|64)?|integer|bigint|smallint|tinyint|long|float(32|64)?|double|real"
                      r"|decimal(\(\s*\d+\s*,\s*\d+\s*\))?|numeric(\(.*\))?|number)$")
_EXACT = {
    "string": Type.STRING, "str": Type.STRING, "text": Type.STRING, "varchar": Type.STRING,
    "boolean": Type.BOOL, "bool": Type.BOOL,
    "date": Type.DATE,
    "timestamp": Type.TIMESTAMP, "datetime": Type.TIMESTAMP,
}
_LIST = re.compile(r"^(list|array)<(.+)>$")


def from_dtype(dtype: str) -> Type | None:
    """The language type of a storage dtype ('int64', 'decimal(18,2)', 'list<string>'…), or None
    when conditions cannot use such a column (json, struct…)."""
    spelled = dtype.strip().lower().lstrip("!")  # ibis writes non-nullable types with a leading !
    if spelled in _EXACT:
        return _EXACT[spelled]
    if spelled.startswith("timestamp("):
        return Type.TIMESTAMP
    if _NUMERIC.match(spelled):
        return Type.NUMBER
    inner = _LIST.match(spelled)
    if inner:
        item = from_dtype(inner.group(2))
        return {Type.STRING: Type.LIST_STRING, Type.NUMBER: Type.LIST_NUMBER}.get(item)
    return None


def comparable(a: Type, b: Type) -> bool:
    """Whether ``a < b`` (and ``=``) make sense: same family, date with timestamp, null with all."""
    if Type.NULL in (a, b):
        return True
    if a in TEMPORAL and b in TEMPORAL:
        return True
    return a == b and a in SCALARS


def unify(types: list[Type]) -> Type | None:
    """The common type of branches (if/case/coalesce…): null fits anything, date widens to
    timestamp; None when they do not fit together."""
    known = [t for t in types if t != Type.NULL]
    if not known:
        return Type.NULL
    if all(t in TEMPORAL for t in known):
        return Type.TIMESTAMP if Type.TIMESTAMP in known else Type.DATE
    return known[0] if all(t == known[0] for t in known) else None
