"""The classifier's pieces on data where the answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from huaxiang.predict import classify


def _planted(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "days_quiet": rng.exponential(60, n),
                          "noise": rng.normal(size=n), "tier": rng.choice(["a", "b", "c"], n)})
    logit = (frame["days_quiet"] - 60) / 30 + np.where(frame["tier"] == "c", 1.5, 0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame, y


def test_fit_finds_the_planted_drivers_and_reasons_name_them():
    frame, y = _planted()
    model = classify.fit(frame, y, ["days_quiet", "noise", "tier"])
    p = model.probability(frame)
    assert classify.metrics(y, p)["auc"] > 0.8
    reasons = model.reasons(frame)
    top = frame.assign(p=p, first=[r[0] if len(r) else None for r in reasons]).nlargest(200, "p")
    assert set(top["first"]) <= {"days_quiet", "tier"}
    # a customer whose traits all pull the risk down gets no reason
    calm = pd.DataFrame({"customer_id": ["x"], "days_quiet": [0.0], "noise": [0.0], "tier": ["a"]})
    assert list(model.reasons(calm)[0]) == [] or "noise" in list(model.reasons(calm)[0])


def test_metrics_on_a_hand_checked_example():
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    p = np.array([0.95, 0.85, 0.75, 0.65, 0.55, 0.35, 0.25, 0.15, 0.05, 0.02])
    m = classify.metrics(y, p)
    # positives rank 1, 2, 5 among 10: 19 of the 21 positive-negative pairs are ordered right
    assert m["auc"] == pytest.approx(19 / 21)
    assert m["top_decile_precision"] == 1.0 and m["base_rate"] == pytest.approx(0.3)
    assert sum(b["n"] for b in m["calibration"]) == 10
    top_bin = next(b for b in m["calibration"] if b["bin"] == "0.9-1.0")
    assert top_bin == {"bin": "0.9-1.0", "n": 1, "predicted": 0.95, "observed": 1.0}


def test_bands_and_ragged_lists():
    assert list(classify.bands(np.array([0.1, 0.3, 0.59, 0.6, 0.99]))) == ["low", "medium", "medium", "high", "high"]
    values = np.array([["a", "b"], ["c", "d"], ["e", "f"]], dtype=object)
    keep = np.array([[True, False], [False, False], [True, True]])
    assert [list(x) for x in classify.ragged(values, keep)] == [["a"], [], ["e", "f"]]


def test_one_class_labels_are_refused_clearly():
    frame, _ = _planted(100)
    with pytest.raises(ValueError, match="one class only"):
        classify.fit(frame, np.zeros(100, dtype=int), ["days_quiet"])


def test_scores_match_scikit_learn_across_chunks(monkeypatch):
    frame, y = _planted(2500)
    model = classify.fit(frame, y, ["days_quiet", "noise", "tier"])
    expected = model.pipeline.predict_proba(frame[model.numeric + model.text])[:, 1]
    monkeypatch.setattr(classify, "CHUNK", 1000)  # three chunks, the last one short
    p, reasons = model.score(frame)
    assert np.allclose(p, expected) and len(reasons) == 2500
    assert [list(r) for r in reasons[1995:2005]] == [list(r) for r in model.reasons(frame.iloc[1995:2005])]


def test_models_fitted_together_share_one_preparation_and_a_sample():
    frame, y = _planted(3000)
    other = 1 - y
    models = classify.fit_many(frame, {"risk": y, "calm": other}, ["days_quiet", "noise", "tier"], rows=1000)
    assert models["risk"].prep[0] is models["calm"].prep[0]
    p = classify.probabilities(models, frame)
    assert p.shape == (3000, 2)
    assert np.allclose(p[:, 0], models["risk"].pipeline.predict_proba(frame[models["risk"].numeric + models["risk"].text])[:, 1])
    # fitted on 1,000 of 3,000 rows, the drivers are still found; opposite labels give opposite weights
    assert classify.metrics(y, p[:, 0])["auc"] > 0.8
    assert np.sign(models["risk"].coef[0]) == -np.sign(models["calm"].coef[0])
    # the sample is seeded: the same call fits the same model
    again = classify.fit_many(frame, {"risk": y}, ["days_quiet", "noise", "tier"], rows=1000)["risk"]
    assert np.array_equal(again.coef, models["risk"].coef)
    assert not np.array_equal(classify.fit(frame, y, ["days_quiet", "noise", "tier"]).coef, models["risk"].coef)
