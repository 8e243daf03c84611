"""The golden record: one row per customer, each field chosen from its records by a survivorship rule.

``golden_records`` holds ``customer_id``, every customer column of ``source_records`` (same types,
same personal-data flags) and ``provenance``, a JSON object mapping each field to
``{"source", "source_key", "rule"}``: the record the value was taken from and the rule that chose it
(source and key are null when no record has a value). One JSON column rather than two extra
columns per field keeps the table as wide as a customer record and the provenance readable in one place.

Candidates are a customer's records whose value is not NULL and, for text, not blank. Each rule is
an ORDER BY over them (``SURVIVORSHIP_RULES`` in ``huaxiang.domain.identity``); every ordering
ends with source priority, the most recent record, source and source key, so the result is
deterministic. "Most recent" is ``coalesce(updated_at, registered_at, loaded_at)``. One SQL
statement builds the whole table, rewritten by every identity build inside its transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from huaxiang.domain.identity import Golden, IdentityRules
from huaxiang.domain.schema import CUSTOMERS, Column
from huaxiang.engine.warehouse import Warehouse
from huaxiang.identity.query import IdentityNotBuilt, lookup

GOLDEN_RECORDS = (
    Column("customer_id", "string", ""),
    *CUSTOMERS.columns,
    Column("provenance", "json", "", description="field -> {source, source_key, rule} of the surviving value"),
    Column("build", "int64", ""),
)
_CANDIDATES = "_idn_golden_candidates"
_TIE_BREAK = "prio, recency DESC NULLS LAST, source, source_key"
_ORDER = {  # rule -> ORDER BY of its candidates ({v} is the column)
    "most_recent": "recency DESC NULLS LAST, prio, source, source_key",
    "most_frequent": f"freq DESC, {_TIE_BREAK}",
    "source_priority": _TIE_BREAK,
    "longest": f"length({{v}}::VARCHAR) DESC, {_TIE_BREAK}",
}


@dataclass(frozen=True)
class GoldenValue:
    field: str
    value: Any
    rule: str
    source: str | None = None  # the record the value was taken from (None: no record has one)
    source_key: str | None = None


@dataclass
class GoldenRecord:
    customer_id: str
    fields: dict[str, GoldenValue] = field(default_factory=dict)  # in the column order of source_records

    def __getitem__(self, name: str) -> Any:
        return self.fields[name].value


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _priority_sql(golden: Golden) -> str:
    """Rank of a source: its place in ``source_priority``; unlisted sources share the last rank."""
    whens = " ".join(f"WHEN {_quote(s)} THEN {i}" for i, s in enumerate(golden.source_priority))
    return f"CASE source {whens} ELSE {len(golden.source_priority)} END" if whens else "0"


def _winner_sql(column: Column, rule: str) -> str:
    """The surviving value of one field per customer, with the record it came from."""
    v = f'"{column.name}"'
    present = f"nullif(trim({v}), '') IS NOT NULL" if column.dtype == "string" else f"{v} IS NOT NULL"
    freq = f", count(*) OVER (PARTITION BY customer_id, {v}) AS freq" if rule == "most_frequent" else ""
    return f"""SELECT customer_id, {v} AS value, source, source_key FROM (
                   SELECT *{freq} FROM {_CANDIDATES} WHERE {present})
               QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY {_ORDER[rule].format(v=v)}) = 1"""


def build_golden(wh: Warehouse, rules: IdentityRules, build: int, *, only_closure: bool = False) -> None:
    """Rewrite ``golden_records`` from ``customer_records`` (run inside the identity build's transaction).

    ``only_closure`` (an incremental build): only the customers of the records in ``_idn_nodes``;
    the old rows of the customers they were part of are gone already (``incremental.clear``).
    """
    wh.ensure_table("golden_records", GOLDEN_RECORDS)
    con = wh.raw
    con.execute(f'DROP TABLE IF EXISTS "{_CANDIDATES}"')
    con.execute(f"""CREATE TEMP TABLE "{_CANDIDATES}" AS
        SELECT c.customer_id, s.* EXCLUDE (raw, load_id, row_number), coalesce(s.updated_at, s.registered_at, s.loaded_at) AS recency,
               {_priority_sql(rules.golden)} AS prio
        FROM customer_records c JOIN source_records s USING (source, source_key)
        {"WHERE c.customer_id IN (SELECT r.customer_id FROM customer_records r JOIN _idn_nodes n USING (source, source_key))"
         if only_closure else ""}""")
    field_rules = rules.golden.rules()
    columns = [CUSTOMERS.column(name) for name in field_rules]
    ctes = ",\n".join(f"f{i} AS ({_winner_sql(col, field_rules[col.name])})" for i, col in enumerate(columns))
    values = ", ".join(f'f{i}.value AS "{col.name}"' for i, col in enumerate(columns))
    provenance = ", ".join(f"{_quote(col.name)}, json_object('source', f{i}.source, 'source_key', f{i}.source_key, "
                           f"'rule', {_quote(field_rules[col.name])})" for i, col in enumerate(columns))
    joins = " ".join(f"LEFT JOIN f{i} ON f{i}.customer_id = c.customer_id" for i in range(len(columns)))
    if not only_closure:
        con.execute("DELETE FROM golden_records")
    con.execute(f"""INSERT INTO golden_records
        WITH {ctes}
        SELECT c.customer_id, {values}, json_object({provenance}), {int(build)}
        FROM (SELECT DISTINCT customer_id FROM {_CANDIDATES}) c {joins}""")


def golden(wh: Warehouse, rules: IdentityRules, query: str) -> list[GoldenRecord]:
    """The golden record of each customer ``query`` finds (a customer id, an alias or any identifier)."""
    ids = list(dict.fromkeys(m.customer_id for m in lookup(wh, rules, query)))
    if not wh.has_table("golden_records"):
        raise IdentityNotBuilt()
    if not ids:
        return []
    names = [c.name for c in CUSTOMERS.columns]
    cursor = wh.raw.execute(f"""SELECT customer_id, {", ".join(f'"{n}"' for n in names)}, provenance::VARCHAR
                                FROM golden_records WHERE list_contains(?, customer_id)""", [ids])
    found = {row[0]: row for row in cursor.fetchall()}
    out = []
    for cid in ids:
        if cid not in found:  # resolved after the last build of golden records: rebuild to see it
            continue
        row = found[cid]
        provenance = json.loads(row[-1])
        out.append(GoldenRecord(cid, {n: GoldenValue(n, value, **provenance[n])
                                      for n, value in zip(names, row[1:-1], strict=True)}))
    return out
