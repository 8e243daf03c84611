"""The identity benchmark's scores (benchmarks/metrics.py) on a clustering small enough to score by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "metrics.py"
_spec = importlib.util.spec_from_file_location("benchmark_metrics", _PATH)
metrics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(metrics)

# three people: P1 = {a, b, c}, P2 = {d, e}, P3 = {f}
TRUTH = [("a", "P1"), ("b", "P1"), ("c", "P1"), ("d", "P2"), ("e", "P2"), ("f", "P3")]


def _score(clusters: list[tuple[str, int]]) -> dict:
    con = duckdb.connect()
    con.execute("CREATE TABLE truth (record_id VARCHAR, true_id VARCHAR)")
    con.executemany("INSERT INTO truth VALUES (?, ?)", TRUTH)
    con.execute("CREATE TABLE clusters (record_id VARCHAR, cluster_id BIGINT)")
    if clusters:
        con.executemany("INSERT INTO clusters VALUES (?, ?)", clusters)
    return metrics.score(con, "truth", "clusters")


def test_scores_of_a_clustering_that_splits_one_person_and_merges_two():
    # K1 = {a, b}, K2 = {c, d, e, f}: P1 is split, c, P2 and P3 are merged
    got = _score([("a", 1), ("b", 1), ("c", 2), ("d", 2), ("e", 2), ("f", 2)])
    # cells: K1xP1 = 2, K2xP1 = 1, K2xP2 = 2, K2xP3 = 1
    # pairs in cells: 1 + 0 + 1 + 0 = 2; in clusters: 1 + 6 = 7; in people: 3 + 1 + 0 = 4
    assert (got["records"], got["pairs_correct"], got["pairs_predicted"], got["pairs_true"]) == (6, 2, 7, 4)
    assert got["pairwise_precision"] == 2 / 7
    assert got["pairwise_recall"] == 2 / 4
    # per record, share of its cluster that is its person: a, b 2/2; c 1/4; d, e 2/4; f 1/4 -> 3.5 / 6
    assert got["bcubed_precision"] == pytest.approx(7 / 12, abs=1e-12)
    # share of its person in its cluster: a, b 2/3; c 1/3; d, e 2/2; f 1/1 -> (14/3) / 6
    assert got["bcubed_recall"] == pytest.approx(7 / 9, abs=1e-12)


def test_the_true_clustering_scores_one():
    got = _score([("a", 7), ("b", 7), ("c", 7), ("d", 8), ("e", 8), ("f", 9)])
    assert (got["pairs_correct"], got["pairs_predicted"], got["pairs_true"]) == (4, 4, 4)
    assert [got[k] for k in ("pairwise_precision", "pairwise_recall", "bcubed_precision", "bcubed_recall")] == [1, 1, 1, 1]


def test_a_record_without_a_cluster_is_a_cluster_of_its_own():
    # c and f are missing: they must not form a cluster together (they are not even one person)
    got = _score([("a", 1), ("b", 1), ("d", 2), ("e", 2)])
    assert (got["records"], got["pairs_correct"], got["pairs_predicted"], got["pairs_true"]) == (6, 2, 2, 4)
    assert got["pairwise_precision"] == 1 and got["pairwise_recall"] == 1 / 2
    assert got["bcubed_precision"] == 1
    # a, b 2/3; c 1/3; d, e, f 1 -> (4/3 + 1/3 + 3) / 6 = 7/9
    assert got["bcubed_recall"] == pytest.approx(7 / 9, abs=1e-12)


def test_no_predicted_pair_gives_no_pairwise_precision():
    got = _score([])
    assert got["pairs_predicted"] == 0 and got["pairwise_precision"] is None
    assert got["pairwise_recall"] == 0 and got["bcubed_precision"] == 1
