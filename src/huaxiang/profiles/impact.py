"""What a change of tags and segments would do, before ``apply``: how many customers enter and leave.

The changed conditions are evaluated over the current ``profiles`` (the traits of the last build)
and compared with the current members. ``has_tag`` sees the current tag members. A condition that
reads a trait the last build did not compute (a new or changed trait) cannot be previewed: its
counts are ``None`` and the plan says that a build is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from huaxiang.compile.conditions import Context, evaluate
from huaxiang.definitions.loader import Folder
from huaxiang.definitions.plan import Plan
from huaxiang.domain.conditions import parse, references
from huaxiang.domain.identity import IdentityRules
from huaxiang.profiles.build import definitions_key, local_offset
from huaxiang.profiles.definitions import resolve
from huaxiang.profiles.engines import DuckDBEngine
from huaxiang.profiles.facts import facts


@dataclass
class Impact:
    enter: int | None
    leave: int | None
    members: int | None  # after the change


def preview(wh: Any, folder: Folder, plan: Plan, rules: IdentityRules, *, timezone: str, last_build: dict | None,
            built_traits_key: str | None) -> dict[tuple[str, str], Impact]:
    """(kind, name) -> Impact for every tag and segment the plan creates, updates or deletes."""
    pending = [c for c in plan.pending if c.kind in ("tag", "segment")]
    if not pending or not wh.has_table("profiles") or last_build is None:
        return {}
    d = folder.definitions
    defs = resolve([x.model for x in d.get("trait", {}).values()], [x.model for x in d.get("tag", {}).values()],
                   [x.model for x in d.get("tag_category", {}).values()],
                   [x.model for x in d.get("segment", {}).values()])
    same_traits = built_traits_key == definitions_key(defs)
    engine = DuckDBEngine(wh)
    as_of = last_build["as_of"]
    fact_tables = facts(engine.table, rules, has=engine.has)
    tags = engine.table("tag_members").select("customer_id", "tag") if wh.has_table("tag_members") else None
    segs = engine.table("segment_members").select("customer_id", "segment") if wh.has_table("segment_members") else None
    ctx = Context(as_of=as_of, local_offset=local_offset(timezone, as_of), fact=fact_tables.__getitem__,
                  tags=lambda: tags, segments=lambda: segs, tag_aliases=defs.tag_names(),
                  segment_aliases=defs.segment_names())
    profiles = engine.table("profiles")
    built = set(profiles.columns)
    out: dict[tuple[str, str], Impact] = {}
    for change in pending:
        table, key = ("tag_members", "tag") if change.kind == "tag" else ("segment_members", "segment")
        current = (wh.raw.execute(f"SELECT count(*) FROM {table} WHERE {key} = ?", [change.name]).fetchone()[0]
                   if wh.has_table(table) else 0)
        if change.action == "delete":
            out[(change.kind, change.name)] = Impact(0, current, 0)
            continue
        item = d[change.kind][change.name].model
        text = item.rule if change.kind == "tag" else item.condition  # type: ignore[attr-defined]
        if text is None:  # a manual tag: nobody enters by a rule
            out[(change.kind, change.name)] = Impact(0, 0, current)
            continue
        node = parse(text)
        if not same_traits and not set(references(node)) <= built:
            out[(change.kind, change.name)] = Impact(None, None, None)
            continue
        result = evaluate(node, profiles, ctx)
        now = result.filter(result.value.fill_null(False)).select("customer_id")
        old = (engine.table(table).filter(lambda t: t[key] == change.name).select("customer_id")
               if wh.has_table(table) else ibis.memtable({"customer_id": []}, schema={"customer_id": "string"}))
        enter = now.anti_join(old, "customer_id").count().execute()
        leave = old.anti_join(now, "customer_id").count().execute()
        out[(change.kind, change.name)] = Impact(int(enter), int(leave), int(now.count().execute()))
    return out
