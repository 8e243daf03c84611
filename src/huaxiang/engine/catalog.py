"""The catalog: versioned definitions, loads, quality reports, identity decisions, an append-only audit log.

SQLAlchemy Core over SQLite by default (PostgreSQL by URL). Definitions are never updated in
place: a change writes a new version row, so every version stays readable. The audit log is
append-only, enforced by the database itself (triggers), not by convention.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

definitions = sa.Table(
    "definitions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("origin", sa.String(500)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("kind", "name", "version"),
)

loads = sa.Table(
    "loads", metadata,
    sa.Column("load_id", sa.String(40), primary_key=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("source_version", sa.Integer),
    sa.Column("file", sa.String(1000)),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("status", sa.String(20), nullable=False),  # running | succeeded | rejected | failed
    sa.Column("counts", sa.JSON),
    sa.Column("message", sa.Text),
)

quality_reports = sa.Table(
    "quality_reports", metadata,
    sa.Column("load_id", sa.String(40), primary_key=True),
    sa.Column("source", sa.String(200), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("report", sa.JSON, nullable=False),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(500)),
    sa.Column("details", sa.JSON),
)

#: manual identity decisions (split / merge / reject): kept here, not in the warehouse, so that they
#: survive warehouse rebuilds; every build honours them (``huaxiang.identity.decisions``)
identity_decisions = sa.Table(
    "identity_decisions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # split | merge | reject
    sa.Column("records", sa.JSON, nullable=False),  # groups of [source, source_key]
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("item_id", sa.String(40), index=True),  # the review item it closes, if any
    sa.Column("customer_id", sa.String(40)),  # the customer it was made on
)

#: trained probabilistic identity models (Splink JSON), newest last; a build uses the newest one
#: trained with the current settings (``training_key``)
identity_models = sa.Table(
    "identity_models", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("training_key", sa.String(64), nullable=False, index=True),
    sa.Column("records", sa.Integer, nullable=False),  # customer records it was trained on
    sa.Column("model", sa.JSON, nullable=False),  # the Splink settings with the trained m and u
    sa.Column("summary", sa.JSON, nullable=False),  # per comparison level: m, u, match weight
)

#: profile builds, newest last: the small history trends are drawn from (build id, time, counts)
profile_builds = sa.Table(
    "profile_builds", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # full | incremental | snapshot
    sa.Column("engine", sa.String(20), nullable=False),  # duckdb | spark
    sa.Column("as_of", sa.DateTime, nullable=False),
    sa.Column("table_name", sa.String(100), nullable=False),  # profiles, or the snapshot's table
    sa.Column("status", sa.String(20), nullable=False),  # running | succeeded | failed
    sa.Column("counts", sa.JSON),
)

#: tags people assign by hand (who and when), kept here so a rebuilt warehouse keeps them
manual_tags = sa.Table(
    "manual_tags", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.String(40), nullable=False, index=True),
    sa.Column("tag", sa.String(200), nullable=False, index=True),
    sa.Column("assigned_by", sa.String(200), nullable=False),
    sa.Column("assigned_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("removed_by", sa.String(200)),
    sa.Column("removed_at", sa.DateTime),
)

#: trained predictions (models), newest last: the model card (data window, features, metrics, when) and
#: the fitted model; ``huaxiang predict score`` uses the newest one of each prediction
prediction_models = sa.Table(
    "prediction_models", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("prediction", sa.String(63), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("definition_version", sa.Integer),  # the version of the prediction's definition it was trained on
    sa.Column("card", sa.JSON, nullable=False),  # data window, features, metrics, calibration, parameters
    sa.Column("model", sa.LargeBinary, nullable=False),  # the fitted model (pickle of our own objects only)
)

#: kept incremental build plans (profiles.plans): the statements of a build, by what they depend on
build_plans = sa.Table(
    "build_plans", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("plan", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

#: scoring runs: which model scored how many customers when (a new run re-evaluates every membership)
prediction_runs = sa.Table(
    "prediction_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("prediction", sa.String(63), nullable=False, index=True),
    sa.Column("model_id", sa.Integer),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("customers", sa.Integer, nullable=False),
    sa.Column("counts", sa.JSON),
)

_APPEND_ONLY = [
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers)
        return "unknown"


def body_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Catalog:
    def __init__(self, url: str):
        self.url = url
        self.engine = sa.create_engine(url)
        metadata.create_all(self.engine)
        if self.engine.dialect.name == "sqlite":
            with self.engine.begin() as conn:
                for stmt in _APPEND_ONLY:
                    conn.exec_driver_sql(stmt)

    def close(self) -> None:
        self.engine.dispose()

    # ---- definitions ------------------------------------------------------------------------
    def latest(self, kind: str, name: str | None = None) -> dict[str, dict[str, Any]]:
        """Latest live version of each definition of a kind: name -> row (as dict)."""
        d = definitions
        newest = (sa.select(d.c.name, sa.func.max(d.c.version).label("v"))
                  .where(d.c.kind == kind).group_by(d.c.name).subquery())
        q = sa.select(d).join(newest, sa.and_(d.c.name == newest.c.name, d.c.version == newest.c.v))
        q = q.where(d.c.kind == kind, d.c.deleted.is_(False))
        if name is not None:
            q = q.where(d.c.name == name)
        with self.engine.connect() as conn:
            return {row.name: dict(row._mapping) for row in conn.execute(q)}

    def versions(self, kind: str) -> dict[str, int]:
        """Newest version number of each definition of a kind, deleted ones included."""
        d = definitions
        q = sa.select(d.c.name, sa.func.max(d.c.version)).where(d.c.kind == kind).group_by(d.c.name)
        with self.engine.connect() as conn:
            return {name: version for name, version in conn.execute(q)}

    def history(self, kind: str, name: str) -> list[dict[str, Any]]:
        d = definitions
        q = sa.select(d).where(d.c.kind == kind, d.c.name == name).order_by(d.c.version)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def put_definition(self, kind: str, name: str, body: dict[str, Any] | None, *, origin: str = "",
                       actor: str | None = None) -> int:
        """Write a new version (``body=None`` marks the definition deleted). Returns the version."""
        actor = actor or current_actor()
        with self.engine.begin() as conn:
            prev = conn.execute(sa.select(sa.func.max(definitions.c.version))
                                .where(definitions.c.kind == kind, definitions.c.name == name)).scalar()
            version = (prev or 0) + 1
            conn.execute(definitions.insert().values(
                kind=kind, name=name, version=version, body=body or {}, hash=body_hash(body or {}),
                origin=origin, created_at=now(), created_by=actor, deleted=body is None))
            self._audit(conn, actor, "definition.delete" if body is None else "definition.put",
                        f"{kind}/{name}", {"version": version, "origin": origin})
        return version

    # ---- loads and quality ------------------------------------------------------------------
    def start_load(self, load_id: str, source: str, version: int | None, file: str) -> None:
        """Record a running load. The caller holds the warehouse's single write lock, so a load
        still marked running belongs to a process that died (killed, power cut): it is closed as
        ``interrupted`` (its transaction never committed, so nothing of it is in the warehouse)."""
        with self.engine.begin() as conn:
            conn.execute(loads.update().where(loads.c.status == "running").values(
                status="interrupted", finished_at=now(), message="the process ended before the load finished"))
            conn.execute(loads.insert().values(load_id=load_id, source=source, source_version=version, file=file,
                                               actor=current_actor(), started_at=now(), status="running"))

    def finish_load(self, load_id: str, status: str, counts: dict[str, int], message: str = "",
                    report: dict[str, Any] | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(loads.update().where(loads.c.load_id == load_id).values(
                finished_at=now(), status=status, counts=counts, message=message))
            row = conn.execute(sa.select(loads.c.source, loads.c.file).where(loads.c.load_id == load_id)).one()
            if report is not None:
                conn.execute(quality_reports.insert().values(
                    load_id=load_id, source=row.source, created_at=now(), report=report))
            self._audit(conn, current_actor(), f"load.{status}", f"source/{row.source}",
                        {"load_id": load_id, "file": row.file, "counts": counts, "message": message[:2000]})

    def list_loads(self, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        q = sa.select(loads).order_by(loads.c.started_at.desc(), loads.c.load_id.desc()).limit(limit)
        if source:
            q = q.where(loads.c.source == source)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def quality_report(self, load_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(quality_reports.c.report)
                               .where(quality_reports.c.load_id == load_id)).first()
        return row.report if row else None

    # ---- identity decisions -----------------------------------------------------------------
    def add_identity_decision(self, kind: str, records: list[list[list[str]]], *, reason: str = "",
                              item_id: str | None = None, customer_id: str | None = None,
                              actor: str | None = None) -> dict[str, Any]:
        """Store a manual identity decision and its audit entry in one transaction; returns the row."""
        actor = actor or current_actor()
        row = {"at": now(), "actor": actor, "kind": kind, "records": records, "reason": reason,
               "item_id": item_id, "customer_id": customer_id}
        with self.engine.begin() as conn:
            row["id"] = conn.execute(identity_decisions.insert().values(**row)).inserted_primary_key[0]
            self._audit(conn, actor, f"identity.{kind}", f"identity_decision/{row['id']}",
                        {"records": records, "reason": reason, "item_id": item_id, "customer_id": customer_id})
        return row

    def identity_decisions(self) -> list[dict[str, Any]]:
        """Every decision, oldest first (later decisions override earlier ones they contradict)."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(identity_decisions)
                                                           .order_by(identity_decisions.c.id))]

    # ---- identity models ----------------------------------------------------------------------
    def add_identity_model(self, training_key: dict[str, Any], model: dict[str, Any], *, records: int,
                           summary: dict[str, Any], actor: str | None = None) -> int:
        """Store a trained model and its audit entry in one transaction; returns its id."""
        actor = actor or current_actor()
        row = {"at": now(), "actor": actor, "training_key": body_hash(training_key), "records": records,
               "model": model, "summary": summary}
        with self.engine.begin() as conn:
            model_id = conn.execute(identity_models.insert().values(**row)).inserted_primary_key[0]
            self._audit(conn, actor, "identity.train", f"identity_model/{model_id}",
                        {"records": records, "training_key": training_key})
        return model_id

    def identity_model(self, training_key: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The newest model (trained with ``training_key``, if given), or None."""
        q = sa.select(identity_models).order_by(identity_models.c.id.desc()).limit(1)
        if training_key is not None:
            q = q.where(identity_models.c.training_key == body_hash(training_key))
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return dict(row._mapping) if row else None

    # ---- profile builds -----------------------------------------------------------------------
    def start_profile_build(self, kind: str, engine: str, as_of: datetime, table_name: str) -> int:
        row = {"started_at": now(), "actor": current_actor(), "kind": kind, "engine": engine, "as_of": as_of,
               "table_name": table_name, "status": "running"}
        with self.engine.begin() as conn:
            return conn.execute(profile_builds.insert().values(**row)).inserted_primary_key[0]

    def finish_profile_build(self, build: int, status: str, counts: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(profile_builds.update().where(profile_builds.c.id == build)
                         .values(finished_at=now(), status=status, counts=counts))
            self._audit(conn, current_actor(), f"profiles.build.{status}", f"profile_build/{build}", counts)

    def profile_builds(self, limit: int = 20, *, status: str | None = None, table_name: str | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        q = sa.select(profile_builds).order_by(profile_builds.c.id.desc()).limit(limit)
        if status:
            q = q.where(profile_builds.c.status == status)
        if table_name:
            q = q.where(profile_builds.c.table_name == table_name)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # ---- manual tags --------------------------------------------------------------------------
    def assign_tag(self, customer_id: str, tag: str, *, note: str = "", actor: str | None = None) -> bool:
        """Give ``customer_id`` the manual ``tag``; False if they already have it."""
        actor = actor or current_actor()
        with self.engine.begin() as conn:
            if conn.execute(sa.select(manual_tags.c.id).where(
                    manual_tags.c.customer_id == customer_id, manual_tags.c.tag == tag,
                    manual_tags.c.removed_at.is_(None))).first():
                return False
            conn.execute(manual_tags.insert().values(customer_id=customer_id, tag=tag, assigned_by=actor,
                                                     assigned_at=now(), note=note))
            self._audit(conn, actor, "tags.assign", f"customer/{customer_id}", {"tag": tag, "note": note})
        return True

    def remove_tag(self, customer_id: str, tag: str, *, actor: str | None = None) -> bool:
        actor = actor or current_actor()
        with self.engine.begin() as conn:
            done = conn.execute(manual_tags.update().where(
                manual_tags.c.customer_id == customer_id, manual_tags.c.tag == tag,
                manual_tags.c.removed_at.is_(None)).values(removed_by=actor, removed_at=now())).rowcount
            if done:
                self._audit(conn, actor, "tags.remove", f"customer/{customer_id}", {"tag": tag})
        return bool(done)

    def manual_tags(self) -> list[dict[str, Any]]:
        """Current manual assignments: customer_id, tag, assigned_by, assigned_at, note."""
        q = sa.select(manual_tags.c.customer_id, manual_tags.c.tag, manual_tags.c.assigned_by,
                      manual_tags.c.assigned_at, manual_tags.c.note).where(manual_tags.c.removed_at.is_(None))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q.order_by(manual_tags.c.id))]

    # ---- predictions --------------------------------------------------------------------------
    def add_prediction_model(self, prediction: str, kind: str, card: dict[str, Any], model: bytes, *,
                             definition_version: int | None = None, actor: str | None = None) -> int:
        """Store a trained model with its card and the audit entry in one transaction; returns its id."""
        actor = actor or current_actor()
        row = {"prediction": prediction, "kind": kind, "at": now(), "actor": actor, "card": card, "model": model,
               "definition_version": definition_version}
        with self.engine.begin() as conn:
            model_id = conn.execute(prediction_models.insert().values(**row)).inserted_primary_key[0]
            self._audit(conn, actor, "predict.train", f"prediction/{prediction}/{model_id}",
                        {"metrics": card.get("metrics", {})})
        return model_id

    def prediction_models(self, prediction: str | None = None, limit: int = 20, *,
                          with_model: bool = False) -> list[dict[str, Any]]:
        """Trained models, newest first (the pickled model only ``with_model``)."""
        cols = [c for c in prediction_models.c if with_model or c.name != "model"]
        q = sa.select(*cols).order_by(prediction_models.c.id.desc()).limit(limit)
        if prediction:
            q = q.where(prediction_models.c.prediction == prediction)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def edit_persona_cards(self, prediction: str, persona_id: str, fields: dict[str, str]) -> None:
        """Apply a user's edit (non-empty ``fields``) to that persona's card in the newest model, with an audit entry."""
        fields = {k: v for k, v in fields.items() if v}
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(prediction_models.c.id, prediction_models.c.card)
                               .where(prediction_models.c.prediction == prediction)
                               .order_by(prediction_models.c.id.desc()).limit(1)).first()
            if row is None:
                return
            card = dict(row.card)
            card["personas"] = [{**c, **fields, "overridden": sorted(set(c.get("overridden", [])) | set(fields))}
                                if c["id"] == persona_id else c for c in card.get("personas", [])]
            conn.execute(prediction_models.update().where(prediction_models.c.id == row.id).values(card=card))
            self._audit(conn, current_actor(), "personas.edit", f"persona/{persona_id}", fields)

    def add_prediction_run(self, prediction: str, model_id: int | None, customers: int,
                           counts: dict[str, Any] | None = None, *, actor: str | None = None) -> int:
        actor = actor or current_actor()
        row = {"prediction": prediction, "model_id": model_id, "at": now(), "actor": actor, "customers": customers,
               "counts": counts or {}}
        with self.engine.begin() as conn:
            run_id = conn.execute(prediction_runs.insert().values(**row)).inserted_primary_key[0]
            self._audit(conn, actor, "predict.score", f"prediction/{prediction}", {"customers": customers})
        return run_id

    # ---- compiled build plans (profiles.plans) ----------------------------------------------
    def build_plan(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(build_plans.c.plan).where(build_plans.c.key == key)).scalar()

    def save_build_plan(self, key: str, plan: dict[str, Any], *, keep: int = 8) -> None:
        """Keep ``plan`` under ``key``, and only the ``keep`` newest plans."""
        with self.engine.begin() as conn:
            conn.execute(build_plans.delete().where(build_plans.c.key == key))
            conn.execute(build_plans.insert().values(key=key, plan=plan, created_at=now()))
            old = sa.select(build_plans.c.key).order_by(build_plans.c.created_at.desc()).offset(keep)
            conn.execute(build_plans.delete().where(build_plans.c.key.in_(old)))

    def last_prediction_run(self) -> int:
        """The id of the newest scoring run (0 if none): a build re-evaluates memberships when it moved."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.max(prediction_runs.c.id))).scalar() or 0

    # ---- audit ------------------------------------------------------------------------------
    def audit(self, action: str, target: str, details: dict[str, Any] | None = None, actor: str | None = None) -> None:
        with self.engine.begin() as conn:
            self._audit(conn, actor or current_actor(), action, target, details)

    @staticmethod
    def _audit(conn: sa.Connection, actor: str, action: str, target: str, details: dict[str, Any] | None) -> None:
        conn.execute(audit_log.insert().values(at=now(), actor=actor, action=action, target=target,
                                               details=details or {}))

    def audit_entries(self, limit: int = 50) -> list[dict[str, Any]]:
        q = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]
