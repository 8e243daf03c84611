"""Every prediction on the demo, end to end: trained on snapshots, judged on held-back time, scored
into traits, read by tags and actions, shown on the card and by the CLI."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from typer.testing import CliRunner

import huaxiang
from huaxiang.cli import app
from huaxiang.predict.actions import render_reason

pytestmark = pytest.mark.xdist_group("predicted_demo")


@pytest.fixture
def ws(predicted_demo):
    root, _ = predicted_demo
    with huaxiang.open_workspace(root) as opened:
        yield opened


def rows(ws, sql, params=None):
    return ws.warehouse.raw.execute(sql, params or []).fetchall()


def test_churn_beats_the_probability_alive_baseline_on_held_back_time(ws):
    card = ws.predictions.card("churn")
    m = card["metrics"]
    assert m["n"] > 500 and 0.2 < m["base_rate"] < 0.9
    assert m["auc"] > 0.65
    assert m["auc"] > card["baseline"]["probability_alive"]["auc"]
    assert m["top_decile_precision"] > m["base_rate"]
    assert abs(sum(b["n"] for b in m["calibration"]) - m["n"]) == 0
    # features are read at the test cutoff, labels after it: the windows do not overlap
    w = card["windows"]
    assert w["test_features_at"] == w["test_labels"]["from"] and w["train_labels"]["to"] == w["test_features_at"]
    assert "churn_risk" not in card["features"] and "monetary_lifetime" in card["features"]


def test_scores_become_traits_with_bands_and_reasons(ws):
    found = rows(ws, "SELECT p.churn_risk, p.churn_band, p.churn_reasons, c.probability FROM profiles p "
                     "JOIN predicted_churn c USING (customer_id)")
    assert len(found) > 500
    risk = np.array([r[0] for r in found])
    assert np.allclose(risk, [r[3] for r in found]) and risk.min() >= 0 and risk.max() <= 1
    expected = np.select([risk >= 0.6, risk >= 0.3], ["high", "medium"], "low")
    assert [r[1] for r in found] == list(expected)
    trait_names = {t.name for t in ws.profiles.definitions().traits}
    reasons = [r for row in found for r in (row[2] or [])]
    assert reasons and set(reasons) <= trait_names
    # only those who bought before are scored for churn
    assert rows(ws, "SELECT count(*) FROM predicted_churn c JOIN profiles p USING (customer_id) "
                    "WHERE coalesce(p.orders_lifetime, 0) = 0")[0][0] == 0


def test_tags_read_the_scores_after_scoring(ws):
    """The churn-warning tag's rule names churn_risk: every customer at 0.6 or more has the tag."""
    missing = rows(ws, "SELECT count(*) FROM profiles p WHERE churn_risk >= 0.6 AND customer_id NOT IN "
                       "(SELECT customer_id FROM tag_members WHERE tag = 'churn_warning')")
    assert missing[0][0] == 0
    assert rows(ws, "SELECT count(*) FROM profiles WHERE churn_risk >= 0.6")[0][0] > 0


def test_clv_outputs_and_holdout_calibration(ws):
    card = ws.predictions.card("clv")
    m = card["metrics"]
    assert 0.7 < m["ratio"] < 1.4 and m["correlation"] > 0.4
    assert card["parameters"]["bg_nbd"]["converged"] is True
    found = rows(ws, "SELECT clv_12m, expected_orders_12m, probability_alive, expected_spend, next_purchase_at, as_of "
                     "FROM profiles WHERE clv_12m IS NOT NULL")
    assert len(found) > 500
    clv, orders, alive, spend = (np.array([r[i] for r in found]) for i in range(4))
    assert (clv >= 0).all() and (alive >= 0).all() and (alive <= 1).all() and (spend > 0).all()
    # discounted: never more than expected orders times expected spend
    assert (clv <= orders * spend + 1e-6).all()
    for r in found:  # the next purchase is within the 12 months exactly when one purchase is expected by then
        assert (r[4] is not None) == (r[1] >= 1.0)
        if r[4] is not None:
            assert 0 <= (r[4] - r[5]).days <= 366


def test_every_customer_has_a_persona_and_the_demo_types_are_recovered(ws, predicted_demo):
    root, _ = predicted_demo
    total = rows(ws, "SELECT count(*), count(persona_id), min(persona_fit), max(persona_fit) FROM profiles")[0]
    assert total[0] == total[1] and 0 <= total[2] <= total[3] <= 1
    cards = ws.personas.cards()
    assert 3 <= len(cards) <= 11 and len({c["name_zh"] for c in cards}) == len(cards)
    assert all(c["name_en"] and c["narrative_zh"] and c["narrative_en"] for c in cards)
    from sklearn.metrics import adjusted_rand_score

    truth = rows(ws, f"""
        SELECT p.persona_id, any_value(t.type) FROM profiles p JOIN customer_records r USING (customer_id)
        JOIN '{root}/demo_truth/identity.parquet' i ON i.source = r.source AND i.source_key = r.source_key
        JOIN '{root}/demo_truth/customer_types.parquet' t USING (true_person_id) GROUP BY p.customer_id, p.persona_id""")
    assert adjusted_rand_score([t[1] for t in truth], [t[0] for t in truth]) > 0.3


def test_persona_ids_and_edits_survive_rediscovery(ws):
    before = dict(rows(ws, "SELECT customer_id, persona_id FROM profiles"))
    first = ws.personas.cards()[0]
    ws.personas.edit(first["id"], name_zh="测试画像", name_en="Test persona")
    assert ws.personas.card(first["id"])["name_zh"] == "测试画像"
    import yaml

    edits = yaml.safe_load((ws.root / "personas" / "edits.yml").read_text(encoding="utf-8"))["personas"]
    assert {"name": first["id"], "label": {"zh": "测试画像", "en": "Test persona"}} in edits
    assert ws.plan().pending == []  # the folder and the catalog agree
    ws.predictions.score(["personas"])
    after = dict(rows(ws, "SELECT customer_id, persona_id FROM profiles"))
    same = np.mean([before[c] == after.get(c) for c in before])
    assert same > 0.95
    assert ws.personas.card(first["id"])["name_en"] == "Test persona"
    assert rows(ws, "SELECT count(*) FROM profiles WHERE persona_id = ? AND persona <> ?",
                [first["id"], "测试画像"])[0][0] == 0


def test_next_best_action_is_the_first_applicable_rule_with_its_reason(ws):
    defs = ws.predictions.definitions()
    by_name = {a.name: a for a in defs.actions}
    found = rows(ws, "SELECT n.customer_id, n.action, n.reason, n.actions, p.open_tickets, p.complaints_90d "
                     "FROM predicted_next_best_action n JOIN profiles p USING (customer_id)")
    assert len(found) > 100 and len({r[1] for r in found}) >= 3
    for cid, action, reason, listed, open_tickets, complaints in found[:300]:
        assert listed[0] == action
        priorities = [by_name[a].priority for a in listed]
        assert priorities == sorted(priorities)
        if (open_tickets or 0) > 0 or (complaints or 0) > 0:
            assert action == "resolve_complaint"
    cid = found[0][0]
    values = dict(zip([d[0] for d in ws.warehouse.raw.execute("SELECT * FROM profiles LIMIT 0").description],
                      rows(ws, "SELECT * FROM profiles WHERE customer_id = ?", [cid])[0]))
    assert found[0][2] == render_reason(by_name[found[0][1]], values, "zh")  # SQL and Python fill it alike


def test_models_are_stored_with_cards_in_the_catalog(ws):
    models = ws.predictions.models()
    kinds = {m["kind"] for m in models}
    assert {"clv", "churn", "propensity", "referral", "lead_score", "personas"} <= kinds
    row = ws.catalog.prediction_models("churn", 1, with_model=True)[0]
    fitted = pickle.loads(row["model"])
    assert fitted["model"].traits == row["card"]["features"]
    assert {e["action"] for e in ws.catalog.audit_entries(200)} >= {"predict.train", "predict.score"}


def test_profile_card_shows_predictions_persona_and_action(predicted_demo):
    root, _ = predicted_demo
    with huaxiang.open_workspace(root) as ws:  # closed before the CLI opens it
        cid = rows(ws, "SELECT customer_id FROM profiles WHERE next_best_action IS NOT NULL AND persona IS NOT NULL "
                       "AND churn_risk IS NOT NULL ORDER BY customer_id LIMIT 1")[0][0]
    for lang, words in (("zh", ("下一步最佳行动", "流失风险", "画像")), ("en", ("Next best action", "Churn risk", "Persona"))):
        result = CliRunner().invoke(app, ["--lang", lang, "profile", cid, "-w", str(root)])
        assert result.exit_code == 0, result.output
        for w in words:
            assert w in result.output


def test_predict_report_writes_text_and_png_plots(predicted_demo, tmp_path):
    root, _ = predicted_demo
    result = CliRunner().invoke(app, ["--lang", "en", "predict", "report", "churn", "--plots", str(tmp_path), "-w", str(root)])
    assert result.exit_code == 0, result.output
    assert "AUC" in result.output and "Calibration" in result.output
    pngs = sorted(tmp_path.glob("*.png"))
    assert {p.name for p in pngs} == {"churn_calibration.png", "churn_weights.png"}
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000 for p in pngs)
    bad = CliRunner().invoke(app, ["--lang", "en", "predict", "report", "nope", "-w", str(root)])
    assert bad.exit_code == 1 and "no prediction named nope" in bad.output


def test_text_signals_feed_service_traits(ws):
    found = rows(ws, "SELECT count(*), count(avg_sentiment_90d), count(last_complaint_topic) FROM profiles")[0]
    assert found[1] > 0 and found[2] > 0
    topics = {r[0] for r in rows(ws, "SELECT DISTINCT last_complaint_topic FROM profiles WHERE last_complaint_topic IS NOT NULL")}
    assert topics <= {"delivery", "quality", "service", "price", "refund_return", "membership", "payment",
                      "product_inquiry", "other"}
