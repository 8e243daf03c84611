"""The built-in definition library (definitions/templates): complete, bilingual, valid, and right.

Right twice over: the scores and classes of RFM, lifecycle and city tier are evaluated on
hand-made rows and compared with the rules as written in their descriptions; and a demo built
with the library finds the demo's planted truth again (customer types, churn, city tiers).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import duckdb
import ibis
import pytest

from huaxiang import init_workspace
from huaxiang.compile.conditions import Context, compile_value
from huaxiang.compile.traits import IBIS_DTYPE, levels
from huaxiang.definitions import library
from huaxiang.definitions.loader import load_folder
from huaxiang.domain.conditions import parse
from huaxiang.domain.traits import DIMENSIONS
from huaxiang.profiles.definitions import resolve

LIB = library.load()
DEFS = resolve(LIB.traits, LIB.tags, LIB.categories, LIB.segments)
AS_OF = dt.datetime(2026, 6, 30, 12, 0)

REQUIRED = """name gender birth_date age age_band province city district city_tier occupation industry income_level
education marital_status member_level registered_at tenure_days
orders_30d orders_90d orders_180d orders_365d orders_lifetime monetary_30d monetary_90d monetary_180d monetary_365d
monetary_lifetime recency_days first_order_at last_order_at first_order_channel last_order_channel aov_365d
max_order_amount discount_order_share coupon_order_share refund_amount_lifetime refund_count_lifetime return_rate
categories_bought_lifetime brands_bought_lifetime top_categories top_brands preferred_order_channel
preferred_payment_method r_score f_score m_score rfm_segment_cn rfm_segment_en
sessions_90d page_views_90d searches_90d cart_adds_365d cart_abandonment_rate active_days_30d devices_used
preferred_device traffic_source time_of_day_habit weekend_event_share
email_opens_365d email_clicks_365d email_click_rate sms_clicks_365d wechat_reads_365d engagement_rate
campaign_responses_365d consent_email unsubscribes_lifetime
service_contacts_365d complaints_365d open_tickets avg_service_rating last_contact_at csat_avg nps_last nps_category
social_platforms social_likes_365d social_comments_365d social_shares_365d social_posts_365d social_followers_max
influence_score
referrals_365d referrals_lifetime referrals_converted_lifetime referral_conversion_rate referral_revenue_lifetime
is_referrer
price_sensitivity brand_loyalty novelty_seeking interests browse_interests shopping_motivation
value_tier lifecycle_stage clv_12m churn_risk probability_alive persona""".split()
REQUIRED_TAGS = {"high_value": "高价值客户", "prospect": "潜在客户", "new_customer": "新客户", "loyal": "忠诚客户",
                 "churn_warning": "流失预警", "dormant": "沉睡客户", "price_sensitive": "价格敏感型",
                 "top_referrer": "推荐达人"}
RFM_CN = ("重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户", "一般价值客户", "一般发展客户", "一般保持客户",
          "一般挽留客户")
RFM_EN = ("Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising", "Need Attention",
          "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost")
DIGITAL = ("手机", "笔记本电脑", "耳机", "智能手表", "数码配件")


# -- the library as a new workspace gets it ----------------------------------------------------------

def test_a_new_workspace_gets_the_library_and_it_loads(tmp_path: Path):
    ws = init_workspace(tmp_path / "shop", name="shop")
    ws.close()
    folder = load_folder(tmp_path / "shop")
    traits = folder.definitions["trait"]
    assert len(traits) >= 80
    assert {t.model.dimension for t in traits.values()} == set(DIMENSIONS)
    assert len(folder.definitions["tag"]) >= 18 and len(folder.definitions["segment"]) >= 8
    assert sorted(traits) == sorted(t.name for t in LIB.traits)
    assert {f"traits/{d}.yml" for d in DIMENSIONS} == {t.file for t in traits.values()}


def test_a_fresh_workspace_plans_the_library_and_apply_writes_it(tmp_path: Path):
    with init_workspace(tmp_path / "shop", name="shop") as ws:
        plan = ws.plan()
        assert {c.kind for c in plan.changes} == {"trait", "tag_category", "tag", "segment", "prediction", "action",
                                                  "persona"}
        assert {c.action for c in plan.changes} == {"create"}
        assert len(ws.apply().pending) == (len(LIB.traits) + len(LIB.categories) + len(LIB.tags) + len(LIB.segments)
                                           + len(LIB.predictions) + len(LIB.actions) + len(LIB.personas))
        assert ws.plan().pending == [] and ws.sources.list() == []
        assert len(ws.profiles.definitions().traits) == len(LIB.traits)
    assert not (tmp_path / "shop" / "warehouse.duckdb").exists()


def test_init_leaves_a_workspace_s_own_definition_files_alone(tmp_path: Path):
    root = tmp_path / "shop"
    (root / "traits").mkdir(parents=True)
    mine = "traits:\n  - {name: vip, dimension: value, dtype: boolean, mapped: member_level}\n"
    (root / "traits" / "value.yml").write_text(mine, encoding="utf-8")
    init_workspace(root, name="shop").close()
    assert (root / "traits" / "value.yml").read_text(encoding="utf-8") == mine
    assert (root / "traits" / "transactional.yml").exists()


def test_every_definition_is_named_and_described_in_chinese_and_english():
    for kind, items in (("trait", LIB.traits), ("tag", LIB.tags), ("segment", LIB.segments),
                        ("category", LIB.categories)):
        names = [i.name for i in items]
        assert len(names) == len(set(names)), f"duplicate {kind} names"
        for item in items:
            for text in (item.label.zh, item.label.en, item.description.zh, item.description.en):
                assert text and text.strip(), f"{kind} {item.name} lacks a label or description"
    labels = [label for t in LIB.tags for label in (t.label.zh, t.label.en)]
    assert len(labels) == len(set(labels)), "two tags share a label, so has_tag('<label>') would be ambiguous"


def test_the_required_traits_tags_and_rfm_classes_are_there():
    names = {t.name for t in LIB.traits}
    assert not set(REQUIRED) - names
    assert {t.name: t.label.zh for t in LIB.tags if t.name in REQUIRED_TAGS} == REQUIRED_TAGS
    assert any(t.manual for t in LIB.tags) and any(s.kind == "static" for s in LIB.segments)
    assert {t.category for t in LIB.tags} <= {c.name for c in LIB.categories}
    cn, en = DEFS.trait("rfm_segment_cn").derive, DEFS.trait("rfm_segment_en").derive
    assert all(f"'{c}'" in cn for c in RFM_CN) and all(c in en for c in RFM_EN)


def test_units_and_types_are_declared():
    for t in LIB.traits:
        if t.name.startswith(("monetary_", "aov_")) or t.name.endswith("_amount_lifetime"):
            assert (t.unit, t.dtype) == ("CNY", "float64"), t.name
        if t.name.startswith(("orders_", "sessions_")):
            assert (t.unit, t.dtype) == ("count", "int64"), t.name
        if t.name.endswith("_score") and t.kind == "derive":
            assert t.unit == "score", t.name


def test_every_expression_parses_type_checks_and_the_graph_has_no_cycle():
    # resolve() (at import) parsed and checked every column, filter, share, weight, derivation,
    # rule and condition; here: the derived traits form levels, and tags depend on tags acyclically
    derived = {t.name for t in LIB.traits if t.derive}
    assert set(DEFS.derived_deps) == derived
    assert sorted(itertools.chain(*levels(DEFS.derived_deps))) == sorted(derived)
    assert DEFS.tag_deps["vip_at_risk"] == {"high_value", "churn_warning"}


def test_scores_never_rank_customers_against_each_other():
    """Incremental builds equal full builds only if a customer's traits read that customer's rows alone."""
    for t in LIB.traits:
        for text in (t.derive, t.aggregate and t.aggregate.column, t.aggregate and t.aggregate.where):
            assert not text or not any(w in text for w in ("rank", "percentile", "ntile", "quantile")), t.name


# -- derived traits evaluated on hand-made rows --------------------------------------------------------

def derive(rows: list[dict], wanted: list[str]) -> list[dict]:
    """Evaluate the library's derived traits over rows that hold their inputs, as a build does."""
    con = ibis.duckdb.connect()
    table = ibis.memtable(rows, schema={c: IBIS_DTYPE[DEFS.trait(c).dtype] for c in rows[0]})
    ctx = Context(as_of=AS_OF, local_offset=dt.timedelta(hours=8))
    for level in levels(DEFS.derived_deps):
        ready = {n: compile_value(parse(DEFS.trait(n).derive), table, ctx) for n in level
                 if n not in table.columns and DEFS.derived_deps[n] | _inputs(n) <= set(table.columns)}
        if ready:
            table = table.mutate(**ready)
    out = table.select(*[table[n].cast(IBIS_DTYPE[DEFS.trait(n).dtype]) for n in wanted])
    return con.to_pyarrow(out).to_pylist()


def _inputs(name: str) -> set[str]:
    from huaxiang.domain.conditions import references

    return set(references(parse(DEFS.trait(name).derive)))


def r_f_m(recency: int, orders: int, spend: float) -> tuple[int, int, int]:
    """The scores as the descriptions state them."""
    r = 5 if recency <= 30 else 4 if recency <= 90 else 3 if recency <= 180 else 2 if recency <= 365 else 1
    f = 1 if orders == 1 else 2 if orders <= 3 else 3 if orders <= 7 else 4 if orders <= 14 else 5
    m = 1 if spend < 1000 else 2 if spend < 3000 else 3 if spend < 8000 else 4 if spend < 20000 else 5
    return r, f, m


def class_cn(r: int, f: int, m: int) -> str:
    hi = lambda s: s >= 3  # noqa: E731
    return {(True, True, True): "重要价值客户", (True, False, True): "重要发展客户", (False, True, True): "重要保持客户",
            (False, False, True): "重要挽留客户", (True, True, False): "一般价值客户", (True, False, False): "一般发展客户",
            (False, True, False): "一般保持客户", (False, False, False): "一般挽留客户"}[(hi(r), hi(f), hi(m))]


#: R (rows 5..1) x FM (columns 1..5), the usual map of the 11 segments
EN_GRID = {
    5: ["New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
    4: ["Promising", "Potential Loyalist", "Potential Loyalist", "Loyal Customers", "Loyal Customers"],
    3: ["About To Sleep", "About To Sleep", "Need Attention", "Loyal Customers", "Loyal Customers"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    1: ["Lost", "Lost", "At Risk", "At Risk", "Can't Lose Them"],
}


def test_rfm_scores_and_both_class_models_follow_their_descriptions():
    recencies = (0, 30, 31, 90, 91, 180, 181, 365, 366, 900)
    orders = (1, 2, 3, 4, 7, 8, 14, 15, 40)
    spends = (10.0, 999.99, 1000.0, 2999.0, 3000.0, 7999.0, 8000.0, 19999.0, 20000.0, 90000.0)
    rows = [{"recency_days": r, "orders_lifetime": o, "monetary_lifetime": m}
            for r, o, m in itertools.product(recencies, orders, spends)]
    out = derive(rows, ["recency_days", "orders_lifetime", "monetary_lifetime", "r_score", "f_score", "m_score",
                        "rfm_code", "rfm_segment_cn", "rfm_segment_en"])
    seen_en = set()
    for row in out:
        r, f, m = r_f_m(row["recency_days"], row["orders_lifetime"], row["monetary_lifetime"])
        assert (row["r_score"], row["f_score"], row["m_score"], row["rfm_code"]) == (r, f, m, r * 100 + f * 10 + m)
        assert row["rfm_segment_cn"] == class_cn(r, f, m)
        fm = int((f + m) / 2 + 0.5)
        assert row["rfm_segment_en"] == EN_GRID[r][fm - 1], (r, f, m)
        seen_en.add(row["rfm_segment_en"])
    assert seen_en == set(RFM_EN)


def test_rfm_is_empty_for_customers_who_never_bought():
    [row] = derive([{"recency_days": None, "orders_lifetime": 0, "monetary_lifetime": 0.0}],
                   ["r_score", "f_score", "m_score", "rfm_segment_cn", "rfm_segment_en"])
    assert set(row.values()) == {None}


@pytest.mark.parametrize("first_days, recency, o90, o90_365, o365, lifetime, stage", [
    (None, None, 0, 0, 0, 0, "prospect"),
    (20, 20, 1, 0, 1, 1, "new"),
    (700, 10, 1, 0, 1, 5, "won_back"),   # back after a year away
    (700, 10, 2, 3, 5, 9, "loyal"),
    (700, 10, 1, 1, 2, 9, "active"),
    (700, 150, 0, 2, 2, 9, "active"),
    (700, 200, 0, 1, 1, 9, "dormant"),
    (700, 400, 0, 0, 0, 9, "churned"),
])
def test_lifecycle_stages(first_days, recency, o90, o90_365, o365, lifetime, stage):
    first = None if first_days is None else AS_OF - dt.timedelta(days=first_days)
    [row] = derive([{"first_order_at": first, "recency_days": recency, "orders_90d": o90, "orders_90_365d": o90_365,
                     "orders_365d": o365, "orders_lifetime": lifetime}], ["lifecycle_stage"])
    assert row["lifecycle_stage"] == stage


def test_city_tier_age_band_and_nps_category():
    rows = [{"city": c, "birth_date": b, "stated_age": a, "nps_last": n} for c, b, a, n in (
        ("深圳市", dt.date(2000, 7, 1), None, 10), ("杭州市", dt.date(2000, 6, 30), None, 8),
        ("厦门市", None, 70, 6), ("九江市", None, None, None), (None, dt.date(2010, 1, 1), 30, 9),
        ("Boston", None, None, 0))]
    out = derive(rows, ["city_tier", "age", "age_band", "nps_category"])
    assert [r["city_tier"] for r in out] == ["一线", "新一线", "二线", "三线及以下", None, None]
    assert [r["age"] for r in out] == [25, 26, 70, None, 16, None]  # birth date first; the stated age without one
    assert [r["age_band"] for r in out] == ["25-34", "25-34", "65+", None, "<18", None]
    assert [r["nps_category"] for r in out] == ["promoter", "passive", "detractor", None, "promoter", "detractor"]


def test_ratios_are_empty_rather_than_made_up_without_a_denominator():
    rows = [{"email_opens_365d": 0, "email_clicks_365d": 1, "cart_adds_365d": 0, "checkouts_started_365d": 2,
             "referrals_lifetime": 0, "referrals_converted_lifetime": 0, "orders_lifetime": 2,
             "discount_order_share": 1.0, "avg_discount_rate": 0.3}]
    [row] = derive(rows, ["email_click_rate", "cart_abandonment_rate", "referral_conversion_rate", "price_sensitivity"])
    assert set(row.values()) == {None}


# -- the demo, built with the library, against its planted truth -----------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from huaxiang.demo.showcase import run_demo

    root = tmp_path_factory.mktemp("library") / "demo"
    report = run_demo(root, customers=1000, seed=11, predict=False)
    con = duckdb.connect()
    con.execute(f"ATTACH '{root / 'warehouse.duckdb'}' AS w (READ_ONLY)")
    truth = root / "demo_truth"
    con.execute(f"""CREATE TEMP TABLE who AS
        WITH votes AS (SELECT r.customer_id, i.true_person_id, count(*) AS n FROM w.customer_records r
                       JOIN '{truth / 'identity.parquet'}' i USING (source, source_key) GROUP BY ALL),
             best AS (SELECT customer_id, arg_max(true_person_id, n) AS person FROM votes GROUP BY 1)
        SELECT b.customer_id, t.type, c.churned_at, p.city_tier AS true_tier
        FROM best b JOIN '{truth / 'customer_types.parquet'}' t ON t.true_person_id = b.person
        JOIN '{truth / 'churn.parquet'}' c ON c.true_person_id = b.person
        JOIN '{truth / 'people.parquet'}' p ON p.true_person_id = b.person""")
    con.execute("CREATE TEMP TABLE j AS SELECT * FROM w.profiles JOIN who USING (customer_id)")
    yield report, con
    con.close()


def _one(con, sql: str):
    return con.execute(sql).fetchone()


def test_the_demo_builds_every_library_trait_for_every_customer(demo):
    report, con = demo
    assert report["profiles"]["traits"] == len(LIB.traits)
    columns = {r[0] for r in con.execute("DESCRIBE w.profiles").fetchall()}
    assert {t.name for t in LIB.traits} <= columns
    customers, typed = _one(con, "SELECT (SELECT count(*) FROM w.profiles), (SELECT count(*) FROM j)")
    assert customers == report["profiles"]["customers"] and typed >= 0.95 * customers


def test_the_demo_s_tags_are_neither_empty_nor_everyone(demo):
    report, con = demo
    customers = report["profiles"]["customers"]
    counts = report["profiles"]["tags"]
    for tag in LIB.tags:
        if tag.rule:
            assert 0 < counts.get(tag.name, 0) < 0.5 * customers, (tag.name, counts.get(tag.name))
    segments = report["profiles"]["segments"]
    assert sum(1 for s in LIB.segments if segments.get(s.name, 0) > 0) >= len(LIB.segments) - 2


def test_tech_enthusiasts_show_digital_interests(demo):
    _, con = demo
    digital = "[" + ", ".join(f"'{c}'" for c in DIGITAL) + "]"
    tech, others = _one(con, f"""SELECT
        avg((len(list_intersect(interests, {digital})) > 0)::int) FILTER (WHERE type = 'tech_enthusiast'),
        avg((len(list_intersect(interests, {digital})) > 0)::int) FILTER (WHERE type <> 'tech_enthusiast')
        FROM j WHERE interests IS NOT NULL""")
    assert tech > 0.85 and tech > 2 * others


def test_customer_types_differ_where_they_were_planted(demo):
    _, con = demo
    by_type = {r[0]: r[1:] for r in con.execute("""SELECT type, avg(price_sensitivity), avg(outdoor_affinity),
        avg(family_affinity), avg(age), avg((time_of_day_habit = 'night')::int) FROM j GROUP BY 1""").fetchall()}
    students, elite = by_type["bargain_student"], by_type["business_elite"]
    assert students[0] > 3 * elite[0]  # coupons on most orders vs almost none
    assert by_type["outdoor_lover"][1] > 3 * max(v[1] for k, v in by_type.items() if k != "outdoor_lover")
    assert by_type["young_mom"][2] > 3 * max(v[2] for k, v in by_type.items() if k != "young_mom")
    assert by_type["silver_homebody"][3] > 55 and students[3] < 25
    assert students[4] == max(v[4] for v in by_type.values())  # the night owls


def test_churned_customers_look_churned(demo):
    _, con = demo
    rows = {r[0]: r[1:] for r in con.execute("""SELECT churned_at IS NOT NULL, median(recency_days),
        avg((lifecycle_stage IN ('dormant', 'churned'))::int) FROM j WHERE orders_lifetime > 0 GROUP BY 1""").fetchall()}
    churned, staying = rows[True], rows[False]
    assert churned[0] > 3 * staying[0]
    assert churned[1] > 0.75 and staying[1] < 0.4


def test_city_tiers_agree_with_the_demo_s_geography(demo):
    _, con = demo
    expected = "CASE true_tier WHEN 1 THEN '一线' WHEN 2 THEN '新一线' WHEN 3 THEN '二线' ELSE '三线及以下' END"
    agree, known = _one(con, f"SELECT count(*) FILTER (WHERE city_tier = {expected}), count(*) FROM j WHERE city IS NOT NULL")
    assert agree >= 0.97 * known


def test_every_buyer_has_one_rfm_class_and_non_buyers_none(demo):
    _, con = demo
    rows = con.execute("SELECT orders_lifetime > 0, rfm_segment_cn, rfm_segment_en, count(*) FROM w.profiles "
                       "GROUP BY ALL").fetchall()
    for buyer, cn, en, _ in rows:
        assert (cn in RFM_CN and en in RFM_EN) if buyer else (cn is None and en is None)
    assert {r[1] for r in rows if r[0]} == set(RFM_CN)
