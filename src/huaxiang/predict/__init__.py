"""Predictions (DESIGN §7 "predicted"): CLV, churn, propensity, referral, lead score, personas, text,
recommendations and next best actions. Models fit in Python (scipy, scikit-learn) on feature tables
the engine produced; scoring is vectorized; every output becomes a trait (see ``docs/predictions.md``).
"""


class PredictError(ValueError):
    """An expected failure a person can fix (no profiles yet, an unknown prediction…): a code and its values."""

    def __init__(self, code: str, **params: object):
        self.code, self.params = code, params
        super().__init__(f"{code}: " + ", ".join(f"{k}={v}" for k, v in params.items()))
