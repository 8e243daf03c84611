"""Every trait, tag and segment gives the same result on DuckDB and on a local Spark session.

Rules of the comparison (docs/spark.md):
* numbers: equal within a relative 1e-9 (the engines sum floats in different orders); counts exactly;
* strings, dates, timestamps and lists exactly (timestamps are naive UTC on both; the session's time
  zone is UTC; local hours use the workspace's fixed UTC offset at ``as_of``);
* ties in most_frequent / top_k go to the smaller value on both; first / last take the value at
  the earliest / latest time (the shop has no two rows of a customer at the same instant).
"""

from __future__ import annotations

from helpers import row_differences
from pshop import make_shop  # tests/profiles is on the path (conftest.py)


def _rows(ws, query: str) -> list[tuple]:
    return ws.warehouse.raw.execute(query).fetchall()


def compare_engines(ws, spark) -> dict[str, int]:
    """Build on DuckDB, keep the results, build on Spark, compare profiles and memberships."""
    ws.profiles.build(full=True, engine="duckdb")
    duck = {
        "profiles": _rows(ws, "SELECT * EXCLUDE (build) FROM profiles ORDER BY customer_id"),
        "tags": _rows(ws, "SELECT customer_id, tag, source FROM tag_members ORDER BY ALL"),
        "segments": _rows(ws, "SELECT customer_id, segment FROM segment_members ORDER BY ALL"),
    }
    ws.profiles.build(full=True, engine="spark")
    on_spark = {
        "profiles": _rows(ws, "SELECT * EXCLUDE (build) FROM profiles ORDER BY customer_id"),
        "tags": _rows(ws, "SELECT customer_id, tag, source FROM tag_members ORDER BY ALL"),
        "segments": _rows(ws, "SELECT customer_id, segment FROM segment_members ORDER BY ALL"),
    }
    for name in duck:
        problems = row_differences(duck[name], on_spark[name])
        assert not problems, f"{name}: {len(problems)} differences, e.g. {problems[:5]}"
    return {name: len(rows) for name, rows in duck.items()}


def test_the_shop_on_duckdb_and_spark(make_ws, spark):
    from test_members import SEGMENTS, TAGS
    from test_traits import ORDERS_TRAITS

    ws = make_shop(make_ws, ORDERS_TRAITS, TAGS, SEGMENTS)
    sizes = compare_engines(ws, spark)
    assert sizes == {"profiles": 3, "tags": 4, "segments": 5}



def test_the_built_in_library_on_duckdb_and_spark(trained_demo, spark, tmp_path):
    """Every built-in trait, tag and segment on the 1,000-customer demo (a copy: the fixture is shared)."""
    import shutil

    import huaxiang

    root = tmp_path / "demo"
    shutil.copytree(trained_demo[0], root, ignore=shutil.ignore_patterns(".huaxiang"))
    with huaxiang.open_workspace(root) as ws:
        defs = ws.profiles.definitions()
        sizes = compare_engines(ws, spark)
        assert sizes["profiles"] == ws.warehouse.count("golden_records") > 900
        built_tags = {r[0] for r in _rows(ws, "SELECT DISTINCT tag FROM tag_members")}
        built_segments = {r[0] for r in _rows(ws, "SELECT DISTINCT segment FROM segment_members")}
    # the comparison covered every rule tag and most segments with real members, not empty sets
    assert built_tags >= {t.name for t in defs.tags if t.rule}
    assert len(built_segments) >= len(defs.segments) - 2 and len(defs.traits) >= 80
