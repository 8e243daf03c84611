"""Identity benchmark: huaxiang's identity resolution vs Splink alone with its defaults, on the demo's planted duplicates.

Prints one JSON line. The records are the demo's two customer sources (``crm_contacts``, GBK CSV,
and ``store_members``, xlsx), written by the demo generator's own functions with the same seed, so
they are byte for byte what ``huaxiang demo`` writes, and scored against its planted truth
(``demo_truth/identity.parquet``: which person each record is). About 1.33 records per person:
750,000 people give about a million records. Orders, events and the other sources are not
generated: identity resolution here is of customer records only.

Untimed: generating and importing the files (``ws.ingest.load``). Timed, one after the other:

* **huaxiang**: ``ws.identity.train()`` (record features, EM without labels), then
  ``ws.identity.build(full=True)`` (identifiers, guard-railed deterministic links, Splink scoring of the
  blocked pairs, linking, stable ids, golden records: one transaction). Then, for comparison, a
  build with ``probabilistic: {enabled: false}`` in identity.yml (deterministic links only).
* **splink_default**: Splink alone, as its README quickstart sets it up, on the same records
  (huaxiang's record features, so it gets the same cleaned phones, dates and e-mails; see
  ``baseline_settings`` and ``splink_default``).

Each clustering is scored with ``metrics.score`` (pairwise and B-cubed precision and recall).
Preparation, huaxiang and Splink each run in a fresh process, so each reports its own peak memory.

Usage: python benchmarks/identity.py [--people 750000] [--dir /tmp/hx-identity] [--seed 42]
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa

import huaxiang
from huaxiang.demo import sources as SRC
from huaxiang.demo.customers import build_records
from huaxiang.demo.geography import places, stores
from huaxiang.demo.people import build_people
from huaxiang.demo.sampling import step_rng
from huaxiang.demo.specs import render
from huaxiang.demo.truth import write_truth
from huaxiang.demo.writers import with_headers, write_csv, write_members_xlsx
from huaxiang.identity.probabilistic import features

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics import score  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

LOCALE = "zh"
SOURCES = (SRC.CRM, SRC.STORE)
#: Splink's docs cluster at this match probability throughout their tutorials and examples
THRESHOLD = 0.95
TRUTH_VIEW = """CREATE OR REPLACE TEMP VIEW _bench_truth AS
    SELECT source || chr(31) || source_key AS record_id, true_person_id AS true_id FROM read_parquet('{path}')"""
RESOLVED = "SELECT source || chr(31) || source_key AS record_id, customer_id AS cluster_id FROM customer_records"
#: what the output keeps of ``metrics.score``
KEPT = ("pairs_predicted", "pairs_correct", "pairwise_precision", "pairwise_recall", "bcubed_precision", "bcubed_recall")
#: The columns Splink alone gets: the record as cleaned by import, without huaxiang's derived features
#: (pinyin, last four phone digits, e-mail local part), which a Splink user would have to write.
BASELINE_COLUMNS = ("unique_id", "name", "gender", "birth_date", "phone", "email", "city")


def generate(root: Path, people: int, seed: int) -> Path:
    """The customer files, their source definitions and the truth, as ``huaxiang demo`` writes them.

    Same random streams as ``huaxiang.demo.generate`` (step 1 people, step 2 records), so the same
    seed gives the same records; returns the truth file.
    """
    who = build_people(step_rng(seed, 1), people, LOCALE)
    records = build_records(step_rng(seed, 2), who, LOCALE, stores(places(LOCALE)))
    (root / "data").mkdir(exist_ok=True)
    write_csv(with_headers(records.crm, SRC.CRM, LOCALE), root / SRC.CRM.path, SRC.CRM.encoding.get(LOCALE, "utf-8"))
    write_members_xlsx(records.store, SRC.STORE, root / SRC.STORE.path, LOCALE, SRC.STORE.sheet[LOCALE])
    for spec in SOURCES:
        (root / "sources" / f"{spec.name}.yml").write_text(render(spec, LOCALE), encoding="utf-8")
    return write_truth(root / "demo_truth", who, records, LOCALE)["identity"]


def scored(con: duckdb.DuckDBPyConnection, truth: Path, clusters_sql: str) -> dict:
    """``metrics.score`` of ``clusters_sql`` (a SELECT of record_id, cluster_id) against the truth file, ``KEPT`` only."""
    con.execute(TRUTH_VIEW.format(path=truth))
    con.execute(f"CREATE OR REPLACE TEMP VIEW _bench_clusters AS {clusters_sql}")
    try:
        quality = score(con, "_bench_truth", "_bench_clusters")
        return {k: quality[k] for k in KEPT}
    finally:
        con.execute("DROP VIEW _bench_clusters")
        con.execute("DROP VIEW _bench_truth")


def huaxiang_resolution(ws: huaxiang.Workspace, truth: Path) -> dict:
    """Train, then build (each timed), then score the customers."""
    started = time.perf_counter()
    model = ws.identity.train()
    trained = time.perf_counter()
    result = ws.identity.build(full=True)
    built = time.perf_counter()
    quality = scored(ws.warehouse.raw, truth, RESOLVED)
    return {"train_s": round(trained - started, 2), "build_s": round(built - trained, 2),
            "customers": result.counts["customers"], "trained_on": model.records,
            "scored_links": result.counts.get("scored_links"), "scored_reviews": result.counts.get("scored_reviews"),
            **quality}


def deterministic_only(ws: huaxiang.Workspace, truth: Path) -> dict:
    """A build without probabilistic linking (identity.yml ``probabilistic: {enabled: false}``), scored."""
    rules = ws.root / "identity.yml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\nprobabilistic:\n  enabled: false\n", encoding="utf-8")
    ws.apply()
    started = time.perf_counter()
    result = ws.identity.build(full=True)
    seconds = time.perf_counter() - started
    quality = scored(ws.warehouse.raw, truth, RESOLVED)
    return {"build_s": round(seconds, 2), "customers": result.counts["customers"],
            **quality}


def baseline_settings():
    """Splink's README quickstart, column for column, on these records (Splink's defaults elsewhere).

    Quickstart -> here: NameComparison on the name (one column: Chinese names are not split in
    first name and surname), DateOfBirthComparison, ExactMatch on the city with term frequencies,
    EmailComparison; plus the two columns these records have that the quickstart's do not: the
    phone (ExactMatch, Splink has no phone comparison) and the gender (ExactMatch).
    Blocking: the quickstart's one column per rule, on each column a Splink user would block on
    (name, birth date, phone, e-mail); ``pairs_blocked`` in the output counts what it generates.
    """
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.ExactMatch("gender"),
            cl.ExactMatch("phone"),
            cl.EmailComparison("email"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[block_on("name"), block_on("birth_date"), block_on("phone"),
                                                block_on("email")],
    )


def splink_default(records: pa.Table, truth: Path, memory_limit: str) -> dict:
    """Splink alone: the quickstart's training recipe, predict, connected components at ``THRESHOLD``, scored.

    Training as in the quickstart: the prior from a deterministic rule (same name and birth date,
    recall 0.7), u by random sampling (``max_pairs`` at Splink's default, 1e6; seeded so runs
    repeat), m by EM in two sessions blocked on the name, then on the birth date. Predicting only
    the pairs at or above ``THRESHOLD`` gives the same clusters as predicting every pair and
    clustering at it, with less to write. Timed: everything from the linker to the clusters; its
    DuckDB gets the warehouse's memory limit.
    """
    from splink import DuckDBAPI, Linker, block_on
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET enable_progress_bar = false")
    table = DuckDBAPI(connection=con).register(records.select(list(BASELINE_COLUMNS)), table_name="records")
    settings = baseline_settings()
    counted = count_comparisons_from_blocking_rules(
        table, blocking_rules=settings.blocking_rules_to_generate_predictions, link_type="dedupe_only",
        record_sample_proportion=1.0)
    started = time.perf_counter()
    linker = Linker(table, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on("name", "birth_date")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    trained = time.perf_counter()
    pairs = linker.inference.predict(threshold_match_probability=THRESHOLD)
    predicted = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, threshold_match_probability=THRESHOLD)
    done = time.perf_counter()
    quality = scored(con, truth, f"SELECT unique_id AS record_id, cluster_id FROM {clusters.physical_name}")
    out = {"seconds": round(done - started, 2), "train_s": round(trained - started, 2),
           "predict_s": round(predicted - trained, 2), "cluster_s": round(done - predicted, 2),
           "pairs_blocked": int(counted[-1]["cumulative_comparison_count"]),
           "pairs_scored_above_threshold": con.execute(f"SELECT count(*) FROM {pairs.physical_name}").fetchone()[0],
           "clusters": con.execute(f"SELECT count(DISTINCT cluster_id) FROM {clusters.physical_name}").fetchone()[0],
           **quality}
    con.close()
    return out


def prepare(root: Path, people: int, seed: int) -> dict:
    """A workspace with the customer sources imported (untimed by the benchmark, reported for context)."""
    ws = huaxiang.init_workspace(root, name="bench-identity", locale=LOCALE)
    started = time.perf_counter()
    truth = generate(ws.root, people, seed)
    generated = time.perf_counter()
    ws.apply()
    records = sum(ws.ingest.load(spec.name).counts["stored"] for spec in SOURCES)
    ws.close()
    return {"truth": truth, "records": records, "generate_s": round(generated - started, 1),
            "import_s": round(time.perf_counter() - generated, 1)}


def run_huaxiang(root: Path, truth: Path, features_file: Path) -> dict:
    """Both huaxiang runs; leaves the record features in ``features_file`` for the baseline."""
    ws = huaxiang.open_workspace(root)
    out = {"full": huaxiang_resolution(ws, truth), "deterministic": deterministic_only(ws, truth)}
    features(ws.warehouse)
    ws.warehouse.raw.execute(f"COPY _idn_features TO '{features_file}' (FORMAT parquet)")
    out["memory_limit"] = ws.warehouse.raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    ws.close()
    return {**out, "peak_rss_gib": peak_rss_gib()}


def run_splink(features_file: Path, truth: Path, memory_limit: str) -> dict:
    records = duckdb.connect().execute(f"SELECT * FROM read_parquet('{features_file}')").to_arrow_table()
    return {**splink_default(records, truth, memory_limit), "peak_rss_gib": peak_rss_gib()}


def peak_rss_gib() -> float:
    """Peak resident memory of this process (Linux reports KiB): DuckDB's buffer pool dominates."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)


def in_child(fn, *args):
    """Run one phase in a fresh process, so each system's peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=750_000, help="people in the demo (about 1.33 records each)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="hx-identity-"))
    shutil.rmtree(work / "ws", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    prepared = in_child(prepare, work / "ws", args.people, args.seed)
    truth = prepared.pop("truth")
    ours = in_child(run_huaxiang, work / "ws", truth, work / "features.parquet")
    theirs = in_child(run_splink, work / "features.parquet", truth, ours.pop("memory_limit"))
    full, deterministic = ours.pop("full"), ours.pop("deterministic")
    out = {"benchmark": "identity", "people": args.people, **prepared,
           "huaxiang": {**full, "peak_rss_gib": ours["peak_rss_gib"]},
           "huaxiang_deterministic": deterministic,
           "splink_default": theirs,
           "ratio": round(full["build_s"] / theirs["seconds"], 2),
           "ratio_with_training": round((full["train_s"] + full["build_s"]) / theirs["seconds"], 2),
           "peak_rss_gib": max(ours["peak_rss_gib"], theirs["peak_rss_gib"]),
           "threads": duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
