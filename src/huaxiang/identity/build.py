"""An identity build: identifiers → scored pairs → links under guard-rails → stable ids (full or incremental).

One transaction: a build that fails leaves the previous result (and the id history) untouched.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from huaxiang.domain.identity import IdentityRules
from huaxiang.engine.warehouse import Warehouse
from huaxiang.identity.decisions import load_decisions
from huaxiang.identity.golden import build_golden
from huaxiang.identity.identifiers import build_identifiers
from huaxiang.identity.ids import assign_ids
from huaxiang.identity import incremental, probabilistic
from huaxiang.identity.linking import link, write_edges
from huaxiang.identity.tables import HISTORY_TABLES, RESULT_TABLES


@dataclass
class BuildResult:
    build: int
    counts: dict[str, int]
    rounds: dict[str, int] = field(default_factory=dict)  # label-propagation rounds per identifier type
    seconds: float = 0.0
    step: str = "full"  # full | incremental


def ensure_tables(wh: Warehouse) -> None:
    """Create the identity tables; a result table of an older layout is dropped first (every build rewrites it)."""
    wh.ensure_tables()
    if wh.has_table("identity_builds"):  # workspaces built before incremental builds existed
        wh.raw.execute("ALTER TABLE identity_builds ADD COLUMN IF NOT EXISTS state JSON")
    for name, columns in RESULT_TABLES.items():
        have = [c for (c,) in wh.raw.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                             "AND NOT internal ORDER BY column_index", [name]).fetchall()]
        if have and have != [c.name for c in columns]:
            wh.raw.execute(f'DROP TABLE "{name}"')
    for name, columns in {**RESULT_TABLES, **HISTORY_TABLES}.items():
        wh.ensure_table(name, columns)


def _count(wh: Warehouse, sql: str) -> int:
    return wh.raw.execute(sql).fetchone()[0]


def build(wh: Warehouse, rules: IdentityRules, decisions: Iterable[Mapping[str, Any]] = (),
          model: tuple[int, dict[str, Any]] | None = None, *, full: bool = False, spark: Any = None) -> BuildResult:
    """Resolve records and events into customers; ``model``: (catalog id, Splink model), or None.

    Incremental when it can be (``incremental.py``: same rules and model as the last build): only
    what loads and decisions since then touched is resolved again, with a full rebuild's result.
    ``full`` resolves everything again regardless. With ``spark`` (a SparkSession), the scoring of
    pairs runs on Spark; every other step, and every table, stays in the warehouse.
    """
    ensure_tables(wh)
    decisions = list(decisions)
    scored: dict[str, int] = {}
    started = time.perf_counter()
    con = wh.raw
    model_id = model[0] if model is not None and rules.probabilistic.enabled else None
    with wh.transaction():
        previous = incremental.previous_state(con)
        state = incremental.state(rules.model_dump(mode="json"), model_id, decisions, con)
        step = "full" if full or not incremental.can_continue(previous, state) else "incremental"
        number = _count(wh, "SELECT coalesce(max(build), 0) + 1 FROM identity_builds")
        con.execute("INSERT INTO identity_builds VALUES (?, now(), NULL, NULL, ?)", [number, json.dumps(state)])
        if step == "full":
            con.execute("DELETE FROM identity_conflicts")
        build_identifiers(wh, rules)
        load_decisions(con, decisions)
        seeds = incremental.seeds(con, previous, decisions) if step == "incremental" else None
        if model_id is not None:
            uids = incremental.seed_uids(con) if step == "incremental" else None
            scored = probabilistic.apply(wh, rules.probabilistic, model_id, model[1], number, uids, spark=spark)
        else:
            con.execute("DELETE FROM identity_matches")
        if step == "incremental":
            resolved = incremental.closure(con)
            incremental.clear(con, number)
        else:
            con.execute("DELETE FROM identity_edges")
        rounds = link(con, rules, number, probabilistic=bool(scored))
        ids = assign_ids(con, number)
        con.execute("DELETE FROM identities")
        con.execute("""INSERT INTO identities SELECT i.identifier_type, i.value, r.customer_id, count(*)
                       FROM identifiers i JOIN customer_records r USING (source, source_key)
                       WHERE NOT i.blocked GROUP BY ALL""")
        write_edges(con, number)
        build_golden(wh, rules, number, only_closure=step == "incremental")
        counts = {
            "records": _count(wh, "SELECT count(*) FROM customer_records"),
            "identifiers": _count(wh, "SELECT count(*) FROM identifiers WHERE NOT blocked"),
            "blocked": _count(wh, "SELECT count(*) FROM identifiers WHERE blocked"),
            "edges": _count(wh, "SELECT count(*) FROM identity_edges"),
            "conflicts": _count(wh, "SELECT count(DISTINCT (identifier_type, value)) FROM identity_conflicts"),
            **scored,
            **ids,
            **({"seeds": seeds, "resolved": resolved} if step == "incremental" else {}),
        }
        con.execute("UPDATE identity_builds SET finished_at = now(), counts = ? WHERE build = ?",
                    [json.dumps(counts), number])
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE '\\_idn\\_%' ESCAPE '\\'").fetchall():
        con.execute(f'DROP TABLE "{name}"')
    return BuildResult(number, counts, rounds, time.perf_counter() - started, step)
