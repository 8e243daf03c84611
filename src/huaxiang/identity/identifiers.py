"""Step 1 of a build: every record's identifiers, one row per (record, type, value), in SQL.

Records are customer rows (``source_records``) and event *nodes*: one per distinct
(``user_id``, ``anonymous_id``) pair of an event source, keyed ``u:<user_id>|a:<anonymous_id>``.
Keying by the pair (not by the device) means a device shared by two members becomes two nodes, so
the device id, the weakest identifier, is what the guard-rails can refuse, never a member id.
Values were normalized at ingest (phones E.164, e-mails lower-case); here they are only trimmed.
Blocked values are kept with ``blocked = true`` so that ``explain`` can show them; they link nothing.
"""

from __future__ import annotations

import duckdb

from huaxiang.domain.identity import IdentityRules
from huaxiang.engine.warehouse import Warehouse
from huaxiang.identity.normalize import normalized_forms

#: the event node key of one event row (also used to attach events to customers)
EVENT_NODE_KEY = ("concat_ws('|', 'u:' || user_id, 'a:' || coalesce(anonymous_id, "
                  "CASE WHEN type = 'alias' THEN previous_id END))")


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _customer_rows(rules: IdentityRules) -> list[str]:
    parts = []
    for t in rules.types():
        for col in t.columns:
            parts.append(f"SELECT source, source_key, {lit(t.name)} AS identifier_type, trim(CAST(\"{col}\" AS VARCHAR)) "
                         f"AS value FROM source_records WHERE \"{col}\" IS NOT NULL")
    return parts


def _event_nodes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_events AS
        SELECT DISTINCT source, {EVENT_NODE_KEY} AS source_key, user_id,
               coalesce(anonymous_id, CASE WHEN type = 'alias' THEN previous_id END) AS anon
        FROM events WHERE user_id IS NOT NULL OR anonymous_id IS NOT NULL
                       OR (type = 'alias' AND previous_id IS NOT NULL)""")


def _event_rows(rules: IdentityRules) -> list[str]:
    """userId as the first configured type some customer record has it under (else the first type)."""
    parts = []
    kinds = rules.events.user_id
    if kinds:
        ranks = ", ".join(f"({i}, {lit(k)})" for i, k in enumerate(kinds))
        parts.append(f"""SELECT source, source_key, identifier_type, user_id AS value FROM (
            SELECT e.source, e.source_key, e.user_id, k.identifier_type FROM _idn_events e
            CROSS JOIN (VALUES {ranks}) AS k(rank, identifier_type)
            LEFT JOIN (SELECT DISTINCT identifier_type, value FROM _idn_customer_ids) c
                   ON c.identifier_type = k.identifier_type AND c.value = e.user_id
            WHERE e.user_id IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY e.source, e.source_key
                                       ORDER BY c.value IS NULL, k.rank) = 1)""")
    if rules.events.anonymous_id:
        parts.append(f"SELECT source, source_key, {lit(rules.events.anonymous_id)}, anon FROM _idn_events "
                     "WHERE anon IS NOT NULL")
    return parts


def _blocked_expr(wh: Warehouse, rules: IdentityRules) -> str:
    """A SQL condition on ``value`` true for junk: exact values (as written and normalized) or patterns."""
    con = wh.raw
    exact = normalized_forms(wh, rules.block.all_values(), rules.country)
    con.execute("CREATE OR REPLACE TEMP TABLE _idn_block_values (value VARCHAR)")
    if exact:
        con.executemany("INSERT INTO _idn_block_values VALUES (?)", [[v] for v in exact])
    conds = ["lower(value) IN (SELECT value FROM _idn_block_values)"]
    conds += [f"regexp_full_match(value, {lit(p)}, 'i')" for p in rules.block.all_patterns()]
    return " OR ".join(conds)


def build_identifiers(wh: Warehouse, rules: IdentityRules) -> None:
    """Write ``identifiers`` and the temp tables the linking step reads.

    ``_idn_nodes(node, source, source_key)``: every record, numbered in (source, source_key) order,
    so the smallest node of a component is its smallest record. ``_idn_ids(node, identifier_type,
    value)``: the identifiers that may link (not blocked).
    """
    con = wh.raw
    customer = _customer_rows(rules) or ["SELECT NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR WHERE false"]
    con.execute("CREATE OR REPLACE TEMP TABLE _idn_customer_ids AS SELECT DISTINCT * FROM ("
                + " UNION ALL ".join(customer) + ") WHERE value <> ''")
    _event_nodes(con)
    events = _event_rows(rules)
    union = " UNION ALL ".join(["SELECT * FROM _idn_customer_ids", *events])
    blocked = _blocked_expr(wh, rules)
    con.execute("DELETE FROM identifiers")
    con.execute(f"""INSERT INTO identifiers SELECT source, source_key, identifier_type, value, ({blocked}) AS blocked
                    FROM (SELECT DISTINCT * FROM ({union}) WHERE value IS NOT NULL AND value <> '')""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_nodes AS
        SELECT row_number() OVER (ORDER BY source, source_key) AS node, source, source_key FROM (
            SELECT source, source_key FROM source_records
            UNION SELECT source, source_key FROM _idn_events)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_ids AS
        SELECT n.node, i.identifier_type, i.value FROM identifiers i JOIN _idn_nodes n USING (source, source_key)
        WHERE NOT i.blocked""")
