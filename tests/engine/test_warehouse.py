"""The DuckDB warehouse: one writer at a time (WorkspaceBusy), canonical DDL, all-or-nothing transactions."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from helpers import CRM_YAML, write

import huaxiang
from huaxiang.domain.schema import QUARANTINE, SYSTEM_COLUMNS, TABLES, VALUE_ISSUES
from huaxiang.engine.warehouse import Warehouse, WorkspaceBusy, sql_type

HOLD = """import sys, time
from pathlib import Path
from huaxiang.engine.warehouse import Warehouse
wh = Warehouse(Path(sys.argv[1]), command="huaxiang import crm_contacts")
print("ready", flush=True)
time.sleep(120)
"""

CRM = CRM_YAML


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A workspace whose warehouse another process holds open for writing: (workspace root, that process)."""
    root = tmp_path_factory.mktemp("busy") / "shop"
    huaxiang.init_workspace(root, name="shop", locale="en").close()
    write(root / "sources" / "crm.yml", CRM)
    write(root / "data" / "crm.csv", "客户编号,姓名\nC1,张三\n")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root / "warehouse.duckdb")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield root, holder
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_second_writer_gets_workspace_busy_naming_the_holder(held):
    root, holder = held
    path = root / "warehouse.duckdb"
    with pytest.raises(WorkspaceBusy) as info:
        Warehouse(path)
    busy = info.value
    assert busy.pid == holder.pid and busy.path == path
    assert busy.holder["pid"] == holder.pid and busy.holder["command"] == "huaxiang import crm_contacts"
    assert str(busy) == (f"workspace busy: {path} is being written by process {holder.pid} "
                         f"(huaxiang import crm_contacts, since {busy.holder['since']}); "
                         f"wait for it to finish, or stop it (kill {holder.pid}), then try again")
    assert busy.__cause__ is None and busy.__suppress_context__  # no duckdb traceback chained on


def test_a_reader_is_told_too(held):
    root, holder = held
    with pytest.raises(WorkspaceBusy) as info:
        Warehouse(root / "warehouse.duckdb", read_only=True)
    assert info.value.pid == holder.pid


def test_through_the_workspace_an_import_is_refused_before_it_starts(held):
    root, holder = held
    with huaxiang.open_workspace(root) as ws:
        ws.apply()
        with pytest.raises(WorkspaceBusy) as info:
            ws.ingest.load("crm")
        assert info.value.pid == holder.pid
        assert ws.catalog.list_loads() == []  # no half-started load in the catalog
        assert ws.sources.list() == ["crm"]  # the catalog itself is not locked


def test_a_stale_lock_file_is_not_believed(held):
    root, holder = held
    lock = root / ".huaxiang" / "lock.json"
    real = lock.read_text()
    lock.write_text(json.dumps({"pid": 1, "command": "huaxiang demo", "since": "2020-01-01 00:00:00"}))
    try:
        with pytest.raises(WorkspaceBusy) as info:
            Warehouse(root / "warehouse.duckdb")
    finally:
        lock.write_text(real)
    assert info.value.pid == holder.pid and "huaxiang demo" not in str(info.value)
    assert str(info.value).endswith(f"by process {holder.pid}; wait for it to finish, or stop it "
                                    f"(kill {holder.pid}), then try again")


def test_the_warehouse_opens_again_once_the_writer_is_gone(tmp_path: Path):
    path = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceBusy):
            Warehouse(path)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    deadline = time.monotonic() + 10
    while True:  # the kernel releases the dead process's lock promptly, but not synchronously
        try:
            wh = Warehouse(path, command="huaxiang status")
            break
        except WorkspaceBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        info = json.loads((tmp_path / ".huaxiang" / "lock.json").read_text())
        assert info["command"] == "huaxiang status" and isinstance(info["pid"], int) and info["pid"] != holder.pid
    finally:
        wh.close()
    assert not (tmp_path / ".huaxiang" / "lock.json").exists()


def test_other_open_errors_are_not_disguised_as_busy(tmp_path: Path):
    with pytest.raises(duckdb.Error) as info:
        Warehouse(tmp_path / "missing" / "warehouse.duckdb")
    assert not isinstance(info.value, WorkspaceBusy)


# ---- layout -----------------------------------------------------------------------------------

SYSTEM = [("source", "VARCHAR"), ("source_key", "VARCHAR"), ("load_id", "VARCHAR"), ("loaded_at", "TIMESTAMP"),
          ("row_number", "BIGINT"), ("raw", "JSON")]


@pytest.fixture
def wh(tmp_path: Path):
    wh = Warehouse(tmp_path / "warehouse.duckdb")
    wh.ensure_tables()
    yield wh
    wh.close()


def _columns(wh: Warehouse, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in wh.raw.execute(f'DESCRIBE "{table}"').fetchall()]


def test_canonical_tables_exist_with_system_columns_first(wh):
    names = {"source_records", "orders", "order_items", "events", "interactions", "referrals", "consents",
             "survey_responses"}
    assert {t.name for t in TABLES.values()} == names
    assert set(wh.ibis.list_tables()) == names | {"value_issues", "quarantine"}
    assert [(c.name, sql_type(c.dtype)) for c in SYSTEM_COLUMNS] == SYSTEM
    for table in TABLES.values():
        assert _columns(wh, table.name) == SYSTEM + [(c.name, sql_type(c.dtype)) for c in table.columns], table.name
    assert _columns(wh, "value_issues") == [(c.name, sql_type(c.dtype)) for c in VALUE_ISSUES]
    assert _columns(wh, "quarantine") == [(c.name, sql_type(c.dtype)) for c in QUARANTINE]
    assert ("phone", "VARCHAR") in _columns(wh, "source_records")
    assert ("birth_date", "DATE") in _columns(wh, "source_records")
    assert ("total_amount", "DECIMAL(18,2)") in _columns(wh, "orders")


def test_ensure_tables_is_idempotent_and_keeps_rows(wh):
    wh.raw.execute("INSERT INTO orders (source, source_key, order_id, total_amount) VALUES ('erp', 'O1', 'O1', 12.5)")
    wh.ensure_tables()
    assert wh.raw.execute("SELECT source, order_id, total_amount::VARCHAR FROM orders").fetchall() == [
        ("erp", "O1", "12.50")]
    assert wh.count("orders") == 1 and wh.count("orders", "source = 'crm'") == 0
    assert wh.has_table("orders") and not wh.has_table("profiles")


def test_has_table_sees_tables_views_and_temporary_tables_of_the_current_schema_only(wh):
    wh.raw.execute("CREATE TEMP TABLE _staged (x INT)")
    wh.raw.execute("CREATE VIEW recent AS SELECT 1 AS x")
    wh.raw.execute("CREATE SCHEMA elsewhere")
    wh.raw.execute("CREATE TABLE elsewhere.hidden (x INT)")
    found = {name: wh.has_table(name) for name in ("orders", "_staged", "recent", "hidden", "nothing")}
    assert found == {"orders": True, "_staged": True, "recent": True, "hidden": False, "nothing": False}
    assert found == {name: name in wh.ibis.list_tables() for name in found}  # what Ibis lists


def test_sessions_run_in_utc(wh):
    assert wh.raw.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)


# ---- transactions -----------------------------------------------------------------------------

def _insert(wh: Warehouse, key: str) -> None:
    wh.raw.execute("INSERT INTO source_records (source, source_key, name) VALUES ('crm', ?, ?)", [key, key])


def _keys(wh: Warehouse) -> list[str]:
    return [r[0] for r in wh.raw.execute("SELECT source_key FROM source_records ORDER BY 1").fetchall()]


def test_a_transaction_commits(wh):
    with wh.transaction():
        _insert(wh, "C1")
        _insert(wh, "C2")
    assert _keys(wh) == ["C1", "C2"]


def test_a_python_error_rolls_back_every_write(wh):
    _insert(wh, "C0")
    with pytest.raises(ZeroDivisionError):
        with wh.transaction():
            _insert(wh, "C1")
            wh.raw.execute("DELETE FROM source_records WHERE source_key = 'C0'")
            wh.raw.execute("INSERT INTO quarantine (load_id, source) VALUES ('L1', 'crm')")
            1 / 0
    assert _keys(wh) == ["C0"] and wh.count("quarantine") == 0


def test_a_failing_statement_rolls_back_earlier_ones_and_the_connection_stays_usable(wh):
    with pytest.raises(duckdb.ConversionException):
        with wh.transaction():
            _insert(wh, "C1")
            wh.raw.execute("INSERT INTO source_records (source, source_key, birth_date) VALUES ('crm', 'C2', 'x')")
    assert _keys(wh) == []
    with wh.transaction():
        _insert(wh, "C3")
    assert _keys(wh) == ["C3"]


def test_committed_rows_survive_reopening(tmp_path: Path):
    path = tmp_path / "warehouse.duckdb"
    wh = Warehouse(path)
    wh.ensure_tables()
    with wh.transaction():
        _insert(wh, "C1")
    with pytest.raises(RuntimeError), wh.transaction():
        _insert(wh, "C2")
        raise RuntimeError("stop")
    wh.close()
    again = Warehouse(path, read_only=True)
    try:
        assert _keys(again) == ["C1"]
        assert not (tmp_path / ".huaxiang" / "lock.json").exists()  # readers leave no lock info
    finally:
        again.close()
