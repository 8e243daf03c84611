"""The catalog on SQLite: loads with who / when / what, quality reports per load, an append-only audit log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import write

from huaxiang.engine.catalog import Catalog
from huaxiang.ingest.load import IngestError

CRM = {"kind": "customers", "format": "csv", "path": "data/crm.csv", "key": ["crm_id"],
       "columns": {"客户编号": "crm_id", "姓名": "name", "手机号": "phone"}}
GOOD = "客户编号,姓名,手机号\nC1,张三,13800138000\nC2,李四,13900001111\n"
NO_KEY = "客户编号,姓名,手机号\nC1,张三,13800138000\n,李四,13900001111\n"


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def actor(monkeypatch) -> str:
    """The user the catalog records (getpass reads LOGNAME first)."""
    monkeypatch.setenv("LOGNAME", "wang.fang")
    return "wang.fang"


@pytest.fixture
def catalog(tmp_path: Path):
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    yield catalog
    catalog.close()


def test_a_load_is_recorded_with_who_when_what_counts_and_status(make_ws, actor):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data" / "crm.csv", GOOD)
    before = _utc_now()
    result = ws.ingest.load("crm")
    after = _utc_now()
    [load] = ws.catalog.list_loads()
    assert {k: load[k] for k in ("load_id", "source", "source_version", "file", "actor", "status", "message")} == {
        "load_id": result.load_id, "source": "crm", "source_version": 1, "file": str(ws.root / "data" / "crm.csv"),
        "actor": "wang.fang", "status": "succeeded", "message": ""}
    assert before <= load["started_at"] <= load["finished_at"] <= after
    assert load["counts"] == result.counts == {"read": 2, "duplicates_exact": 0, "duplicate_keys": 0, "stored": 2,
                                               "inserted": 2, "updated": 0, "quarantined": 0, "already_loaded": 0}


def test_a_refused_load_is_recorded_with_its_reason_and_report(make_ws, actor):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data" / "crm.csv", NO_KEY)
    with pytest.raises(IngestError) as info:
        ws.ingest.load("crm")
    [load] = ws.catalog.list_loads("crm")
    assert load["load_id"] == info.value.load_id
    assert (load["status"], load["actor"], load["source_version"]) == ("rejected", "wang.fang", 1)
    assert load["counts"] == {"read": 2, "duplicates_exact": 0, "duplicate_keys": 0, "rejected": 1, "stored": 0}
    assert load["message"] == str(info.value)
    assert load["message"].startswith("crm.csv, row 3, column crm_id: 1 bad row(s)")
    report = ws.catalog.quality_report(load["load_id"])
    assert report["error"]["code"] == "bad_rows" and report["error"]["row"] == 3
    assert report["bad_rows"] == {"key crm_id: missing": 1} and report["counts"] == load["counts"]


def test_a_quality_report_is_stored_per_load(make_ws):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data" / "crm.csv", GOOD)
    first = ws.ingest.load("crm")
    write(ws.root / "data" / "crm.csv", "客户编号,姓名,手机号\nC3,王五,12345\n")
    second = ws.ingest.load("crm")
    assert [x["load_id"] for x in ws.catalog.list_loads("crm")] == [second.load_id, first.load_id]
    one, two = ws.catalog.quality_report(first.load_id), ws.catalog.quality_report(second.load_id)
    assert one == first.report and two == second.report
    assert (one["counts"]["stored"], two["counts"]["stored"]) == (2, 1)
    phone = {c["column"]: c for c in two["columns"]}["phone"]
    assert (phone["invalid"], phone["reasons"]) == (1, {"invalid_phone": 1})
    assert {c["column"]: c for c in one["columns"]}["phone"]["invalid"] == 0
    assert ws.catalog.quality_report("no-such-load") is None


def test_list_loads_filters_by_source_and_limits(catalog):
    for i, source in enumerate(["crm", "erp", "crm"]):
        catalog.start_load(f"L{i}", source, 1, f"{source}.csv")
    assert [x["load_id"] for x in catalog.list_loads()] == ["L2", "L1", "L0"]
    assert [x["load_id"] for x in catalog.list_loads("crm")] == ["L2", "L0"]
    assert [x["load_id"] for x in catalog.list_loads(limit=1)] == ["L2"]
    # one writer at a time: a load still running when the next starts died with its process
    assert catalog.list_loads("erp")[0]["status"] == "interrupted"
    assert catalog.list_loads("crm")[0]["status"] == "running"


def test_a_failed_load_keeps_its_error_and_has_no_report(catalog, actor):
    catalog.start_load("L1", "crm", 2, "crm.csv")
    catalog.finish_load("L1", "failed", {"read": 5}, "OutOfMemoryException: boom")
    [load] = catalog.list_loads()
    assert (load["status"], load["counts"], load["message"], load["actor"]) == (
        "failed", {"read": 5}, "OutOfMemoryException: boom", "wang.fang")
    assert catalog.quality_report("L1") is None
    [entry] = catalog.audit_entries()
    assert (entry["action"], entry["target"], entry["actor"]) == ("load.failed", "source/crm", "wang.fang")
    assert entry["details"] == {"load_id": "L1", "file": "crm.csv", "counts": {"read": 5},
                                "message": "OutOfMemoryException: boom"}


def test_audit_entries_for_apply_and_loads(make_ws, actor):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data" / "crm.csv", GOOD)
    result = ws.ingest.load("crm")
    (ws.root / "sources" / "crm.yml").unlink()
    ws.apply()
    entries = list(reversed(ws.catalog.audit_entries()))
    assert [(e["action"], e["target"], e["actor"]) for e in entries] == [
        ("definition.put", "source/crm", "wang.fang"),
        ("load.succeeded", "source/crm", "wang.fang"),
        ("definition.delete", "source/crm", "wang.fang")]
    assert entries[0]["details"] == {"version": 1, "origin": "sources/crm.yml"}
    assert entries[1]["details"] == {"load_id": result.load_id, "file": str(ws.root / "data" / "crm.csv"),
                                     "counts": result.counts, "message": ""}
    assert entries[2]["details"] == {"version": 2, "origin": "sources/crm.yml"}
    assert entries[0]["at"] <= entries[1]["at"] <= entries[2]["at"] <= _utc_now()


def test_audit_log_is_append_only_in_the_database(tmp_path: Path, catalog):
    catalog.audit("definition.put", "source/crm", {"version": 1}, actor="li.lei")
    catalog.audit("load.succeeded", "source/crm", {"load_id": "L1"}, actor="li.lei")
    catalog.close()
    db = sqlite3.connect(tmp_path / "catalog.sqlite")  # a plain connection, as anyone with the file could open
    try:
        with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):
            db.execute("UPDATE audit_log SET actor = 'someone.else' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):
            db.execute("DELETE FROM audit_log")
        db.rollback()
        assert db.execute("SELECT id, actor, action FROM audit_log ORDER BY id").fetchall() == [
            (1, "li.lei", "definition.put"), (2, "li.lei", "load.succeeded")]
        db.execute("INSERT INTO audit_log (at, actor, action, target, details) "
                   "VALUES ('2026-01-01 00:00:00', 'x', 'note', 't', '{}')")
        db.commit()
    finally:
        db.close()
    reopened = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")  # reopening keeps the guard
    try:
        assert [e["action"] for e in reopened.audit_entries()] == ["note", "load.succeeded", "definition.put"]
        with reopened.engine.begin() as conn, pytest.raises(Exception, match="audit_log is append-only"):
            conn.exec_driver_sql("DELETE FROM audit_log WHERE id = 3")
        assert len(reopened.audit_entries()) == 3
    finally:
        reopened.close()


def test_definitions_keep_every_version(catalog, actor):
    assert catalog.put_definition("source", "crm", {"a": 1}, origin="sources/crm.yml") == 1
    assert catalog.put_definition("source", "crm", {"a": 2}, origin="sources/crm.yml") == 2
    assert catalog.put_definition("source", "erp", {"b": 1}) == 1
    assert catalog.put_definition("source", "erp", None) == 2
    latest = catalog.latest("source")
    assert list(latest) == ["crm"] and (latest["crm"]["version"], latest["crm"]["body"]) == (2, {"a": 2})
    assert latest["crm"]["created_by"] == "wang.fang"
    assert catalog.latest("source", "erp") == {}
    assert [(h["version"], h["body"], h["deleted"]) for h in catalog.history("source", "erp")] == [
        (1, {"b": 1}, False), (2, {}, True)]
    assert catalog.versions("source") == {"crm": 2, "erp": 2}
    assert catalog.latest("trait") == {} and catalog.versions("trait") == {}
