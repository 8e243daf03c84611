"""Binary classifiers on trait features (churn, referral, lead score, category propensity), with reasons.

The model is a scikit-learn pipeline: numeric traits imputed by their median (with a "was missing"
indicator), compressed by a signed ``log1p`` (counts and amounts are heavy-tailed) and standardized;
text traits one-hot encoded (their 12 most frequent values); then an L2 logistic regression with
balanced class weights off. A linear model is chosen on purpose: every score splits exactly into
per-trait contributions, which are the **reason codes** staff read ("the traits that push the risk
up"); the backtest in the model card shows what that costs against the baseline.

Fitting reads at most ``FIT_ROWS`` customers, a seeded uniform sample when there are more: a
regularized linear model on ~150 traits has settled long before that (on the demo, AUC moves in the
third decimal between 20k and 200k rows), and a million dense rows would cost gigabytes and minutes
per fit. Models fitted together (``fit_many``: the categories of a propensity prediction) share one
fitted preparation, so the frame is prepared once for all of them.

Scoring is vectorized and chunked: each chunk of rows is prepared once; probabilities come from
one matrix product with the coefficients, reasons from the same prepared rows (contributions summed
per trait by an indicator matrix).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

#: inverse L2 strength: strong, as ~140 correlated traits meet a few thousand labelled customers (on the
#: demo's churn backtest, AUC 0.735 at 0.01 against 0.716 at 1.0); ``options.regularization`` overrides it
C = 0.01
#: reasons kept per customer
REASONS = 3
#: rows scored per chunk: the prepared rows of a chunk (dense, ~400 columns) stay small in memory
CHUNK = 100_000
#: most rows a fit reads (a seeded uniform sample beyond that; see the module docstring)
FIT_ROWS = 200_000


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


@dataclass
class Classifier:
    """A fitted pipeline and what its reasons need: the trait behind each transformed column."""

    pipeline: Pipeline
    numeric: list[str]
    text: list[str]
    owners: np.ndarray  # transformed column -> index into ``traits``
    centre: np.ndarray  # mean transformed row of the training data (contributions are relative to it)
    traits: list[str] = field(default_factory=list)

    @property
    def coef(self) -> np.ndarray:
        return self.pipeline[-1].coef_[0]

    @property
    def prep(self) -> Pipeline:
        return self.pipeline[:-1]

    def chunks(self, frame: pd.DataFrame) -> Iterator[np.ndarray]:
        """The prepared (dense) rows of ``frame``, ``CHUNK`` rows at a time."""
        columns = self.numeric + self.text
        for start in range(0, len(frame), CHUNK):
            x = self.prep.transform(frame.iloc[start:start + CHUNK][columns])
            yield x.toarray() if hasattr(x, "toarray") else np.asarray(x)

    def probability_of(self, x: np.ndarray) -> np.ndarray:
        """Probabilities of prepared rows (the logistic of one matrix product)."""
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.pipeline[-1].intercept_[0])))

    def probability(self, frame: pd.DataFrame) -> np.ndarray:
        return self.score(frame, reasons=False)[0]

    def reasons(self, frame: pd.DataFrame, k: int = REASONS) -> pd.Series:
        return self.score(frame, k)[1]

    def score(self, frame: pd.DataFrame, k: int = REASONS, *, reasons: bool = True) -> tuple[np.ndarray, pd.Series | None]:
        """Probabilities and, per row, the traits that push the score up most (positive contributions
        only, strongest first), from one preparation of each chunk."""
        names = np.array(self.traits, dtype=object)
        by_trait = self._by_trait() if reasons else None
        probs, tops, keeps = [np.empty(0)], [np.empty((0, k), dtype=object)], [np.zeros((0, k), dtype=bool)]
        for x in self.chunks(frame):
            probs.append(self.probability_of(x))
            if reasons:
                contrib = ((x - self.centre) * self.coef) @ by_trait
                top = np.argsort(-contrib, axis=1)[:, :k]
                tops.append(names[top])
                keeps.append(np.take_along_axis(contrib, top, axis=1) > 0)
        return np.concatenate(probs), ragged(np.vstack(tops), np.vstack(keeps)) if reasons else None

    def _by_trait(self) -> np.ndarray:
        m = np.zeros((len(self.owners), len(self.traits)))
        m[np.arange(len(self.owners)), self.owners] = 1.0
        return m


def probabilities(models: dict[str, Classifier], frame: pd.DataFrame) -> np.ndarray:
    """One column of probabilities per model; models fitted together (``fit_many``) share one
    preparation per chunk."""
    first = next(iter(models.values()))
    if any(m.prep[0] is not first.prep[0] for m in models.values()):
        return np.column_stack([m.probability(frame) for m in models.values()])
    parts = [np.column_stack([m.probability_of(x) for m in models.values()]) for x in first.chunks(frame)]
    return np.vstack(parts) if parts else np.empty((0, len(models)))


def fit(frame: pd.DataFrame, y: np.ndarray, features: list[str], *, c: float = C, seed: int = 0) -> Classifier:
    """Fit on ``frame[features]`` (float columns numeric, object/str columns text) and labels ``y`` (0/1)."""
    return fit_many(frame, {"model": y}, features, c=c, seed=seed)["model"]


def fit_many(frame: pd.DataFrame, labels: dict[str, np.ndarray], features: list[str], *,
             c: float = C, seed: int = 0, rows: int = FIT_ROWS) -> dict[str, Classifier]:
    """One classifier per label vector, on the same rows and one shared preparation (at most ``rows``
    rows: a seeded uniform sample beyond that)."""
    for name, y in labels.items():
        if len(np.unique(y)) < 2:
            raise ValueError(f"the labels of {name} have one class only: the window has no positives (or no negatives)")
    if len(frame) > rows:
        keep = np.sort(np.random.default_rng(seed).choice(len(frame), rows, replace=False))
        frame = frame.iloc[keep]
        labels = {name: np.asarray(y)[keep] for name, y in labels.items()}
    present = [f for f in features if frame[f].notna().any()]  # a trait nobody has yet says nothing
    text = [f for f in present if not pd.api.types.is_numeric_dtype(frame[f])]
    numeric = [f for f in present if f not in text]
    prep = Pipeline([("prep", ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                              FunctionTransformer(_signed_log1p), StandardScaler()), numeric),
        ("txt", make_pipeline(SimpleImputer(strategy="constant", fill_value="(none)"),
                              OneHotEncoder(handle_unknown="ignore", max_categories=12)), text),
    ], sparse_threshold=0.0))])
    x = prep.fit_transform(frame[numeric + text].astype({t: "object" for t in text}))
    centre = np.asarray(x.mean(axis=0)).ravel()
    owners = _owners(prep, numeric, text)
    out = {}
    for name, y in labels.items():
        if len(np.unique(y)) < 2:
            raise ValueError(f"the labels of {name} have one class only in the sample of {rows:,} rows")
        model = LogisticRegression(C=c, max_iter=2000, random_state=seed).fit(x, y)
        out[name] = Classifier(Pipeline([*prep.steps, ("model", model)]), numeric, text, owners, centre, numeric + text)
    return out


def _owners(pipeline: Pipeline, numeric: list[str], text: list[str]) -> np.ndarray:
    """The trait index of each transformed column: values, missing indicators, one-hot columns."""
    prep = pipeline.named_steps["prep"]
    imputer = prep.named_transformers_["num"][0]
    owners = list(range(len(numeric)))
    if getattr(imputer, "indicator_", None) is not None:
        owners += [int(i) for i in imputer.indicator_.features_]
    if text:
        enc = prep.named_transformers_["txt"][-1]
        for j, cats in enumerate(enc.categories_):
            n = len(cats) if enc.infrequent_categories_ is None or enc.infrequent_categories_[j] is None else (
                len(cats) - len(enc.infrequent_categories_[j]) + 1)
            owners += [len(numeric) + j] * n
    return np.asarray(owners, dtype=int)


def metrics(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict:
    """AUC, precision in the top decile, base rate, Brier score and a reliability table (calibration)."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(-p, kind="stable")
    top = order[: max(1, len(p) // 10)]
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    mean_p = np.bincount(which, weights=p, minlength=bins) / np.maximum(counts, 1)
    rate = np.bincount(which, weights=y, minlength=bins) / np.maximum(counts, 1)
    ece = float(np.sum(counts * np.abs(mean_p - rate)) / max(len(p), 1))
    return {
        "auc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None,
        "top_decile_precision": float(y[top].mean()),
        "base_rate": float(y.mean()),
        "lift_top_decile": float(y[top].mean() / y.mean()) if y.mean() else None,
        "brier": float(brier_score_loss(y, p)),
        "ece": ece,
        "n": int(len(y)),
        "calibration": [{"bin": f"{edges[i]:.1f}-{edges[i + 1]:.1f}", "n": int(counts[i]),
                         "predicted": round(float(mean_p[i]), 4), "observed": round(float(rate[i]), 4)}
                        for i in range(bins) if counts[i]],
    }


def ragged(values: np.ndarray, keep: np.ndarray) -> pd.Series:
    """A list column from a 2-D array: row ``i`` keeps ``values[i][keep[i]]`` (Arrow offsets, no row loop)."""
    offsets = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values[keep], pa.string()))
    return pd.Series(pd.arrays.ArrowExtensionArray(lists))


def bands(p: np.ndarray, cuts: tuple[float, float] = (0.3, 0.6)) -> np.ndarray:
    """``low`` / ``medium`` / ``high`` by fixed cut points (the same number means the same risk every build)."""
    return np.select([p >= cuts[1], p >= cuts[0]], ["high", "medium"], "low").astype(object)


__all__ = ["Classifier", "fit", "fit_many", "probabilities", "metrics", "bands", "ragged", "REASONS"]
