"""Churn, referral propensity, lead score and category propensity: classifiers on snapshot features.

Each trains twice (see ``runs``): once at ``E - 2h`` to be judged on ``E - h`` (the backtest: AUC,
precision in the top decile, calibration; for churn also the BG/NBD probability-alive baseline on the
same customers), and once at ``E - h`` for scoring. Propensity fits one model per top category.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from huaxiang.predict import classify
from huaxiang.predict.runs import RunContext, register, window
from huaxiang.predict.targets import TARGETS, Target, category_events, labels, population


def _frame(ctx: RunContext, pred: Any, target: Target, cutoff, horizon: timedelta) -> tuple[pd.DataFrame, np.ndarray]:
    """Features at ``cutoff`` of the population, and their labels from the window after it.

    Every customer's features at a cutoff are read once per run (``ctx.cache``), and each population
    is a subset of them: at a million customers a frame is about a gigabyte, so one per cutoff is
    kept, not one per population."""
    condition = pred.options.get("population", target.population)
    key = ("features", cutoff, tuple(pred.features))
    if key not in ctx.cache:
        ctx.cache[key] = ctx.features(pred.features, cutoff)
    who = population(ctx.table(cutoff), condition, cutoff)
    if ("who", cutoff, condition) not in ctx.cache:
        ctx.cache[("who", cutoff, condition)] = who.to_pyarrow()["customer_id"]
    every = ctx.cache[key]
    # Arrow's hash set, not pandas' isin (a Python loop over a million Arrow strings)
    keep = pc.is_in(pa.array(every["customer_id"]), value_set=ctx.cache[("who", cutoff, condition)].combine_chunks())
    x = every[keep.to_numpy(zero_copy_only=False)].reset_index(drop=True)
    y = labels(who, target.events(ctx.rows, cutoff, horizon), target.negate).to_pandas()
    y = x[["customer_id"]].merge(y, on="customer_id", how="left", validate="one_to_one")["y"]
    return x, y.fillna(0).to_numpy(dtype=int)


def _fit_and_backtest(ctx: RunContext, pred: Any, targets: dict[str, Target]) -> dict[str, tuple[dict[str, Any], classify.Classifier, Any]]:
    """Per target: its card (windows, features, backtest metrics, weights), the final model fitted at
    the test cutoff, and the test rows. The targets share the features, hence one preparation."""
    h = timedelta(days=pred.horizon_days)
    c_train, c_test = ctx.cutoffs(pred.horizon_days)
    train = {name: _frame(ctx, pred, target, c_train, h) for name, target in targets.items()}
    test = {name: _frame(ctx, pred, target, c_test, h) for name, target in targets.items()}
    x_train, x_test = next(iter(train.values()))[0], next(iter(test.values()))[0]
    features = [c for c in x_train.columns if c != "customer_id"]
    ctx.progress(f"{pred.name}: fit {min(len(x_train), classify.FIT_ROWS):,} of {len(x_train):,} rows, "
                 f"{len(features)} features, {len(targets)} model(s)")
    c = float(pred.options.get("regularization", classify.C))
    judged = classify.fit_many(x_train, {name: y for name, (_, y) in train.items()}, features, c=c)
    finals = classify.fit_many(x_test, {name: y for name, (_, y) in test.items()}, features, c=c)
    p_test = classify.probabilities(judged, x_test)
    out = {}
    for i, name in enumerate(targets):
        y_test = test[name][1]
        card = {
            "windows": {"train_features_at": str(c_train), "train_labels": window(c_train, c_train + h),
                        "test_features_at": str(c_test), "test_labels": window(c_test, ctx.end)},
            "features": judged[name].traits,
            "fit_rows": min(len(x_train), classify.FIT_ROWS),
            "metrics": classify.metrics(y_test, p_test[:, i]),
            "weights": _weights(finals[name]),
        }
        out[name] = (card, finals[name], (x_test, y_test, p_test[:, i]))
    return out


def _weights(model: classify.Classifier) -> list[dict[str, Any]]:
    """The strongest coefficients per trait (for the card), by absolute size."""
    by_trait = np.zeros(len(model.traits))
    np.add.at(by_trait, model.owners, model.coef)
    order = np.argsort(-np.abs(by_trait))[:15]
    return [{"trait": model.traits[i], "weight": round(float(by_trait[i]), 4)} for i in order]


def train_binary(ctx: RunContext, pred: Any) -> tuple[dict[str, Any], Any]:
    target = TARGETS[pred.kind]
    card, final, (x_test, y_test, _) = _fit_and_backtest(ctx, pred, {pred.kind: target})[pred.kind]
    if pred.kind == "churn":
        card["baseline"] = _alive_baseline(ctx, x_test, y_test, pred.horizon_days)
    return card, {"model": final, "population": pred.options.get("population", target.population)}


def _alive_baseline(ctx: RunContext, x_test: pd.DataFrame, y_test: np.ndarray, horizon_days: int) -> dict[str, Any]:
    """BG/NBD fitted at the test cutoff, on the same customers: 1 - P(alive) as a churn score (the
    baseline the issue names), and P(no purchase in the horizon) = exp(-expected purchases) (a fairer
    one: P(alive) is 1 for everyone who never bought twice)."""
    from huaxiang.predict.value import alive_at

    _, c_test = ctx.cutoffs(horizon_days)
    alive = alive_at(ctx, c_test, horizon_days)
    joined = x_test[["customer_id"]].merge(alive, on="customer_id", how="left")
    out = {}
    for name, score in (("probability_alive", 1.0 - joined["probability_alive"].fillna(0.0).to_numpy()),
                        ("expected_purchases", np.exp(-joined["expected"].fillna(0.0).to_numpy()))):
        m = classify.metrics(y_test, score)
        out[name] = {k: m[k] for k in ("auc", "top_decile_precision", "brier")}
    return {"name": "bg_nbd", **out}


def score_binary(ctx: RunContext, pred: Any, fitted: Any) -> pd.DataFrame:
    model: classify.Classifier = fitted["model"]
    who = population(ctx.table(None), fitted["population"], ctx.end)
    x = ctx.features(model.traits, None, who)
    p, reasons = model.score(x)
    out = pd.DataFrame({"customer_id": x["customer_id"], "probability": p})
    out["band"] = classify.bands(p, tuple(pred.options.get("bands", (0.3, 0.6))))
    out["reasons"] = reasons
    if pred.kind == "lead_score":
        out["score"] = np.rint(p * 100).astype("int64")
    return out


def top_categories(ctx: RunContext, n: int) -> list[str]:
    """The ``n`` categories bought by the most customers (the ones propensity models are fitted for)."""
    items = ctx.rows["order_items"]
    items = items.filter(items.customer_id.notnull() & items.category.notnull())
    ranked = items.group_by("category").aggregate(buyers=items.customer_id.nunique()).order_by(
        [ibis.desc("buyers"), "category"]).limit(n)
    return ranked.to_pandas()["category"].tolist()


def train_propensity(ctx: RunContext, pred: Any) -> tuple[dict[str, Any], Any]:
    who = pred.options.get("population", "true")
    targets = {category: Target(who, category_events(category))
               for category in top_categories(ctx, int(pred.options.get("categories", 5)))}
    fitted = _fit_and_backtest(ctx, pred, targets)
    models = {category: final for category, (_, final, _) in fitted.items()}
    metrics = {category: card["metrics"] for category, (card, _, _) in fitted.items()}
    card = next(iter(fitted.values()))[0]
    aucs = [m["auc"] for m in metrics.values() if m["auc"] is not None]
    card = {**card, "metrics": {"auc": float(np.mean(aucs)) if aucs else None, "per_category": metrics},
            "categories": list(models)}
    return card, {"models": models, "population": who}


def score_propensity(ctx: RunContext, pred: Any, fitted: Any) -> pd.DataFrame:
    models: dict[str, classify.Classifier] = fitted["models"]
    who = population(ctx.table(None), fitted["population"], ctx.end)
    x = ctx.features(next(iter(models.values())).traits, None, who)
    cats = np.array(list(models), dtype=object)
    p = classify.probabilities(models, x)
    order = np.argsort(-p, axis=1)
    out = pd.DataFrame({"customer_id": x["customer_id"], "top_category": cats[order[:, 0]],
                        "probability": np.take_along_axis(p, order[:, :1], axis=1)[:, 0]})
    likely = np.take_along_axis(p, order, axis=1) >= float(pred.options.get("likely_above", 0.2))
    out["categories"] = classify.ragged(cats[order], likely)
    return out


for _kind in ("churn", "referral", "lead_score"):
    register(_kind, train_binary, score_binary)
register("propensity", train_propensity, score_propensity)
