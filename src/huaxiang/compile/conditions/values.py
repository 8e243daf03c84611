"""AST -> Ibis value over one table (row scope, derived traits, and the body of ``evaluate``)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from huaxiang.domain.conditions import (Arith, Between, BoolOp, Call, Compare, ConditionError, In, IsNull, Like,
                                        Literal, Name, Neg, Node, Not, lookup)
from huaxiang.domain.conditions.check import suggest

from . import functions
from .context import Context
from .functions import align

_COMPARE = {"=": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


def compile_value(node: Node, table: ir.Table, ctx: Context) -> ir.Value:
    """The Ibis value of ``node`` over the rows of ``table`` (identifiers are its columns).

    Context functions (has_tag, in_segment, history) are not allowed here: use ``evaluate``.
    """
    return Compiler(table, ctx).value(node)


def literal(node: Literal) -> ir.Value:
    if node.kind == "number":
        if isinstance(node.value, Decimal):  # decimal constants are float64 in both engines
            return ibis.literal(float(node.value), type="float64")
        return ibis.literal(node.value, type="int64")
    if node.kind == "null":
        return ibis.null()
    if node.kind == "duration":
        raise ConditionError("a duration is only allowed in within = … or next to a timestamp",
                             node.start, node.end, node.path)
    kind = {"string": "string", "bool": "boolean", "date": "date", "timestamp": "timestamp"}[node.kind]
    return ibis.literal(node.value, type=kind)


class Compiler:
    """Compiles nodes over ``table``; ``resolved`` holds the values of context calls already joined in."""

    def __init__(self, table: ir.Table, ctx: Context, resolved: Mapping[Call, ir.Value] | None = None):
        self.table = table
        self.ctx = ctx
        self.resolved = resolved or {}

    def value(self, node: Node) -> ir.Value:
        return getattr(self, f"_{type(node).__name__.lower()}")(node)

    def _literal(self, node: Literal) -> ir.Value:
        return literal(node)

    def _name(self, node: Name) -> ir.Value:
        if node.name not in self.table.columns:
            raise ConditionError(f"unknown column {node.name!r}{suggest(node.name, self.table.columns)}",
                                 node.start, node.end, node.path)
        return self.table[node.name]

    def _boolop(self, node: BoolOp) -> ir.Value:
        values = [self.value(arg) for arg in node.args]
        return functools.reduce((lambda a, b: a & b) if node.op == "and" else (lambda a, b: a | b), values)

    def _not(self, node: Not) -> ir.Value:
        return ~self.value(node.arg)

    def _neg(self, node: Neg) -> ir.Value:
        return -self.value(node.arg)

    def _compare(self, node: Compare) -> ir.Value:
        left, right = align([self.value(node.left), self.value(node.right)])
        return getattr(left, _COMPARE[node.op])(right)

    def _arith(self, node: Arith) -> ir.Value:
        if isinstance(node.right, Literal) and node.right.kind == "duration":
            return self.shifted(node.left, node.op, node.right)
        if isinstance(node.left, Literal) and node.left.kind == "duration":
            return self.shifted(node.right, "+", node.left)
        left, right = self.value(node.left), self.value(node.right)
        if node.op == "/":  # true division as float64, also for decimals; x / 0 is null in both engines
            return left.cast("float64") / right.cast("float64").nullif(0)
        if node.op == "%":
            return left % right.nullif(0)
        return {"+": left.__add__, "-": left.__sub__, "*": left.__mul__}[node.op](right)

    def shifted(self, node: Node, op: str, duration: Literal) -> ir.Value:
        delta = duration.value.timedelta() * (1 if op == "+" else -1)
        if isinstance(node, Call) and node.name == "now":  # fold now() - 30d into one constant
            return self.ctx.shifted(delta)
        base = self.value(node)
        if base.type().is_date():
            return base + ibis.interval(days=delta.days)
        return base + ibis.interval(seconds=int(delta.total_seconds()))

    def _in(self, node: In) -> ir.Value:
        arg = self.value(node.arg)
        matched = arg.isin([literal(v) for v in node.values])
        return ~matched if node.negated else matched

    def _between(self, node: Between) -> ir.Value:
        arg, low, high = align([self.value(node.arg), self.value(node.low), self.value(node.high)])
        inside = arg.between(low, high)
        return ~inside if node.negated else inside

    def _isnull(self, node: IsNull) -> ir.Value:
        arg = self.value(node.arg)
        return arg.notnull() if node.negated else arg.isnull()

    def _like(self, node: Like) -> ir.Value:
        matched = self.value(node.arg).like(node.pattern)
        return ~matched if node.negated else matched

    def _call(self, node: Call) -> ir.Value:
        if node in self.resolved:
            return self.resolved[node]
        declared = lookup(node.name)
        if declared is not None and declared.context:
            raise ConditionError(f"{node.name}() needs a customer and cannot be used on table rows",
                                 node.start, node.end, node.path)
        build = functions.builder(node.name)
        if build is None:
            raise ConditionError(f"unknown function {node.name!r}", node.start, node.end, node.path)
        return build(node, [self.value(arg) for arg in node.args], self.ctx)
