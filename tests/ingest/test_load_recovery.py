"""Loads that die half-way, and figures that must stay true across re-imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import huaxiang

from helpers import write

CRM = {
    "kind": "customers", "format": "csv", "path": "data/crm.csv", "key": ["crm_id"], "on_error": "quarantine",
    "columns": {"客户编号": "crm_id", "姓名": "name", "手机号": "phone"},
}
HEADER = "客户编号,姓名,手机号\n"


def test_a_killed_load_is_closed_as_interrupted_and_left_no_rows(make_ws):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data/crm.csv", HEADER + "C1,张三,13800138000\n")
    ws.close()
    script = textwrap.dedent("""
        import sys, time, huaxiang
        ws = huaxiang.open_workspace(sys.argv[1])
        def stall(step, done, total):
            if step == "standardize":
                print("stalled", flush=True)
                time.sleep(120)
        ws.ingest.load("crm", progress=stall)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, str(ws.root)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "stalled"
    finally:
        proc.kill()
        proc.wait()
    ws = huaxiang.open_workspace(ws.root)
    assert [load["status"] for load in ws.catalog.list_loads("crm")] == ["running"]
    result = ws.ingest.load("crm")
    statuses = {load["load_id"]: load["status"] for load in ws.catalog.list_loads("crm")}
    assert statuses.pop(result.load_id) == "succeeded"
    assert list(statuses.values()) == ["interrupted"]
    assert ws.warehouse.raw.execute("SELECT count(*) FROM source_records").fetchone() == (1,)
    ws.close()


def test_source_profile_counts_issues_of_stored_rows_only(make_ws):
    ws = make_ws({"crm": CRM})
    path = write(ws.root / "data/crm.csv", HEADER + "C1,张三,12345\nC2,李四,678\nC3,赵六,13700137000\n,王五,13800138000\n")
    ws.ingest.load("crm")
    write(path, HEADER + "C1,张三,12345\nC2,李四,13900139000\n")
    ws.ingest.load("crm")
    report = ws.quality.source_report("crm")["stored"]
    phone = next(c for c in report["columns"] if c["column"] == "phone")
    # C1 is still invalid; C2's invalid phone was replaced by a valid one; C3 still comes from load 1
    assert phone["invalid"] == 1
    assert report["rows"] == 3
    assert report["quarantined"] == 0  # the latest load had no bad rows; the first one had one
    assert ws.warehouse.raw.execute("SELECT count(*) FROM quarantine").fetchone() == (1,)


def test_keys_of_several_columns_never_collide(make_ws):
    ws = make_ws({"crm": {**CRM, "key": ["crm_id", "name"]}})
    write(ws.root / "data/crm.csv", HEADER + "A|1,2,13800138000\nA,1|2,13900139000\nB\\,x,13700137000\n")
    result = ws.ingest.load("crm")
    assert result.counts["stored"] == 3 and result.counts["duplicate_keys"] == 0
    keys = ws.warehouse.raw.execute("SELECT source_key FROM source_records ORDER BY row_number").fetchall()
    assert keys == [("A\\|1|2",), ("A|1\\|2",), ("B\\\\|x",)]
