"""Incremental resolution: resolve again only what new loads touched, with a full rebuild's result.

A build remembers its *state* (``identity_builds.state``): the rules, the model, the newest
decision and the *watermark*, the newest ``loaded_at`` of customer records and events it saw.
The next build is incremental when the rules and the model are the same (otherwise everything may
change and it resolves everything again). Its seeds are

* the customer records and event nodes loaded after the watermark (new or changed), and
* the records of decisions made since (an accepted review item, a split).

Whatever a full rebuild would decide differently is tied to a seed, so the build re-resolves the
*closure* of the seeds: the records reachable from them through any shared identifier value
(blocked ones excepted: they never link), any scored pair, any manual must-link, and membership of
one customer in the previous build (a record that leaves a customer changes who keeps its id). A
record outside the closure shares nothing with it, so a full rebuild would give it the same
customer, id, edges, conflicts and golden record it has: those rows stay as they are. Inside, the
ordinary steps run on the closure's records only (node numbers keep the (source, source_key) order,
so the smallest record of a component, and hence its id and edge anchors, are the same).
Probabilistic scoring redoes only the pairs with a seed in them (same blocking rules, same model,
same scores); other pairs are kept.

Rows keep the number of the build that wrote them (``build`` columns): that is the one thing in
which an incremental result differs from a full rebuild, and it is meant to (when a row changed).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from huaxiang.engine.catalog import body_hash
from huaxiang.identity.identifiers import EVENT_NODE_KEY

#: the key of a record in the closure graph
_UID = "source || chr(31) || source_key"


def state(rules_body: dict[str, Any], model_id: int | None, decisions: list[dict[str, Any]],
          con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the next build compares with, taken at the start of this one (inside its transaction)."""
    watermark = con.execute("""SELECT CAST(greatest((SELECT max(loaded_at) FROM source_records),
                                                    (SELECT max(loaded_at) FROM events)) AS VARCHAR)""").fetchone()[0]
    return {"rules": body_hash(rules_body), "model": model_id,
            "decision": max((d["id"] for d in decisions), default=0), "watermark": watermark}


def previous_state(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The state of the last finished build, or None."""
    row = con.execute("""SELECT state FROM identity_builds WHERE finished_at IS NOT NULL
                         ORDER BY build DESC LIMIT 1""").fetchone()
    return json.loads(row[0]) if row and row[0] else None


def can_continue(previous: dict[str, Any] | None, current: dict[str, Any]) -> bool:
    return (previous is not None and previous.get("watermark") is not None
            and previous["rules"] == current["rules"] and previous["model"] == current["model"])


def seeds(con: duckdb.DuckDBPyConnection, previous: dict[str, Any], decisions: list[dict[str, Any]]) -> int:
    """``_idn_seed_uids(uid)``: records loaded after the watermark and records of newer decisions."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_seed_uids AS
        SELECT {_UID} AS uid FROM source_records WHERE loaded_at > CAST($w AS TIMESTAMP)
        UNION SELECT source || chr(31) || {EVENT_NODE_KEY} FROM events WHERE loaded_at > CAST($w AS TIMESTAMP)""",
                {"w": previous["watermark"]})
    newer = [(s + "\x1f" + k,) for d in decisions if d["id"] > previous["decision"] for g in d["records"] for s, k in g]
    if newer:
        con.executemany("INSERT INTO _idn_seed_uids VALUES (?)", newer)
    return con.execute("SELECT count(DISTINCT uid) FROM _idn_seed_uids").fetchone()[0]


def seed_uids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The seeds that are customer records (what probabilistic scoring compares)."""
    return [u for (u,) in con.execute(f"""SELECT DISTINCT s.uid FROM _idn_seed_uids s
        JOIN source_records r ON s.uid = {_UID}""").fetchall()]


def closure(con: duckdb.DuckDBPyConnection) -> int:
    """Restrict the build to the closure of the seeds: ``_idn_nodes`` and ``_idn_ids`` keep its records only.

    Also leaves ``_idn_closure(node)`` and ``_idn_old_customers(customer_id)`` (the previous
    customers of its records, whose result rows are rewritten). Breadth-first in SQL: each round
    adds the records that share a key with the records reached so far.
    """
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_keys AS
        SELECT node, identifier_type || chr(31) || value AS key FROM _idn_ids
        UNION ALL SELECT n.node, 'customer' || chr(31) || c.customer_id FROM customer_records c
                  JOIN _idn_nodes n USING (source, source_key)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_closure AS
        SELECT DISTINCT n.node FROM _idn_nodes n JOIN _idn_seed_uids s ON s.uid = n.source || chr(31) || n.source_key""")
    while True:
        added = con.execute("""INSERT INTO _idn_closure
            SELECT DISTINCT k2.node FROM _idn_keys k1 JOIN _idn_closure c USING (node)
            JOIN _idn_keys k2 ON k2.key = k1.key
            WHERE k2.node NOT IN (SELECT node FROM _idn_closure)""").fetchone()[0]
        if not added:
            break
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_old_customers AS
        SELECT DISTINCT c.customer_id FROM customer_records c JOIN _idn_nodes n USING (source, source_key)
        WHERE n.node IN (SELECT node FROM _idn_closure)""")
    con.execute("DELETE FROM _idn_nodes WHERE node NOT IN (SELECT node FROM _idn_closure)")
    con.execute("DELETE FROM _idn_ids WHERE node NOT IN (SELECT node FROM _idn_closure)")
    return con.execute("SELECT count(*) FROM _idn_closure").fetchone()[0]


def clear(con: duckdb.DuckDBPyConnection, build: int) -> None:
    """Delete the rows the closure rewrites; mark the ids of every other customer as still in use."""
    con.execute("""DELETE FROM identity_conflicts WHERE (identifier_type, value) IN
                   (SELECT identifier_type, value FROM _idn_ids)""")
    con.execute("DELETE FROM identity_edges WHERE customer_id IN (SELECT customer_id FROM _idn_old_customers)")
    con.execute("DELETE FROM golden_records WHERE customer_id IN (SELECT customer_id FROM _idn_old_customers)")
    con.execute(f"""UPDATE customer_ids SET last_build = {build} WHERE status = 'active'
                    AND customer_id NOT IN (SELECT customer_id FROM _idn_old_customers)
                    AND customer_id IN (SELECT customer_id FROM customer_records)""")
