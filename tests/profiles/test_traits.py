"""Trait values on the hand-made shop of pshop.py, each worked out by hand from its rows."""

from __future__ import annotations

import datetime as dt

import pytest
from pshop import make_shop, profiles, traits

ORDERS_TRAITS = traits(
    {"name": "city", "dimension": "demographic", "dtype": "string", "mapped": "city"},
    {"name": "orders_365d", "dimension": "transactional", "dtype": "int64",
     "aggregate": {"table": "orders", "function": "count", "where": "status = 'completed'", "window": "365d"}},
    {"name": "orders_all", "dimension": "transactional", "dtype": "int64",
     "aggregate": {"table": "orders", "function": "count"}},
    {"name": "net_30d", "dimension": "transactional", "dtype": "float64",
     "aggregate": {"table": "orders", "function": "sum", "column": "paid_amount - refund_amount", "window": "30d"}},
    {"name": "net_365d", "dimension": "transactional", "dtype": "float64",
     "aggregate": {"table": "orders", "function": "sum", "column": "paid_amount - refund_amount", "window": "365d",
                   "where": "status = 'completed'"}},
    {"name": "net_30_to_365d", "dimension": "transactional", "dtype": "float64",
     "aggregate": {"table": "orders", "function": "sum", "column": "paid_amount", "window": {"from": "365d", "to": "30d"}}},
    {"name": "first_channel", "dimension": "transactional", "dtype": "string",
     "aggregate": {"table": "orders", "function": "first", "column": "channel"}},
    {"name": "last_channel", "dimension": "transactional", "dtype": "string",
     "aggregate": {"table": "orders", "function": "last", "column": "channel"}},
    {"name": "last_order_at", "dimension": "transactional", "dtype": "timestamp",
     "aggregate": {"table": "orders", "function": "max", "column": "order_time", "where": "status = 'completed'"}},
    {"name": "channels", "dimension": "transactional", "dtype": "int64",
     "aggregate": {"table": "orders", "function": "count_distinct", "column": "channel"}},
    {"name": "discount_share", "dimension": "psychographic", "dtype": "float64",
     "aggregate": {"table": "orders", "function": "share", "of": "discount_amount > 0", "where": "status = 'completed'"}},
    {"name": "top_categories", "dimension": "psychographic", "dtype": "list<string>",
     "aggregate": {"table": "order_items", "function": "top_k", "column": "category", "weight": "amount", "k": 2}},
    {"name": "top_recent", "dimension": "psychographic", "dtype": "list<string>",
     "aggregate": {"table": "order_items", "function": "top_k", "column": "category", "weight": "amount", "k": 3,
                   "half_life": "30d"}},
    {"name": "fav_brand", "dimension": "psychographic", "dtype": "string",
     "aggregate": {"table": "order_items", "function": "most_frequent", "column": "brand"}},
    {"name": "returned_lines", "dimension": "transactional", "dtype": "int64",
     "aggregate": {"table": "order_items", "function": "count", "where": "returned"}},
    {"name": "decayed_spend", "dimension": "value", "dtype": "float64",
     "aggregate": {"table": "orders", "function": "sum", "column": "paid_amount", "half_life": "10d", "window": "30d"}},
    {"name": "views_30d", "dimension": "behavioural", "dtype": "int64",
     "aggregate": {"table": "events", "function": "count", "where": "event = 'Product Viewed'", "window": "30d"}},
    {"name": "evening_views", "dimension": "behavioural", "dtype": "int64",
     "aggregate": {"table": "events", "function": "count", "where": "event = 'Product Viewed' and hour(at) >= 18"}},
    {"name": "aov_365d", "dimension": "transactional", "dtype": "float64", "derive": "net_365d / nullif(orders_365d, 0)"},
    {"name": "recency_days", "dimension": "transactional", "dtype": "int64", "derive": "days_since(last_order_at)"},
    {"name": "r_score", "dimension": "value", "dtype": "int64",
     "derive": "if(recency_days is null, 1, 5 - bucket(recency_days, 30, 90, 180, 365))"},
    {"name": "vip", "dimension": "value", "dtype": "boolean", "derive": "r_score >= 5 and aov_365d > 100"},
)



@pytest.fixture
def built(make_ws):
    ws = make_shop(make_ws, ORDERS_TRAITS)
    result = ws.profiles.build()
    return ws, result


def test_a_first_build_is_full_as_of_the_workspace_clock(built):
    ws, result = built
    assert result.kind == "full"
    assert result.as_of == dt.datetime(2025, 6, 30, 12, 0)
    assert result.customers == 3 and result.traits == len(ws.profiles.definitions().traits)


def test_counts_sums_and_windows(built):
    p = profiles(built[0], "orders_365d", "orders_all", "net_30d", "net_365d", "net_30_to_365d", "channels")
    # C1: O1 (10 d) and O2 (60 d) completed within a year, O3 too old, O4 cancelled; O7 (after the clock) never
    assert p["C1"] == {"orders_365d": 2, "orders_all": 4, "net_30d": 300.0, "net_365d": 450.0,
                       "net_30_to_365d": 200.0, "channels": 3}
    # C2: O5 by phone; O7 is dated after the clock
    assert p["C2"] == {"orders_365d": 1, "orders_all": 1, "net_30d": 80.0, "net_365d": 80.0,
                       "net_30_to_365d": 0.0, "channels": 1}
    # C3 never ordered: counts and sums are 0, not missing
    assert p["C3"] == {"orders_365d": 0, "orders_all": 0, "net_30d": 0.0, "net_365d": 0.0,
                       "net_30_to_365d": 0.0, "channels": 0}


def test_first_last_share_and_mapped(built):
    p = profiles(built[0], "city", "first_channel", "last_channel", "last_order_at", "discount_share")
    assert p["C1"] == {"city": "上海市", "first_channel": "store", "last_channel": "web",
                       "last_order_at": dt.datetime(2025, 6, 20, 10), "discount_share": pytest.approx(1 / 3)}
    assert p["C2"]["discount_share"] == 1.0 and p["C2"]["last_channel"] == "tmall"
    assert p["C3"] == {"city": "北京市", "first_channel": None, "last_channel": None, "last_order_at": None,
                       "discount_share": None}


def test_ranked_traits_break_ties_by_value_and_decay_old_rows(built):
    p = profiles(built[0], "top_categories", "top_recent", "fav_brand", "returned_lines")
    # C1 by amount: 图书 1100, 户外 350, 美妆 50
    assert p["C1"]["top_categories"] == ["图书", "户外"]
    # with a 30-day half-life the 2024 book order (1000, ~18 half-lives old) falls behind:
    # 户外 200·2^(-10/30) + 150·2^(-60/30) ≈ 196.2; 图书 100·0.79 + 1000·2^(-546/30) ≈ 79.4; 美妆 12.5
    assert p["C1"]["top_recent"] == ["户外", "图书", "美妆"]
    # 北面 twice, 中信 twice: the tie goes to the smaller value
    assert p["C1"]["fav_brand"] == min("北面", "中信")
    assert p["C1"]["returned_lines"] == 1
    assert p["C2"] == {"top_categories": ["美妆"], "top_recent": ["美妆"], "fav_brand": "完美日记", "returned_lines": 0}
    assert p["C3"]["top_categories"] is None


def test_time_decay_and_local_hours(built):
    p = profiles(built[0], "decayed_spend", "views_30d", "evening_views")
    # O1 is 10 days 2 hours old (half-life 10 d): 300 · 0.5^(10.083/10); O4 (cancelled, 0) adds nothing
    assert p["C1"]["decayed_spend"] == pytest.approx(300 * 0.5 ** ((10 + 2 / 24) / 10), rel=1e-9)
    assert p["C2"]["decayed_spend"] == pytest.approx(80 * 0.5 ** ((12 * 3600 + 3600) / 86400 / 10), rel=1e-9)
    # e1, e2 within 30 days; e3 older. 22:00 in Shanghai is the one evening view (e2); e3 is 22:00 too
    assert p["C1"]["views_30d"] == 2 and p["C1"]["evening_views"] == 2
    # C2's anonymous view on device d2 was attributed once the device signed in (identity)
    assert p["C2"]["views_30d"] == 1


def test_derived_traits_in_dependency_order(built):
    p = profiles(built[0], "aov_365d", "recency_days", "r_score", "vip")
    assert p["C1"] == {"aov_365d": 225.0, "recency_days": 10, "r_score": 5, "vip": True}
    assert p["C2"] == {"aov_365d": 80.0, "recency_days": 0, "r_score": 5, "vip": False}
    assert p["C3"] == {"aov_365d": None, "recency_days": None, "r_score": 1, "vip": False}


def test_rows_without_a_known_customer_count_for_nobody(built):
    ws, _ = built
    total = ws.warehouse.raw.execute("SELECT sum(orders_all) FROM profiles").fetchone()[0]
    assert total == 5  # O1–O5; O6's phone belongs to no customer, O7 is after the clock
