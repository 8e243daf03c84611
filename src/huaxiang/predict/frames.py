"""Feature and label tables for the predictions, computed by the warehouse and read into pandas once.

* **Features** are a profile table's traits: the live ``profiles`` for scoring, a snapshot
  ``profiles_asof_<day>`` for training. A snapshot only reads rows dated before its ``as_of`` and
  never carries predicted traits, so a model trained on it cannot see its own labels (no leakage;
  ``tests/predict/test_leakage.py`` plants rows after the cutoff and checks the features stay equal).
  Times become "days before ``as_of``", booleans 0/1; text traits stay text for the model's encoder.
* **Labels** count a customer's rows of one fact table in ``(cutoff, cutoff + horizon]`` (attributed to
  customers as the profile build does, ``profiles.facts``).
* **Purchase summaries** (``x``, ``t_x``, ``T``, mean repeat spend, in days) feed the CLV models.

Everything is one SQL statement each (set-based); pandas only receives the result.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from huaxiang.domain.traits import Trait
from huaxiang.predict import PredictError
from huaxiang.profiles.engines import DuckDBEngine
from huaxiang.profiles.facts import facts

#: order statuses that are not a purchase
NOT_PURCHASED = ("cancelled",)


def snapshot_name(as_of: datetime) -> str:
    return f"profiles_asof_{as_of:%Y%m%d}"


def feature_traits(traits: list[Trait], names: list[str] | None = None) -> list[Trait]:
    """The traits a model reads: ``names`` if given, else every non-predicted scalar trait."""
    by_name = {t.name: t for t in traits}
    if names:
        return [by_name[n] for n in names]
    return [t for t in traits if not t.predicted and t.dtype in ("int64", "float64", "boolean", "timestamp", "date", "string")
            and t.name not in _NOT_FEATURES]


#: identifying or free-text traits: never features (names, places, free text are not behaviour)
_NOT_FEATURES = {"name", "company", "district", "city", "province", "home_store", "last_search_query",
                 "birth_date", "registered_at"}


def read_features(wh: Any, table: str, traits: list[Trait], as_of: datetime,
                  customers: ir.Table | None = None) -> pd.DataFrame:
    """``customer_id`` + one column per trait of ``table``; times as days before ``as_of``."""
    if not wh.has_table(table):
        raise PredictError("predict.no_profiles", table=table)
    t = wh.ibis.table(table)
    missing = [tr.name for tr in traits if tr.name not in t.columns]
    if missing:
        raise PredictError("predict.missing_traits", table=table, traits=", ".join(missing))
    now = ibis.literal(as_of)
    cols = {}
    for tr in traits:
        col = t[tr.name]
        if tr.dtype in ("timestamp", "date"):
            col = now.delta(col.cast("timestamp"), unit="day").cast("float64")
        elif tr.dtype == "boolean":
            col = col.cast("float64")
        elif tr.dtype != "string":
            col = col.cast("float64")
        cols[tr.name] = col
    expr = t.select("customer_id", **cols)
    if customers is not None:
        expr = expr.semi_join(customers, "customer_id")
    return expr.order_by("customer_id").to_pandas()


def fact_rows(wh: Any, rules: Any) -> dict[str, ir.Table]:
    """Every fact table with ``customer_id`` and ``at`` (the profile build's attribution)."""
    engine = DuckDBEngine(wh)
    return facts(engine.table, rules, has=engine.has)


def purchases(rows: dict[str, ir.Table]) -> ir.Table:
    """Attributed orders that are purchases: ``customer_id, at, amount``."""
    if "orders" not in rows:
        raise PredictError("predict.no_orders")
    o = rows["orders"]
    o = o.filter(o.customer_id.notnull() & ~o.status.fill_null("").isin(NOT_PURCHASED))
    return o.select("customer_id", "at", amount=o.paid_amount.coalesce(o.total_amount).cast("float64").fill_null(0.0))


def window_counts(rows: ir.Table, cutoff: datetime, horizon: timedelta, name: str = "n") -> ir.Table:
    """``customer_id, <name>``: rows dated in ``(cutoff, cutoff + horizon]``."""
    inside = rows.filter((rows.at > ibis.literal(cutoff)) & (rows.at <= ibis.literal(cutoff + horizon))
                         & rows.customer_id.notnull())
    return inside.group_by("customer_id").aggregate(**{name: inside.count()})


def purchase_summary(orders: ir.Table, as_of: datetime) -> ir.Table:
    """Per customer with a purchase before ``as_of``: ``x`` repeat purchase days, ``t_x`` and ``T`` in days
    (first purchase to last, and to ``as_of``), ``m`` mean spend per repeat purchase day (0 without one).

    A purchase is a day with orders (several orders on one day are one purchase, as in the CLV papers).
    """
    o = orders.filter(orders.at <= ibis.literal(as_of))
    days = o.group_by(["customer_id", o.at.date().name("day")]).aggregate(spend=o.amount.sum())
    first = days.group_by("customer_id").aggregate(first=days.day.min())
    d = days.inner_join(first, "customer_id")
    repeat = d.day > d.first
    now = ibis.literal(as_of.date())
    out = d.group_by("customer_id").aggregate(
        x=(d.count() - 1).cast("int64"),
        t_x=d.day.max().delta(d.first.min(), unit="day").cast("float64"),
        T=now.delta(d.first.min(), unit="day").cast("float64"),
        m=(d.spend.sum(where=repeat) / (d.count() - 1).nullif(0)).fill_null(0.0).cast("float64"),
        first=d.first.min(),
    )
    return out


__all__ = ["snapshot_name", "feature_traits", "read_features", "fact_rows", "purchases", "window_counts",
           "purchase_summary"]
