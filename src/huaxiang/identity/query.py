"""Reading the result: which customer is this (lookup), and why are these records one (explain)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from huaxiang.domain.identity import IdentityRules
from huaxiang.engine.warehouse import Warehouse
from huaxiang.identity.normalize import normalized_forms
from huaxiang.identity.probabilistic import evidence_of
from huaxiang.identity.tables import RESULT_TABLES


class IdentityNotBuilt(RuntimeError):
    def __init__(self) -> None:
        super().__init__("identity has not been built yet; run `huaxiang identity build` (ws.identity.build()) first")


@dataclass(frozen=True)
class Record:
    source: str
    source_key: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    member_id: str | None = None


@dataclass(frozen=True)
class Match:
    customer_id: str
    via: str  # customer_id | alias | the identifier type that matched
    value: str
    records: tuple[Record, ...] = ()


@dataclass(frozen=True)
class Edge:
    a: tuple[str, str]
    b: tuple[str, str]
    identifier_type: str
    value: str
    rule: str  # deterministic | probabilistic | manual
    match_weight: float | None = None  # probabilistic: the pair's weight and each comparison's level
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Conflict:
    identifier_type: str
    value: str
    stage: str
    check_name: str
    max_allowed: int
    found_values: tuple[str, ...]


@dataclass
class Explanation:
    customer_id: str
    aliases: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    blocked: list[tuple[str, str, str, str]] = field(default_factory=list)  # source, key, type, value
    conflicts: list[Conflict] = field(default_factory=list)  # identifiers of its records that were refused


def require_built(wh: Warehouse) -> None:
    """Raise IdentityNotBuilt unless an identity build has written its tables (what lookups and profiles read)."""
    if wh.existing(RESULT_TABLES) != set(RESULT_TABLES):
        raise IdentityNotBuilt()


def _records(wh: Warehouse, customer_id: str) -> tuple[Record, ...]:
    rows = wh.raw.execute("""SELECT c.source, c.source_key, s.name, s.phone, s.email, s.member_id
        FROM customer_records c LEFT JOIN source_records s USING (source, source_key)
        WHERE c.customer_id = ? ORDER BY c.source, c.source_key""", [customer_id]).fetchall()
    return tuple(Record(*r) for r in rows)


def lookup(wh: Warehouse, rules: IdentityRules, query: str) -> list[Match]:
    """Customers for a customer id, an alias, or any identifier value in any spelling people type."""
    require_built(wh)
    text = str(query).strip()
    forms = sorted({text, *normalized_forms(wh, [text], rules.country)})
    rows = wh.raw.execute("""
        SELECT customer_id, 'customer_id', customer_id FROM customer_ids WHERE customer_id = $q AND status = 'active'
        UNION SELECT customer_id, 'alias', alias_id FROM customer_aliases WHERE alias_id = $q
        UNION SELECT customer_id, identifier_type, value FROM identities WHERE list_contains($forms, value)
        ORDER BY 1, 2""", {"q": text, "forms": forms}).fetchall()
    return [Match(cid, via, value, _records(wh, cid)) for cid, via, value in rows]


def explain(wh: Warehouse, rules: IdentityRules, query: str) -> list[Explanation]:
    """Why the records of each customer ``query`` finds are one customer: records, edges, refusals."""
    out = []
    for cid in dict.fromkeys(m.customer_id for m in lookup(wh, rules, query)):
        con = wh.raw
        aliases = [a for (a,) in con.execute("SELECT alias_id FROM customer_aliases WHERE customer_id = ? ORDER BY 1",
                                             [cid]).fetchall()]
        edges = [Edge((r[0], r[1]), (r[2], r[3]), r[4], r[5], r[6], r[7], evidence_of(r[8])) for r in con.execute("""
            SELECT source_a, source_key_a, source_b, source_key_b, identifier_type, value, rule, match_weight,
                   evidence::VARCHAR FROM identity_edges
            WHERE customer_id = ? ORDER BY identifier_type, value, source_b, source_key_b""", [cid]).fetchall()]
        blocked = con.execute("""SELECT i.source, i.source_key, i.identifier_type, i.value FROM identifiers i
            JOIN customer_records c USING (source, source_key) WHERE c.customer_id = ? AND i.blocked
            ORDER BY 1, 2, 3""", [cid]).fetchall()
        conflicts = [Conflict(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5]))) for r in con.execute("""
            SELECT DISTINCT f.identifier_type, f.value, f.stage, f.check_name, f.max_allowed, f.found_values::VARCHAR
            FROM identity_conflicts f JOIN identities i USING (identifier_type, value)
            WHERE i.customer_id = ? ORDER BY 1, 2, 4""", [cid]).fetchall()]
        out.append(Explanation(cid, aliases, list(_records(wh, cid)), edges, [tuple(b) for b in blocked], conflicts))
    return out
