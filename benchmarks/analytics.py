"""Analytics benchmark: how good the predictions are, and how long they take at a million customers.

Prints one JSON line. Quality is measured on a demo workspace (``--customers``, default 10,000)
through the ordinary path (``run_demo``: import, identity, build, ``predictions.train`` and
``score``), against what the demo planted or what happened later:

* ``churn_auc`` (backtest on held-back time) and, on the same customers, ``alive_auc`` (1 - BG/NBD
  probability alive, the baseline the issue names) and ``expected_auc`` (BG/NBD expected purchases);
  ``churn_vs_alive`` is their ratio;
* ``persona_ari``: adjusted Rand index of the personas against the demo's planted customer types;
* ``clv_ratio``: predicted / actual purchases in the CLV holdout year, and their correlation;
* ``sentiment_accuracy`` / ``intent_accuracy`` on ``benchmarks/data/text_labelled.csv`` (hand-written
  sentences the demo generator did not produce);
* ``hit_rate_at_5`` of the recommendations against best sellers (90-day holdout).

Scale (``--scale``, default 1,000,000): the demo's churn feature frame and purchase histories are
resampled to that many customers, and the model steps are timed: fitting and scoring the churn
classifier (with reasons), BG/NBD + Gamma-Gamma fit and CLV scoring, persona discovery, and text
analysis of that many interactions; ``read_s`` (reading the same frame back from DuckDB) is the
baseline of the same run.

End to end (``--e2e``, default 1,000,000 customers with ``--e2e-events`` events): the workspace of
``benchmarks/build.py`` (generated straight into the warehouse), a full profile build (``e2e_build_s``,
the baseline), then ``ws.predictions.train()`` of every built-in prediction (``e2e_train_s``: two
profile snapshots, features, labels, fits, backtests, CLV, personas) and ``ws.predictions.score()``
(``e2e_score_s``: scores, recommendations, next best actions and the build that turns them into traits).

Usage: python benchmarks/analytics.py [--customers 10000] [--scale 1000000] [--e2e 1000000]
       [--e2e-events 10000000] [--dir /tmp/hx-analytics] [--reuse]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np


def quality(root: Path, customers: int, reuse: bool) -> tuple[dict, object]:
    import huaxiang
    from huaxiang.demo.showcase import run_demo
    from sklearn.metrics import adjusted_rand_score

    started = time.perf_counter()
    if not (reuse and (root / "catalog.sqlite").exists()):
        run_demo(root, customers=customers, force=True)
    out = {"demo_s": round(time.perf_counter() - started, 1)}
    ws = huaxiang.open_workspace(root)
    out["demo_customers"] = ws.warehouse.raw.execute("SELECT count(*) FROM profiles").fetchone()[0]  # also with --reuse
    churn = ws.predictions.card("churn")
    out.update(churn_auc=round(churn["metrics"]["auc"], 4),
               alive_auc=round(churn["baseline"]["probability_alive"]["auc"], 4),
               expected_auc=round(churn["baseline"]["expected_purchases"]["auc"], 4),
               churn_top_decile=round(churn["metrics"]["top_decile_precision"], 4),
               churn_base_rate=round(churn["metrics"]["base_rate"], 4), churn_ece=round(churn["metrics"]["ece"], 4))
    out["churn_vs_alive"] = round(out["churn_auc"] / out["alive_auc"], 3)
    clv = ws.predictions.card("clv")["metrics"]
    out.update(clv_ratio=clv["ratio"], clv_correlation=clv["correlation"])
    truth = ws.warehouse.raw.execute(f"""
        SELECT p.persona_id, arg_max(t.type, 1) FROM profiles p JOIN customer_records r USING (customer_id)
        JOIN '{root}/demo_truth/identity.parquet' i ON i.source = r.source AND i.source_key = r.source_key
        JOIN '{root}/demo_truth/customer_types.parquet' t USING (true_person_id)
        GROUP BY p.customer_id, p.persona_id""").fetchall()
    out["persona_ari"] = round(adjusted_rand_score([t[1] for t in truth], [t[0] for t in truth]), 4)
    out["personas"] = ws.predictions.card("personas")["metrics"]["k"]
    return out, ws


def text_quality() -> dict:
    from huaxiang.predict.text import evaluate

    found = evaluate(Path(__file__).parent / "data" / "text_labelled.csv")
    return {"sentiment_accuracy": round(found["sentiment_accuracy"], 4),
            "intent_accuracy": round(found["intent_accuracy"], 4), "labelled": found["n"]}


def recommendations(ws) -> dict:
    from huaxiang.predict import recommend
    from huaxiang.predict.frames import fact_rows

    items = fact_rows(ws.warehouse, ws.identity.rules())["order_items"]
    items = items.filter(items.customer_id.notnull() & ~items.returned.fill_null(False))
    end = ws.warehouse.raw.execute("SELECT max(as_of) FROM profiles").fetchone()[0]
    row = recommend.holdout_hit_rate(items, end - timedelta(days=90), 5).to_pandas().iloc[0]
    return {"hit_rate_at_5": round(float(row["hit_rate"]), 4), "popular_hit_rate_at_5": round(float(row["baseline_hit_rate"]), 4)}


def scale(ws, n: int, folder: Path) -> dict:
    from huaxiang.predict import classify, value
    from huaxiang.predict import personas as P
    from huaxiang.predict.clv import BGNBD, GammaGamma, compress
    from huaxiang.predict.runs import RunContext
    from huaxiang.predict.text import analyze

    ctx = RunContext(ws, ws.predictions.definitions(), ws.warehouse.raw.execute("SELECT max(as_of) FROM profiles").fetchone()[0])
    rng = np.random.default_rng(0)
    model = __import__("pickle").loads(ws.catalog.prediction_models("churn", 1, with_model=True)[0]["model"])["model"]
    small = ctx.features(model.traits, None)
    frame = small.iloc[rng.integers(0, len(small), n)].reset_index(drop=True)
    frame["customer_id"] = [f"c{i:07d}" for i in range(n)]
    y = (rng.random(n) < 0.5).astype(int)
    out = {"scale": n}
    path = folder / "frame.parquet"
    frame.to_parquet(path)
    t = time.perf_counter()
    duckdb.sql(f"SELECT * FROM '{path}'").df()
    out["read_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    fitted = classify.fit(frame, y, model.traits)
    out["churn_fit_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    fitted.probability(frame)
    fitted.reasons(frame)
    out["churn_score_s"] = round(time.perf_counter() - t, 2)
    s = value.summary(ctx, ctx.end)
    s = s.iloc[rng.integers(0, len(s), n)].reset_index(drop=True)
    t = time.perf_counter()
    x, t_x, T, w = compress(s["x"].to_numpy(float), s["t_x"].to_numpy(float), s["T"].to_numpy(float))
    bg = BGNBD.fit(x, t_x, T, weights=w)
    gg = GammaGamma.fit(s["x"].to_numpy(float), s["m"].to_numpy(float).clip(min=0.01))
    out["clv_fit_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    for k in range(1, 13):
        bg.expected_purchases(k * 30.44, s["x"], s["t_x"], s["T"])
    bg.p_alive(s["x"], s["t_x"], s["T"])
    gg.expected_spend(s["x"].to_numpy(float), s["m"].to_numpy(float).clip(min=0))
    out["clv_score_s"] = round(time.perf_counter() - t, 2)
    traits = ws.profiles.definitions().traits
    names = [f for f in P.DEFAULT_FEATURES if f in frame.columns] or list(P.DEFAULT_FEATURES)
    prof = ws.warehouse.ibis.table("profiles").select("customer_id", *names).to_pandas()
    prof = prof.iloc[rng.integers(0, len(prof), n)].reset_index(drop=True)
    prof["customer_id"] = frame["customer_id"]
    t = time.perf_counter()
    P.discover_personas(prof, P.feature_specs(traits, names))
    out["personas_s"] = round(time.perf_counter() - t, 2)
    texts = ws.warehouse.raw.execute("SELECT text FROM interactions WHERE text IS NOT NULL").df()["text"]
    texts = texts.iloc[rng.integers(0, len(texts), n)]
    t = time.perf_counter()
    analyze(texts)
    out["text_s"] = round(time.perf_counter() - t, 2)
    steps = ("churn_fit_s", "churn_score_s", "clv_fit_s", "clv_score_s", "personas_s")
    out["train_and_score_s"] = round(sum(out[k] for k in steps), 2)
    out["train_and_score_vs_read"] = round(out["train_and_score_s"] / out["read_s"], 2)
    return out


def end_to_end(folder: Path, customers: int, events: int) -> dict:
    """Train and score every built-in prediction on a generated workspace of ``customers``."""
    spec = importlib.util.spec_from_file_location("build_benchmark", Path(__file__).parent / "build.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ws = bench.workspace(folder / "e2e", customers, events)
    out = {"e2e_customers": customers, "e2e_events": events}
    _, out["e2e_build_s"] = bench.timed(lambda: ws.profiles.build(full=True))
    runs, out["e2e_train_s"] = bench.timed(lambda: ws.predictions.train())
    _, out["e2e_score_s"] = bench.timed(lambda: ws.predictions.score())
    out["e2e_train_vs_build"] = round(out["e2e_train_s"] / out["e2e_build_s"], 2)
    out["e2e_score_vs_build"] = round(out["e2e_score_s"] / out["e2e_build_s"], 2)
    out["e2e_churn_auc"] = round(ws.predictions.card("churn")["metrics"]["auc"], 4)
    ws.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hx-analytics"))
    parser.add_argument("--e2e", type=int, default=1_000_000, help="customers of the end-to-end run (0: skip)")
    parser.add_argument("--e2e-events", type=int, default=10_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a demo workspace already trained in --dir")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    result, ws = quality(args.dir / "demo", args.customers, args.reuse)
    result.update(text_quality())
    result.update(recommendations(ws))
    if args.scale:
        result.update(scale(ws, args.scale, args.dir))
    ws.close()
    if args.e2e:
        result.update(end_to_end(args.dir, args.e2e, args.e2e_events))
    result["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    print(json.dumps({"benchmark": "analytics", "customers": args.customers, **result}))


if __name__ == "__main__":
    main()
