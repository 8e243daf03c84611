"""The workspace's profile parts: ``ws.profiles``, ``ws.tags``, ``ws.segments`` (thin: they call the use-cases)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huaxiang.definitions.loader import DefinitionError, Problem
from huaxiang.identity import require_built
from huaxiang.profiles import ProfileError
from huaxiang.profiles import build as builds
from huaxiang.profiles import queries
from huaxiang.profiles.definitions import Definitions, from_catalog

if TYPE_CHECKING:
    from huaxiang.workspace import Workspace


@dataclass
class ProfileCard:
    """One customer's 360° profile: traits by dimension, tags, segments."""

    customer_id: str
    as_of: datetime | None
    traits: dict[str, list[tuple[Any, Any]]]  # dimension -> [(Trait, value)] in definition order
    tags: list[dict[str, Any]] = field(default_factory=list)  # name, label, category, since, source, assigned_by
    segments: list[dict[str, Any]] = field(default_factory=list)  # name, label, since
    timezone: str = "UTC"  # where times are shown (they are stored in UTC)


def _resolve(aliases: dict[str, str], name_or_label: str, code: str, known: list[str]) -> str:
    """The name a tag or segment goes by, from its name or either label; ProfileError(code) if none."""
    name = aliases.get(name_or_label)
    if name is None:
        raise ProfileError(code, name=name_or_label, known=", ".join(known))
    return name


class Profiles:
    def __init__(self, ws: "Workspace"):
        self._ws = ws

    def definitions(self) -> Definitions:
        """The applied traits, tags and segments, checked (``DefinitionError`` names every problem)."""
        defs = from_catalog(self._ws.catalog)
        if not defs.traits:
            raise DefinitionError([Problem("traits/", "", "no traits are applied; add trait files and run "
                                           "`huaxiang plan` and `huaxiang apply` (new workspaces ship a library)")])
        return defs

    def build(self, *, full: bool = False, as_of: datetime | None = None, engine: str | None = None) -> builds.BuildResult:
        """Compute every trait, then tags and segments (see ``huaxiang.profiles.build``)."""
        ws = self._ws
        defs = self.definitions()
        require_built(ws.warehouse)
        if as_of is None:  # what new interaction texts say, before the traits read it (a snapshot reads what is there)
            from huaxiang.predict import signals

            signals.refresh(ws.warehouse)
        eng = self._engine(engine or ws.config.warehouse.engine, builds.input_tables(defs))
        try:
            return builds.run(eng, ws.catalog, ws.identity.rules(), defs, timezone=ws.config.timezone,
                              as_of=as_of, full=full, now=ws.config.clock, manual=ws.catalog.manual_tags())
        finally:
            eng.close()

    def _engine(self, name: str, tables: list[str] | None = None) -> Any:
        from huaxiang.profiles.engines import DuckDBEngine, SparkEngine

        wh = self._ws.warehouse
        if name == "duckdb":
            return DuckDBEngine(wh)
        return SparkEngine(wh, self._ws.spark, tables or builds.INPUT_TABLES)

    def impact(self, plan: Any) -> dict[tuple[str, str], Any]:
        """For the tags and segments ``plan`` changes: customers who would enter and leave (see ``impact.py``)."""
        from huaxiang.definitions.loader import load_folder
        from huaxiang.profiles import impact

        ws = self._ws
        if not (ws.root / ws.config.warehouse.path).exists():
            return {}
        last = next(iter(ws.catalog.profile_builds(1, status="succeeded", table_name=builds.PROFILES)), None)
        key = (last or {}).get("counts", {}).get("state", {}).get("definitions") if last else None
        return impact.preview(ws.warehouse, load_folder(ws.root), plan, ws.identity.rules(),
                              timezone=ws.config.timezone, last_build=last, built_traits_key=key)

    def history(self, limit: int = 20) -> list[dict[str, Any]]:
        return self._ws.catalog.profile_builds(limit)

    def get(self, customer_or_identifier: str) -> list[ProfileCard]:
        """The profile card of every customer the identifier finds (phone, e-mail, member id, customer id…)."""
        ids = sorted({m.customer_id for m in self._ws.identity.lookup(customer_or_identifier)})
        defs, tz = self.definitions(), self._ws.config.timezone
        return [queries.card(self._ws.warehouse, defs, cid, tz) for cid in ids]


class Tags:
    def __init__(self, ws: "Workspace"):
        self._ws = ws

    def list(self) -> list[dict[str, Any]]:
        """Every tag with its category, kind (rule / manual) and member count."""
        return queries.tag_list(self._ws.warehouse, self._ws.profiles.definitions())

    def _customer(self, customer_or_identifier: str) -> str:
        found = sorted({m.customer_id for m in self._ws.identity.lookup(customer_or_identifier)})
        if len(found) != 1:
            raise ProfileError("ambiguous", query=customer_or_identifier, n=len(found))
        return found[0]

    def _tag(self, name_or_label: str) -> str:
        defs = self._ws.profiles.definitions()
        return _resolve(defs.tag_names(), name_or_label, "unknown_tag", [t.name for t in defs.tags])

    def assign(self, customer_or_identifier: str, tag: str, *, note: str = "") -> bool:
        """Give a customer a tag by hand (recorded with who and when; members update on the next build)."""
        return self._ws.catalog.assign_tag(self._customer(customer_or_identifier), self._tag(tag), note=note)

    def remove(self, customer_or_identifier: str, tag: str) -> bool:
        return self._ws.catalog.remove_tag(self._customer(customer_or_identifier), self._tag(tag))

    def members(self, tag: str, *, page: int = 1, size: int = 50) -> queries.Page:
        return queries.members(self._ws.warehouse, "tag_members", "tag", self._tag(tag), page=page, size=size)


class Segments:
    def __init__(self, ws: "Workspace"):
        self._ws = ws

    def _name(self, name_or_label: str) -> str:
        defs = self._ws.profiles.definitions()
        return _resolve(defs.segment_names(), name_or_label, "unknown_segment", [s.name for s in defs.segments])

    def list(self) -> list[dict[str, Any]]:
        """Every segment with its kind and size."""
        return queries.segment_list(self._ws.warehouse, self._ws.profiles.definitions())

    def members(self, segment: str, *, page: int = 1, size: int = 50, traits: list[str] | None = None) -> queries.Page:
        return queries.members(self._ws.warehouse, "segment_members", "segment", self._name(segment),
                               page=page, size=size, traits=traits)

    def overlap(self, segments: list[str]) -> dict[tuple[str, str], int]:
        """Members two segments share, for every pair (the diagonal is each segment's size)."""
        return queries.overlap(self._ws.warehouse, [self._name(s) for s in segments])

    def changes(self, segment: str, limit: int = 100) -> list[dict[str, Any]]:
        """Entries and exits, newest first."""
        return queries.changes(self._ws.warehouse, "segment", self._name(segment), limit)

    def export(self, segment: str, path: str | Path, *, traits: list[str] | None = None) -> int:
        """Members with the chosen traits to CSV or Parquet (by the file's suffix); returns the row count."""
        return queries.export(self._ws.warehouse, self._ws.profiles.definitions(), self._name(segment), Path(path),
                              traits or [])

    def refresh(self, segment: str) -> None:
        """Take a static segment again on the next build."""
        queries.forget_static(self._ws.warehouse, self._name(segment))
