"""The review queue and manual decisions: list, accept, reject, split (the rules are in ``decisions.py``).

A review item is one identifier value a guard-rail refused (``identity_conflicts``) that two or
more customers still carry: who would have merged through which value, and why it was refused.
Probabilistic linking adds items of type ``probabilistic``: the best-scored pair between two
customers whose weight falls between ``review_above`` and ``link_above``, or reached
``link_above`` but was refused by a guard-rail; the item shows the weight and the evidence.
Its id is derived from the identifier type and value (``r_`` + 12 hex digits of md5), so it is the
same in every build. Accepting it stores a ``merge`` decision of those customers' records;
rejecting it a ``reject`` (cannot-link between them). Either closes the item for good: an item
with a decision is never listed again. Values refused only because of a decision are not items.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from huaxiang.engine.catalog import Catalog
from huaxiang.engine.warehouse import Warehouse
from huaxiang.identity.decisions import MANUAL
from huaxiang.identity.linking import PROBABILISTIC
from huaxiang.identity.probabilistic import evidence_of
from huaxiang.identity.query import Conflict, Record, require_built


class DecisionError(ValueError):
    """An unknown review item, customer or record, or a decision that would change nothing."""

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    records: tuple[Record, ...]


@dataclass(frozen=True)
class ReviewItem:
    item_id: str
    identifier_type: str
    value: str
    reasons: tuple[Conflict, ...]
    customers: tuple[Candidate, ...]
    match_weight: float | None = None  # a scored pair: its weight and the level of each comparison
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    id: int
    kind: str  # split | merge | reject
    records: tuple[tuple[tuple[str, str], ...], ...]  # groups of (source, source_key)
    reason: str
    actor: str
    at: datetime
    item_id: str | None = None
    customer_id: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Decision:
        groups = tuple(tuple((s, k) for s, k in g) for g in row["records"])
        return cls(row["id"], row["kind"], groups, row["reason"] or "", row["actor"], row["at"], row["item_id"],
                   row["customer_id"])


def item_id(identifier_type: str, value: str) -> str:
    return "r_" + hashlib.md5(f"{identifier_type}\x1f{value}".encode()).hexdigest()[:12]


_ITEMS = f"""SELECT DISTINCT identifier_type, value FROM identity_conflicts
             WHERE identifier_type <> '{MANUAL}' AND check_name NOT LIKE 'decision:%'"""


def review(wh: Warehouse, catalog: Catalog) -> list[ReviewItem]:
    """The open items, by identifier type and value."""
    require_built(wh)
    con = wh.raw
    closed = {d["item_id"] for d in catalog.identity_decisions() if d["item_id"]}
    reasons: dict[tuple[str, str], list[Conflict]] = {}
    for r in con.execute(f"""SELECT c.identifier_type, c.value, c.stage, c.check_name, c.max_allowed,
                                    c.found_values::VARCHAR
                             FROM identity_conflicts c JOIN ({_ITEMS}) USING (identifier_type, value)
                             WHERE c.check_name NOT LIKE 'decision:%' ORDER BY 1, 2, 4, 3""").fetchall():
        reasons.setdefault((r[0], r[1]), []).append(Conflict(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5]))))
    records: dict[tuple[str, str], dict[str, list[Record]]] = {}
    for r in con.execute(f"""SELECT i.identifier_type, i.value, c.customer_id, c.source, c.source_key, s.name,
                                    s.phone, s.email, s.member_id
                             FROM ({_ITEMS}) i JOIN identities d USING (identifier_type, value)
                             JOIN customer_records c ON c.customer_id = d.customer_id
                             LEFT JOIN source_records s ON s.source = c.source AND s.source_key = c.source_key
                             ORDER BY 1, 2, 3, 4, 5""").fetchall():
        records.setdefault((r[0], r[1]), {}).setdefault(r[2], []).append(Record(*r[3:]))
    scored = _scored_pairs(con, records, reasons)
    out = []
    for (kind, value), by_customer in records.items():
        rid = item_id(kind, value)
        if rid in closed or len(by_customer) < 2:
            continue
        customers = tuple(Candidate(cid, tuple(recs)) for cid, recs in by_customer.items())
        weight, evidence = scored.get(value, (None, {}))
        out.append(ReviewItem(rid, kind, value, tuple(reasons.get((kind, value), ())), customers, weight, evidence))
    return out


_PAIRS = f"""
WITH pairs AS (
    SELECT m.value, m.match_weight, m.evidence::VARCHAR AS evidence, ca.customer_id AS a, cb.customer_id AS b
    FROM identity_matches m
    JOIN customer_records ca ON ca.source = m.source_a AND ca.source_key = m.source_key_a
    JOIN customer_records cb ON cb.source = m.source_b AND cb.source_key = m.source_key_b
    WHERE ca.customer_id <> cb.customer_id
      AND (m.outcome = 'review' OR m.value IN (SELECT value FROM identity_conflicts
                                               WHERE identifier_type = '{PROBABILISTIC}' AND check_name NOT LIKE 'decision:%'))
    QUALIFY row_number() OVER (PARTITION BY least(a, b), greatest(a, b) ORDER BY m.match_weight DESC, m.value) = 1)
SELECT p.value, p.match_weight, p.evidence, c.customer_id, c.source, c.source_key, s.name, s.phone, s.email, s.member_id
FROM pairs p JOIN customer_records c ON c.customer_id IN (p.a, p.b)
LEFT JOIN source_records s ON s.source = c.source AND s.source_key = c.source_key
ORDER BY 2 DESC, 1, 4, 5, 6"""


def _scored_pairs(con, records: dict, reasons: dict) -> dict[str, tuple[float, dict[str, str]]]:
    """Add the probabilistic items to ``records``; returns value -> (match weight, evidence)."""
    scored = {}
    for r in con.execute(_PAIRS).fetchall():
        scored[r[0]] = (r[1], evidence_of(r[2]))
        records.setdefault((PROBABILISTIC, r[0]), {}).setdefault(r[3], []).append(Record(*r[4:]))
    return scored


def _item(wh: Warehouse, catalog: Catalog, rid: str) -> ReviewItem:
    for item in review(wh, catalog):
        if item.item_id == rid:
            return item
    raise DecisionError("unknown_item", f"no open review item {rid!r}; `huaxiang identity review` lists them", item=rid)


def _groups(item: ReviewItem) -> list[list[list[str]]]:
    return [[[r.source, r.source_key] for r in c.records] for c in item.customers]


def accept(wh: Warehouse, catalog: Catalog, rid: str, reason: str = "") -> Decision:
    """The customers of the item are one person: a ``merge`` decision of all their records."""
    item = _item(wh, catalog, rid)
    return Decision.from_row(catalog.add_identity_decision("merge", _groups(item), reason=reason, item_id=rid))


def reject(wh: Warehouse, catalog: Catalog, rid: str, reason: str = "") -> Decision:
    """The customers of the item are different people: a ``reject`` decision (cannot-link)."""
    item = _item(wh, catalog, rid)
    return Decision.from_row(catalog.add_identity_decision("reject", _groups(item), reason=reason, item_id=rid))


def _resolve(wh: Warehouse, customer_id: str) -> str:
    row = wh.raw.execute("""SELECT customer_id FROM customer_ids WHERE customer_id = $q AND status = 'active'
                            UNION SELECT customer_id FROM customer_aliases WHERE alias_id = $q""",
                         {"q": customer_id}).fetchone()
    if row is None:
        raise DecisionError("unknown_customer", f"no customer {customer_id!r}", customer=customer_id)
    return row[0]


def split(wh: Warehouse, catalog: Catalog, customer_id: str, records: list[tuple[str, str]],
          reason: str = "") -> Decision:
    """Take ``records`` off the customer: a ``split`` decision between them and the rest of its records."""
    require_built(wh)
    cid = _resolve(wh, customer_id)
    have = [tuple(r) for r in wh.raw.execute("""SELECT source, source_key FROM customer_records
                                                WHERE customer_id = ? ORDER BY 1, 2""", [cid]).fetchall()]
    taken = sorted({(str(s), str(k)) for s, k in records})
    unknown = [f"{s}/{k}" for s, k in taken if (s, k) not in have]
    if unknown:
        raise DecisionError("unknown_record", f"not records of customer {cid}: {', '.join(unknown)}",
                            customer=cid, records=", ".join(unknown))
    rest = [r for r in have if r not in taken]
    if not taken or not rest:
        raise DecisionError("nothing_to_split", f"a split takes some, not all, of the records of {cid}", customer=cid)
    groups = [[list(r) for r in taken], [list(r) for r in rest]]
    return Decision.from_row(catalog.add_identity_decision("split", groups, reason=reason, customer_id=cid))


def list_decisions(catalog: Catalog) -> list[Decision]:
    return [Decision.from_row(d) for d in catalog.identity_decisions()]
