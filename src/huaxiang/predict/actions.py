"""Next best actions for sales and service staff: rules in ``predictions/*.yml`` (``actions:``), each with its reason.

Every action's condition is evaluated for every customer by the engine (the condition language, with
tags and segments); the applicable action with the lowest ``priority`` number is the customer's next
best action, all applicable ones are listed by priority. The reason is a template over traits
(``{churn_risk:.0%}``), filled in SQL in the workspace's language and again in the reader's language
when one card is shown (``render_reason``).
"""

from __future__ import annotations

import re
from typing import Any

import ibis
import ibis.expr.types as ir

from huaxiang.compile.conditions import Context, evaluate
from huaxiang.domain.conditions import parse
from huaxiang.domain.predictions import ACTIONS, Action
from huaxiang.predict.store import write_scores
from huaxiang.profiles.build import PROFILES

_FIELD = re.compile(r"\{([a-z][a-z0-9_]*)(?::([^}]*))?\}")


def _formatted(value: ir.Value, spec: str | None) -> ir.StringValue:
    """A trait as text: ``.0%`` percent, ``.Nf`` fixed decimals, ``,`` thousands as plain; null as '-'."""
    if spec and spec.endswith("%"):
        digits = int(spec[1:-1] or 0) if spec.startswith(".") else 0
        text = (value.cast("float64") * 100).round(digits).cast("string") + "%"
    elif spec and spec.endswith("f"):
        text = value.cast("float64").round(int(spec.lstrip(",.")[:-1] or 0)).cast("string")
    else:
        text = value.cast("string")
    return text.fill_null("-")


def reason_expr(template: str, table: ir.Table) -> ir.StringValue:
    parts: list[ir.StringValue] = []
    last = 0
    for m in _FIELD.finditer(template):
        parts.append(ibis.literal(template[last:m.start()]))
        parts.append(_formatted(table[m.group(1)], m.group(2)))
        last = m.end()
    parts.append(ibis.literal(template[last:]))
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


def render_reason(action: Action, values: dict[str, Any], lang: str) -> str:
    """One customer's reason in ``lang`` (the card): the same template, formatted by Python."""
    def fill(m: re.Match) -> str:
        value = values.get(m.group(1))
        if value is None:
            return "-"
        try:
            return format(value, m.group(2) or "")
        except (TypeError, ValueError):
            return str(value)
    return _FIELD.sub(fill, action.reason.get(lang))


def _context(ws: Any, defs: Any, as_of: Any, rows: dict[str, ir.Table]) -> Context:
    """The live memberships and fact rows, as the last build left them (``defs``: the profile definitions)."""
    wh = ws.warehouse
    extra = {}
    if wh.has_table("tag_members"):
        extra["tags"] = lambda: wh.ibis.table("tag_members").select("customer_id", "tag")
    if wh.has_table("segment_members"):
        extra["segments"] = lambda: wh.ibis.table("segment_members").select("customer_id", "segment")
    return Context(as_of=as_of, fact=rows.__getitem__, tag_aliases=defs.tag_names(),
                   segment_aliases=defs.segment_names(), **extra)


def expression(ws: Any, defs: Any, actions: list[Action], as_of: Any, lang: str,
               rows: dict[str, ir.Table]) -> ir.Table:
    """``customer_id, action, reason, actions`` for every customer with an applicable action."""
    profiles = ws.warehouse.ibis.table(PROFILES)
    ctx = _context(ws, defs, as_of, rows)
    parts = []
    for rank, action in enumerate(sorted(actions, key=lambda a: (a.priority, a.name))):
        hit = evaluate(parse(action.condition), profiles, ctx)
        hit = hit.filter(hit.value.fill_null(False))
        who = profiles.semi_join(hit, "customer_id")
        parts.append(who.select("customer_id", action=ibis.literal(action.name), rank=ibis.literal(rank),
                                reason=reason_expr(action.reason.get(lang), who)))
    if not parts:
        return profiles.select("customer_id", action=ibis.null("string"), reason=ibis.null("string"),
                               actions=ibis.null("array<string>")).limit(0)
    hits = parts[0]
    for p in parts[1:]:
        hits = hits.union(p)
    listed = hits.group_by("customer_id").aggregate(
        actions=hits.action.collect(order_by=hits.rank), best=hits.rank.min())
    best = hits.inner_join(listed, [hits.customer_id == listed.customer_id, hits.rank == listed.best])
    return best.select(hits.customer_id, hits.action, hits.reason, listed.actions)


def score(ctx: Any) -> int:
    """Evaluate the actions for every customer and store them as the ``next_best_action`` prediction."""
    ws = ctx.ws
    expr = expression(ws, ctx.defs.profile, ctx.defs.actions, ctx.end, ws.config.locale, ctx.rows)
    table = expr.order_by("customer_id").to_pyarrow()
    return write_scores(ctx.wh, ACTIONS, table, ctx.defs.profile.traits)


__all__ = ["expression", "score", "render_reason", "reason_expr"]
