"""Splink on Spark scores the demo's pairs as on DuckDB, with the model trained on DuckDB; a build gives the same customers.

Tolerance: a pair's match weight is log2 of a product of the same m / u values on both engines;
the level every comparison takes is the same, so only the last bits of floating-point arithmetic
(the order of a sum, each engine's log2) may differ. 1e-9 allows that and nothing else: the
smallest weight one level adds or takes is far above it.
"""

from __future__ import annotations

import shutil

import pytest

import huaxiang
from huaxiang.identity import probabilistic
from huaxiang.identity.probabilistic import ModelMismatch, for_dialect

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def demo(trained_demo, tmp_path_factory):
    """A copy of the trained demo (the original is shared with the identity tests)."""
    root = tmp_path_factory.mktemp("spark-identity") / "demo"
    shutil.copytree(trained_demo[0], root)
    return root


def _matches(wh) -> dict[tuple[str, str], tuple[float, float, str]]:
    rows = wh.raw.execute("SELECT uid_a, uid_b, match_weight, match_probability, evidence::VARCHAR FROM _idn_matches")
    return {(a, b): (w, p, e) for a, b, w, p, e in rows.fetchall()}


def _same(duck: dict, spark: dict) -> None:
    assert set(duck) == set(spark)
    for pair, (weight, probability, evidence) in duck.items():
        assert spark[pair][0] == pytest.approx(weight, abs=TOLERANCE, rel=0), pair
        assert spark[pair][1] == pytest.approx(probability, abs=TOLERANCE, rel=0), pair
        assert spark[pair][2] == evidence, pair


#: blocked wide, so that most pairs are strangers and every level of every comparison is met
#: (the demo's own rules block so tightly that nearly every pair is one person)
WIDE = [["city"], ["phone_last4"], ["birth_date"]]


def _score_both(root, spark, seeds: bool) -> dict[str, dict]:
    """Every pair of the wide blocking (no threshold worth the name) scored on DuckDB and on Spark; with ``seeds``,
    only the pairs of every ninth record (an incremental build's scoring)."""
    with huaxiang.open_workspace(root) as ws:
        wh, model = ws.warehouse, ws.identity.model().model
        config = ws.identity.rules().probabilistic.model_copy(update={"review_above": -1000.0, "blocking": WIDE})
        probabilistic.features(wh)
        uids = [u for (u,) in wh.raw.execute("SELECT unique_id FROM _idn_features ORDER BY 1").fetchall()][::9]
        out = {}
        for engine, session in (("duckdb", None), ("spark", spark)):
            probabilistic.score(wh, config, model, uids if seeds else None, spark=session)
            out[engine] = _matches(wh)
    return out


def test_every_blocked_pair_gets_the_same_weight_on_spark(demo, spark):
    scored = _score_both(demo, spark, seeds=False)
    assert len(scored["duckdb"]) > 5000  # every blocked pair, the hopeless ones included
    _same(scored["duckdb"], scored["spark"])
    weights = [w for w, _, _ in scored["duckdb"].values()]
    assert min(weights) < -40 and max(weights) > 30
    levels = {(name, level) for _, _, e in scored["duckdb"].values() for name, level in
              probabilistic.evidence_of(e).items()}
    # the custom and fuzzy levels were met, so their Spark SQL was put to the test
    assert {("name", "similar_pinyin"), ("address", "same_district_similar_street"), ("address", "same_district"),
            ("address", "same_city"), ("birth_date", "one_digit_apart"), ("phone", "same_last4")} <= levels


def test_an_incremental_scoring_from_seeds_is_the_same_on_spark(demo, spark):
    scored = _score_both(demo, spark, seeds=True)
    assert len(scored["duckdb"]) > 500
    _same(scored["duckdb"], scored["spark"])


def test_the_spark_model_keeps_every_parameter_and_renders_its_sql_for_spark(trained_demo):
    model = trained_demo[1].model
    config = huaxiang.domain.identity.Probabilistic()
    rendered = for_dialect(model, config, "spark")
    assert rendered["probability_two_random_records_match"] == model["probability_two_random_records_match"]
    pairs = [(old, new) for oc, nc in zip(model["comparisons"], rendered["comparisons"])
             for old, new in zip(oc["comparison_levels"], nc["comparison_levels"])]
    assert all(old.get("m_probability") == new.get("m_probability") and
               old.get("u_probability") == new.get("u_probability") for old, new in pairs)
    sql = [new["sql_condition"] for _, new in pairs] + \
          [r["blocking_rule"] for r in rendered["blocking_rules_to_generate_predictions"]]
    assert not any('"' in s for s in sql)  # Spark reads "x" as a string, not a column
    # string similarity by DuckDB's own functions (the same numbers), not by Splink's Java ones
    assert sum("duckdb_jaro_winkler_similarity(" in s for s in sql) == 2 and sum("duckdb_jaccard(" in s for s in sql) == 1
    assert for_dialect(model, config, "duckdb")["comparisons"] == model["comparisons"]  # its own SQL on DuckDB


def test_a_model_of_other_comparisons_is_not_rendered_for_spark(trained_demo):
    model = {**trained_demo[1].model}
    model["comparisons"] = model["comparisons"][:-1]
    with pytest.raises(ModelMismatch, match="train it again"):
        for_dialect(model, huaxiang.domain.identity.Probabilistic(), "spark")


def _customers(root) -> list[tuple]:
    with huaxiang.open_workspace(root) as ws:
        result = ws.identity.build(full=True)
        rows = ws.warehouse.raw.execute("SELECT source, source_key, customer_id FROM customer_records "
                                        "ORDER BY ALL").fetchall()
        matches = ws.warehouse.raw.execute("""SELECT source_a, source_key_a, source_b, source_key_b, outcome,
                                                     round(match_weight, 9) FROM identity_matches ORDER BY ALL""").fetchall()
    return result.counts, rows, matches


def test_identity_build_on_a_spark_workspace_gives_the_same_customers(demo, spark, tmp_path):
    on_spark = tmp_path / "on-spark"
    shutil.copytree(demo, on_spark)
    config = on_spark / "huaxiang.yml"
    text = config.read_text(encoding="utf-8").replace("engine: duckdb", "engine: spark")
    config.write_text(text + "spark:\n  master: local[1]\n  driver_memory: 1g\n  shuffle_partitions: 2\n",
                      encoding="utf-8")
    with huaxiang.open_workspace(on_spark) as ws:
        assert ws.config.warehouse.engine == "spark" and ws.build_engine() is spark
    counts, customers, matches = _customers(demo)
    spark_counts, spark_customers, spark_matches = _customers(on_spark)
    assert counts["scored_links"] > 50
    assert spark_counts == counts
    assert spark_customers == customers
    assert spark_matches == matches
    assert not list((on_spark / ".huaxiang" / "spark").glob("identity-*"))  # the run's Parquet is gone
