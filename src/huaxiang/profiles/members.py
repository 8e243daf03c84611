"""Tag and segment membership: evaluated after the traits, with every entry and exit recorded.

Tags are evaluated in dependency order (a rule may use ``has_tag`` of another tag), each level
seeing the levels before it; manual tags (from the catalog, with who and when) join them. Dynamic
segments are evaluated on every build; a static segment is evaluated once, on the first build
that knows it, and then kept as it was (``refresh_static`` takes it again).

Membership tables (warehouse): ``tag_members(customer_id, tag, since, source, assigned_by, build)``,
``segment_members(customer_id, segment, since, build)`` and the history
``membership_changes(kind, name, customer_id, change, changed_at, build, reason)`` (``change``: enter | exit).
A member keeps the ``since`` of the build where they entered for as long as they stay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from huaxiang.compile.conditions import Context
from huaxiang.compile.conditions import evaluate as evaluate_condition
from huaxiang.compile.traits import levels
from huaxiang.domain.conditions import parse, segments_used
from huaxiang.domain.schema import Column
from huaxiang.identity.identifiers import lit
from huaxiang.profiles.definitions import Definitions

TAG_MEMBERS = (Column("customer_id", "string", ""), Column("tag", "string", ""), Column("since", "timestamp", ""),
               Column("source", "string", "", description="rule | manual"),
               Column("assigned_by", "string", "", description="manual tags: who"), Column("build", "int64", ""))
SEGMENT_MEMBERS = (Column("customer_id", "string", ""), Column("segment", "string", ""),
                   Column("since", "timestamp", ""), Column("build", "int64", ""))
MEMBERSHIP_CHANGES = (Column("kind", "string", "", description="tag | segment"), Column("name", "string", ""),
                      Column("customer_id", "string", ""), Column("change", "string", "", description="enter | exit"),
                      Column("changed_at", "timestamp", ""), Column("build", "int64", ""),
                      Column("reason", "string", "", description="rule | manual | static"))
STATIC_SEGMENTS = (Column("segment", "string", ""), Column("taken_at", "timestamp", ""), Column("build", "int64", ""))
TABLES = {"tag_members": TAG_MEMBERS, "segment_members": SEGMENT_MEMBERS, "membership_changes": MEMBERSHIP_CHANGES,
          "static_segments": STATIC_SEGMENTS}


def ensure_tables(wh: Any) -> None:
    for name, cols in TABLES.items():
        wh.ensure_table(name, cols)


def _members(node_text: str, base: ir.Table, ctx: Context, name: str, column: str) -> ir.Table:
    result = evaluate_condition(parse(node_text), base, ctx)
    return result.filter(result.value.fill_null(False)).select("customer_id", **{column: ibis.literal(name)})


def _union(parts: list[ir.Table]) -> ir.Table:
    out = parts[0]
    for p in parts[1:]:
        out = out.union(p)
    return out


_TAGS_NOW = pa.schema([("customer_id", pa.string()), ("tag", pa.string()), ("source", pa.string()),
                       ("assigned_by", pa.string())])


def prepare(engine: Any, manual: list[dict[str, Any]]) -> None:
    """The data an evaluation starts from: ``_tags_now`` with the manual tags (the rule tags are added
    to it level by level) and an empty ``_segments_now``. Rows, not statements: a kept plan
    (``plans``) runs this, then its statements."""
    rows = [{"customer_id": m["customer_id"], "tag": m["tag"], "source": "manual", "assigned_by": m["assigned_by"]}
            for m in manual]
    engine.put("_tags_now", pa.Table.from_pylist(rows, schema=_TAGS_NOW))
    engine.put("_segments_now", pa.table({"customer_id": pa.array([], pa.string()), "segment": pa.array([], pa.string())}))


def _evaluate_tags(engine: Any, defs: Definitions, base: ir.Table, ctx: Context) -> None:
    """``_tags_now(customer_id, tag, source, assigned_by)``: rule tags level by level, after the manual ones."""
    rules = {t.name: t for t in defs.tags if t.rule}
    deps = {n: defs.tag_deps.get(n, set()) & set(rules) for n in rules}
    for level in levels(deps):
        now = engine.table("_tags_now")
        tag_ctx = Context(as_of=ctx.as_of, local_offset=ctx.local_offset, fact=ctx.fact,
                          tags=lambda now=now: now.select("customer_id", "tag"), tag_aliases=defs.tag_names())
        # one query per level (each job costs seconds on Spark); the base is a staged table, so the plan stays small
        found = _union([_members(rules[n].rule, base, tag_ctx, n, "tag") for n in level]).mutate(
            source=ibis.literal("rule"), assigned_by=ibis.null("string"))
        engine.write("_tags_level", found, temp=True)
        engine.execute("INSERT INTO _tags_now SELECT customer_id, tag, source, assigned_by FROM _tags_level "
                              "WHERE (customer_id, tag) NOT IN (SELECT customer_id, tag FROM _tags_now)")
        if engine.name != "duckdb":
            engine.refresh("_tags_now")


def _evaluate_segments(engine: Any, defs: Definitions, base: ir.Table, ctx: Context, taken: set[str]) -> list[str]:
    """``_segments_now(customer_id, segment)``: dynamic segments, and static ones not yet taken; returns those evaluated."""
    wanted = [s for s in defs.segments if s.kind == "dynamic" or s.name not in taken]
    names = {s.name for s in wanted}
    aliases = defs.segment_names()
    deps = {s.name: {aliases.get(n, n) for n in segments_used(parse(s.condition))} & names for s in wanted}
    by_name = {s.name: s for s in wanted}
    tags = engine.table("_tags_now").select("customer_id", "tag")
    for level in levels(deps):
        now = engine.table("_segments_now")
        seg_ctx = Context(as_of=ctx.as_of, local_offset=ctx.local_offset, fact=ctx.fact, tags=lambda: tags,
                          segments=lambda now=now: now, tag_aliases=defs.tag_names(),
                          segment_aliases=aliases)
        engine.write("_segments_level", _union([_members(by_name[n].condition, base, seg_ctx, n, "segment")
                                                for n in level]), temp=True)
        engine.execute("INSERT INTO _segments_now SELECT customer_id, segment FROM _segments_level")
        if engine.name != "duckdb":
            engine.refresh("_segments_now")
    return sorted(names)


def static_pending(wh: Any, defs: Definitions) -> bool:
    """A static segment not taken yet (new, or refreshed): it is taken over every customer."""
    taken = static_taken(wh)
    return any(s.kind == "static" and s.name not in taken for s in defs.segments)


def evaluate(engine: Any, defs: Definitions, ctx: Context, base: ir.Table, *,
             manual: list[dict[str, Any]] | None = None) -> tuple[list[str], set[str]]:
    """Tags into ``_tags_now``, segments into ``_segments_now`` over the profiles of ``base`` (nothing kept yet).

    Returns (the segments evaluated, the static segments already taken)."""
    ensure_tables(engine.wh)
    prepare(engine, manual or [])
    _evaluate_tags(engine, defs, base, ctx)
    taken = static_taken(engine.wh)
    return _evaluate_segments(engine, defs, base, ctx, taken), taken


def static_taken(wh: Any) -> set[str]:
    """The static segments already taken (they are not evaluated again)."""
    ensure_tables(wh)
    return {r[0] for r in wh.raw.execute("SELECT segment FROM static_segments").fetchall()}


def commit(con: Any, defs: Definitions, evaluated: tuple[list[str], set[str]], *, build: int, at: datetime,
           scope: bool) -> dict[str, Any]:
    """Record entries and exits and update the membership tables (inside the build's transaction).

    ``scope``: only the customers of ``_touched`` were evaluated (rule tags and segments of the others stay)."""
    segments, taken = evaluated
    in_scope = "customer_id IN (SELECT customer_id FROM _touched)" if scope else "true"
    params = {"at": at, "build": build}
    # manual tags are all in _tags_now: compare them for every customer, rule tags for the scope
    _diff(con, "tag", "tag_members", "tag", "_tags_now", f"(({in_scope}) OR source = 'manual')", params,
          new_cols="n.source, n.assigned_by", reason="n.source", exit_reason="o.source",
          rows=f"source = 'manual' OR {_customers('_tags_now')}" if scope else None)
    if segments:
        listed = ", ".join(lit(n) for n in segments)
        _diff(con, "segment", "segment_members", "segment", "_segments_now", f"({in_scope}) AND segment IN ({listed})",
              params, new_cols="", reason="'rule'", rows=_customers("_segments_now") if scope else None)
    for name in sorted(set(segments) - {s.name for s in defs.segments if s.kind == "dynamic"} - taken):
        con.execute("INSERT INTO static_segments VALUES (?, ?, ?)", [name, at, build])
    if not scope:  # tags and segments no longer defined (a scoped build has the last build's definitions)
        con.execute(f"DELETE FROM tag_members WHERE tag NOT IN ({', '.join(lit(t.name) for t in defs.tags) or 'NULL'})")
        con.execute("DELETE FROM segment_members WHERE segment NOT IN "
                    f"({', '.join(lit(s.name) for s in defs.segments) or 'NULL'})")
    tag_counts = dict(con.execute("SELECT tag, count(*) FROM tag_members GROUP BY 1").fetchall())
    seg_counts = dict(con.execute("SELECT segment, count(*) FROM segment_members GROUP BY 1").fetchall())
    changes = con.execute("SELECT count(*) FROM membership_changes WHERE build = ?", [build]).fetchone()[0]
    return {"tags": tag_counts, "segments": seg_counts, "membership_changes": changes}


def _customers(now: str) -> str:
    """The rows of the touched customers and of the customers in ``now`` (one semi-join of a big table)."""
    return f"customer_id IN (SELECT customer_id FROM _touched UNION SELECT customer_id FROM {now})"


def _diff(con: Any, kind: str, table: str, key: str, now: str, scope: str, params: dict[str, Any], *,
          new_cols: str, reason: str, exit_reason: str = "'rule'", rows: str | None = None) -> None:
    """Record entries and exits between ``table`` (restricted to ``scope``) and ``now``, then update ``table``.

    The rows of ``table`` that can differ (in ``scope``, or of a customer in ``now``) are read once, with
    their row ids, into ``_members_old``; the rest compares with those few rows, not with the table.
    ``rows``: a cheaper filter that keeps at least those rows (others it keeps are neither in scope nor
    equal to a row of ``now``, so they change nothing).
    """
    at, build = params["at"], params["build"]
    rows = rows or f"({scope}) OR customer_id IN (SELECT customer_id FROM {now})"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _members_old AS SELECT rowid AS _rid, *, ({scope}) AS _scoped
        FROM {table} WHERE {rows}""")
    same = f"n.customer_id = o.customer_id AND n.{key} = o.{key}"
    exits = f"FROM _members_old o WHERE o._scoped AND NOT EXISTS (SELECT 1 FROM {now} n WHERE {same})"
    enters = f"FROM {now} n WHERE NOT EXISTS (SELECT 1 FROM _members_old o WHERE {same})"
    con.execute(f"INSERT INTO membership_changes SELECT '{kind}', n.{key}, n.customer_id, 'enter', ?, ?, {reason} {enters}",
                [at, build])
    con.execute(f"INSERT INTO membership_changes SELECT '{kind}', o.{key}, o.customer_id, 'exit', ?, ?, {exit_reason} {exits}",
                [at, build])
    con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT o._rid {exits})")
    extra = (", " + new_cols) if new_cols else ""
    con.execute(f"INSERT INTO {table} SELECT n.customer_id, n.{key}, ?{extra}, ? {enters}", [at, build])
    con.execute("DROP TABLE _members_old")
