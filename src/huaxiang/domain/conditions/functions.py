"""The functions of the condition language: name, arity and type rule, one registration each.

This module holds what the type checker needs; the Ibis builder of each function registers
itself under the same name in ``huaxiang.compile.conditions.functions`` (a test keeps the two
registries equal). Context functions (tags, segments, history) need the customer and the checker's
environment, so their rules live in ``check.py``; they are registered here to be known by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import ConditionError
from .nodes import Call, Literal, Neg, Node
from .types import ORDERED, TEMPORAL, Type, unify

#: The rule of a scalar function: (the call, the types of its arguments) -> result type.
Rule = Callable[[Call, list[Type]], Type]

#: History aggregates: the first argument names a fact table; the rest is in that table's row scope.
HISTORY = frozenset({"count", "sum", "avg", "min", "max", "count_distinct"})


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int | None  # None: any number
    rule: Rule | None  # None for context functions (checked by check.py)
    doc: str
    context: bool = False  # needs a customer: not allowed on table rows
    keywords: frozenset[str] = frozenset()


_FUNCTIONS: dict[str, Function] = {}


def register(function: Function) -> Function:
    if function.name in _FUNCTIONS:
        raise ValueError(f"function {function.name!r} is registered twice")
    _FUNCTIONS[function.name] = function
    return function


def lookup(name: str) -> Function | None:
    return _FUNCTIONS.get(name)


def names() -> list[str]:
    return sorted(_FUNCTIONS)


def fail(node: Node, message: str) -> ConditionError:
    return ConditionError(message, node.start, node.end, node.path)


def expect(call: Call, index: int, got: Type, allowed: frozenset[Type] | Type) -> None:
    """Raise unless argument ``index`` (from 0) has one of the ``allowed`` types (null fits all)."""
    allowed = frozenset({allowed}) if isinstance(allowed, Type) else allowed
    if got != Type.NULL and got not in allowed:
        wanted = " or ".join(sorted(str(t) for t in allowed))
        raise fail(call.args[index], f"{call.name}() expects {wanted} as argument {index + 1}, got {got}")


def _fixed(params: tuple, returns: Type) -> Rule:
    def rule(call: Call, types: list[Type]) -> Type:
        for i, got in enumerate(types):
            expect(call, i, got, params[min(i, len(params) - 1)])
        return returns
    return rule


def _same(ordered: bool = False) -> Rule:
    """All arguments share one type (coalesce, least…), which is the result."""
    def rule(call: Call, types: list[Type]) -> Type:
        result = unify(types)
        if result is None:
            raise fail(call, f"{call.name}() needs arguments of one type, got {', '.join(map(str, types))}")
        if ordered and result not in ORDERED | {Type.NULL}:
            raise fail(call, f"{call.name}() cannot order {result} values")
        return result
    return rule


def _nullif(call: Call, types: list[Type]) -> Type:
    if unify(types) is None:
        raise fail(call, f"nullif() cannot compare {types[0]} with {types[1]}")
    return types[0]


def _if(call: Call, types: list[Type]) -> Type:
    expect(call, 0, types[0], Type.BOOL)
    return _branches(call, types[1:])


def _case(call: Call, types: list[Type]) -> Type:
    if len(types) % 2 == 0:
        raise fail(call, "case() takes condition, value pairs and then an else value: case(c1, v1, c2, v2, else)")
    for i in range(0, len(types) - 1, 2):
        expect(call, i, types[i], Type.BOOL)
    return _branches(call, types[1:-1:2] + [types[-1]])


def _branches(call: Call, types: list[Type]) -> Type:
    result = unify(types)
    if result is None:
        raise fail(call, f"the values of {call.name}() do not share a type: {', '.join(map(str, types))}")
    return result


def _round(call: Call, types: list[Type]) -> Type:
    expect(call, 0, types[0], Type.NUMBER)
    if len(call.args) == 2:
        digits = call.args[1]
        if not (isinstance(digits, Literal) and isinstance(digits.value, int) and not isinstance(digits.value, bool)
                and 0 <= digits.value <= 10):
            raise fail(digits, "round() takes the number of digits as a whole number from 0 to 10")
    return Type.NUMBER


def _contains(call: Call, types: list[Type]) -> Type:
    haystack, needle = types
    expect(call, 0, haystack, frozenset({Type.STRING, Type.LIST_STRING, Type.LIST_NUMBER}))
    expect(call, 1, needle, Type.NUMBER if haystack == Type.LIST_NUMBER else Type.STRING)
    return Type.BOOL


def _bucket(call: Call, types: list[Type]) -> Type:
    expect(call, 0, types[0], Type.NUMBER)
    breaks = [constant_number(arg) for arg in call.args[1:]]
    for arg, value in zip(call.args[1:], breaks):
        if value is None:
            raise fail(arg, "the breaks of bucket() are constant numbers")
    for arg, prev, value in zip(call.args[2:], breaks, breaks[1:]):
        if value <= prev:
            raise fail(arg, f"the breaks of bucket() must ascend: {value} comes after {prev}")
    return Type.NUMBER


def constant_number(node: Node):
    """The value of a number constant (``5``, ``-2.5``, ``-(5)``), else None."""
    if isinstance(node, Neg):
        inner = constant_number(node.arg)
        return None if inner is None else -inner
    if isinstance(node, Literal) and node.kind == "number":
        return node.value
    return None


_N, _S, _B, _T = Type.NUMBER, Type.STRING, Type.BOOL, frozenset(TEMPORAL)


def _scalar(name: str, min_args: int, max_args: int | None, rule: Rule, doc: str) -> None:
    register(Function(name, min_args, max_args, rule, doc))


_scalar("coalesce", 2, None, _same(), "the first argument that is not null")
_scalar("nullif", 2, 2, _nullif, "null when a = b, else a")
_scalar("if", 3, 3, _if, "if(cond, a, b): a when cond is true, else b (also when cond is null)")
_scalar("case", 3, None, _case, "case(c1, v1, c2, v2, …, else_value): the value of the first true condition")
for _name in ("abs", "floor", "ceil"):
    _scalar(_name, 1, 1, _fixed((_N,), _N), f"{_name} of a number")
for _name, _doc in (("ln", "natural logarithm; null unless x > 0"), ("exp", "e to the power x"),
                    ("sqrt", "square root; null when x < 0")):
    _scalar(_name, 1, 1, _fixed((_N,), _N), _doc)
_scalar("round", 1, 2, _round, "round(x[, digits]): half away from zero; a whole number without digits")
_scalar("least", 2, None, _same(ordered=True), "the smallest argument, nulls skipped")
_scalar("greatest", 2, None, _same(ordered=True), "the largest argument, nulls skipped")
_scalar("lower", 1, 1, _fixed((_S,), _S), "lower case")
_scalar("upper", 1, 1, _fixed((_S,), _S), "upper case")
_scalar("length", 1, 1, _fixed((_S,), _N), "number of characters (a Chinese character is one)")
_scalar("contains", 2, 2, _contains, "contains(text, part) or contains(list, value)")
_scalar("starts_with", 2, 2, _fixed((_S, _S), _B), "starts_with(text, prefix)")
_scalar("ends_with", 2, 2, _fixed((_S, _S), _B), "ends_with(text, suffix)")
for _name in ("year", "month", "day"):
    _scalar(_name, 1, 1, _fixed((_T,), _N), f"the {_name} of a date or timestamp (timestamps in local time)")
_scalar("hour", 1, 1, _fixed((Type.TIMESTAMP,), _N), "the hour 0–23 of a timestamp, in local time")
_scalar("weekday", 1, 1, _fixed((_T,), _N), "day of the week, 0 = Monday … 6 = Sunday (local time)")
_scalar("date", 1, 1, _fixed((_T,), Type.DATE), "the local date of a timestamp")
_scalar("days_between", 2, 2, _fixed((_T, _T), _N), "days_between(a, b): b − a in whole days")
_scalar("days_since", 1, 1, _fixed((_T,), _N), "whole days from the argument to the build time (as_of)")
_scalar("hours_since", 1, 1, _fixed((_T,), _N), "whole hours from the argument to the build time (as_of)")
_scalar("bucket", 2, None, _bucket, "bucket(x, b1, b2, …): how many breaks are <= x (breaks ascend)")
_scalar("size", 1, 1, _fixed((frozenset({Type.LIST_STRING, Type.LIST_NUMBER}),), _N), "number of items in a list")
_scalar("now", 0, 0, _fixed((), Type.TIMESTAMP), "the build time (as_of), UTC")

for _name, _doc in (("has_tag", "has_tag(name): the customer carries the tag"),
                    ("in_segment", "in_segment(name): the customer is in the segment")):
    register(Function(_name, 1, 1, None, _doc, context=True))
register(Function("count", 1, 2, None, "count(table[, condition][, within = 30d]): rows; 0 when none",
                  context=True, keywords=frozenset({"within"})))
for _name in ("sum", "avg", "min", "max", "count_distinct"):
    register(Function(_name, 2, 3, None, f"{_name}(table, value[, condition][, within = 30d])", context=True,
                      keywords=frozenset({"within"})))
