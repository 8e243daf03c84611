"""Tags and segments on the hand-made shop: rules, manual tags, static and dynamic segments, changes, exports."""

from __future__ import annotations

import csv

import pyarrow.parquet as pq
import pytest
import yaml
from pshop import load, make_shop
from test_builds import NEW_ITEMS, NEW_ORDERS
from test_traits import ORDERS_TRAITS

from huaxiang.definitions.loader import DefinitionError
from huaxiang.profiles import ProfileError

TAGS = yaml.safe_dump({
    "categories": [{"name": "value", "label": {"zh": "价值", "en": "Value"}},
                   {"name": "care", "label": {"zh": "关怀", "en": "Care"}}],
    "tags": [
        {"name": "buyer", "label": {"zh": "已购客户", "en": "Buyer"}, "category": "value", "rule": "orders_all > 0"},
        {"name": "big_spender", "label": {"zh": "高价值客户", "en": "Big spender"}, "category": "value",
         "rule": "net_365d >= 400"},
        # a tag on a tag, by its Chinese label, and on event history
        {"name": "outdoor_vip", "label": {"zh": "户外贵宾", "en": "Outdoor VIP"}, "category": "value",
         "rule": "has_tag('高价值客户') and count(events, event = 'Product Viewed' and category = '户外', within = 30d) >= 2"},
        {"name": "watch", "label": {"zh": "重点关注", "en": "Watch"}, "category": "care"},
    ]}, allow_unicode=True, sort_keys=False)
SEGMENTS = yaml.safe_dump({"segments": [
    {"name": "recent_buyers", "label": {"zh": "近期购买", "en": "Recent buyers"}, "condition": "net_30d > 0"},
    {"name": "books", "label": {"zh": "图书读者", "en": "Readers"}, "condition": "contains(top_categories, '图书')"},
    {"name": "launch_list", "kind": "static", "label": {"zh": "首发名单", "en": "Launch list"},
     "condition": "has_tag('buyer')"},
]}, allow_unicode=True, sort_keys=False)


@pytest.fixture
def shop(make_ws):
    ws = make_shop(make_ws, ORDERS_TRAITS, TAGS, SEGMENTS)
    ws.profiles.build()
    return ws


def _members(ws, table: str, key: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, crm in ws.warehouse.raw.execute(f"""SELECT m.{key}, r.source_key FROM {table} m
            JOIN customer_records r USING (customer_id) WHERE r.source = 'crm'""").fetchall():
        out.setdefault(name, set()).add(crm)
    return out


def test_rule_tags_including_a_tag_on_a_tag_and_on_event_history(shop):
    # C1: 450 net in a year and two outdoor views in 30 days; C2: 80; C3: nothing
    assert _members(shop, "tag_members", "tag") == {"buyer": {"C1", "C2"}, "big_spender": {"C1"},
                                                    "outdoor_vip": {"C1"}}


def test_segments_dynamic_and_static(shop):
    assert _members(shop, "segment_members", "segment") == {
        "recent_buyers": {"C1", "C2"}, "books": {"C1"}, "launch_list": {"C1", "C2"}}
    sizes = {s["name"]: s["members"] for s in shop.segments.list()}
    assert sizes == {"recent_buyers": 2, "books": 1, "launch_list": 2}


def test_new_data_moves_customers_in_and_keeps_since_for_those_who_stay(shop):
    since = dict(shop.warehouse.raw.execute("SELECT customer_id, since FROM segment_members "
                                            "WHERE segment = 'recent_buyers'").fetchall())
    load(shop, orders=NEW_ORDERS, items=NEW_ITEMS)  # C3 buys a book; C1 buys again
    shop.identity.build()
    shop.profiles.build()
    members = _members(shop, "segment_members", "segment")
    assert members["recent_buyers"] == {"C1", "C2", "C3"} and members["books"] == {"C1", "C3"}
    assert members["launch_list"] == {"C1", "C2"}  # static: taken once, kept
    after = dict(shop.warehouse.raw.execute("SELECT customer_id, since FROM segment_members "
                                            "WHERE segment = 'recent_buyers'").fetchall())
    assert all(after[c] == s for c, s in since.items())
    entered = [(c["change"], c["build"]) for c in shop.segments.changes("books")]
    assert entered == [("enter", 2), ("enter", 1)]
    assert _members(shop, "tag_members", "tag")["buyer"] == {"C1", "C2", "C3"}


def test_a_customer_who_no_longer_qualifies_leaves_with_an_exit_recorded(shop):
    trait_file = shop.root / "tags" / "shop.yml"
    trait_file.write_text(trait_file.read_text(encoding="utf-8").replace("net_365d >= 400", "net_365d >= 500"),
                          encoding="utf-8")
    shop.apply()
    shop.profiles.build()
    assert "big_spender" not in _members(shop, "tag_members", "tag")
    exits = shop.warehouse.raw.execute("SELECT name, change, reason FROM membership_changes WHERE change = 'exit' "
                                       "ORDER BY name").fetchall()
    assert exits == [("big_spender", "exit", "rule"), ("outdoor_vip", "exit", "rule")]


def test_manual_tags_with_who_and_when(shop):
    assert shop.tags.assign("13933334444", "重点关注", note="asked for a call back") is True
    assert shop.tags.assign("13933334444", "watch") is False  # already there
    shop.profiles.build()
    (row,) = shop.warehouse.raw.execute("SELECT tag, source, assigned_by FROM tag_members WHERE tag = 'watch'").fetchall()
    assert row[:2] == ("watch", "manual") and row[2]
    card, = shop.profiles.get("13933334444")
    assert [t["name"] for t in card.tags] == ["buyer", "watch"]
    assert shop.tags.remove("13933334444", "watch") is True
    shop.profiles.build()
    assert "watch" not in _members(shop, "tag_members", "tag")
    reasons = shop.warehouse.raw.execute("SELECT change, reason FROM membership_changes WHERE name = 'watch' "
                                         "ORDER BY build").fetchall()
    assert reasons == [("enter", "manual"), ("exit", "manual")]


def test_unknown_tag_or_ambiguous_customer_is_a_clear_error(shop):
    with pytest.raises(ProfileError) as info:
        shop.tags.assign("13933334444", "no_such_tag")
    assert info.value.code == "unknown_tag" and "buyer" in info.value.params["known"]
    with pytest.raises(ProfileError) as info:
        shop.tags.assign("13800000000", "watch")
    assert info.value.code == "ambiguous" and info.value.params["n"] == 0


def test_members_pages_overlap_and_export(shop, tmp_path):
    page = shop.segments.members("近期购买", page=1, size=1, traits=["net_30d", "top_categories"])
    assert page.total == 2 and page.pages == 2 and len(page.rows) == 1
    assert set(page.rows[0]) == {"customer_id", "since", "net_30d", "top_categories"}
    second = shop.segments.members("recent_buyers", page=2, size=1)
    assert second.rows[0]["customer_id"] > page.rows[0]["customer_id"]
    overlap = shop.segments.overlap(["recent_buyers", "books"])
    assert overlap == {("recent_buyers", "recent_buyers"): 2, ("books", "books"): 1,
                       ("recent_buyers", "books"): 1, ("books", "recent_buyers"): 1}
    n = shop.segments.export("recent_buyers", tmp_path / "out.csv", traits=["city", "net_30d"])
    rows = list(csv.DictReader(open(tmp_path / "out.csv", encoding="utf-8")))
    assert n == 2 and sorted(r["city"] for r in rows) == ["上海市", "成都市"]
    shop.segments.export("books", tmp_path / "out.parquet", traits=["top_categories"])
    assert pq.read_table(tmp_path / "out.parquet").column("top_categories").to_pylist() == [["图书", "户外"]]
    with pytest.raises(ProfileError):
        shop.segments.export("books", tmp_path / "out.xlsx")
    with pytest.raises(ProfileError):
        shop.segments.export("books", tmp_path / "x.csv", traits=["nope"])


def test_refreshing_a_static_segment_takes_it_again(shop):
    load(shop, orders=NEW_ORDERS, items=NEW_ITEMS)
    shop.identity.build()
    shop.profiles.build()
    assert _members(shop, "segment_members", "segment")["launch_list"] == {"C1", "C2"}
    shop.segments.refresh("首发名单")
    shop.profiles.build()
    assert _members(shop, "segment_members", "segment")["launch_list"] == {"C1", "C2", "C3"}


@pytest.mark.parametrize("rule, key, message", [
    ("net_356d > 1", "bad.rule", "did you mean 'net_365d'"),
    ("city > 3", "bad.rule", "cannot compare"),
    ("has_tag('bad')", "bad.rule", "cycle"),
])
def test_definition_errors_name_the_file_key_and_position(make_ws, rule, key, message):
    tags = yaml.safe_dump({"categories": [{"name": "value"}],
                           "tags": [{"name": "bad", "category": "value", "rule": rule}]}, allow_unicode=True)
    ws = make_shop(make_ws, ORDERS_TRAITS, tags)
    with pytest.raises(DefinitionError) as info:
        ws.profiles.definitions()
    problem, = info.value.problems
    assert problem.file == "tags/shop.yml" and problem.key == key and message in problem.message


def test_a_cycle_of_derived_traits_is_refused(make_ws):
    from pshop import traits
    cyclic = traits({"name": "a", "dimension": "value", "dtype": "int64", "derive": "b + 1"},
                    {"name": "b", "dimension": "value", "dtype": "int64", "derive": "a + 1"})
    ws = make_shop(make_ws, cyclic)
    with pytest.raises(DefinitionError) as info:
        ws.profiles.build()
    assert "cycle" in str(info.value) and "a -> b -> a" in str(info.value)


def test_changed_tags_in_an_incremental_build_read_every_customer_s_rows(shop):
    # new data touch C3 only; the changed rule is re-evaluated for everyone, C1 by their (untouched) events
    load(shop, orders=["order_id,customer,phone,time,status,channel,paid,discount,refund",
                       "O8,C3,,2025-06-29 09:00:00,completed,web,120.00,0,0"])
    shop.identity.build()
    tag_file = shop.root / "tags" / "shop.yml"
    tag_file.write_text(tag_file.read_text(encoding="utf-8").replace("within = 30d", "within = 31d"), encoding="utf-8")
    shop.apply()
    result = shop.profiles.build()
    assert result.kind == "incremental" and result.customers == 1
    expected = {"buyer": {"C1", "C2", "C3"}, "big_spender": {"C1"}, "outdoor_vip": {"C1"}}
    assert _members(shop, "tag_members", "tag") == expected
    shop.profiles.build(full=True)
    assert _members(shop, "tag_members", "tag") == expected


def test_a_removed_tag_or_segment_loses_its_members_in_the_next_incremental_build(shop):
    before = _members(shop, "tag_members", "tag")
    assert {"buyer", "big_spender"} <= set(before)
    assert "recent_buyers" in _members(shop, "segment_members", "segment")
    tags = yaml.safe_load(TAGS)
    tags["tags"] = [t for t in tags["tags"] if t["name"] not in ("big_spender", "outdoor_vip")]
    (shop.root / "tags" / "shop.yml").write_text(yaml.safe_dump(tags, allow_unicode=True), encoding="utf-8")
    segments = yaml.safe_load(SEGMENTS)
    segments["segments"] = [s for s in segments["segments"] if s["name"] != "recent_buyers"]
    (shop.root / "segments" / "shop.yml").write_text(yaml.safe_dump(segments, allow_unicode=True), encoding="utf-8")
    shop.apply()
    result = shop.profiles.build()
    assert result.kind == "incremental"  # the traits did not change: only the memberships are read again
    assert _members(shop, "tag_members", "tag") == {"buyer": before["buyer"]}
    assert set(_members(shop, "segment_members", "segment")) == {"books", "launch_list"}
    # a build with nothing new after it (scoped to no one) keeps them as they are
    shop.profiles.build()
    assert _members(shop, "tag_members", "tag") == {"buyer": before["buyer"]}
    assert set(_members(shop, "segment_members", "segment")) == {"books", "launch_list"}
