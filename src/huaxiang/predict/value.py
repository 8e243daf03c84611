"""CLV as a prediction: BG/NBD purchases and Gamma-Gamma spend on each customer's purchase history.

Time is in days. The backtest fits at ``E - h`` and compares the purchases the model expects in
``(E - h, E]`` with the ones that happened (in total and by number of earlier repeat purchases, the
papers' calibration plot); scoring refits at ``E``. Outputs: expected purchases and discounted
value over 12 months, probability alive, expected spend per purchase, and the expected next purchase
date (when the expected cumulative purchases reach one; null if not within the 12 months).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from huaxiang.predict.clv import BGNBD, DAYS_PER_MONTH, GammaGamma, compress
from huaxiang.predict.frames import purchase_summary, purchases, window_counts
from huaxiang.predict.runs import RunContext, register, window

MONTHS = 12


def summary(ctx: RunContext, as_of: datetime) -> pd.DataFrame:
    """``customer_id, x, t_x, T, m`` of everyone with a purchase by ``as_of`` (see ``frames.purchase_summary``)."""
    frame = purchase_summary(purchases(ctx.rows), as_of).to_pandas()
    return frame[frame["T"] > 0].sort_values("customer_id", ignore_index=True)


#: most histories a fit reads (a seeded uniform sample beyond that): the models have four and three
#: parameters of the whole base, settled long before (CDNOW's published fit uses 2,357 customers)
FIT_ROWS = 200_000


def fit(s: pd.DataFrame, rows: int = FIT_ROWS) -> tuple[BGNBD, GammaGamma]:
    if len(s) > rows:
        s = s.iloc[np.sort(np.random.default_rng(0).choice(len(s), rows, replace=False))]
    x, t_x, T, w = compress(s["x"].to_numpy(float), s["t_x"].to_numpy(float), s["T"].to_numpy(float))
    purchases_model = BGNBD.fit(x, t_x, T, weights=w)
    repeat = s[s["x"] > 0]
    spend = GammaGamma.fit(repeat["x"].to_numpy(float), repeat["m"].to_numpy(float).clip(min=0.01))
    return purchases_model, spend


def alive_at(ctx: RunContext, as_of: datetime, horizon_days: float) -> pd.DataFrame:
    """``customer_id, probability_alive, expected`` (purchases in the horizon) from a BG/NBD fitted on
    the histories as of ``as_of``: the churn report's baselines."""
    s = summary(ctx, as_of)
    model, _ = fit(s)
    x, t_x, T = (s[c].to_numpy(float) for c in ("x", "t_x", "T"))
    return pd.DataFrame({"customer_id": s["customer_id"], "probability_alive": model.p_alive(x, t_x, T),
                         "expected": model.expected_purchases(horizon_days, x, t_x, T)})


def _repeat_days(ctx: RunContext, start: datetime, end: datetime) -> pd.DataFrame:
    """``customer_id, actual``: purchase days in ``(start, end]``."""
    o = purchases(ctx.rows)
    days = o.mutate(at=o.at.date().cast("timestamp")).select("customer_id", "at").distinct()
    return window_counts(days, start, end - start, "actual").to_pandas()


def calibration(model: BGNBD, s: pd.DataFrame, actual: pd.DataFrame, horizon_days: float) -> dict[str, Any]:
    joined = s.merge(actual, on="customer_id", how="left").fillna({"actual": 0})
    joined["predicted"] = model.expected_purchases(horizon_days, joined["x"], joined["t_x"], joined["T"])
    joined["group"] = joined["x"].clip(upper=7).astype(int)
    table = joined.groupby("group").agg(n=("x", "size"), predicted=("predicted", "mean"), actual=("actual", "mean"))
    total_p, total_a = float(joined["predicted"].sum()), float(joined["actual"].sum())
    return {
        "predicted_purchases": round(total_p, 1), "actual_purchases": int(total_a),
        "ratio": round(total_p / total_a, 4) if total_a else None,
        "mae_per_customer": round(float((joined["predicted"] - joined["actual"]).abs().mean()), 4),
        "correlation": round(float(np.corrcoef(joined["predicted"], joined["actual"])[0, 1]), 4),
        "by_repeat_purchases": [{"repeat_purchases": ("7+" if g == 7 else str(g)), "n": int(r.n),
                                 "predicted": round(float(r.predicted), 3), "actual": round(float(r.actual), 3)}
                                for g, r in table.iterrows()],
        "n": int(len(joined)),
    }


def train_clv(ctx: RunContext, pred: Any) -> tuple[dict[str, Any], Any]:
    h = pred.horizon_days
    cutoff = ctx.end - timedelta(days=h)
    ctx.progress(f"{pred.name}: BG/NBD and Gamma-Gamma as of {cutoff:%Y-%m-%d}")
    judged = summary(ctx, cutoff)
    model, _ = fit(judged)
    cal = calibration(model, judged, _repeat_days(ctx, cutoff, ctx.end), h)
    final_s = summary(ctx, ctx.end)
    final, spend = fit(final_s)
    card = {
        "windows": {"test_features_at": str(cutoff), "test_labels": window(cutoff, ctx.end), "fit_at": str(ctx.end)},
        "features": ["x (repeat purchase days)", "t_x (days, first to last purchase)", "T (days since first purchase)",
                     "m (mean spend per repeat purchase day)"],
        "metrics": cal,
        "parameters": {"bg_nbd": _params(final), "gamma_gamma": _params(spend), "time_unit": "day",
                       "annual_discount_rate": float(pred.options.get("annual_discount_rate", 0.1))},
    }
    return card, {"purchases": final, "spend": spend}


def _params(model: Any) -> dict[str, Any]:
    return {**{p: round(float(getattr(model, p)), 6) for p in model.PARAMETERS},
            "loglik": model.loglik, "n": model.n, "converged": model.converged}


def score_clv(ctx: RunContext, pred: Any, fitted: Any) -> pd.DataFrame:
    model: BGNBD = fitted["purchases"]
    spend: GammaGamma = fitted["spend"]
    s = summary(ctx, ctx.end)
    x, t_x, T = (s[c].to_numpy(float) for c in ("x", "t_x", "T"))
    cumulative = np.column_stack([model.expected_purchases(k * DAYS_PER_MONTH, x, t_x, T) for k in range(1, MONTHS + 1)])
    per_purchase = spend.expected_spend(x, s["m"].to_numpy(float).clip(min=0.0))
    rate = (1 + float(pred.options.get("annual_discount_rate", 0.1))) ** (1 / 12)
    monthly = np.diff(cumulative, axis=1, prepend=0.0)
    out = pd.DataFrame({"customer_id": s["customer_id"], "expected_orders_12m": cumulative[:, -1],
                        "probability_alive": model.p_alive(x, t_x, T), "expected_spend": per_purchase})
    out["clv_12m"] = (monthly / rate ** np.arange(1, MONTHS + 1)).sum(axis=1) * per_purchase
    out["next_purchase_at"] = _next_purchase(cumulative, ctx.end)
    return out


def _next_purchase(cumulative: np.ndarray, start: datetime) -> pd.Series:
    """When the expected purchases first reach one, linearly between month ends; NaT if not in the horizon."""
    reached = cumulative >= 1.0
    month = np.where(reached.any(axis=1), reached.argmax(axis=1), -1)
    rows = np.arange(len(cumulative))
    hi = cumulative[rows, np.maximum(month, 0)]
    lo = np.where(month > 0, cumulative[rows, np.maximum(month - 1, 0)], 0.0)
    frac = np.clip((1.0 - lo) / np.maximum(hi - lo, 1e-9), 0, 1)
    days = (month + frac) * DAYS_PER_MONTH
    at = pd.Timestamp(start) + pd.to_timedelta(np.round(days), unit="D")
    return pd.Series(at).where(month >= 0)


register("clv", train_clv, score_clv)
