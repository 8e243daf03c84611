"""Reading profiles and memberships back: cards, member pages, sizes, overlaps, changes, exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huaxiang.engine.warehouse import Warehouse
from huaxiang.identity.identifiers import lit
from huaxiang.profiles import ProfileError
from huaxiang.profiles.definitions import Definitions


@dataclass
class Page:
    rows: list[dict[str, Any]]
    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def card(wh: Warehouse, defs: Definitions, customer_id: str, timezone: str = "UTC") -> Any:
    from huaxiang.profiles.parts import ProfileCard

    row = None
    if wh.has_table("profiles"):
        cur = wh.raw.execute("SELECT * FROM profiles WHERE customer_id = ?", [customer_id])
        names = [d[0] for d in cur.description]
        found = cur.fetchone()
        row = dict(zip(names, found)) if found else None
    traits: dict[str, list[tuple[Any, Any]]] = {}
    for trait in defs.traits:
        if row is not None and trait.name in row:
            traits.setdefault(trait.dimension, []).append((trait, row[trait.name]))
    labels = {t.name: t for t in defs.tags}
    tags = []
    if wh.has_table("tag_members"):
        for name, since, source, by in wh.raw.execute(
                "SELECT tag, since, source, assigned_by FROM tag_members WHERE customer_id = ? ORDER BY tag",
                [customer_id]).fetchall():
            tag = labels.get(name)
            tags.append({"name": name, "label": tag.label if tag else None, "category": tag.category if tag else "",
                         "since": since, "source": source, "assigned_by": by})
    segs = {s.name: s for s in defs.segments}
    segments = []
    if wh.has_table("segment_members"):
        for name, since in wh.raw.execute("SELECT segment, since FROM segment_members WHERE customer_id = ? "
                                          "ORDER BY segment", [customer_id]).fetchall():
            seg = segs.get(name)
            segments.append({"name": name, "label": seg.label if seg else None, "since": since})
    return ProfileCard(customer_id, row.get("as_of") if row else None, traits, tags, segments, timezone)


def _counts(wh: Warehouse, table: str, key: str) -> dict[str, int]:
    if not wh.has_table(table):
        return {}
    return dict(wh.raw.execute(f"SELECT {key}, count(*) FROM {table} GROUP BY 1").fetchall())


def tag_list(wh: Warehouse, defs: Definitions) -> list[dict[str, Any]]:
    counts = _counts(wh, "tag_members", "tag")
    return [{"name": t.name, "label": t.label, "category": t.category, "kind": "manual" if t.manual else "rule",
             "rule": t.rule, "members": counts.get(t.name, 0)} for t in defs.tags]


def segment_list(wh: Warehouse, defs: Definitions) -> list[dict[str, Any]]:
    counts = _counts(wh, "segment_members", "segment")
    return [{"name": s.name, "label": s.label, "kind": s.kind, "condition": s.condition,
             "members": counts.get(s.name, 0)} for s in defs.segments]


def members(wh: Warehouse, table: str, key: str, name: str, *, page: int = 1, size: int = 50,
            traits: list[str] | None = None) -> Page:
    """One page of members (ordered by customer id), with ``since`` and the chosen traits."""
    if page < 1 or size < 1:
        raise ValueError("page and size start at 1")
    if not wh.has_table(table):
        return Page([], page, size, 0)
    total = wh.raw.execute(f"SELECT count(*) FROM {table} WHERE {key} = ?", [name]).fetchone()[0]
    cols = "".join(f", p.{_quote(t)}" for t in traits or [])
    join = " LEFT JOIN profiles p USING (customer_id)" if traits else ""
    cur = wh.raw.execute(f"SELECT m.customer_id, m.since{cols} FROM {table} m{join} WHERE m.{key} = ? "
                         f"ORDER BY m.customer_id LIMIT ? OFFSET ?", [name, size, (page - 1) * size])
    names = [d[0] for d in cur.description]
    return Page([dict(zip(names, r)) for r in cur.fetchall()], page, size, total)


def overlap(wh: Warehouse, segments: list[str]) -> dict[tuple[str, str], int]:
    if not wh.has_table("segment_members") or not segments:
        return {}
    marks = ", ".join("?" for _ in segments)
    rows = wh.raw.execute(f"""SELECT a.segment, b.segment, count(*) FROM segment_members a
        JOIN segment_members b USING (customer_id)
        WHERE a.segment IN ({marks}) AND b.segment IN ({marks}) GROUP BY ALL""", [*segments, *segments]).fetchall()
    out = {(a, b): 0 for a in segments for b in segments}
    out.update({(a, b): n for a, b, n in rows})
    return out


def changes(wh: Warehouse, kind: str, name: str, limit: int = 100) -> list[dict[str, Any]]:
    if not wh.has_table("membership_changes"):
        return []
    cur = wh.raw.execute("SELECT customer_id, change, changed_at, build, reason FROM membership_changes "
                         "WHERE kind = ? AND name = ? ORDER BY changed_at DESC, build DESC, customer_id LIMIT ?",
                         [kind, name, limit])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def export(wh: Warehouse, defs: Definitions, segment: str, path: Path, traits: list[str]) -> int:
    known = {t.name for t in defs.traits}
    unknown = [t for t in traits if t not in known]
    if unknown:
        raise ProfileError("bad_export", message=f"unknown traits: {', '.join(unknown)}")
    fmt = {".csv": "csv, header true", ".parquet": "parquet"}.get(path.suffix.lower())
    if fmt is None:
        raise ProfileError("bad_export", message=f"{path}: export writes .csv or .parquet files")
    cols = "".join(f", p.{_quote(t)}" for t in traits)
    query = (f"SELECT m.customer_id, m.since{cols} FROM segment_members m LEFT JOIN profiles p USING (customer_id) "
             f"WHERE m.segment = {lit(segment)} ORDER BY m.customer_id")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wh.raw.execute(f"COPY ({query}) TO {lit(str(tmp))} (format {fmt})")
    tmp.replace(path)  # a reader never sees half a file
    return wh.raw.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]


def forget_static(wh: Warehouse, segment: str) -> None:
    if wh.has_table("static_segments"):
        wh.raw.execute("DELETE FROM static_segments WHERE segment = ?", [segment])
