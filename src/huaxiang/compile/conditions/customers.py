"""Customer-scope conditions: tags, segments and history become left joins of per-customer tables.

Each kind of context is read in as few passes as possible: one pass over tag memberships for all
``has_tag`` calls, one over segment memberships, and one ``GROUP BY customer_id`` per (fact table,
window) with a conditional aggregate for each history call over it. Equal calls (same table,
value, condition and window) are computed once. Nothing is correlated, nothing loops over rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from huaxiang.domain.conditions import Call, Literal, Node, history_calls, walk

from .context import Context
from .values import Compiler

_KEY = "_hx_customer_id"
_ZERO_WHEN_EMPTY = ("count", "sum", "count_distinct")


def evaluate(node: Node, base: ir.Table, ctx: Context) -> ir.Table:
    """``(customer_id, value)`` with one row per row of ``base`` (``customer_id`` plus traits).

    A boolean result is two-valued: where the condition is null (unknown) the value is false.
    """
    joined, resolved = base, {}
    for extra, values in (_memberships(node, "has_tag", ctx.tags, "tag", ctx.tag_aliases),
                          _memberships(node, "in_segment", ctx.segments, "segment", ctx.segment_aliases),
                          *_history(node, ctx)):
        if extra is None:
            continue
        joined = joined.left_join(extra, joined.customer_id == extra[_KEY]).drop(_KEY)
        resolved.update(values)
    columns = {call: joined[name] for call, name in resolved.items()}
    for call, column in columns.items():
        if call.name in ("has_tag", "in_segment"):
            columns[call] = column.fill_null(0) > 0
        elif call.name in _ZERO_WHEN_EMPTY:
            columns[call] = column.fill_null(0)
    value = Compiler(joined, ctx, columns).value(node)
    if value.type().is_boolean():
        value = value.fill_null(False)
    return joined.select(customer_id=joined.customer_id, value=value)


def _memberships(node: Node, function: str, source, column: str, aliases: Mapping[str, str]):
    """One pass over memberships: a count per customer for each tag (segment) the node asks about."""
    calls = []
    for sub in walk(node, into_history=False):
        if isinstance(sub, Call) and sub.name == function and sub not in calls:
            calls.append(sub)
    if not calls:
        return None, {}
    names = {call: aliases.get(_name(call), _name(call)) for call in calls}
    members = source()
    members = members.filter(members[column].isin(sorted(set(names.values()))))
    out = {call: f"_hx_{function}_{i}" for i, call in enumerate(calls)}
    per_customer = members.group_by(members.customer_id.name(_KEY)).aggregate(
        **{out[call]: members.count(where=members[column] == names[call]) for call in calls})
    return per_customer, out


def _name(call: Call) -> str:
    arg = call.args[0]
    if not (isinstance(arg, Literal) and arg.kind == "string"):
        raise TypeError(f"{call.name}() takes a quoted name; check the condition before compiling it")
    return arg.value


def _history(node: Node, ctx: Context) -> list[tuple[ir.Table, dict[Call, str]]]:
    """One grouped pass per (table, window), a column per distinct history call."""
    groups: dict[tuple, list[Call]] = {}
    for call in history_calls(node):
        groups.setdefault((call.args[0].name, call.kwarg("within")), []).append(call)
    passes, count = [], 0
    for (table, within), calls in groups.items():
        rows = ctx.fact(table)
        in_window = rows.at <= ctx.now()
        if within is not None:
            in_window &= rows.at >= ctx.shifted(-within.value.timedelta())
        rows = rows.filter(in_window)
        out = {}
        for call in calls:
            out[call] = f"_hx_history_{count}"
            count += 1
        metrics = {out[call]: history_metric(call, rows, ctx) for call in calls}
        passes.append((rows.group_by(rows.customer_id.name(_KEY)).aggregate(**metrics), out))
    return passes


def history_metric(call: Call, rows: ir.Table, ctx: Context) -> ir.Scalar:
    compiler = Compiler(rows, ctx)
    rest = list(call.args[1:])
    value = compiler.value(rest.pop(0)) if call.name != "count" else None
    where = compiler.value(rest[0]) if rest else None
    if call.name == "count":
        return rows.count(where=where)
    if call.name == "avg":  # a division: float64 for decimals too, as in both engines alike
        value = value.cast("float64")
    method = {"sum": "sum", "avg": "mean", "min": "min", "max": "max", "count_distinct": "nunique"}[call.name]
    return getattr(value, method)(where=where)
