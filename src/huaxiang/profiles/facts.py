"""Fact tables with their customer: what aggregated traits, tags and segments read.

Every canonical fact table gets two columns: ``customer_id`` (from identity resolution) and ``at``
(the time that dates the row: order time, event time, …, naive UTC). A row belongs to a customer
by the first of these that resolves, in this order:

1. events: the event node (``u:<user_id>|a:<anonymous_id>``) that identity resolution placed;
2. ``customer_key``: the source's key of the customer record, looked up as the identifier types
   that event user ids are (``identity.yml`` ``events.user_id``, by default crm_id then member_id);
3. ``member_id``, then ``phone``, then ``email``, looked up in ``identities``.

A value that identity resolution gave to more than one customer (a phone a family shares and the
guard-rails kept apart) attributes nothing: the row is left without a customer rather than given
to the wrong one. Rows without a customer are not counted by any trait (``unattributed`` counts them).

Everything is an Ibis expression over the backend's tables, so the same code serves DuckDB and Spark.
"""

from __future__ import annotations

from typing import Callable

import ibis
import ibis.expr.types as ir

from huaxiang.domain.identity import IdentityRules
from huaxiang.domain.traits import FACT_TIME

#: the text signals of interactions (``predict.signals`` writes them; named here so profiles need not import it)
SIGNALS = "interaction_signals"
SIGNAL_COLUMNS = {"lang": "string", "sentiment": "float64", "sentiment_label": "string", "intent": "string",
                  "topic": "string", "pain_point": "string"}

def unambiguous(identities: ir.Table) -> ir.Table:
    """``(identifier_type, value, customer_id)`` for values that belong to exactly one customer."""
    per_value = identities.group_by(["identifier_type", "value"]).aggregate(
        customer_id=identities.customer_id.min(), customers=identities.customer_id.nunique())
    return per_value.filter(per_value.customers == 1).drop("customers")


def without_json(t: ir.Table) -> ir.Table:
    """``t`` without its JSON columns (raw rows, event properties and context): no trait or condition reads them."""
    return t.select([c for c, dtype in t.schema().items() if not dtype.is_json()])


def _lookup(t: ir.Table, ids: ir.Table, column: str, id_type: str, name: str) -> ir.Table:
    found = ids.filter(ids.identifier_type == id_type).select(**{f"_v_{name}": "value", f"_c_{name}": "customer_id"})
    return t.left_join(found, t[column] == found[f"_v_{name}"]).drop(f"_v_{name}")


def attribute(t: ir.Table, ids: ir.Table, key_types: list[str]) -> ir.Table:
    """``t`` with ``customer_id`` by the order in the module docstring (non-event tables)."""
    steps = [(ref, id_type, f"{ref}_{id_type}") for ref, types in _refs(t, key_types) for id_type in types]
    for ref, id_type, name in steps:
        t = _lookup(t, ids, ref, id_type, name)
    if not steps:
        return t.mutate(customer_id=ibis.null("string"))
    found = [t[f"_c_{name}"] for _, _, name in steps]
    return t.mutate(customer_id=ibis.coalesce(*found) if len(found) > 1 else found[0]).drop(
        *[f"_c_{name}" for _, _, name in steps])


def event_node(events: ir.Table) -> ir.Value:
    """The identity node key of an event row (identity.identifiers.EVENT_NODE_KEY, as Ibis)."""
    anon = events.anonymous_id.coalesce(ibis.cases((events.type == "alias", events.previous_id), else_=ibis.null("string")))
    user = ibis.literal("u:") + events.user_id
    device = ibis.literal("a:") + anon
    return ibis.cases((events.user_id.isnull(), device), (anon.isnull(), user), else_=user + "|" + device)


def _may_be_theirs(events: ir.Table, nodes: ir.Table) -> ir.BooleanValue:
    """A superset of the events whose ``event_node`` is one of ``nodes._node``, on plain columns.

    Comparing plain columns with a few thousand values skips building the node string of every
    event. A node is ``u:<user>``, ``a:<anonymous>`` or ``u:<user>|a:<anonymous>``; the user id is the
    text after ``u:`` whole or up to the first ``|a:``, the anonymous id the text after ``a:`` or after
    that first ``|a:``. Only a user id that itself contains ``|a:`` splits elsewhere: such events
    always pass (the exact join after this decides).
    """
    node = nodes._node
    body = node.substr(2)
    cut = body.find("|a:")
    user = node.startswith("u:")
    users = ibis.array([body, ibis.ifelse(cut >= 0, body.substr(0, cut), body)])
    anons = ibis.ifelse(user, ibis.ifelse(cut >= 0, body.substr(cut + 3), ibis.null("string")), body)
    ids = nodes.select(u=ibis.ifelse(user, users, ibis.array([ibis.null("string")])), a=anons)
    user_ids = ids.select(v=ids.u.unnest()).v
    anon_ids = ids.a
    return (events.user_id.isin(user_ids) | events.anonymous_id.isin(anon_ids) | events.previous_id.isin(anon_ids)
            | events.user_id.like("%|a:%")).fill_null(False)


def _refs(t: ir.Table, key_types: list[str]) -> list[tuple[str, list[str]]]:
    """``(column, identifier types)`` that attribute rows of ``t``, in the order of the module docstring."""
    return [(ref, types) for ref, types in
            (("customer_key", key_types), ("member_id", ["member_id"]), ("phone", ["phone"]), ("email", ["email"]))
            if ref in t.columns]


def referenced(ids: ir.Table, tables: list[ir.Table], key_types: list[str]) -> ir.Table:
    """The rows of ``ids`` whose value is in a reference column of one of ``tables``: all that attributing
    those tables' rows reads (attributing a few new rows then joins a few ids, not all of them)."""
    values = [t.select(_v=t[ref].cast("string")) for t in tables for ref, _ in _refs(t, key_types)]
    if not values:
        return ids.limit(0)
    union = values[0]
    for v in values[1:]:
        union = union.union(v, distinct=False)
    return ids.semi_join(union, ids.value == union._v)


def _candidates(t: ir.Table, identities: ir.Table, scope: ir.Table, key_types: list[str]) -> ir.Table:
    """The rows of ``t`` that may belong to a customer of ``scope``: any of their references is one of theirs.

    A superset (a row may still go to another customer by an earlier reference); the full attribution
    of these few rows decides.
    """
    theirs = identities.semi_join(scope, "customer_id")
    cond = ibis.literal(False)
    for ref, types in _refs(t, key_types):
        values = theirs.filter(theirs.identifier_type.isin(types)).value
        cond |= t[ref].isin(values)
    return t.filter(cond)


def facts(table: Callable[[str], ir.Table], rules: IdentityRules, *, has: Callable[[str], bool],
          scope: ir.Table | None = None, ids: ir.Table | None = None,
          keep: Callable[[str, ir.Table], ir.Table] | None = None) -> dict[str, ir.Table]:
    """Fact table name -> that table with ``customer_id`` and ``at``; ``table(name)`` reads the backend.

    ``scope`` (a table of ``customer_id``): only the rows of those customers, found without
    attributing every row (an incremental build). ``ids``: ``unambiguous(identities)``, if the
    caller has it at hand (staged once per build). ``keep(name, rows)`` may materialize each table's
    rows and return a table that reads them (order lines then read the kept orders).
    """
    keep = keep or (lambda name, rows: rows)
    ids = unambiguous(table("identities")) if ids is None else ids
    key_types = list(rules.events.user_id)
    out: dict[str, ir.Table] = {}
    for name, time_col in FACT_TIME.items():
        if name == "order_items" or not has(name):
            continue
        t = table(name)
        if name == "events":
            records = table("customer_records")
            nodes = records.select(_node="source_key", _src="source", customer_id="customer_id")
            if scope is not None:  # a node is one customer's: the scope's nodes find exactly their events
                nodes = nodes.semi_join(scope, "customer_id")
                t = t.filter(_may_be_theirs(t, nodes))
            join = t.left_join if scope is None else t.inner_join
            t = join(nodes, [t.source == nodes._src, event_node(t) == nodes._node]).drop("_node", "_src")
        else:
            if scope is not None:
                t = _candidates(t, table("identities"), scope, key_types)
            t = attribute(t, ids, key_types)
            if scope is not None:
                t = t.semi_join(scope, "customer_id")
        if name == "interactions" and has(SIGNALS):  # what the texts say (predict.signals), by record
            signals = table(SIGNALS).select("source", "source_key", *SIGNAL_COLUMNS)
            signals = signals.rename(_ss="source", _sk="source_key")
            t = t.left_join(signals, [t.source == signals._ss, t.source_key == signals._sk]).drop("_ss", "_sk")
        out[name] = keep(name, t.mutate(at=t[time_col]))
    if "orders" in out and has("order_items"):
        items = table("order_items")
        orders = out["orders"].select(_order_id="order_id", customer_id="customer_id", at="at", order_time="order_time",
                                      order_status="status", order_channel="channel")
        join = items.left_join if scope is None else items.inner_join
        out["order_items"] = keep("order_items", join(orders, items.order_id == orders._order_id).drop("_order_id"))
    return out
