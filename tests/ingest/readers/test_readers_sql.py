"""SQL sources through SQLAlchemy, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from huaxiang.ingest.readers import ReadError, ReadSpec, stage
from huaxiang.ingest.readers import sql as sql_reader


def orders_db(path: Path, extra_rows: int = 0) -> str:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE orders (订单号 TEXT, 金额 REAL, 数量 INTEGER, 下单时间 TEXT, 备注 TEXT)")
    db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", [
        ("O1", 12.5, 2, "2024-01-05 10:30:00", "首单"),
        ("O2", 100.0, None, None, ""),
    ] + [(f"X{i}", i * 1.0, i, None, None) for i in range(extra_rows)])
    db.commit()
    db.close()
    return f"sqlite:///{path}"


def test_query_rows_are_staged_as_text(con, fetch, tmp_path):
    url = orders_db(tmp_path / "shop.db")
    staged = stage(con, ReadSpec("sql", url=url, query="SELECT * FROM orders ORDER BY 订单号"), "t")
    assert (staged.columns, staged.rows, staged.encoding) == (["订单号", "金额", "数量", "下单时间", "备注"], 2, None)
    assert fetch("t") == [("O1", "12.5", "2", "2024-01-05 10:30:00", "首单", 1),
                          ("O2", "100", None, None, None, 2)]


def test_results_stream_in_batches(con, tmp_path):
    url = orders_db(tmp_path / "shop.db", extra_rows=sql_reader.BATCH_ROWS + 10)
    seen: list[tuple[int, int | None]] = []
    staged = stage(con, ReadSpec("sql", url=url, query="SELECT 订单号 FROM orders"), "t",
                   progress=lambda done, total: seen.append((done, total)))
    total = sql_reader.BATCH_ROWS + 12
    assert staged.rows == total
    assert seen == [(sql_reader.BATCH_ROWS, None), (total, None)]
    assert con.execute(f"SELECT * FROM t WHERE _row = {total}").fetchall() == [(f"X{total - 3}", total)]


def test_bad_sql_reports_the_database_message(con, tmp_path):
    url = orders_db(tmp_path / "shop.db")
    with pytest.raises(ReadError) as caught:
        stage(con, ReadSpec("sql", url=url, query="SELECT * FROM customers"), "t")
    assert caught.value.code == "sql_error"
    assert "no such table: customers" in caught.value.message
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_hx_stage_%'").fetchall() == [(0,)]


def test_password_never_appears_in_errors(con):
    spec = ReadSpec("sql", url="postgresql://crm:s3cret-pw@127.0.0.1:1/crm", query="SELECT 1")
    with pytest.raises(ReadError) as caught:
        stage(con, spec, "t")
    assert caught.value.code == "sql_error"
    assert "s3cret-pw" not in str(caught.value) and "s3cret-pw" not in repr(caught.value)
    assert "crm:***@127.0.0.1" in str(caught.value)


def test_unparseable_url_is_redacted(con):
    with pytest.raises(ReadError) as caught:
        stage(con, ReadSpec("sql", url="not a url s3cret-pw", query="SELECT 1"), "t")
    assert caught.value.code == "sql_error" and "s3cret-pw" not in str(caught.value)


def test_duplicate_result_columns(con, tmp_path):
    url = orders_db(tmp_path / "shop.db")
    with pytest.raises(ReadError) as caught:
        stage(con, ReadSpec("sql", url=url, query="SELECT 订单号, 订单号 FROM orders"), "t")
    assert (caught.value.code, caught.value.column) == ("duplicate_header", "订单号")
