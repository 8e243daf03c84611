"""CSV and TSV staging: values, headers, row numbers and every malformed-file error."""

from __future__ import annotations

from pathlib import Path

import pytest

from huaxiang.ingest.readers import ReadError, ReadSpec, stage

HEADER = "会员号,姓名,手机号,性别,出生日期,省份,城市,地址,订单号,金额,下单时间"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read_error(con, spec: ReadSpec) -> ReadError:
    with pytest.raises(ReadError) as caught:
        stage(con, spec, "t")
    return caught.value


def test_chinese_csv_is_staged_as_text_with_file_row_numbers(con, fetch, tmp_path):
    path = write(tmp_path / "customers.csv", HEADER + "\n"
                 "M001,张三,13800138000,男,1990-01-05,广东省,广州市,\"天河区, 体育西路1号\",O1,12.50,2024-01-05 10:30:00\n"
                 "M002,李四,,女,,浙江省,杭州市,\"西湖区\n文三路\",O2,0.5,\n")
    staged = stage(con, ReadSpec("csv", path), "t")
    assert staged.columns == HEADER.split(",")
    assert (staged.table, staged.rows, staged.encoding, staged.row_column) == ("t", 2, "utf-8", "_row")
    assert fetch("t") == [
        ("M001", "张三", "13800138000", "男", "1990-01-05", "广东省", "广州市", "天河区, 体育西路1号",
         "O1", "12.50", "2024-01-05 10:30:00", 2),
        ("M002", "李四", None, "女", None, "浙江省", "杭州市", "西湖区\n文三路", "O2", "0.5", None, 3),
    ]


def test_all_columns_are_varchar_plus_bigint_row(con, tmp_path):
    stage(con, ReadSpec("csv", write(tmp_path / "a.csv", "金额,数量\n1.5,2\n")), "t")
    types = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 't' ORDER BY ordinal_position").fetchall()
    assert types == [("金额", "VARCHAR"), ("数量", "VARCHAR"), ("_row", "BIGINT")]


def test_headers_are_trimmed_and_blank_ones_named_by_position(con, fetch, tmp_path):
    path = write(tmp_path / "a.csv", " 姓名 ,,\t城市\n张三,x,北京\n")
    staged = stage(con, ReadSpec("csv", path), "t")
    assert staged.columns == ["姓名", "column2", "城市"]
    assert fetch("t") == [("张三", "x", "北京", 2)]


def test_tsv_uses_tabs_and_keeps_commas(con, fetch, tmp_path):
    path = write(tmp_path / "a.tsv", "姓名\t地址\n张三\t广州市, 天河区\n李四\t\"a\tb\"\n")
    staged = stage(con, ReadSpec("tsv", path), "t")
    assert staged.columns == ["姓名", "地址"]
    assert fetch("t") == [("张三", "广州市, 天河区", 2), ("李四", "a\tb", 3)]


def test_semicolon_delimiter_is_sniffed_from_the_header(con, fetch, tmp_path):
    path = write(tmp_path / "a.csv", "姓名;金额\n张三;1,5\n")
    assert stage(con, ReadSpec("csv", path), "t").columns == ["姓名", "金额"]
    assert fetch("t") == [("张三", "1,5", 2)]


def test_explicit_delimiter_wins(con, fetch, tmp_path):
    path = write(tmp_path / "a.csv", "姓名|备注\n张三|a,b;c\n")
    stage(con, ReadSpec("csv", path, delimiter="|"), "t")
    assert fetch("t") == [("张三", "a,b;c", 2)]


def test_header_row_below_a_title_keeps_file_line_numbers(con, fetch, tmp_path):
    path = write(tmp_path / "a.csv", "客户导出 2024\n导出人: 王五\n姓名,城市\n张三,北京\n李四,上海\n")
    staged = stage(con, ReadSpec("csv", path, header_row=3), "t")
    assert staged.columns == ["姓名", "城市"]
    assert fetch("t") == [("张三", "北京", 4), ("李四", "上海", 5)]


def test_header_only_file_stages_zero_rows(con, fetch, tmp_path):
    staged = stage(con, ReadSpec("csv", write(tmp_path / "a.csv", "姓名,手机号\n")), "t")
    assert (staged.columns, staged.rows) == (["姓名", "手机号"], 0)
    assert fetch("t") == []


def test_crlf_line_endings(con, fetch, tmp_path):
    stage(con, ReadSpec("csv", write(tmp_path / "a.csv", "姓名,城市\r\n张三,北京\r\n")), "t")
    assert fetch("t") == [("张三", "北京", 2)]


def test_existing_temp_table_is_replaced_and_persistent_table_untouched(con, fetch, tmp_path):
    con.execute("CREATE TABLE t AS SELECT 'keep' AS x")
    con.execute("CREATE TEMP TABLE t AS SELECT 'old' AS x")
    stage(con, ReadSpec("csv", write(tmp_path / "a.csv", "姓名\n张三\n")), "t")
    assert fetch("t") == [("张三", 2)]
    assert con.execute("SELECT * FROM memory.main.t").fetchall() == [("keep",)]
    assert con.execute("SELECT temporary FROM duckdb_tables() WHERE table_name = 't' "
                       "AND schema_name = 'main' AND database_name = 'temp'").fetchall() == [(True,)]


@pytest.mark.parametrize(("body", "row", "found"), [
    ("姓名,手机号\n张三,1\n李四,2,多余\n王五,3\n", 3, "3"),
    ("姓名,手机号\n张三,1\n李四,2\n王五,3\n赵六\n", 5, "1"),
])
def test_wrong_number_of_fields_names_the_line(con, tmp_path, body, row, found):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "customers.csv", body)))
    assert (err.code, err.row, err.file) == ("malformed", row, str(tmp_path / "customers.csv"))
    assert f"found {found}" in err.message and "expected 2" in err.message


def test_too_many_fields_deep_in_a_large_file(con, tmp_path):
    lines = ["姓名,手机号"] + [f"张三{i},138{i:08d}" for i in range(300_000)]
    lines[250_000] = "坏,行,多"
    err = read_error(con, ReadSpec("csv", write(tmp_path / "big.csv", "\n".join(lines) + "\n")))
    assert (err.code, err.row) == ("malformed", 250_001)


def test_unterminated_quote_is_malformed(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", '姓名,地址\n张三,北京\n李四,"上海\n王五,广州\n')))
    assert (err.code, err.row) == ("malformed", 3)
    assert "quote" in err.message


def test_file_cut_inside_a_quoted_field_is_truncated(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", '姓名,地址\n张三,北京\n李四,"上海市浦东')))
    assert (err.code, err.row) == ("truncated", 3)


@pytest.mark.parametrize("body", ["", "   \n\n\t\n", "\ufeff"])
def test_empty_or_blank_file(con, tmp_path, body):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", body)))
    assert err.code == "empty_file"


def test_duplicate_header_names_the_column(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", "姓名,手机号,姓名\n张三,1,张三\n")))
    assert (err.code, err.row, err.column) == ("duplicate_header", 1, "姓名")


def test_header_names_differing_only_in_case_are_duplicates(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", "Email,email\na,b\n")))
    assert (err.code, err.column) == ("duplicate_header", "email")


def test_reserved_row_column_name_is_refused(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", "姓名,_row\n张三,1\n")))
    assert (err.code, err.column) == ("duplicate_header", "_row")


def test_blank_header_line_is_no_header(con, tmp_path):
    err = read_error(con, ReadSpec("csv", write(tmp_path / "a.csv", "标题\n\n姓名\n"), header_row=2))
    assert (err.code, err.row) == ("no_header", 2)


@pytest.mark.parametrize(("content", "looks_like"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel"),
    (b"PAR1\x15\x04\x15", "Parquet"),
    (b"abc\x00\x01\x02def", "NUL"),
])
def test_binary_file_given_as_csv_is_not_text(con, tmp_path, content, looks_like):
    path = tmp_path / "image.csv"
    path.write_bytes(content + bytes(range(256)))
    err = read_error(con, ReadSpec("csv", path))
    assert err.code == "not_text"
    assert looks_like in err.message


def test_real_xlsx_given_as_csv_is_not_text(con, tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "book.csv"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet().write_row(0, 0, ["姓名"])
    workbook.close()
    err = read_error(con, ReadSpec("csv", path))
    assert err.code == "not_text" and "Excel" in err.message

