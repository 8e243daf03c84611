"""The condition AST: frozen dataclasses that text and JSON both parse to.

Every node carries where it came from (``start``/``end`` offsets for text, ``path`` for JSON) so
later stages can point at it; these fields take no part in equality, so the same condition read
from text and from JSON gives equal trees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Union

#: Keywords of the language, matched case-insensitively; they cannot name a trait or column.
KEYWORDS = frozenset({"and", "or", "not", "in", "between", "is", "null", "true", "false", "like"})

#: Parameter names written ``name = value`` inside a call. Inside a call's parentheses
#: ``within = 30d`` is always this keyword argument, never a comparison.
KEYWORD_PARAMS = frozenset({"within"})

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
ARITHMETIC = ("+", "-", "*", "/", "%")

_UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def _pos():
    return field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Duration:
    """``30d``, ``12h``, ``2w``: kept as written (``2w`` is not ``14d`` to the AST)."""

    amount: int
    unit: str  # d | h | w

    def __post_init__(self):
        if self.unit not in _UNITS:
            raise ValueError(f"unknown duration unit {self.unit!r}: use d, h or w")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def timedelta(self) -> dt.timedelta:
        return dt.timedelta(**{_UNITS[self.unit]: self.amount})


@dataclass(frozen=True)
class Node:
    start: int | None = _pos()
    end: int | None = _pos()
    path: str | None = _pos()


@dataclass(frozen=True)
class Literal(Node):
    """A constant. ``kind`` keeps ``true`` apart from ``1`` (Python says ``True == 1``)."""

    value: Union[int, Decimal, str, bool, None, dt.date, dt.datetime, Duration]
    kind: str  # number | string | bool | null | date | timestamp | duration


@dataclass(frozen=True)
class Name(Node):
    """A trait (customer scope), a column (row scope) or the table of a history call."""

    name: str


@dataclass(frozen=True)
class BoolOp(Node):
    """``a and b and c`` (n-ary; a parenthesised group stays its own node)."""

    op: str  # and | or
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    arg: Node


@dataclass(frozen=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True)
class Compare(Node):
    op: str  # one of COMPARISONS; == and <> are read as = and !=
    left: Node
    right: Node


@dataclass(frozen=True)
class Arith(Node):
    op: str  # one of ARITHMETIC
    left: Node
    right: Node


@dataclass(frozen=True)
class In(Node):
    arg: Node
    values: tuple[Literal, ...]
    negated: bool = False


@dataclass(frozen=True)
class Between(Node):
    arg: Node
    low: Node
    high: Node
    negated: bool = False


@dataclass(frozen=True)
class IsNull(Node):
    arg: Node
    negated: bool = False


@dataclass(frozen=True)
class Like(Node):
    arg: Node
    pattern: str
    negated: bool = False


@dataclass(frozen=True)
class Call(Node):
    """A function call; ``name`` is lower case, ``kwargs`` is sorted by keyword."""

    name: str
    args: tuple[Node, ...] = ()
    kwargs: tuple[tuple[str, Node], ...] = ()

    def kwarg(self, key: str) -> Node | None:
        return dict(self.kwargs).get(key)


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes, in source order."""
    if isinstance(node, BoolOp):
        return node.args
    if isinstance(node, (Not, Neg, IsNull, Like)):
        return (node.arg,)
    if isinstance(node, (Compare, Arith)):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.arg, *node.values)
    if isinstance(node, Between):
        return (node.arg, node.low, node.high)
    if isinstance(node, Call):
        return (*node.args, *(v for _, v in node.kwargs))
    return ()


def is_identifier(text: str) -> bool:
    return (bool(text) and text.isascii() and (text[0].isalpha() or text[0] == "_")
            and all(ch.isalnum() or ch == "_" for ch in text) and text.lower() not in KEYWORDS)
