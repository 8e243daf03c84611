"""Incremental builds equal full ones; snapshots use only data from before their time; build history."""

from __future__ import annotations

import datetime as dt

import pytest
from pshop import make_shop, load, profiles
from test_traits import ORDERS_TRAITS


NEW_ORDERS = [
    "order_id,customer,phone,time,status,channel,paid,discount,refund",
    "O8,C3,,2025-06-29 09:00:00,completed,web,120.00,0,0",   # C3's first order
    "O9,,13911112222,2025-06-15 09:00:00,completed,jd,60.00,6.00,0",  # C1 by phone
]
NEW_ITEMS = ["order_id,line,category,brand,amount,returned", "O8,1,图书,中信,120.00,否"]


def _table(ws, name="profiles") -> list[tuple]:
    return ws.warehouse.raw.execute(f"SELECT * EXCLUDE (build) FROM {name} ORDER BY customer_id").fetchall()


def test_incremental_build_recomputes_only_touched_customers_and_equals_a_full_build(make_ws, tmp_path):
    ws = make_shop(make_ws, ORDERS_TRAITS)
    ws.profiles.build()
    before = {r[0]: r for r in _table(ws)}
    load(ws, orders=NEW_ORDERS, items=NEW_ITEMS)
    ws.identity.build()
    result = ws.profiles.build()
    assert result.kind == "incremental"
    assert result.customers == 2  # C1 and C3; C2 untouched
    incremental = _table(ws)
    c2 = ws.warehouse.raw.execute("SELECT customer_id FROM customer_records WHERE source_key = 'C2'").fetchone()[0]
    assert {r[0]: r for r in incremental}[c2] == before[c2]
    assert profiles(ws, "orders_all")["C3"] == {"orders_all": 1}
    full = ws.profiles.build(full=True)
    assert full.kind == "full" and _table(ws) == incremental


def test_without_an_identity_change_the_identifiers_are_reused_and_with_one_they_are_read_again(make_ws):
    ws = make_shop(make_ws, ORDERS_TRAITS)
    ws.profiles.build()
    con = ws.warehouse.raw
    # a marker row: it stays only while the build reuses profile_ids instead of rewriting them
    con.execute("INSERT INTO profile_ids VALUES ('crm_id', 'MARKER', 'nobody')")
    seen = con.execute("SELECT count(*) FROM profile_records").fetchone()[0]
    load(ws, orders=NEW_ORDERS, items=NEW_ITEMS)  # new rows of known customers, no identity build
    result = ws.profiles.build()
    assert (result.kind, result.customers) == ("incremental", 2)  # C1 by phone, C3 by customer key
    assert con.execute("SELECT count(*) FROM profile_ids WHERE value = 'MARKER'").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM profile_records").fetchone()[0] == seen
    assert profiles(ws, "orders_all")["C3"] == {"orders_all": 1}
    incremental = _table(ws)
    ws.identity.build()  # identity resolution ran: the identifiers are read again
    again = ws.profiles.build()
    assert again.kind == "incremental"
    assert con.execute("SELECT count(*) FROM profile_ids WHERE value = 'MARKER'").fetchone()[0] == 0
    assert ws.profiles.build(full=True).kind == "full" and _table(ws) == incremental


def test_a_changed_definition_makes_the_next_build_full(make_ws):
    ws = make_shop(make_ws, ORDERS_TRAITS)
    ws.profiles.build()
    trait_file = ws.root / "traits" / "shop.yml"
    trait_file.write_text(trait_file.read_text(encoding="utf-8").replace("window: 30d", "window: 31d", 1), encoding="utf-8")
    ws.apply()
    assert ws.profiles.build().kind == "full"
    assert ws.profiles.build().kind == "incremental"


def test_snapshot_uses_only_rows_dated_before_its_time(make_ws):
    ws = make_shop(make_ws, ORDERS_TRAITS)
    result = ws.profiles.build(as_of=dt.datetime(2025, 5, 31, 12))
    assert result.kind == "snapshot" and result.table == "profiles_asof_20250531"
    rows = ws.warehouse.raw.execute("""SELECT r.source_key, p.orders_all, p.net_30d, p.last_channel, p.recency_days
        FROM profiles_asof_20250531 p JOIN customer_records r USING (customer_id)
        WHERE r.source = 'crm' ORDER BY 1""").fetchall()
    # C1 then had O2 (May 1) and O3 (2024); C2 had ordered nothing yet; C3 registered on June 1: not a customer yet
    assert rows == [("C1", 2, 0.0, "app", 30), ("C2", 0, 0.0, None, None)]  # O2 is 30 d 2 h old: out of 30d
    assert not ws.warehouse.has_table("profiles")  # the live profiles are not touched
    assert ws.profiles.history(1)[0]["kind"] == "snapshot"


def test_build_history_is_kept_with_counts(make_ws):
    ws = make_shop(make_ws, ORDERS_TRAITS)
    ws.profiles.build()
    ws.profiles.build()
    history = ws.profiles.history()
    assert [h["kind"] for h in history] == ["incremental", "full"]
    assert all(h["status"] == "succeeded" and h["counts"]["customers"] >= 0 for h in history)
    assert history[1]["counts"]["customers"] == 3


def test_a_failed_build_is_recorded_and_leaves_profiles_as_they_were(make_ws, monkeypatch):
    ws = make_shop(make_ws, ORDERS_TRAITS)
    ws.profiles.build()
    before = _table(ws)
    from huaxiang.profiles import members

    def boom(*a, **k):
        raise RuntimeError("disk full")

    # fails at the very end, inside the transaction that swaps the new profiles in
    monkeypatch.setattr(members, "commit", boom)
    with pytest.raises(RuntimeError):
        ws.profiles.build(full=True)
    assert ws.profiles.history(1)[0]["status"] == "failed"
    assert _table(ws) == before
    monkeypatch.undo()
    assert ws.profiles.build().kind == "incremental"  # against the last good build, whose profiles are intact
