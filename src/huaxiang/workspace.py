"""The workspace: a folder of definitions plus its two stores, with namespaced parts.

``open_workspace(path)`` gives a :class:`Workspace` whose parts are small objects, each a use-case
area: ``ws.sources``, ``ws.ingest``, ``ws.quality``, ``ws.identity``; later issues add
``ws.traits``, ``ws.segments``. The warehouse is opened on first use, so reading definitions or
the catalog never takes DuckDB's single-writer lock.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from huaxiang.definitions import library
from huaxiang.definitions.loader import CONFIG_FILE, DefinitionError, Problem, read_yaml, validate
from huaxiang.definitions.plan import Plan, apply_plan, make_plan
from huaxiang import identity
from huaxiang.domain.identity import IdentityRules
from huaxiang.domain.schema import TABLES
from huaxiang.domain.sources import Source
from huaxiang.domain.workspace import WorkspaceConfig
from huaxiang.engine.catalog import Catalog
from huaxiang.engine.warehouse import Warehouse
from huaxiang.ingest import quality
from huaxiang.ingest.load import Progress, LoadResult, run_load
from huaxiang.profiles.parts import Profiles, Segments, Tags
from huaxiang.predict.parts import Predictions
from huaxiang.predict.persona_parts import Personas

FOLDERS = ("sources", "traits", "tags", "segments", "personas", "predictions", "data")


class WorkspaceError(ValueError):
    pass


def _template(name: str) -> str:
    return resources.files("huaxiang.definitions").joinpath("templates", name).read_text(encoding="utf-8")


def init_workspace(path: str | Path, *, name: str | None = None, locale: str = "zh") -> "Workspace":
    """Scaffold a workspace folder (DESIGN §4). Refuses to overwrite an existing one."""
    root = Path(path)
    if (root / CONFIG_FILE).exists():
        raise WorkspaceError(f"{root / CONFIG_FILE} already exists")
    for sub in FOLDERS:
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / CONFIG_FILE).write_text(_template("huaxiang.yml").format(name=name or root.resolve().name,
                                                                      locale=locale), encoding="utf-8")
    _scaffold(root / "sources" / "_example.yml", _template("sources/_example.yml"))
    _scaffold(root / "identity.yml", _template("identity.yml"))
    for sub in library.FOLDERS:  # the built-in traits, tags and segments (docs/traits.md)
        for file in library.files(sub):
            _scaffold(root / sub / file.name, file.read_text(encoding="utf-8"))
    _ignore(root / ".gitignore", ["warehouse.duckdb*", "catalog.sqlite", ".huaxiang/", "data/"])
    return open_workspace(root)


def _scaffold(path: Path, text: str) -> None:
    """Write a starter file unless the folder already has one (``huaxiang init .`` in an existing project)."""
    if not path.exists():
        path.write_text(text, encoding="utf-8")


def _ignore(path: Path, lines: list[str]) -> None:
    """Add our lines to the project's .gitignore, keeping whatever it already ignores."""
    have = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in lines if line not in have.splitlines()]
    if missing:
        sep = "\n" if have and not have.endswith("\n") else ""
        path.write_text(have + sep + "\n".join(missing) + "\n", encoding="utf-8")


def open_workspace(path: str | Path = ".") -> "Workspace":
    root = Path(path)
    if not (root / CONFIG_FILE).exists():
        raise WorkspaceError(f"{root.resolve()} is not a huaxiang workspace (no {CONFIG_FILE}); "
                             f"create one with `huaxiang init {path}`")
    config = validate(WorkspaceConfig, read_yaml(root / CONFIG_FILE, root), CONFIG_FILE)
    return Workspace(root, config)  # type: ignore[arg-type]


class Workspace:
    def __init__(self, root: Path, config: WorkspaceConfig):
        self.root = Path(root)
        self.config = config
        self.catalog = Catalog(self._catalog_url())
        self._warehouse: Warehouse | None = None
        self.sources = Sources(self)
        self.ingest = Ingest(self)
        self.quality = Quality(self)
        self.identity = Identity(self)
        self.profiles = Profiles(self)
        self.tags = Tags(self)
        self.segments = Segments(self)
        self.predictions = Predictions(self)
        self.personas = Personas(self)

    def _catalog_url(self) -> str:
        url = self.config.catalog.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
            return prefix + str((self.root / url[len(prefix):]).resolve())
        return url

    @property
    def warehouse(self) -> Warehouse:
        """The DuckDB warehouse; with ``warehouse.engine: spark`` too, which only moves where builds compute."""
        if self._warehouse is None:
            self._warehouse = Warehouse(self.root / self.config.warehouse.path,
                                        memory_limit=self.config.warehouse.memory_limit)
        return self._warehouse

    @property
    def spark(self) -> Any:
        """The process's Spark session with this workspace's ``spark:`` settings, started on first use."""
        from huaxiang.engine.spark import spark_session

        return spark_session(self.config.spark, self.root)

    def build_engine(self) -> Any:
        """Where builds compute: None for the warehouse itself (DuckDB), else the Spark session."""
        return self.spark if self.config.warehouse.engine == "spark" else None

    def plan(self) -> Plan:
        return make_plan(self.root, self.catalog)

    def apply(self) -> Plan:
        return apply_plan(self.root, self.catalog)

    def status(self) -> dict[str, Any]:
        counts = {}
        if (self.root / self.config.warehouse.path).exists():
            wh = self.warehouse
            counts = {t.name: wh.count(t.name) for t in TABLES.values() if wh.has_table(t.name)}
        return {"name": self.config.name, "root": str(self.root.resolve()),
                "sources": sorted(self.catalog.latest("source")), "tables": counts,
                "loads": self.catalog.list_loads(limit=5)}

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None
        self.catalog.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Sources:
    """Source definitions as applied to the catalog (the run-time source of truth)."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def list(self) -> list[str]:
        return sorted(self._ws.catalog.latest("source"))

    def get(self, name: str) -> tuple[Source, int]:
        row = self._ws.catalog.latest("source", name).get(name)
        if row is None:
            known = ", ".join(self.list()) or "none yet"
            raise DefinitionError([Problem("catalog", name, f"no applied source named {name!r} (applied: {known}); "
                                           "run `huaxiang plan` and `huaxiang apply` first")])
        return Source.model_validate(row["body"]), row["version"]


class Ingest:
    def __init__(self, ws: Workspace):
        self._ws = ws

    def load(self, source: str, file: str | Path | None = None, *, progress: Progress | None = None) -> LoadResult:
        """Import one input into the canonical tables as one atomic load (see ingest/load.py)."""
        definition, version = self._ws.sources.get(source)
        return run_load(self._ws.warehouse, self._ws.catalog, self._ws.root, definition, version, file,
                        progress=progress)


class Quality:
    def __init__(self, ws: Workspace):
        self._ws = ws

    def load_report(self, load_id: str) -> dict[str, Any] | None:
        return self._ws.catalog.quality_report(load_id)

    def loads(self, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        return self._ws.catalog.list_loads(source, limit)

    def source_report(self, source: str) -> dict[str, Any]:
        """The source's stored rows now, plus its latest load's report."""
        definition, _ = self._ws.sources.get(source)
        loads = self.loads(source, limit=1)
        latest = self.load_report(loads[0]["load_id"]) if loads else None
        stored = quality.source_profile(self._ws.warehouse, source, definition.kind,
                                        loads[0]["load_id"] if loads else None)
        return {"source": source, "kind": definition.kind, "stored": stored,
                "latest_load": loads[0] if loads else None, "latest_report": latest}


class Identity:
    """Identity resolution with the rules applied to the catalog (built-in rules if none were)."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def rules(self) -> IdentityRules:
        row = self._ws.catalog.latest("identity", "identity").get("identity")
        return IdentityRules.model_validate(row["body"]) if row else IdentityRules()

    def build(self, *, full: bool = False) -> identity.BuildResult:
        """Resolve records and events into customers (ids stay stable; decisions honoured).

        Incremental when the rules and the model are those of the last build: only what new loads
        and decisions touched is resolved again (``result.step``); ``full=True`` resolves everything.
        Probabilistic linking uses the newest model trained with the current settings; when there is
        none, one is trained first (given ``probabilistic.min_records`` customer records). With
        ``warehouse.engine: spark``, the pairs are scored on Spark (training stays on DuckDB).
        """
        rules = self.rules()
        model = self._model_for_build(rules)
        spark = self._ws.build_engine() if model is not None else None  # Spark scores pairs, nothing else
        return identity.build(self._ws.warehouse, rules, self._ws.catalog.identity_decisions(), model,
                              full=full, spark=spark)

    def train(self) -> identity.TrainedModel:
        """Train the probabilistic model on the current customer records (EM, no labels); store it in the catalog."""
        config = self.rules().probabilistic
        wh = self._ws.warehouse
        records, model, summary = identity.fit(wh, config)
        model_id = self._ws.catalog.add_identity_model(config.training_key(), model, records=records, summary=summary)
        return identity.TrainedModel(model_id, records, summary, model)

    def model(self) -> identity.TrainedModel | None:
        """The model builds use now (the newest trained with the current settings), or None."""
        row = self._ws.catalog.identity_model(self.rules().probabilistic.training_key())
        return identity.TrainedModel(row["id"], row["records"], row["summary"], row["model"]) if row else None

    def _model_for_build(self, rules: IdentityRules) -> tuple[int, dict] | None:
        if not rules.probabilistic.enabled:
            return None
        stored = self.model()
        if stored is None:
            if self._ws.warehouse.count("source_records") < rules.probabilistic.min_records:
                return None
            stored = self.train()
        return stored.id, stored.model

    def lookup(self, value: str) -> list[identity.Match]:
        """Customers for a phone (any spelling), e-mail, member id, other identifier, customer id or alias."""
        return identity.lookup(self._ws.warehouse, self.rules(), value)

    def explain(self, customer_or_identifier: str) -> list[identity.Explanation]:
        """For each customer found: its records, the edges with their evidence, what was refused."""
        return identity.explain(self._ws.warehouse, self.rules(), customer_or_identifier)

    def golden(self, customer_or_identifier: str) -> list[identity.GoldenRecord]:
        """The golden record of each customer found: every field's value, the rule and the record it came from."""
        return identity.golden(self._ws.warehouse, self.rules(), customer_or_identifier)

    def review(self) -> list[identity.ReviewItem]:
        """Open review items: identifier values a guard-rail refused that several customers carry."""
        return identity.review(self._ws.warehouse, self._ws.catalog)

    def accept(self, item_id: str, *, reason: str = "", build: bool = True) -> identity.Decision:
        """The item's customers are one person: store a merge decision, then rebuild (unless ``build=False``)."""
        return self._decided(identity.accept(self._ws.warehouse, self._ws.catalog, item_id, reason), build)

    def reject(self, item_id: str, *, reason: str = "", build: bool = True) -> identity.Decision:
        """The item's customers are different people: store a cannot-link decision and close the item."""
        return self._decided(identity.reject(self._ws.warehouse, self._ws.catalog, item_id, reason), build)

    def split(self, customer_id: str, records: list[tuple[str, str]], *, reason: str = "",
              build: bool = True) -> identity.Decision:
        """Take ``records`` [(source, source_key), …] off a customer, for good: they get a new id, the rest keeps it."""
        return self._decided(identity.split(self._ws.warehouse, self._ws.catalog, customer_id, records, reason), build)

    def decisions(self) -> list[identity.Decision]:
        """Every manual decision, oldest first."""
        return identity.list_decisions(self._ws.catalog)

    def _decided(self, decision: identity.Decision, build: bool) -> identity.Decision:
        if build:
            self.build()
        return decision
