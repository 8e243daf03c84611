"""The profile build: every trait for every customer, then tags and segments, in the warehouse.

* **full**: ``profiles`` is rewritten from all data, as of now (or of ``as_of``).
* **incremental**: only the customers that new data touched since the last build (rows loaded
  after its watermark, or customers whose identity changed) are recomputed, as of now; their rows
  replace the old ones. Every trait of a customer depends on that customer's rows alone (scores
  use fixed thresholds, not ranks among customers), so this equals a full build for them, and the
  others keep the rows (and ``as_of``) of the build that computed them. A change of definitions,
  or a first build, makes it full.
* **snapshot** (``as_of`` in the past): every trait as of that time from rows dated before it,
  into ``profiles_asof_<yyyymmdd>``; only customers known by then. Tags and segments are not
  touched; the analytics issue trains on such snapshots.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from huaxiang.compile.conditions import Context
from huaxiang.compile.traits import Inputs, as_of_now, profile_expr
from huaxiang.domain.identity import IdentityRules
from huaxiang.domain.traits import FACT_TIME
from huaxiang.engine.catalog import Catalog, body_hash
from huaxiang.profiles import members, plans, store
from huaxiang.profiles.definitions import Definitions
from huaxiang.profiles.facts import SIGNALS, facts, referenced, unambiguous, without_json

PROFILES = "profiles"
#: what a build reads from the warehouse (and the scores of the predictions its traits name: ``input_tables``)
INPUT_TABLES = ["golden_records", "customer_records", "identities", "customer_ids", "source_records",
                *FACT_TIME.keys(), "profiles", "profile_records", "profile_ids", "tag_members", "segment_members", SIGNALS]


def predicted_table(prediction: str) -> str:
    """The warehouse table of a prediction's scores: ``customer_id`` and a column per output."""
    return f"predicted_{prediction}"


def input_tables(defs: Definitions) -> list[str]:
    return INPUT_TABLES + sorted({predicted_table(t.predicted.prediction) for t in defs.traits if t.predicted})


@dataclass
class BuildResult:
    build: int
    kind: str  # full | incremental | snapshot
    engine: str
    as_of: datetime
    table: str
    customers: int  # rows written (the touched ones, in an incremental build)
    traits: int
    seconds: float
    counts: dict[str, Any] = field(default_factory=dict)


def local_offset(timezone: str, at: datetime) -> timedelta:
    """The workspace time zone's UTC offset at ``at`` (hour-of-day traits are in local time)."""
    return ZoneInfo(timezone).utcoffset(at) or timedelta(0)


def definitions_key(defs: Definitions) -> str:
    return body_hash({"traits": [t.model_dump(mode="json") for t in defs.traits]})


def memberships_key(defs: Definitions) -> str:
    """Tags and segments: a change re-evaluates them for every customer (the traits may stay incremental)."""
    return body_hash({"tags": [t.model_dump(mode="json") for t in defs.tags],
                      "segments": [s.model_dump(mode="json") for s in defs.segments]})


def watermark(engine: Any, present: set[str] | None = None) -> str | None:
    """The newest load time of everything a profile reads (as text: it round-trips through JSON).
    ``present``: the tables that exist, if known."""
    present = engine.present(("source_records", *FACT_TIME)) if present is None else present
    parts = [f"SELECT max(loaded_at) AS t FROM {name}" for name in ("source_records", *FACT_TIME) if name in present]
    if not parts:
        return None
    row = engine.wh.raw.execute(f"SELECT max(t) FROM ({' UNION ALL '.join(parts)})").fetchone()
    return row[0].isoformat() if row and row[0] else None


#: the record -> customer assignment the last live build saw (what identity changes are found against)
SEEN_RECORDS = "profile_records"
#: ``facts.unambiguous(identities)``, kept between builds while identities stay the same
PROFILE_IDS = "profile_ids"


def identity_version(engine: Any, present: set[str] | None = None) -> str:
    """What identity resolution last wrote: its newest finished build and the number of customer records.

    An incremental build compares it with the last build's: while it is the same, no record changed
    customer, and the identifiers that attribute rows (``profile_ids``) still hold.
    """
    wh = engine.wh
    present = engine.present(["identity_builds"]) if present is None else present
    newest = (wh.raw.execute("SELECT max(build) FROM identity_builds WHERE finished_at IS NOT NULL").fetchall()[0][0]
              if "identity_builds" in present else None)
    return f"{newest or 0}:{wh.count('customer_records')}"


def touched_customers(engine: Any, rules: IdentityRules, ids: ir.Table, since: str, *, identity_changed: bool,
                      stage: Callable[[str, ir.Table], ir.Table], keep: dict[str, list[str]] | None = None) -> ir.Table:
    """``customer_id`` of every customer with a row loaded after ``since``, or (``identity_changed``) whose
    records changed customer.

    The new rows of each fact table (and the orders of new order lines) are staged first, so the joins
    that attribute them start from a few known rows, not from a guess about a filtered big table.
    ``keep`` (fact table -> columns): also stage each table's new attributed rows, with those columns,
    as ``_newfacts_<table>`` (what the fact store appends). New rows of order lines are the lines loaded
    after ``since`` and the lines of orders loaded after it (a line has no customer until its order comes).
    """
    ts = ibis.literal(datetime.fromisoformat(since))
    new = {}
    for name in FACT_TIME:
        if engine.has(name):
            t = engine.table(name)
            new[name] = without_json(t.filter(t.loaded_at > ts))
    if "orders" in new and "order_items" in new:  # a line and its order may come in different loads
        orders, items = stage("_loaded_orders", new["orders"]), stage("_loaded_order_items", new["order_items"])
        o, i = engine.table("orders"), engine.table("order_items")
        new["orders"] = orders.union(without_json(o.filter(o.loaded_at <= ts).semi_join(items, "order_id")))
        new["order_items"] = items.union(without_json(i.filter(i.loaded_at <= ts).semi_join(orders, "order_id")))
    new = {name: stage(f"_new_{name}", t) for name, t in new.items()}
    ids = stage("_new_ids", referenced(ids, [t for name, t in new.items() if name != "events"],
                                       list(rules.events.user_id)))

    parts = []
    rows_of = facts(lambda name: new[name] if name in new else engine.table(name), rules,
                    has=_without_signals(engine), ids=ids)
    for name, rows in rows_of.items():
        if keep is not None:  # with unattributed rows: their keys still replace older versions of them
            if name == "orders":  # not the orders staged only to attribute new lines
                rows = rows.filter(rows.loaded_at > ts)
            rows = stage(f"_newfacts_{name}", rows.select(*keep[name], store.row_key(rows)))
        parts.append(rows.select("customer_id"))
    records = engine.table("customer_records").select("source", "source_key", "customer_id")
    recs = engine.table("source_records")
    new_records = recs.filter(recs.loaded_at > ts).select("source", "source_key")
    parts.append(records.semi_join(new_records, ["source", "source_key"]).select("customer_id"))
    if identity_changed:
        seen = engine.table(SEEN_RECORDS)
        parts.append(records.difference(seen).select("customer_id"))  # a record that joined another customer
        parts.append(seen.difference(records).select("customer_id"))  # ... and the customer it left
    out = parts[0]
    for p in parts[1:]:
        out = out.union(p)
    return out.filter(out.customer_id.notnull()).distinct()


def run(engine: Any, catalog: Catalog, rules: IdentityRules, defs: Definitions, *, timezone: str,
        as_of: datetime | None = None, full: bool = False, now: datetime | None = None,
        manual: list[dict[str, Any]] | None = None) -> BuildResult:
    """Build profiles (then tags and segments, unless a snapshot) and record the build in the catalog.

    ``as_of``: a snapshot as of that time. ``now``: the workspace's fixed clock, if it has one (the
    demo's data end on a fixed day), else the time of the build. ``manual``: manual tag assignments.
    """
    started = time.perf_counter()
    snapshot = as_of is not None
    as_of = as_of or now or as_of_now()
    table = f"profiles_asof_{as_of:%Y%m%d}" if snapshot else PROFILES
    previous = None if snapshot else next(iter(catalog.profile_builds(1, status="succeeded", table_name=PROFILES)), None)
    key = definitions_key(defs)
    state = (previous or {}).get("counts", {}).get("state", {}) if previous else {}
    present = engine.present((PROFILES, SEEN_RECORDS, "identity_builds", "source_records", *FACT_TIME))
    kind = "snapshot" if snapshot else (
        "incremental" if (not full and previous and state.get("definitions") == key and PROFILES in present
                          and SEEN_RECORDS in present and state.get("watermark")) else "full")
    build = catalog.start_profile_build(kind, engine.name, as_of, table)
    try:
        state = {**state, "scored": catalog.last_prediction_run()}
        # one writer at a time (the warehouse's lock): no rows are loaded while this build runs
        mark, identity = watermark(engine, present), identity_version(engine, present)
        counts = _build(engine, catalog, rules, defs, kind=kind, as_of=as_of, table=table, timezone=timezone, state=state,
                        build=build, manual=manual or [], mark=mark, identity=identity)
        counts["state"] = {"definitions": key, "memberships": memberships_key(defs), "watermark": mark,
                           "predictions": catalog.last_prediction_run(), "identity": identity}
    except BaseException:
        catalog.finish_profile_build(build, "failed", {})
        raise
    catalog.finish_profile_build(build, "succeeded", counts)
    return BuildResult(build, kind, engine.name, as_of, table, counts["customers"], len(defs.traits),
                       time.perf_counter() - started, counts)


def _build(engine: Any, catalog: Catalog, rules: IdentityRules, defs: Definitions, *, kind: str, as_of: datetime, table: str,
           timezone: str, state: dict[str, Any], build: int, manual: list[dict[str, Any]], mark: str | None,
           identity: str) -> dict[str, Any]:
    started = time.perf_counter()
    incremental = kind == "incremental"
    # the fact store (``store``), when it covers the last build: an incremental DuckDB build reads it, a full one
    # adds the rows loaded since (the first incremental build without one writes it)
    stored = store.current(engine.wh) if kind != "snapshot" and engine.name == "duckdb" else None
    if stored is not None and not store.usable(engine.wh, stored, identity=identity,
                                               since=state.get("watermark")):
        stored = None
    # new scores (``predict score`` patched every customer's predicted traits) re-evaluate every membership
    every_member = (not incremental or state.get("memberships") != memberships_key(defs)
                    or state.get("predictions", 0) != state["scored"] or members.static_pending(engine.wh, defs))
    staged = "_profiles_new" if incremental else f"{table}__next"
    offset = local_offset(timezone, as_of)
    # records that changed customer, and the identifiers that attribute rows, come from identity resolution
    identity_changed = not incremental or state.get("identity") != identity
    plan_key, plan = None, None
    if incremental and engine.name == "duckdb":
        # a kept plan runs the statements of an earlier incremental build with this key, without Ibis (``plans``)
        plan_key = plans.key(engine, input_tables(defs), {
            "definitions": definitions_key(defs), "memberships": memberships_key(defs),
            "rules": rules.model_dump(mode="json"), "offset": int(offset.total_seconds()), "every_member": every_member,
            "identity_changed": identity_changed, "store": stored.columns if stored else None,
            "static_taken": sorted(members.static_taken(engine.wh))})
        plan = catalog.build_plan(plan_key)
    since = datetime.fromisoformat(state["watermark"]) if incremental else None
    if plan is not None:
        members.prepare(engine, manual)
        plans.run(engine, plan["statements"], as_of, since, steps={store.FETCH: lambda: store.fetch(engine, stored)})
        evaluated = (plan["evaluated"][0], set(plan["evaluated"][1]))
        used_store = plan.get("store", False)
        traits_done = time.perf_counter()
    else:
        if plan_key is not None:
            engine.recorded = []
        evaluated, traits_done, used_store = _compile_and_run(
            engine, rules, defs, kind=kind, as_of=as_of, offset=offset, staged=staged, every_member=every_member,
            build=build, since=state.get("watermark"), manual=manual, identity_changed=identity_changed,
            stored=stored if incremental else None)
        if plan_key is not None and engine.replayable:
            statements = plans.template(engine.recorded, as_of, since)
            if statements is not None:
                catalog.save_build_plan(plan_key, {"statements": statements, "store": used_store,
                                                      "evaluated": [evaluated[0], sorted(evaluated[1])]})
            engine.recorded = None
    extended = kind == "full" and stored is not None and _stage_new_facts(engine, rules, defs, stored, as_of, offset,
                                                                          since=state["watermark"])
    con = engine.wh.raw
    customers = con.execute(f"SELECT count(*) FROM {staged}").fetchone()[0]
    counts: dict[str, Any] = {"customers": customers, "traits": len(defs.traits),
                              "seconds_traits": round(traits_done - started, 3), "plan": "kept" if plan else "compiled"}
    if kind == "snapshot":
        with engine.wh.transaction():
            con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute(f"ALTER TABLE {staged} RENAME TO {table}")
        return counts
    with engine.wh.transaction():
        if incremental:
            # customers merged away or retired leave only with an identity change
            gone = " OR customer_id NOT IN (SELECT customer_id FROM golden_records)" if identity_changed else ""
            con.execute(f"DELETE FROM {PROFILES} WHERE customer_id IN (SELECT customer_id FROM _touched){gone}")
            con.execute(f"INSERT INTO {PROFILES} SELECT * REPLACE (CAST(? AS BIGINT) AS build) FROM {staged}", [build])
        else:
            con.execute(f"DROP TABLE IF EXISTS {PROFILES}")
            con.execute(f"ALTER TABLE {staged} RENAME TO {PROFILES}")
        if identity_changed:
            con.execute(f"CREATE OR REPLACE TABLE {SEEN_RECORDS} AS SELECT source, source_key, customer_id FROM customer_records")
        counts.update(members.commit(con, defs, evaluated, build=build, at=as_of, scope=not every_member))
        if used_store or extended:
            store.append(con, stored, mark)
    counts["store"] = "read" if used_store else "extended" if extended else None
    if incremental and engine.name == "duckdb" and not used_store:  # a new generation, for the next builds
        written = time.perf_counter()
        store.write(engine, store_facts(engine, rules), _store_columns(engine, rules, defs, as_of, offset),
                    generation=build, identity=identity, covered=mark)
        counts["store"], counts["seconds_store"] = "written", round(time.perf_counter() - written, 3)
    return counts


def store_facts(engine: Any, rules: IdentityRules) -> dict[str, ir.Table]:
    """Every fact table's attributed rows, as the fact store keeps them (without the text signals)."""
    return facts(engine.table, rules, has=_without_signals(engine), ids=engine.table(PROFILE_IDS))


def _without_signals(engine: Any) -> Callable[[str], bool]:
    """``has`` for ``facts`` without the text signals (the store joins them when it is read)."""
    return lambda name: name != SIGNALS and engine.has(name)


def _stage_new_facts(engine: Any, rules: IdentityRules, defs: Definitions, stored: store.State, as_of: datetime,
                     offset: timedelta, *, since: str) -> bool:
    """``_newfacts_<table>``: the rows loaded since ``since``, for a full build to add to the store, if it
    keeps what ``defs`` read (else the store is left behind, and the next incremental build writes another)."""
    if not _store_keeps(engine, rules, defs, stored, as_of, offset):
        return False
    touched_customers(engine, rules, engine.table(PROFILE_IDS), since, identity_changed=False,
                      stage=partial(_staged, engine), keep=stored.columns)
    return True


def _store_keeps(engine: Any, rules: IdentityRules, defs: Definitions, stored: store.State, as_of: datetime,
                 offset: timedelta) -> bool:
    """Whether the store keeps every column that ``defs`` read."""
    return store.keeps(stored, _store_columns(engine, rules, defs, as_of, offset))


def _store_columns(engine: Any, rules: IdentityRules, defs: Definitions, as_of: datetime,
                   offset: timedelta) -> dict[str, list[str]]:
    """Fact table -> the columns ``defs`` read of it (``store.needed``)."""
    return store.needed(defs, store_facts(engine, rules), Context(as_of=as_of, local_offset=offset))


def _staged(engine: Any, name: str, expr: ir.Table) -> ir.Table:
    """``expr`` staged as the temp table ``name``, and a table that reads it."""
    engine.stage(name, expr)
    return engine.table(name)


def _compile_and_run(engine: Any, rules: IdentityRules, defs: Definitions, *, kind: str, as_of: datetime,
                     offset: timedelta, staged: str, every_member: bool, build: int, since: str | None,
                     manual: list[dict[str, Any]], identity_changed: bool,
                     stored: store.State | None) -> tuple[Any, float, bool]:
    """The traits into ``staged``, then (unless a snapshot) tags and segments into ``_tags_now`` and
    ``_segments_now``: every statement built and compiled by Ibis. ``stored``: a fact store that covers
    the last build. Returns (evaluated, when the traits were done, whether the store was read)."""
    stage = partial(_staged, engine)
    if identity_changed or not engine.has(PROFILE_IDS):  # read by the attribution of every table
        engine.write(PROFILE_IDS, unambiguous(engine.table("identities")))
    ids = engine.table(PROFILE_IDS)
    every_table = facts(engine.table, rules, has=engine.has, ids=ids)
    fact_tables = every_table
    golden = engine.table("golden_records")
    used_store = False
    if kind == "incremental":
        used_store = stored is not None and _store_keeps(engine, rules, defs, stored, as_of, offset)
        keep = stored.columns if used_store else None
        engine.write("_touched", touched_customers(engine, rules, ids, since, identity_changed=identity_changed,
                                                   stage=stage, keep=keep), temp=True)
        scope = engine.table("_touched")
        golden = golden.semi_join(scope, "customer_id")
        if used_store:  # their golden records, stored rows, the rows stored since, and this build's new ones
            if engine.recorded is not None:
                engine.recorded.append(store.FETCH)
            store.fetch(engine, stored)
            golden = engine.table(f"_store_{store.GOLDEN}")
            for name, columns in keep.items():
                engine.execute(store.scoped_sql(name, columns, signals=engine.has(SIGNALS)))
            fact_tables = {name: engine.table(f"_scoped_{name}") for name in keep}
        else:
            # only the touched customers' rows, found through their identifiers, not by attributing every row, and
            # kept: the passes, the tags and the segments read these few rows, not the big tables again
            fact_tables = facts(engine.table, rules, has=engine.has, ids=ids, scope=scope,
                                keep=lambda name, rows: stage(f"_scoped_{name}", without_json(rows)))
    ctx = Context(as_of=as_of, local_offset=offset, fact=fact_tables.__getitem__)

    scores = {t.predicted.prediction for t in defs.traits if t.predicted}
    scores = {p: engine.table(predicted_table(p)) for p in sorted(scores) if engine.has(predicted_table(p))}
    expr = profile_expr(defs.traits, Inputs(golden, fact_tables, ctx, scores), defs.derived_deps, snapshot=kind == "snapshot",
                        stage=stage, stage_levels=engine.stage_levels)
    # an incremental build's rows get their build number when they are inserted (the statements stay the same)
    expr = expr.mutate(as_of=ctx.now(), build=ibis.literal(0 if kind == "incremental" else build, "int64"))
    # everything is computed into staging tables first and swapped in by one transaction at the end:
    # a build that fails leaves the profiles and memberships of the last good one
    engine.write(staged, expr, temp=kind == "incremental")
    traits_done = time.perf_counter()
    if kind == "snapshot":
        return None, traits_done, False
    base = engine.table(staged)
    if every_member and kind == "incremental":  # the new rows of the touched, the kept rows of the others
        base = engine.table(PROFILES).anti_join(engine.table("_touched"), "customer_id").union(base)
    # tags and segments of every customer read every customer's rows (count(events, ...) and the like)
    member_ctx = replace(ctx, fact=every_table.__getitem__) if every_member else ctx
    return members.evaluate(engine, defs, member_ctx, base, manual=manual), traits_done, used_store


__all__ = ["BuildResult", "run", "PROFILES", "INPUT_TABLES"]
