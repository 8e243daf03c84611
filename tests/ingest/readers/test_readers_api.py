"""The readers' public contract: exports, registration, errors and dispatch."""

from __future__ import annotations

import duckdb
import pytest

import huaxiang.ingest.readers as readers
from huaxiang.ingest.readers import ReadError, ReadSpec, Staged, formats, reader, stage


def test_public_api():
    assert sorted(readers.__all__) == sorted(
        ["ReadError", "ReadSpec", "Staged", "detect_encoding", "formats", "reader", "stage"])


def test_builtin_formats_are_registered():
    assert {"csv", "tsv", "xlsx", "json", "jsonl", "parquet", "sql"} <= set(formats())


def test_read_error_text_names_file_row_and_column():
    err = ReadError("不是有效的手机号", file="customers.csv", row=17, column="手机号", code="malformed")
    assert str(err) == "customers.csv, row 17, column 手机号: 不是有效的手机号"
    assert (err.message, err.file, err.row, err.column, err.code) == (
        "不是有效的手机号", "customers.csv", 17, "手机号", "malformed")
    assert str(ReadError("plain")) == "plain" and ReadError("plain").code == "read_error"


def test_unknown_format_lists_supported_ones(con, tmp_path):
    with pytest.raises(ReadError) as caught:
        stage(con, ReadSpec("xml", tmp_path / "a.xml"), "t")
    assert caught.value.code == "unsupported_format"
    assert "csv" in caught.value.message and "parquet" in caught.value.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl", "parquet"])
def test_missing_file(con, tmp_path, fmt):
    with pytest.raises(ReadError) as caught:
        stage(con, ReadSpec(fmt, tmp_path / "nope.dat"), "t")
    assert (caught.value.code, caught.value.file) == ("not_found", str(tmp_path / "nope.dat"))


def test_a_registered_reader_is_dispatched(con, tmp_path):
    @reader("test-only-constant")
    def constant(con_: duckdb.DuckDBPyConnection, spec: ReadSpec, table: str, progress) -> Staged:
        con_.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT \'x\' AS v, 1::BIGINT AS _row')
        return Staged(table=table, columns=["v"], rows=1, encoding=None)

    path = tmp_path / "a.dat"
    path.write_text("anything")
    assert "test-only-constant" in formats()
    assert stage(con, ReadSpec("test-only-constant", path), "t").rows == 1


def test_insertion_order_setting_is_restored(con, fetch, tmp_path):
    con.execute("SET preserve_insertion_order = false")
    path = tmp_path / "a.csv"
    path.write_text("n\n" + "".join(f"{i}\n" for i in range(5000)), encoding="utf-8")
    stage(con, ReadSpec("csv", path), "t")
    assert con.execute("SELECT count(*) FROM t WHERE CAST(n AS INTEGER) + 2 <> _row").fetchall() == [(0,)]
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchall() == [(False,)]
