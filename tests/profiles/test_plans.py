"""A kept plan (the statements of an earlier incremental build) builds exactly what compiling builds."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

import pytest

import huaxiang
from helpers import row_differences
from huaxiang.profiles import plans

TABLES = {"profiles": "SELECT * EXCLUDE (build) FROM profiles ORDER BY customer_id",
          "tag_members": "SELECT customer_id, tag, since, source FROM tag_members ORDER BY ALL",
          "segment_members": "SELECT customer_id, segment, since FROM segment_members ORDER BY ALL",
          "changes": "SELECT kind, name, customer_id, change, changed_at, reason FROM membership_changes "
                     "WHERE build = (SELECT max(build) FROM membership_changes) ORDER BY ALL"}


def _set_clock(root, clock: str) -> None:
    config = root / "huaxiang.yml"
    text = re.sub(r"^clock: .*$", f"clock: {clock}", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text, encoding="utf-8")


def _touch(root, every: int, clock: str) -> None:
    """Mark some customers' orders and interactions as newly loaded, and move the clock."""
    _set_clock(root, clock)
    with huaxiang.open_workspace(root) as ws:
        con = ws.warehouse.raw
        for table in ("orders", "interactions", "events"):
            con.execute(f"UPDATE {table} SET loaded_at = now()::TIMESTAMP WHERE hash(source_key) % {every} = 0")


def _build(root) -> tuple[object, dict[str, list]]:
    with huaxiang.open_workspace(root) as ws:
        result = ws.profiles.build()
        return result, {name: ws.warehouse.raw.execute(sql).fetchall() for name, sql in TABLES.items()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from huaxiang.demo.showcase import run_demo

    root = tmp_path_factory.mktemp("plans") / "demo"
    run_demo(root, customers=300, predict=False)
    with huaxiang.open_workspace(root) as ws:  # the first incremental build writes the fact store
        assert ws.profiles.build().counts["store"] == "written"
    return root


def test_a_kept_plan_builds_what_compiling_builds_at_another_time(demo, tmp_path):
    root = tmp_path / "a"
    shutil.copytree(demo, root)
    _touch(root, 7, "2026-07-01T09:00:00")
    first, _ = _build(root)
    assert (first.kind, first.counts["plan"]) == ("incremental", "compiled")
    # other customers, a later time, a new watermark: the kept statements must follow all three
    _touch(root, 5, "2026-07-03T18:30:00")
    shutil.copytree(root, tmp_path / "b")
    shutil.copytree(root, tmp_path / "full")
    kept, found = _build(root)
    with huaxiang.open_workspace(tmp_path / "b") as ws:
        with ws.catalog.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM build_plans")
    compiled, expected = _build(tmp_path / "b")
    assert (kept.kind, kept.counts["plan"]) == ("incremental", "kept")
    assert (compiled.kind, compiled.counts["plan"]) == ("incremental", "compiled")
    assert kept.customers == compiled.customers > 0
    assert kept.as_of == compiled.as_of == datetime(2026, 7, 3, 18, 30)
    # floats within a relative 1e-9: DuckDB's parallel sums add in no fixed order (helpers.row_differences)
    kept_rows = found.pop("profiles")
    assert row_differences(kept_rows, expected.pop("profiles")) == []
    assert found == expected
    # the kept build's rows carry its own build number and time
    with huaxiang.open_workspace(root) as ws:
        rows = ws.warehouse.raw.execute("SELECT DISTINCT build, as_of FROM profiles WHERE build = ?", [kept.build]).fetchall()
        touched = [r[0] for r in ws.warehouse.raw.execute("SELECT customer_id FROM profiles WHERE build = ?", [kept.build]).fetchall()]
    assert rows == [(kept.build, datetime(2026, 7, 3, 18, 30))]
    # and equal what a full build at that time gives them (their events found through their identity nodes)
    with huaxiang.open_workspace(tmp_path / "full") as ws:
        assert ws.profiles.build(full=True).kind == "full"
        full = ws.warehouse.raw.execute("SELECT * EXCLUDE (build) FROM profiles WHERE list_contains(?, customer_id) "
                                        "ORDER BY customer_id", [touched]).fetchall()
    assert len(full) == kept.customers
    assert row_differences(full, [r for r in kept_rows if r[0] in set(touched)]) == []


def test_a_changed_definition_compiles_again(demo, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(demo, root)
    _touch(root, 7, "2026-07-01T09:00:00")
    assert _build(root)[0].counts["plan"] == "compiled"
    _touch(root, 5, "2026-07-02T09:00:00")
    assert _build(root)[0].counts["plan"] == "kept"
    tags = root / "tags"
    tag_file = next(tags.glob("*.yml"))
    tag_file.write_text(tag_file.read_text(encoding="utf-8").replace(">= 3", ">= 4", 1), encoding="utf-8")
    with huaxiang.open_workspace(root) as ws:
        ws.apply()
    _touch(root, 3, "2026-07-03T09:00:00")
    result, _ = _build(root)
    assert (result.kind, result.counts["plan"]) == ("incremental", "compiled")


def test_times_become_placeholders_only_when_they_differ():
    a, s = datetime(2026, 7, 3, 18, 30), datetime(2026, 7, 3, 18, 29, 59, 123456)
    sql = [f"SELECT 1 WHERE x <= {plans.time_sql(a)} AND y > {plans.time_sql(s)}"]
    assert plans.template(sql, a, s) == [f"SELECT 1 WHERE x <= {plans.AS_OF} AND y > {plans.SINCE}"]
    assert plans.time_sql(s) == "MAKE_TIMESTAMP(2026, 7, 3, 18, 29, 59.123456)"
    assert plans.template(sql, a, a) is None
