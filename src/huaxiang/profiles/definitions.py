"""The definition graph of a build: traits, tags and segments, parsed and checked before anything runs.

Every expression (a trait's column, filter and derivation; a tag's rule; a segment's condition) is
parsed and type-checked against what it may refer to: the fact table's columns for row-level
expressions, the traits (and tags, segments, fact tables) for customer-level ones. Problems are
collected and raised together, each naming the file, the definition and the key, with the
condition language's pointer at the offending text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from huaxiang.definitions.loader import DefinitionError, Problem
from huaxiang.domain.conditions import ConditionError, Env, check, check_condition, parse, references, tags_used
from huaxiang.domain.schema import CUSTOMERS, SYSTEM_COLUMNS, TABLES
from huaxiang.domain.tags import Segment, Tag, TagCategory
from huaxiang.domain.traits import FACT_TIME, Trait
from huaxiang.profiles.facts import SIGNAL_COLUMNS

#: extra columns ``profiles.facts`` gives each fact table
CUSTOMER_COLUMNS = tuple(CUSTOMERS.column_names)
FACT_EXTRA = {"customer_id": "string", "at": "timestamp"}
ORDER_ITEM_EXTRA = {"order_time": "timestamp", "order_status": "string", "order_channel": "string"}


def fact_columns() -> dict[str, dict[str, str]]:
    """Fact table -> column -> dtype, as ``profiles.facts`` presents them (no database needed)."""
    out = {}
    by_name = {t.name: t for t in TABLES.values()}
    for name in FACT_TIME:
        table = by_name[name]
        cols = {c.name: c.dtype for c in (*SYSTEM_COLUMNS, *table.columns) if c.dtype != "json"}
        cols.update(FACT_EXTRA)
        if name == "order_items":
            cols.update(ORDER_ITEM_EXTRA)
        if name == "interactions":
            cols.update(SIGNAL_COLUMNS)
        out[name] = cols
    return out


@dataclass
class Definitions:
    """What a build computes, in order: traits (derived ones in dependency levels), tags, segments."""

    traits: list[Trait]
    tags: list[Tag] = field(default_factory=list)
    categories: list[TagCategory] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    derived_deps: dict[str, set[str]] = field(default_factory=dict)
    tag_deps: dict[str, set[str]] = field(default_factory=dict)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, name) -> file

    def trait(self, name: str) -> Trait:
        return next(t for t in self.traits if t.name == name)

    def tag_names(self) -> dict[str, str]:
        """Every way to name a tag (name, zh label, en label) -> its name."""
        return _aliases(self.tags)

    def segment_names(self) -> dict[str, str]:
        """Every way to name a segment -> its name."""
        return _aliases(self.segments)

    def customer_env(self) -> Env:
        return Env(names={t.name: t.dtype for t in self.traits}, scope="customer", tables=fact_columns(),
                   tags={t.name for t in self.tags}, segments={s.name for s in self.segments},
                   tag_aliases=self.tag_names(), segment_aliases=self.segment_names())


def _aliases(items: list[Any]) -> dict[str, str]:
    """Labels (zh, en) and names -> name; a name wins over another item's equal label."""
    out = {alias: item.name for item in items for alias in (item.label.zh, item.label.en) if alias}
    out.update({item.name: item.name for item in items})
    return out


def _problem(origins: dict, kind: str, name: str, key: str, exc: ConditionError, text: str) -> Problem:
    return Problem(origins.get((kind, name), ""), f"{name}.{key}", exc.render(text))


def _check_trait(trait: Trait, env: Env, tables: dict[str, dict[str, str]], problems: list[Problem],
                 origins: dict) -> set[str]:
    """Check one trait's expressions; returns the traits a derived trait reads."""
    agg = trait.aggregate
    if trait.mapped and trait.mapped not in CUSTOMER_COLUMNS:
        problems.append(Problem(origins.get(("trait", trait.name), ""), f"{trait.name}.mapped",
                                f"{trait.mapped!r} is not a golden-record column; known: {', '.join(CUSTOMER_COLUMNS)}"))
    if agg:
        row = Env(names=tables[agg.table], scope="row")
        for key in ("column", "where", "of", "weight"):
            text = getattr(agg, key)
            if not text:
                continue
            try:
                node = parse(text)
                (check_condition if key in ("where", "of") else check)(node, row)
            except ConditionError as exc:
                problems.append(_problem(origins, "trait", trait.name, f"aggregate.{key}", exc, text))
    if trait.derive:
        try:
            node = parse(trait.derive)
            check(node, env)
            return set(references(node))
        except ConditionError as exc:
            problems.append(_problem(origins, "trait", trait.name, "derive", exc, trait.derive))
    return set()


def _cycle(deps: dict[str, set[str]]) -> list[str] | None:
    """A dependency cycle, if any (as the names along it)."""
    state: dict[str, int] = {}

    def visit(n: str, path: list[str]) -> list[str] | None:
        state[n] = 1
        for d in sorted(deps.get(n, ())):
            if state.get(d) == 1:
                return path[path.index(d):] + [d] if d in path else [n, d]
            if d in deps and not state.get(d):
                found = visit(d, path + [d])
                if found:
                    return found
        state[n] = 2
        return None

    for n in sorted(deps):
        if not state.get(n):
            found = visit(n, [n])
            if found:
                return found
    return None


def resolve(traits: Iterable[Trait], tags: Iterable[Tag] = (), categories: Iterable[TagCategory] = (),
            segments: Iterable[Segment] = (), origins: dict[tuple[str, str], str] | None = None) -> Definitions:
    """Check everything and order it; raises ``DefinitionError`` with every problem found."""
    origins = origins or {}
    defs = Definitions(list(traits), list(tags), list(categories), list(segments), origins=origins)
    env, tables = defs.customer_env(), fact_columns()
    problems: list[Problem] = []
    for trait in defs.traits:
        deps = _check_trait(trait, env, tables, problems, origins)
        if trait.derive:
            defs.derived_deps[trait.name] = deps & {t.name for t in defs.traits if t.derive}
    cycle = _cycle(defs.derived_deps)
    if cycle:
        problems.append(Problem(origins.get(("trait", cycle[0]), ""), f"{cycle[0]}.derive",
                                "derived traits depend on each other in a cycle: " + " -> ".join(cycle)))
    known_categories = {c.name for c in defs.categories}
    aliases = defs.tag_names()
    for tag in defs.tags:
        if known_categories and tag.category not in known_categories:
            problems.append(Problem(origins.get(("tag", tag.name), ""), f"{tag.name}.category",
                                    f"unknown category {tag.category!r}; known: {', '.join(sorted(known_categories))}"))
        if tag.rule:
            try:
                node = parse(tag.rule)
                check_condition(node, env)
                defs.tag_deps[tag.name] = {aliases[t] for t in tags_used(node) if t in aliases}
            except ConditionError as exc:
                problems.append(_problem(origins, "tag", tag.name, "rule", exc, tag.rule))
    cycle = _cycle(defs.tag_deps)
    if cycle:
        problems.append(Problem(origins.get(("tag", cycle[0]), ""), f"{cycle[0]}.rule",
                                "tags depend on each other in a cycle: " + " -> ".join(cycle)))
    for seg in defs.segments:
        try:
            check_condition(parse(seg.condition), env)
        except ConditionError as exc:
            problems.append(_problem(origins, "segment", seg.name, "condition", exc, seg.condition))
    if problems:
        raise DefinitionError(problems)
    return defs


def from_catalog(catalog: Any) -> Definitions:
    """The latest applied definitions of the catalog, resolved."""
    def load(kind: str, model: Any) -> tuple[list[Any], dict[tuple[str, str], str]]:
        rows = catalog.latest(kind)
        ordered = sorted(rows.items(), key=lambda kv: (kv[1].get("origin") or "", kv[0]))
        items = [model.model_validate(r["body"]) for _, r in ordered]
        return items, {(kind, r["body"]["name"]): r.get("origin") or "" for r in rows.values()}

    traits, o1 = load("trait", Trait)
    tags, o2 = load("tag", Tag)
    cats, o3 = load("tag_category", TagCategory)
    segs, o4 = load("segment", Segment)
    return resolve(traits, tags, cats, segs, {**o1, **o2, **o3, **o4})
