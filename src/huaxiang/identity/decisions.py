"""Manual decisions in a build: must-link and cannot-link, set-based, like the guard-rails.

Decisions live in the catalog (``identity_decisions``, with an audit entry each), not in the
warehouse, so they survive warehouse rebuilds. Each holds groups of records (source, source_key):

* ``merge`` (an accepted review item): all its records are one customer (*must-link*);
* ``reject`` (a review item confirmed as different people): no two records of different groups
  are one customer (*cannot-link*);
* ``split`` (``huaxiang identity split``: group 0 is the part taken off, group 1 the rest):
  cannot-link between the groups, and must-link within each group, so that taking one record off
  neither shatters the rest nor the part taken off (a household phone refused below would
  otherwise leave records that only it joined on their own).

A decision is made of *units*: its must-link units (a merge: one; a split: one per group of
several records) and its cannot-link unit (a split or a reject: one). Every build applies them:

1. **Later wins, pair by pair.** A unit is ignored when a later decision has a unit of the other
   kind over the same two records (a merge after a reject of the same records, a split after a
   merge). The rest of the earlier decision still holds.
2. **Must-link first.** The records of each remaining must-link unit are linked before any
   identifier, as a level ``manual`` of value ``decision <id>``; the edges say rule ``manual``.
3. **Cannot-link at every level.** A cannot-link unit of decision *d* is a checked fact
   ``decision:<d>`` whose value is the record's group, limit 1, counted with the guard-rails of
   ``linking.py`` at every level (``manual`` included): a shared value, or a component, that would
   put two groups of *d* in one customer links nothing and is recorded in ``identity_conflicts``
   with ``check_name = 'decision:<d>'``. As with the guard-rails, the value refused is the one of
   the level that would join them: the weakest identifier that would, since stronger ones are
   checked first. Records of a decision that are gone from the warehouse are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import duckdb

#: the pseudo identifier type of must-link units (never in ``identifiers`` nor ``identities``)
MANUAL = "manual"


def _units(decisions: Iterable[Mapping[str, Any]]) -> list[tuple[str, int, bool, int, str, str]]:
    """(unit, decision, together, group, source, source_key) rows of the units of every decision."""
    rows = []
    for d in decisions:
        groups = d["records"]
        if d["kind"] == "merge":
            rows += [(f"decision {d['id']}", d["id"], True, 0, s, k) for g in groups for s, k in g]
            continue
        rows += [(f"decision:{d['id']}", d["id"], False, i, s, k) for i, g in enumerate(groups) for s, k in g]
        if d["kind"] == "split":
            rows += [(f"decision {d['id']}.{i}", d["id"], True, 0, s, k)
                     for i, g in enumerate(groups) if len(g) > 1 for s, k in g]
    return rows


def load_decisions(con: duckdb.DuckDBPyConnection, decisions: Iterable[Mapping[str, Any]]) -> None:
    """Leave ``_idn_dec(unit, together, grp, node)``: the units still in force, on the build's nodes."""
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_dec_all (unit VARCHAR, decision BIGINT, together BOOLEAN,
                   grp INTEGER, source VARCHAR, source_key VARCHAR)""")
    rows = _units(decisions)
    if rows:
        con.executemany("INSERT INTO _idn_dec_all VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_dec AS
        WITH rec AS (SELECT *, source || chr(31) || source_key AS r FROM _idn_dec_all),
        pairs AS (SELECT a.unit, a.decision, a.together, a.r AS x, b.r AS y FROM rec a JOIN rec b
                  ON a.unit = b.unit AND a.r < b.r AND (a.together OR a.grp <> b.grp)),
        overridden AS (SELECT DISTINCT p.unit FROM pairs p JOIN pairs q
                       ON q.x = p.x AND q.y = p.y AND q.decision > p.decision AND q.together <> p.together)
        SELECT DISTINCT d.unit, d.together, d.grp, n.node FROM rec d JOIN _idn_nodes n USING (source, source_key)
        WHERE d.unit NOT IN (SELECT unit FROM overridden)""")
    con.execute(f"INSERT INTO _idn_ids SELECT node, '{MANUAL}', unit FROM _idn_dec WHERE together")


def add_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Cannot-link units as facts the guard-rail checks count (after ``prepare_facts``)."""
    con.execute("INSERT INTO _idn_facts SELECT DISTINCT node, unit, CAST(grp AS VARCHAR) FROM _idn_dec "
                "WHERE NOT together")
