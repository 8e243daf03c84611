"""What each classification predicts: who is scored (the population) and what happened next (the label).

The population is a condition over the profile's traits (the condition language, evaluated by the
engine on the snapshot or the live profiles); a workspace overrides it with ``options.population``.
The label counts rows of a fact table in the window after the cutoff:

| kind | population (default) | label = 1 when, in the next ``horizon`` |
|---|---|---|
| churn | bought before: ``orders_lifetime > 0`` | no purchase |
| referral | everyone | referred someone |
| lead_score | never bought: ``coalesce(orders_lifetime, 0) = 0`` | a first purchase |
| propensity | everyone | bought the category (one model per top category) |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import ibis.expr.types as ir

from huaxiang.compile.conditions import Context, evaluate
from huaxiang.domain.conditions import parse
from huaxiang.predict import PredictError
from huaxiang.predict.frames import purchases, window_counts


@dataclass(frozen=True)
class Target:
    population: str
    #: (fact rows, cutoff, horizon) -> customer_id, n: the rows that count in the window
    events: Callable[[dict[str, ir.Table], datetime, timedelta], ir.Table]
    negate: bool = False  # label = no such row (churn)


def _purchases(rows, cutoff, horizon):
    return window_counts(purchases(rows), cutoff, horizon)


def _referrals(rows, cutoff, horizon):
    if "referrals" not in rows:
        raise PredictError("predict.no_table", table="referrals")
    return window_counts(rows["referrals"], cutoff, horizon)


TARGETS: dict[str, Target] = {
    "churn": Target("orders_lifetime > 0", _purchases, negate=True),
    "referral": Target("true", _referrals),
    "lead_score": Target("coalesce(orders_lifetime, 0) = 0", _purchases),
}


def category_events(category: str) -> Callable[[dict[str, ir.Table], datetime, timedelta], ir.Table]:
    def events(rows, cutoff, horizon):
        if "order_items" not in rows:
            raise PredictError("predict.no_table", table="order_items")
        items = rows["order_items"]
        items = items.filter((items.category == category) & (items.order_status.fill_null("") != "cancelled"))
        return window_counts(items, cutoff, horizon)
    return events


def population(table: ir.Table, condition: str, as_of: datetime) -> ir.Table:
    """``customer_id`` of the rows of a profile table the condition holds for."""
    result = evaluate(parse(condition), table, Context(as_of=as_of))
    return result.filter(result.value.fill_null(False)).select("customer_id")


def labels(customers: ir.Table, events: ir.Table, negate: bool) -> ir.Table:
    """``customer_id, y`` (0/1) for every customer of ``customers``."""
    ev = events.rename(_cid="customer_id")
    j = customers.left_join(ev, customers.customer_id == ev._cid)
    happened = j.n.fill_null(0) > 0
    return j.select("customer_id", y=(~happened if negate else happened).cast("int8")).order_by("customer_id")


__all__ = ["Target", "TARGETS", "category_events", "population", "labels"]
