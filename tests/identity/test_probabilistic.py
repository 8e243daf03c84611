"""Probabilistic linking (Splink): a model trained without labels on the demo, then used on hand-made cases.

The demo's planted duplicates give the truth for precision and recall. The hand-made cases run in
a small workspace given the demo's trained model (too few records there to train one), so each
case shows one behaviour: a typo'd name across CRM and store, a guard-rail refusing a scored
pair, the review band and its decisions.
"""

from __future__ import annotations

import pytest
from helpers import write
from idshop import cli, customer_of, customers

import huaxiang
from huaxiang import identity

PAIRS = """
WITH t AS (SELECT i.true_person_id AS person, r.customer_id, i.source, i.source_key
           FROM read_parquet(?) i JOIN customer_records r USING (source, source_key))
SELECT count(*) FILTER (a.person = b.person AND a.customer_id = b.customer_id),
       count(*) FILTER (a.person <> b.person AND a.customer_id = b.customer_id),
       count(*) FILTER (a.person = b.person AND a.customer_id <> b.customer_id)
FROM t a JOIN t b ON (a.source, a.source_key) < (b.source, b.source_key)
WHERE a.person = b.person OR a.customer_id = b.customer_id"""


def _precision_recall(ws, truth: str) -> tuple[float, float]:
    tp, fp, fn = ws.warehouse.raw.execute(PAIRS, [truth]).fetchone()
    return tp / (tp + fp), tp / (tp + fn)


@pytest.fixture(scope="module")
def demo(trained_demo):
    """The trained demo: the model, and precision / recall with and without it."""
    root, _ = trained_demo
    truth = str(root / "demo_truth" / "identity.parquet")
    with huaxiang.open_workspace(root) as ws:
        model = ws.identity.model()
        result = ws.identity.build(full=True)
        with_model = _precision_recall(ws, truth)
        edges = ws.warehouse.raw.execute("""SELECT match_weight, evidence::VARCHAR, customer_id FROM identity_edges
                                            WHERE rule = 'probabilistic'""").fetchall()
        rules = ws.identity.rules()
        deterministic = identity.build(ws.warehouse, rules, ws.catalog.identity_decisions(), None)
        without_model = _precision_recall(ws, truth)
        models = ws.catalog.identity_model()
    return {"model": model, "result": result, "with": with_model, "without": without_model, "edges": edges,
            "deterministic": deterministic, "newest": models, "rules": rules}


def test_the_first_build_trains_a_model_without_labels_and_keeps_it_in_the_catalog(demo):
    model = demo["model"]
    assert model is not None and model.records > 1000
    assert demo["newest"]["id"] == model.id  # the second build used it, it did not train again
    summary = model.summary
    assert 0 < summary["prior_match_probability"] < 0.01
    weights = {(name, lv["level"]): lv["weight"] for name, levels in summary.items() if isinstance(levels, list)
               for lv in levels}
    # what EM learned from the data: agreement on a name or a birth date is strong evidence, disagreement against
    assert weights[("name", "exact")] > 5 and weights[("birth_date", "exact")] > 5
    assert weights[("name", "different")] < 0 and weights[("birth_date", "different")] < 0
    assert model.model["comparisons"] and model.model["link_type"] == "dedupe_only"


def test_probabilistic_links_find_duplicates_identifiers_miss_without_losing_precision(demo):
    precision, recall = demo["with"]
    det_precision, det_recall = demo["without"]
    # thresholds (docs/identity.md): link at match weight 8 (odds 256:1), review from 3 (8:1)
    assert precision >= 0.99 and recall >= 0.95
    assert det_precision >= 0.99 and recall > det_recall + 0.03  # it finds what shared identifiers cannot
    assert demo["result"].counts["scored_links"] > 0 and "probabilistic" in demo["result"].rounds
    assert "scored_links" not in demo["deterministic"].counts


def test_every_probabilistic_edge_carries_its_weight_and_the_comparisons_that_agreed(demo):
    import json

    assert demo["edges"]
    link_above = demo["rules"].probabilistic.link_above
    for weight, evidence, _ in demo["edges"]:
        levels = json.loads(evidence)
        assert weight >= link_above
        assert set(levels) == {"name", "birth_date", "gender", "phone", "email", "address"}
        assert any(v in ("exact", "pinyin") for v in levels.values())


# ---- hand-made cases, with the demo's model -----------------------------------------------------------------

@pytest.fixture
def shop_with_model(shop, with_model):
    def make(crm, store=(), identity_yml=None):
        return with_model(shop(crm, store, identity_yml=identity_yml))

    return make


# Zhang Weiming in the CRM (old phone, no member id) and in the store as 张伟铭 (same sound, a typo) with a new phone
TYPO_CRM = ["C1,张伟明,男,1990-03-14,13911112222,,"]
TYPO_STORE = ["M1,张伟铭,男,1990-03-14,13533334444"]


def test_the_same_person_in_crm_and_store_with_a_typo_and_a_new_phone_is_one_customer(shop_with_model):
    ws = shop_with_model(TYPO_CRM, TYPO_STORE)
    result = ws.identity.build()
    assert customers(ws) == [["crm/C1", "store/M1"]]
    assert result.counts["scored_links"] == 1
    explained, = ws.identity.explain("M1")
    edge, = explained.edges
    assert (edge.rule, edge.identifier_type) == ("probabilistic", "probabilistic")
    assert edge.evidence["name"] == "pinyin" and edge.evidence["birth_date"] == "exact"
    assert edge.evidence["phone"] == "different" and edge.match_weight >= 8


def test_without_a_model_or_when_disabled_the_typo_stays_two_customers(shop):
    ws = shop(TYPO_CRM, TYPO_STORE)  # two records: too few to train, no model
    result = ws.identity.build()
    assert len(customers(ws)) == 2 and "scored_links" not in result.counts
    assert ws.identity.model() is None
    with pytest.raises(identity.TooFewRecords, match="too few"):
        ws.identity.train()


def test_probabilistic_linking_can_be_switched_off(shop_with_model):
    ws = shop_with_model(TYPO_CRM, TYPO_STORE, identity_yml="probabilistic: {enabled: false}\n")
    ws.identity.build()
    assert len(customers(ws)) == 2


def test_a_scored_pair_never_merges_two_member_ids(shop_with_model):
    # twins? two store members, same name, birth date and phone: the phone link is refused by member_id,
    # and so is the probabilistic link, which goes to the review queue with the reason
    ws = shop_with_model([], ["M1,李娜,女,1988-08-08,13700001111", "M2,李娜,女,1988-08-08,13700001111"])
    ws.identity.build()
    assert customers(ws) == [["store/M1"], ["store/M2"]]
    items = {i.identifier_type: i for i in ws.identity.review()}
    scored = items["probabilistic"]
    assert scored.match_weight >= 8 and scored.evidence["name"] == "exact"
    assert {c.check_name for c in scored.reasons} == {"member_id"}
    assert sorted(c.customer_id for c in scored.customers) == sorted(customer_of(ws, "store", k) for k in ("M1", "M2"))


# two CRM records with the same name and phone ending, nothing else: the review band, not a link
BAND = ["C1,陈静,女,,13812345678,,", "C2,陈静,女,,13987655678,,"]


def _band_workspace(shop_with_model):
    ws = shop_with_model(BAND, identity_yml="probabilistic: {review_above: -100}\n")  # keep every scored pair
    ws.identity.build()
    weight, = [w for (w,) in ws.warehouse.raw.execute("SELECT match_weight FROM identity_matches").fetchall()]
    write(ws.root / "identity.yml", f"probabilistic: {{review_above: {weight - 1}, link_above: {weight + 1}}}\n")
    ws.apply()  # thresholds changed: the same model is used, no retraining
    result = ws.identity.build()
    return ws, weight, result


def test_pairs_between_the_thresholds_go_to_the_review_queue_and_accept_merges_them(shop_with_model):
    ws, weight, result = _band_workspace(shop_with_model)
    assert result.counts["scored_reviews"] == 1 and result.counts["scored_links"] == 0
    assert len(customers(ws)) == 2
    item, = ws.identity.review()
    assert item.identifier_type == "probabilistic" and item.match_weight == pytest.approx(weight)
    assert item.evidence["name"] == "exact" and item.evidence["phone"] == "same_last4" and not item.reasons
    ws.identity.accept(item.item_id, reason="same person, she changed phone")
    assert customers(ws) == [["crm/C1", "crm/C2"]]
    assert ws.identity.review() == []
    assert ws.catalog.identity_model()["id"] == 1


def test_rejecting_a_scored_pair_closes_it_for_good(shop_with_model):
    ws, _, _ = _band_workspace(shop_with_model)
    item, = ws.identity.review()
    ws.identity.reject(item.item_id, reason="two different people")
    ws.identity.build()
    assert len(customers(ws)) == 2 and ws.identity.review() == []


def test_thresholds_are_checked(shop):
    from idshop import rules_problem

    ws = shop([])
    problem = rules_problem(ws, "probabilistic: {review_above: 12, link_above: 10}\n")
    assert "review_above" in str(problem)
    problem = rules_problem(ws, "probabilistic: {blocking: [[name, shoe_size]]}\n")
    assert "shoe_size" in str(problem)


def test_cli_model_explain_and_review_show_weights_and_evidence(shop_with_model):
    ws = shop_with_model(TYPO_CRM, TYPO_STORE)
    root = ws.root
    ws.close()
    run = cli(root, columns=200)

    shown = run("model")
    assert shown.returncode == 0 and "Probabilistic model 1" in shown.stdout and "same pinyin" in shown.stdout
    built = run("build")
    assert built.returncode == 0 and "pairs linked by the probabilistic model" in built.stdout
    assert "count." not in built.stdout  # every count has a label
    why = run("explain", "M1", lang="zh")
    assert why.returncode == 0 and "匹配权重" in why.stdout and "姓名 拼音相同" in why.stdout
    trained = run("train")  # two records: too few to train here
    assert trained.returncode == 1 and "too few" in trained.stderr
