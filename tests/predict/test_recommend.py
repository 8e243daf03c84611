"""Pair rules, recommendations and the holdout hit rate on a real in-memory DuckDB, on baskets small
enough that every support, confidence, lift and score below is worked out by hand."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from huaxiang.predict.recommend import (REASONS, association_rules, holdout_hit_rate, recommend,
                                        spend_affinity)

AS_OF = dt.datetime(2024, 6, 30)
SCHEMA = pa.schema([("order_id", pa.string()), ("customer_id", pa.string()), ("product_id", pa.string()),
                    ("product_name", pa.string()), ("category", pa.string()), ("brand", pa.string()),
                    ("amount", pa.decimal128(18, 2)), ("quantity", pa.int64()), ("at", pa.timestamp("us"))])
RULES = pa.schema([("antecedent", pa.string()), ("consequent", pa.string()), ("support", pa.float64()),
                   ("confidence", pa.float64()), ("lift", pa.float64()), ("count", pa.int64())])
#: product -> (name, category)
PRODUCTS = {"P1": ("啤酒", "drinks"), "P2": ("纸尿裤", "baby"), "P3": ("薯片", "snacks"), "P4": ("牛奶", "dairy"),
            "P5": ("酸奶", "dairy"), "P6": ("湿巾", "baby")}
_names = itertools.count()


@pytest.fixture(scope="module")
def con():
    return ibis.duckdb.connect()


def table(con, rows: list[dict], schema: pa.Schema = SCHEMA) -> ibis.Table:
    """A real table of ``con`` (via a memtable: ``create_table`` of Arrow fails with this sqlglot)."""
    return con.create_table(f"t{next(_names)}", ibis.memtable(pa.Table.from_pylist(rows, schema=schema)))


def line(order: str, customer: str | None, product: str, day: float = 0, amount: str = "10") -> dict:
    name, category = PRODUCTS.get(product, (product, f"cat_{product}"))
    return {"order_id": order, "customer_id": customer, "product_id": product, "product_name": name,
            "category": category, "brand": "b", "amount": Decimal(amount), "quantity": 1,
            "at": AS_OF + dt.timedelta(days=day)}


def items_of(con, orders: dict[str, str], customer=None, day: float = 0) -> ibis.Table:
    """One line per product letter of each order."""
    return table(con, [line(o, customer, p, day) for o, ps in orders.items() for p in ps])


# 10 orders. A = beer, B = diapers, C = chips, D = milk, E = bread.
# n(A)=5 n(B)=5 n(C)=3 n(D)=3 n(E)=2; n(A,B)=4 (o1 o2 o3 o9), n(A,C)=2 (o3 o4), n(B,C)=1, n(B,D)=1, n(D,E)=1.
BEER = {"o1": "AB", "o2": "AB", "o3": "ABC", "o4": "AC", "o5": "BD", "o6": "D", "o7": "DE", "o8": "E", "o9": "AB",
        "o10": "C"}
# (antecedent, consequent): (support, confidence, lift, count); lift = n(X,Y) * N / (n(X) n(Y))
BEER_RULES = {
    ("A", "B"): (0.4, 0.8, 1.6, 4), ("B", "A"): (0.4, 0.8, 1.6, 4),          # 4*10/(5*5)
    ("A", "C"): (0.2, 0.4, 4 / 3, 2), ("C", "A"): (0.2, 2 / 3, 4 / 3, 2),    # 2*10/(5*3)
    ("B", "C"): (0.1, 0.2, 2 / 3, 1), ("C", "B"): (0.1, 1 / 3, 2 / 3, 1),    # 1*10/(5*3)
    ("B", "D"): (0.1, 0.2, 2 / 3, 1), ("D", "B"): (0.1, 1 / 3, 2 / 3, 1),
    ("D", "E"): (0.1, 1 / 3, 5 / 3, 1), ("E", "D"): (0.1, 0.5, 5 / 3, 1),    # 1*10/(3*2)
}


def rules_dict(con, expr) -> dict:
    df = con.execute(expr)
    assert list(df.columns) == ["antecedent", "consequent", "support", "confidence", "lift", "count"]
    return {(r.antecedent, r.consequent): (r.support, r.confidence, r.lift, r.count) for r in df.itertuples()}


def assert_rules(got: dict, want: dict):
    assert set(got) == set(want)
    for key, values in want.items():
        assert got[key][:3] == pytest.approx(values[:3]), key
        assert got[key][3] == values[3], key


def test_pair_rules_by_hand(con):
    got = rules_dict(con, association_rules(items_of(con, BEER), min_support=0.1, min_confidence=0, min_count=1))
    assert_rules(got, BEER_RULES)


@pytest.mark.parametrize("kwargs, kept", [
    ({"min_count": 2}, {("A", "B"), ("B", "A"), ("A", "C"), ("C", "A")}),
    ({"min_confidence": 0.5}, {("A", "B"), ("B", "A"), ("C", "A"), ("E", "D")}),  # E->D is exactly 0.5: kept
    ({"min_support": 0.3}, {("A", "B"), ("B", "A")}),
    ({"min_support": 0.2, "min_confidence": 0.5}, {("A", "B"), ("B", "A"), ("C", "A")}),
])
def test_thresholds_filter(con, kwargs, kept):
    args = {"min_support": 0.1, "min_confidence": 0.0, "min_count": 1} | kwargs
    got = rules_dict(con, association_rules(items_of(con, BEER), **args))
    assert_rules(got, {k: BEER_RULES[k] for k in kept})


def test_no_self_rules_and_repeated_lines_count_once(con):
    # o1 holds A on two lines: still one basket with A and B; N=2, n(A)=2, n(B)=1, n(A,B)=1
    items = table(con, [line("o1", None, "A"), line("o1", None, "A"), line("o1", None, "B"), line("o2", None, "A")])
    got = rules_dict(con, association_rules(items, min_support=0.1, min_confidence=0, min_count=1))
    assert_rules(got, {("A", "B"): (0.5, 0.5, 1.0, 1), ("B", "A"): (0.5, 1.0, 1.0, 1)})


def test_category_level_counts_categories_once_per_basket(con):
    # P2 and P6 are both baby: o1 = {baby, drinks}, o2 = {baby}, o3 = {drinks}; N=3, n(baby)=2, n(drinks)=2
    items = table(con, [line("o1", None, "P2"), line("o1", None, "P6"), line("o1", None, "P1"), line("o2", None, "P6"),
                        line("o3", None, "P1")])
    got = rules_dict(con, association_rules(items, level="category", min_support=0.1, min_confidence=0, min_count=1))
    # support 1/3, confidence 1/2, lift 1*3/(2*2) = 0.75
    assert_rules(got, {("baby", "drinks"): (1 / 3, 0.5, 0.75, 1), ("drinks", "baby"): (1 / 3, 0.5, 0.75, 1)})


def test_basket_days_join_one_customers_orders(con):
    # c1 buys A on 2024-01-01 and B on 2024-01-02: days 19723 and 19724 since 1970, both in 7-day window 2817;
    # and C on 2024-01-20 (window 2820). c2's A and B are 7 days apart (windows 2817 and 2818).
    day0 = dt.datetime(2024, 1, 1) - AS_OF
    rows = [line("o1", "c1", "A", day0.days), line("o2", "c1", "B", day0.days + 1), line("o3", "c1", "C", day0.days + 19),
            line("o4", "c2", "A", day0.days), line("o5", "c2", "B", day0.days + 7)]
    items = table(con, rows)
    loose = {"min_support": 0.01, "min_confidence": 0, "min_count": 1}
    assert con.execute(association_rules(items, **loose)).empty  # every order holds one product
    # baskets: c1@2817 {A, B}, c1@2820 {C}, c2@2817 {A}, c2@2818 {B}: N=4, n(A)=n(B)=2, n(A,B)=1
    got = rules_dict(con, association_rules(items, basket_days=7, **loose))
    assert_rules(got, {("A", "B"): (0.25, 0.5, 1.0, 1), ("B", "A"): (0.25, 0.5, 1.0, 1)})


def test_huge_baskets_are_left_out(con):
    # max 2 items: o3 (A, B, C) goes, N=9; n(A)=4 (o1 o2 o4 o9), n(B)=4 (o1 o2 o5 o9), n(A,B)=3
    got = rules_dict(con, association_rules(items_of(con, BEER), min_support=0.3, min_confidence=0, min_count=1,
                                            max_basket_items=2))
    assert_rules(got, {("A", "B"): (3 / 9, 0.75, 3 * 9 / 16, 3), ("B", "A"): (3 / 9, 0.75, 3 * 9 / 16, 3)})


def test_empty_input_gives_empty_output(con):
    items = table(con, [])
    rules = association_rules(items)
    assert con.execute(rules).empty
    assert con.execute(recommend(items, rules)).empty
    assert con.execute(spend_affinity(items)).empty
    row = con.execute(holdout_hit_rate(items, AS_OF)).iloc[0]
    assert (row.customers, row.hits, row.baseline_hits) == (0, 0, 0)
    assert row.isna()[["hit_rate", "baseline_hit_rate"]].all()


@pytest.mark.parametrize("call, message", [
    (lambda i, r: association_rules(i, level="brand"), "level must be one of product, category, not 'brand'"),
    (lambda i, r: association_rules(i, min_support=0), r"min_support must be in \(0, 1\], not 0"),
    (lambda i, r: association_rules(i, min_support=1.5), r"min_support must be in \(0, 1\], not 1.5"),
    (lambda i, r: association_rules(i, min_confidence=-0.1), r"min_confidence must be in \[0, 1\]"),
    (lambda i, r: association_rules(i, min_count=0), "min_count must be at least 1"),
    (lambda i, r: association_rules(i, max_antecedent_items=2), "max_antecedent_items must be 1 .pair rules only"),
    (lambda i, r: association_rules(i, basket_days=0), "basket_days must be None or at least 1"),
    (lambda i, r: association_rules(i, max_basket_items=1), "max_basket_items must be at least 2"),
    (lambda i, r: recommend(i, r, top_n=0), "top_n must be at least 1, not 0"),
    (lambda i, r: recommend(i, r, exclude_bought_within_days=0), "exclude_bought_within_days must be None or at"),
    (lambda i, r: recommend(i, r, affinity_weight=2), r"affinity_weight must be in \[0, 1\]"),
    (lambda i, r: recommend(i, r, popularity_weight=-1), "popularity_weight must be at least 0"),
    (lambda i, r: holdout_hit_rate(i, AS_OF, top_n=0), "top_n must be at least 1"),
    (lambda i, r: spend_affinity(i, half_life_days=0), "half_life_days must be positive"),
])
def test_bad_arguments_say_what_is_wrong(con, call, message):
    items = table(con, [])
    with pytest.raises(ValueError, match=message):
        call(items, association_rules(items))


# The recommendation shop. Orders holding each product: P1 4, P4 4, P2 2, P5 2, P3 1, P6 1, so popularity
# P = P1 1, P4 1, P2 .5, P5 .5, P3 .25, P6 .25; within its category Pc = P4 1, P5 .5, P2 1, P6 .5, P1 1, P3 1.
# u bought P1 10 days ago; v bought P1 400 days ago and P2 5 days ago; z bought some of everything 60 days ago.
SHOP = ([line("u1", "u", "P1", -10), line("v1", "v", "P1", -400), line("v2", "v", "P2", -5)]
        + [line(f"z{p}{i}", "z", p, -60) for p, n in {"P1": 2, "P2": 1, "P3": 1, "P4": 4, "P5": 2, "P6": 1}.items()
           for i in range(n)])
SHOP_RULES = [{"antecedent": "P1", "consequent": "P2", "support": 0.2, "confidence": 0.8, "lift": 1.6, "count": 4},
              {"antecedent": "P1", "consequent": "P3", "support": 0.1, "confidence": 0.4, "lift": 1.5, "count": 2},
              {"antecedent": "P2", "consequent": "P3", "support": 0.1, "confidence": 0.5, "lift": 2.0, "count": 2}]


def recs(con, items_rows=SHOP, **kwargs) -> dict[str, list[tuple]]:
    """customer -> [(product, score, reason, because_product, because_name)] in rank order."""
    kwargs.setdefault("exclude_bought_within_days", 30)
    result = con.to_pyarrow(recommend(table(con, items_rows), table(con, SHOP_RULES, RULES), as_of=AS_OF, **kwargs))
    assert result.column_names == ["customer_id", "rank", "product_id", "product_name", "category", "score",
                                   "reason_code", "because_product", "because_name"]
    out: dict[str, list[tuple]] = {}
    for r in sorted(result.to_pylist(), key=lambda r: (r["customer_id"], r["rank"])):
        rows = out.setdefault(r["customer_id"], [])
        assert r["rank"] == len(rows) + 1
        assert (r["product_name"], r["category"]) == PRODUCTS[r["product_id"]]
        rows.append((r["product_id"], round(r["score"], 6), r["reason_code"], r["because_product"], r["because_name"]))
    return out


# score = 0.7 * r/(1+r) + 0.3 * A + 0.01 * P
# u: P2 r = 0.8*1.6 = 1.28 -> 0.7*1.28/2.28 + 0.01*0.5 = 0.397982; P3 r = 0.4*1.5 = 0.6 -> 0.7*0.375 + 0.0025 = 0.265
# v: P3 r = 0.6 + 0.5*2 = 1.6 -> 0.7*1.6/2.6 + 0.0025 = 0.433269, because P2 (1.0 > 0.6); P1 and P4 both 0.01
def test_rules_rank_the_customers_candidates(con):
    got = recs(con, top_n=3)
    assert got["u"] == [("P2", 0.397982, "bought_together", "P1", "啤酒"), ("P3", 0.265, "bought_together", "P1", "啤酒"),
                        ("P4", 0.01, "popular", None, None)]  # P1: bought 10 days ago
    # P2 bought 5 days ago is out; P1, bought 400 days ago, is back, and ties with P4: the smaller id first
    assert got["v"] == [("P3", 0.433269, "bought_together", "P2", "纸尿裤"), ("P1", 0.01, "popular", None, None),
                        ("P4", 0.01, "popular", None, None)]
    assert [p for p, *_ in got["z"]] == ["P3", "P2", "P1"]  # bought 60 days ago: not excluded by 30 days


def test_recently_bought_products_are_never_recommended(con):
    everything = recs(con, top_n=6, exclude_bought_within_days=None)
    assert "z" not in everything  # z bought every product: nothing left
    assert [p for p, *_ in everything["v"]] == ["P3", "P4", "P5", "P6"]
    bought = {(r["customer_id"], r["product_id"]) for r in SHOP}
    assert not {(c, p) for c, rows in everything.items() for p, *_ in rows} & bought


# u with affinity dairy 0.6, baby 0.4 -> normalized dairy 1, baby 2/3:
# P2 0.392982 + 0.3 * 2/3 * 1 + 0.005 = 0.597982 (the rule part is larger: bought_together)
# P4 0.3 * 1 * 1 + 0.01 = 0.31; P3 0.265; P5 0.3 * 1 * 0.5 + 0.005 = 0.155; P6 0.3 * 2/3 * 0.5 + 0.0025 = 0.1025
AFFINITY = pa.schema([("customer_id", pa.string()), ("category", pa.string()), ("weight", pa.float64())])


def test_affinity_blend_lifts_the_customers_categories(con):
    affinity = table(con, [{"customer_id": "u", "category": "dairy", "weight": 0.6},
                           {"customer_id": "u", "category": "baby", "weight": 0.4}], AFFINITY)
    without = recs(con, top_n=5)["u"]
    assert [p for p, *_ in without] == ["P2", "P3", "P4", "P5", "P6"]
    got = recs(con, top_n=5, affinity=affinity)["u"]
    assert got == [("P2", 0.597982, "bought_together", "P1", "啤酒"), ("P4", 0.31, "category_affinity", "dairy", "dairy"),
                   ("P3", 0.265, "bought_together", "P1", "啤酒"), ("P5", 0.155, "category_affinity", "dairy", "dairy"),
                   ("P6", 0.1025, "category_affinity", "baby", "baby")]


def test_customer_without_history_gets_best_sellers(con):
    customers = table(con, [{"customer_id": "new"}, {"customer_id": "u"}], pa.schema([("customer_id", pa.string())]))
    got = recs(con, top_n=3, customers=customers)
    assert set(got) == {"new", "u"}  # v and z are not asked for
    assert got["new"] == [("P1", 0.01, "popular", None, None), ("P4", 0.01, "popular", None, None),
                          ("P2", 0.005, "popular", None, None)]


def test_reasons_speak_zh_and_en(con):
    got = recs(con, top_n=6, customers=table(con, [{"customer_id": "u"}, {"customer_id": "new"}],
                                             pa.schema([("customer_id", pa.string())])))
    codes = {reason for rows in got.values() for _, _, reason, *_ in rows}
    assert codes == {"bought_together", "popular"} and codes <= set(REASONS)
    assert set(REASONS) == {"bought_together", "category_affinity", "popular"}
    for code, texts in REASONS.items():
        assert set(texts) == {"zh", "en"}
        if code != "popular":
            assert all("{because}" in text for text in texts.values())
    assert REASONS["bought_together"]["zh"].format(because="啤酒") == "购买了啤酒的客户也常买"
    assert REASONS["bought_together"]["en"].format(because="beer") == "Often bought with beer"


def test_mined_rules_feed_recommendations(con):
    # the beer baskets, with customers: k bought A (beer) only; the others bought the rest
    items = table(con, [line(o, "k" if o == "o10" else f"c{o}", p.replace("C", "A") if o == "o10" else p, -100)
                        for o, ps in BEER.items() for p in ps])
    # o10 now holds A: n(A)=6, n(B)=5, n(A,B)=4 -> A->B confidence 4/6, lift (4/6)/(5/10) = 4/3: r = 8/9
    rules = association_rules(items, min_support=0.1, min_confidence=0.3, min_count=2)
    df = con.execute(recommend(items, rules, as_of=AS_OF, top_n=1))
    k = df[df.customer_id == "k"].iloc[0]
    assert (k.product_id, k.reason_code, k.because_product) == ("B", "bought_together", "A")
    # B is in 5 orders, A (the most) in 6: 0.7 * (8/9) / (17/9) + 0.01 * 5/6
    assert k.score == pytest.approx(0.7 * 8 / 17 + 0.01 * 5 / 6)


def test_spend_affinity_decays_and_sums_to_one(con):
    # half-life 90 days: 30 spent today weighs 30, 40 spent 90 days ago weighs 20, a line after as_of is ignored
    items = table(con, [line("a", "u", "P1", 0, "30"), line("b", "u", "P4", -90, "40"), line("c", "u", "P2", 5, "99")])
    df = con.execute(spend_affinity(items, as_of=AS_OF, half_life_days=90))
    assert dict(zip(df.category, df.weight)) == pytest.approx({"drinks": 0.6, "dairy": 0.4})


def test_holdout_hit_rate_against_best_sellers(con):
    # Before the cutoff (day 0): f buys P1+P2 together 3 times and P4 alone 6 times; a and b buy P1, d buys P4.
    # Orders: P4 7, P1 5, P2 3 -> the best seller is P4. Rule P1 -> P2 (count 3) passes the default thresholds,
    # so a and b get P2 (P1 itself was bought within a year); d gets P1, the best seller not bought.
    # After: a buys P2 (a hit), b buys P4 (a baseline hit), d buys P4 (baseline hit; P4 was excluded for d),
    # e buys P1 with no history and f buys nothing more: neither is judged. Judged a, b, d.
    before = ([line(f"f{i}", "f", p, -30 - i) for i in range(3) for p in ("P1", "P2")]
              + [line(f"g{i}", "f", "P4", -40 - i) for i in range(6)]
              + [line("a0", "a", "P1", -20), line("b0", "b", "P1", -20), line("d0", "d", "P4", -20)])
    after = [line("a1", "a", "P2", 5), line("b1", "b", "P4", 5), line("d1", "d", "P4", 5), line("e1", "e", "P1", 5)]
    row = con.execute(holdout_hit_rate(table(con, before + after), AS_OF, top_n=1)).iloc[0]
    assert (row.customers, row.hits, row.baseline_hits) == (3, 1, 2)
    assert (row.hit_rate, row.baseline_hit_rate) == pytest.approx((1 / 3, 2 / 3))
