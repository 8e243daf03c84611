"""Predictions, actions and personas are checked against the traits, with file and key named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import huaxiang
from huaxiang.definitions.loader import DefinitionError
from huaxiang.predict import PredictError


def test_the_library_checks_clean_and_bad_definitions_name_file_and_key(tmp_path: Path):
    with huaxiang.init_workspace(tmp_path / "shop", name="shop") as ws:
        ws.apply()
        defs = ws.predictions.definitions()
        assert {p.kind for p in defs.predictions} == {"clv", "churn", "propensity", "referral", "lead_score", "personas"}
        assert [a.name for a in sorted(defs.actions, key=lambda a: a.priority)][0] == "resolve_complaint"
        bad = {"predictions": [{"name": "churn2", "kind": "churn", "features": ["churn_risk", "nope"]}],
               "actions": [{"name": "call", "condition": "monetary_365d > 'x'", "reason": {"zh": "{unknown_trait}"}}]}
        (ws.root / "predictions" / "bad.yml").write_text(yaml.safe_dump(bad), encoding="utf-8")
        ws.apply()
        with pytest.raises(DefinitionError) as err:
            ws.predictions.definitions()
        text = "\n".join(str(p) for p in err.value.problems)
        assert "predictions/bad.yml" in text
        assert "churn2.features[0]" in text and "is predicted" in text
        assert "churn2.features[1]" in text and "is not a trait" in text
        assert "call.condition" in text and "call.reason" in text and "unknown_trait" in text


def test_a_bad_horizon_is_refused_when_loading(tmp_path: Path):
    with huaxiang.init_workspace(tmp_path / "shop", name="shop") as ws:
        (ws.root / "predictions" / "bad.yml").write_text(
            yaml.safe_dump({"predictions": [{"name": "x", "kind": "churn", "horizon": "soon"}]}), encoding="utf-8")
        with pytest.raises(DefinitionError, match="horizon"):
            ws.plan()


def test_predicting_before_profiles_or_training_says_what_to_run(tmp_path: Path):
    with huaxiang.init_workspace(tmp_path / "shop", name="shop") as ws:
        ws.apply()
        with pytest.raises(PredictError) as err:
            ws.predictions.train(["churn"])
        assert err.value.code == "predict.no_profiles"
        with pytest.raises(PredictError) as err:
            ws.predictions.card("churn")
        assert err.value.code == "predict.untrained"
        with pytest.raises(PredictError) as err:
            ws.predictions.definitions().prediction("nope")
        assert err.value.code == "predict.unknown" and "churn" in err.value.params["known"]
