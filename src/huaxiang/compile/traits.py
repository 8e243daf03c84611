"""Traits -> Ibis expressions: one aggregation pass per fact table, derived traits as projections.

Nothing runs here: ``profile_expr`` returns one Ibis table expression (customer_id + a column per
trait) that the engine executes on DuckDB or Spark.

* Aggregated traits over one table compile into a single ``GROUP BY customer_id`` with conditional
  aggregates (``sum(x) FILTER (WHERE window and where)``). ``most_frequent`` and ``top_k`` need the
  counts per value first, so each adds one grouped pass over the rows it reads; ties go to the
  smaller value, so both engines agree.
* ``first`` / ``last`` take the value at the earliest / latest ``at`` (``arg_min`` / ``min_by``).
* Windows are relative to ``as_of``: ``window: 90d`` reads rows with ``as_of - 90d <= at <= as_of``;
  no trait ever reads a row dated after ``as_of``, which is what makes a snapshot as of a past time
  free of leakage.
* Time decay weighs a row by ``0.5 ** (age in days / half-life in days)``.
* Customers without rows get 0 from count, sum, count_distinct and share's numerator; null otherwise.
* Derived traits are projections in dependency order, one ``mutate`` per level of the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from huaxiang.compile.conditions import Context, compile_value
from huaxiang.compile.conditions.context import epoch_seconds
from huaxiang.domain.conditions import parse
from huaxiang.domain.traits import Aggregate, Trait, parse_duration

SECONDS_PER_DAY = 86_400.0
#: the type each trait is cast to, in Ibis spelling
IBIS_DTYPE = {"string": "string", "int64": "int64", "float64": "float64", "boolean": "boolean", "date": "date",
              "timestamp": "timestamp", "list<string>": "array<string>"}
ZERO_WHEN_EMPTY = ("count", "sum", "count_distinct")


@dataclass
class Inputs:
    """What a profile build reads: the golden records, the fact tables (with customer_id and at) and the
    predictions' scores (prediction name -> ``customer_id`` + a column per output; absent: not scored yet)."""

    golden: ir.Table
    facts: dict[str, ir.Table]
    ctx: Context
    predicted: dict[str, ir.Table] = field(default_factory=dict)


def _cond(t: ir.Table, agg: Aggregate, ctx: Context) -> ir.BooleanValue:
    cond = t.at <= ctx.now()
    if agg.window is not None:
        cond &= t.at >= ctx.shifted(-agg.window.start)
        if agg.window.end:
            cond &= t.at <= ctx.shifted(-agg.window.end)
    if agg.where:
        cond &= compile_value(parse(agg.where), t, ctx).fill_null(False)
    return cond


def _age_days(t: ir.Table, ctx: Context) -> ir.FloatingValue:
    return (epoch_seconds(ctx.now()) - epoch_seconds(t.at)).cast("float64") / SECONDS_PER_DAY


def _decay(t: ir.Table, agg: Aggregate, ctx: Context) -> ir.FloatingValue | None:
    if not agg.half_life:
        return None
    half = parse_duration(agg.half_life).total_seconds() / SECONDS_PER_DAY
    return ibis.literal(0.5) ** (_age_days(t, ctx) / half)


def _value(t: ir.Table, text: str | None, ctx: Context) -> ir.Value:
    return compile_value(parse(text), t, ctx) if text else ibis.literal(1)


def _metric(t: ir.Table, agg: Aggregate, ctx: Context, cond: ir.BooleanValue) -> ir.Scalar:
    """One conditional aggregate of the table's single pass (``cond``: the rows it reads)."""
    fn = agg.function
    if fn == "count":
        return t.count(where=cond)
    value = _value(t, agg.column, ctx)
    if fn == "sum":
        decay = _decay(t, agg, ctx)
        return (value * decay if decay is not None else value).sum(where=cond)
    if fn == "avg":  # in float64: Spark's avg of a decimal is a decimal rounded to 6 places
        return value.cast("float64").mean(where=cond)
    if fn in ("min", "max"):
        return getattr(value, fn)(where=cond)
    if fn == "count_distinct":
        return value.nunique(where=cond)
    if fn in ("first", "last"):
        return getattr(value, "argmin" if fn == "first" else "argmax")(t.at, where=cond & value.notnull())
    if fn == "share":
        hit = compile_value(parse(agg.of), t, ctx).fill_null(False)
        # integer flags cast to float64 after summing: a float literal such as 1.0 is a DECIMAL in Spark SQL
        if not agg.weight:
            hits = ibis.cases((hit, 1), else_=0).sum(where=cond).cast("float64")
            return hits / t.count(where=cond).cast("float64")
        weight = _value(t, agg.weight, ctx).cast("float64")
        return ibis.cases((hit, weight), else_=weight * 0).sum(where=cond) / weight.sum(where=cond)
    raise ValueError(f"{fn} is not a single-pass aggregate")


RANKED = ("top_k", "most_frequent")


def _ranks(agg: Aggregate) -> int:
    """How many ranks a ranked trait keeps: k for top_k, one for most_frequent."""
    return agg.k if agg.function == "top_k" else 1


def _ranked_rows(t: ir.Table, i: int, agg: Aggregate, ctx: Context) -> ir.Table:
    """``(customer_id, _t, _v, _w)``: the rows one ranked trait (number ``i``) counts, with their weights."""
    weight = _value(t, agg.weight, ctx).cast("float64")
    decay = _decay(t, agg, ctx)
    if decay is not None:
        weight = weight * decay
    value = _value(t, agg.column, ctx).cast("string")
    rows = t.filter(_cond(t, agg, ctx) & value.notnull())
    return rows.select("customer_id", _t=ibis.literal(i, "int32"), _v=value, _w=weight)


def _ranked_pass(t: ir.Table, traits: list[Trait], ctx: Context) -> ir.Table:
    """Every top_k / most_frequent trait over one table in one pass.

    The rows of all of them (tagged with the trait's number) are summed per customer, trait and value
    and ranked by weight within customer and trait (ties by value: both engines agree); then one row
    per customer takes each trait's value at rank 0 (most_frequent) or its values at ranks 0..k-1, as
    an array without the missing ranks (an ordered collect is not portable: Spark's collect_list keeps
    no order). One pass instead of one per trait: fewer scans, one sort, one join less per trait.
    """
    aggs = [tr.aggregate for tr in traits]
    rows = _ranked_rows(t, 0, aggs[0], ctx)
    for i, agg in enumerate(aggs[1:], start=1):
        rows = rows.union(_ranked_rows(t, i, agg, ctx), distinct=False)
    per_value = rows.group_by(["customer_id", "_t", "_v"]).aggregate(_s=rows._w.sum())
    rank = ibis.row_number().over(group_by=[per_value.customer_id, per_value._t],
                                  order_by=[per_value._s.desc(), per_value._v.asc()])
    ranked = per_value.mutate(_r=rank)
    ranked = ranked.filter(ranked._r < max(_ranks(agg) for agg in aggs))
    wide = ranked.group_by("customer_id").aggregate(**{
        f"_{i}_{j}": ranked._v.max(where=(ranked._t == i) & (ranked._r == j))
        for i, agg in enumerate(aggs) for j in range(_ranks(agg))})
    out = {}
    for i, (tr, agg) in enumerate(zip(traits, aggs)):
        ranks = [wide[f"_{i}_{j}"] for j in range(_ranks(agg))]
        out[tr.name] = ranks[0] if agg.function == "most_frequent" else ibis.array(ranks).filter(lambda v: v.notnull())
    return wide.select("customer_id", **out)


def _with_conditions(t: ir.Table, aggs: list[Aggregate], ctx: Context) -> tuple[ir.Table, list[str]]:
    """``t`` with a boolean column per distinct row condition of ``aggs``, and each one's column.

    Traits share conditions (the same window and filter with another function or column): computed
    once per row as a column, not once per aggregate (DuckDB does not share equal FILTER clauses).
    """
    names: dict[ops.Node, str] = {}
    columns: dict[str, ir.BooleanValue] = {}
    chosen = []
    for agg in aggs:
        cond = _cond(t, agg, ctx)
        name = names.setdefault(cond.op(), f"_c{len(names)}")
        columns.setdefault(name, cond)
        chosen.append(name)
    return t.mutate(**columns), chosen


def table_passes(t: ir.Table, traits: list[Trait], ctx: Context) -> list[ir.Table]:
    """The aggregation passes over one fact table: one of the single-pass traits, one of the ranked ones."""
    t = t.filter(t.customer_id.notnull())
    single_traits = [tr for tr in traits if tr.aggregate and tr.aggregate.function not in RANKED]
    rows, conds = _with_conditions(t, [tr.aggregate for tr in single_traits], ctx)
    single = {tr.name: _metric(rows, tr.aggregate, ctx, rows[c]) for tr, c in zip(single_traits, conds)}
    single["_first_at"] = rows.at.min(where=rows.at <= ctx.now())
    passes = [rows.group_by("customer_id").aggregate(**single)]
    ranked = [tr for tr in traits if tr.aggregate and tr.aggregate.function in RANKED]
    if ranked:
        passes.append(_ranked_pass(t, ranked, ctx))
    return passes


def used_columns(t: ir.Table, exprs: Callable[[ir.Table], Iterable[ir.Table]]) -> list[str]:
    """The columns of ``t`` that ``exprs(t)`` read (in ``t``'s order): what is worth materializing of it.

    ``exprs`` is applied to an unbound table with ``t``'s schema, so the columns ``t`` itself was built
    from (the join that attributed its rows, say) do not count. A projection's column counts only
    when something reads it: a ``mutate`` passes every column through, and most go unread. By name:
    a derived column with the name of one of ``t``'s keeps that one too, which costs only its width.
    """
    probe = ibis.table(t.schema(), name="_used_columns")
    read = _names_read([e.op() for e in exprs(probe)])
    return [c for c, dtype in t.schema().items() if c in read and not dtype.is_json()]


def _names_read(roots: list[ops.Node]) -> set[str]:
    """Names of the fields the value expressions under ``roots`` read, following projections by demand.

    Written by hand: Ibis's graph helpers find every field under a node, including the pass-through
    columns of a projection that nothing downstream reads. A field of a projection reads that one
    value; of a filter, sort, limit, distinct or set operation, the same name of its inputs; of any
    other relation (an aggregation, a join), everything under it.
    """
    names: set[str] = set()
    seen: set[object] = set()
    stack: list[object] = list(roots)
    while stack:
        item = stack.pop()
        if item in seen:
            continue
        seen.add(item)
        if isinstance(item, tuple):  # (relation, name): that column of the relation is read
            rel, name = item
            names.add(name)
            if isinstance(rel, ops.Project):
                stack += [rel.values[name], rel.parent]
            elif isinstance(rel, ops.Set):
                stack += [(rel.left, name), (rel.right, name)]
            elif isinstance(rel, (ops.Filter, ops.Sort, ops.Limit, ops.Distinct)):
                stack += [rel, (rel.parent, name)]
            else:
                stack.append(rel)
        elif isinstance(item, ops.Field):
            stack.append((item.rel, item.name))
        elif isinstance(item, ops.Project):  # its values are read through the fields that name them
            stack.append(item.parent)
        elif isinstance(item, ops.Set):
            continue  # its inputs are read through the fields that name them
        elif isinstance(item, (ops.Filter, ops.Sort, ops.Limit, ops.Distinct)):
            stack += [arg for arg in item.__children__ if arg is not item.parent]
        else:
            stack += list(item.__children__)
    return names


def _join_all(base: ir.Table, parts: Iterable[ir.Table]) -> ir.Table:
    # narrow parts first: each join passes on every column joined before it
    for part in sorted(parts, key=lambda p: len(p.columns)):
        renamed = part.rename(_cid="customer_id")
        base = base.left_join(renamed, base.customer_id == renamed._cid).drop("_cid")
    return base


def levels(derived: dict[str, set[str]]) -> list[list[str]]:
    """Derived traits in dependency levels: each level reads only traits of earlier levels (or non-derived)."""
    out = []
    pending = dict(derived)
    while pending:
        ready = sorted(n for n, deps in pending.items() if not (deps & set(pending)))
        if not ready:
            raise ValueError(f"derived traits depend on each other in a cycle: {', '.join(sorted(pending))}")
        out.append(ready)
        for n in ready:
            pending.pop(n)
    return out


Stage = Callable[[str, ir.Table], ir.Table]


def _no_stage(name: str, expr: ir.Table) -> ir.Table:
    return expr


def profile_expr(traits: list[Trait], inputs: Inputs, derived_deps: dict[str, set[str]], *, snapshot: bool,
                 stage: Stage = _no_stage, stage_levels: bool = True) -> ir.Table:
    """customer_id + every trait (in definition order), for every customer of the golden records.

    With ``snapshot``, only customers who were known by ``as_of`` (registered or active by then).
    ``stage(name, expr)`` may materialize an intermediate result and return a table that reads it:
    the engine keeps each fact table's rows (attributed once, dated up to ``as_of``) and each pass,
    so no pass recomputes the attribution. With ``stage_levels`` it also keeps the joined passes and
    each level of derived traits, so no single query grows past what a planner handles well (Spark's
    runs out of heap on the inlined plan; DuckDB's does not, and copying the wide table costs more).
    """
    ctx = inputs.ctx
    golden = inputs.golden
    base = golden.select("customer_id", _registered_at=golden.registered_at,
                         **{tr.name: golden[tr.mapped] for tr in traits if tr.mapped})
    by_table: dict[str, list[Trait]] = {}
    for tr in traits:
        if tr.aggregate:
            by_table.setdefault(tr.aggregate.table, []).append(tr)
    parts, firsts, absent = [], [], []
    for name, table_traits in by_table.items():
        if name not in inputs.facts:  # nothing loaded into that table yet: no rows for anyone
            absent += table_traits
            continue
        t = inputs.facts[name]
        dated = t.filter(t.customer_id.notnull() & (t.at <= ctx.now()))
        # attributed once and kept with only the columns the passes read
        rows = stage(f"_rows_{name}", dated.select(used_columns(dated, lambda t: table_passes(t, table_traits, ctx))))
        passes = table_passes(rows, table_traits, ctx)
        passes[0] = passes[0].rename(**{f"_first_{name}": "_first_at"})
        firsts.append(f"_first_{name}")
        parts += [stage(f"_pass_{name}_{i}", p) for i, p in enumerate(passes)]
    scored = [] if snapshot else [tr for tr in traits if tr.predicted and tr.predicted.prediction in inputs.predicted]
    wide = _join_all(base, parts + _predicted_parts(scored, inputs.predicted))
    unscored = [t for t in traits if t.predicted and t not in scored]
    nulls = {tr.name: ibis.null(IBIS_DTYPE[tr.dtype]) for tr in absent + unscored}
    if nulls:  # not scored yet (and never in a snapshot: a model's output is not data as of a past time)
        wide = wide.mutate(**nulls)
    fills = {tr.name: wide[tr.name].fill_null(0) for tr in traits
             if tr.aggregate and tr.aggregate.function in ZERO_WHEN_EMPTY}
    if fills:
        wide = wide.mutate(**fills)
    if snapshot:
        seen = ibis.least(wide._registered_at, *[wide[f] for f in firsts]) if firsts else wide._registered_at
        wide = wide.filter(seen <= ctx.now())
    by_name = {tr.name: tr for tr in traits}
    keep = stage if stage_levels else _no_stage
    wide = keep("_wide_0", wide)
    for i, level in enumerate(levels(derived_deps), start=1):
        # kept, each level reads columns, not the ever longer expressions behind them
        wide = keep(f"_wide_{i}", wide.mutate(**{n: compile_value(parse(by_name[n].derive), wide, ctx) for n in level}))
    return wide.select("customer_id", *[wide[tr.name].cast(IBIS_DTYPE[tr.dtype]).name(tr.name) for tr in traits])


def _predicted_parts(traits: list[Trait], predicted: dict[str, ir.Table]) -> list[ir.Table]:
    """One ``customer_id`` + traits table per scored prediction, its outputs renamed to the traits' names."""
    by_prediction: dict[str, list[Trait]] = {}
    for tr in traits:
        by_prediction.setdefault(tr.predicted.prediction, []).append(tr)
    return [predicted[name].select("customer_id", **{tr.name: predicted[name][tr.predicted.output] for tr in trs})
            for name, trs in by_prediction.items()]


def as_of_now() -> datetime:
    """The build time, naive UTC to the second (stored times are naive UTC)."""
    from datetime import timezone

    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


__all__ = ["Inputs", "profile_expr", "table_passes", "levels", "as_of_now"]
