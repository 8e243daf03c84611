"""Excel staging with python-calamine: text conversion of cells, sheets, row numbers, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from huaxiang.ingest.readers import ReadError, ReadSpec, stage
from huaxiang.ingest.readers import excel

HEADER = ["会员号", "姓名", "手机号", "性别", "出生日期", "省份", "城市", "地址", "订单号", "金额", "下单时间"]


def customers_book(path: Path) -> Path:
    """Sheet 概览 first, then 客户名单 with a title row, typed cells and a blank row."""
    book = xlsxwriter.Workbook(str(path))
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    book.add_worksheet("概览").write_row(0, 0, ["说明", "客户导出"])
    sheet = book.add_worksheet("客户名单")
    sheet.write(0, 0, "2024年客户导出")
    sheet.write_row(1, 0, HEADER)
    sheet.write_row(2, 0, ["M001", "张三", 13800138000, "男", None, "广东省", "广州市", "天河区", 20240105001, 12.5])
    sheet.write_datetime(2, 4, dt.date(1990, 1, 5), date_fmt)
    sheet.write_datetime(2, 10, dt.datetime(2024, 1, 5, 10, 30), time_fmt)
    sheet.write_row(4, 0, ["M002", "李四", "013800138000", "女", "", "浙江省", "杭州市", "", "O2", 3.0, True])
    sheet.write_datetime(5, 10, dt.datetime(2024, 1, 6, 8, 0, 1, 500000), time_fmt)
    sheet.write(5, 0, "M003")
    book.close()
    return path


def read_error(con, spec: ReadSpec) -> ReadError:
    with pytest.raises(ReadError) as caught:
        stage(con, spec, "t")
    return caught.value


def test_cells_become_text_with_excel_row_numbers(con, fetch, tmp_path):
    path = customers_book(tmp_path / "customers.xlsx")
    staged = stage(con, ReadSpec("xlsx", path, sheet="客户名单", header_row=2), "t")
    assert (staged.columns, staged.rows, staged.encoding) == (HEADER, 3, None)
    assert fetch("t") == [
        ("M001", "张三", "13800138000", "男", "1990-01-05", "广东省", "广州市", "天河区", "20240105001", "12.5",
         "2024-01-05 10:30:00", 3),
        ("M002", "李四", "013800138000", "女", None, "浙江省", "杭州市", None, "O2", "3", "true", 5),
        ("M003", None, None, None, None, None, None, None, None, None, "2024-01-06 08:00:01.500000", 6),
    ]


def test_sheet_by_index_and_default_first_sheet(con, fetch, tmp_path):
    path = customers_book(tmp_path / "customers.xlsx")
    assert stage(con, ReadSpec("xlsx", path), "t").columns == ["说明", "客户导出"]
    assert fetch("t") == []
    assert stage(con, ReadSpec("xlsx", path, sheet=1, header_row=2), "t").rows == 3


def test_data_starting_below_and_right_of_a1(con, fetch, tmp_path):
    path = tmp_path / "offset.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(3, 2, ["姓名", "城市"])
    sheet.write_row(4, 2, ["张三", "北京"])
    book.close()
    assert stage(con, ReadSpec("xlsx", path, header_row=4), "t").columns == ["姓名", "城市"]
    assert fetch("t") == [("张三", "北京", 5)]


def test_missing_sheet_lists_the_available_ones(con, tmp_path):
    err = read_error(con, ReadSpec("xlsx", customers_book(tmp_path / "c.xlsx"), sheet="订单"))
    assert err.code == "not_found"
    assert "'订单'" in err.message and "概览, 客户名单" in err.message


def test_sheet_index_out_of_range(con, tmp_path):
    err = read_error(con, ReadSpec("xlsx", customers_book(tmp_path / "c.xlsx"), sheet=5))
    assert err.code == "not_found" and "客户名单" in err.message


def test_truncated_workbook(con, tmp_path):
    data = customers_book(tmp_path / "c.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    err = read_error(con, ReadSpec("xlsx", path))
    assert (err.code, err.file) == ("truncated", str(path))


def test_text_file_given_as_xlsx(con, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_text("姓名,城市\n张三,北京\n", encoding="utf-8")
    err = read_error(con, ReadSpec("xlsx", path))
    assert err.code == "not_text" and "csv" in err.message


def test_empty_file_and_empty_sheet(con, tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert read_error(con, ReadSpec("xlsx", empty)).code == "empty_file"
    path = tmp_path / "blank.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("空")
    book.close()
    err = read_error(con, ReadSpec("xlsx", path))
    assert err.code == "empty_file" and "空" in err.message


def test_duplicate_header_in_sheet(con, tmp_path):
    path = tmp_path / "dup.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write_row(0, 0, ["手机号", "姓名", "手机号"])
    book.close()
    err = read_error(con, ReadSpec("xlsx", path))
    assert (err.code, err.row, err.column) == ("duplicate_header", 1, "手机号")


def test_rows_span_several_batches_with_progress(con, fetch, tmp_path):
    path = tmp_path / "many.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["会员号", "金额"])
    count = excel.BATCH_ROWS + 1234
    for i in range(count):
        sheet.write_row(i + 1, 0, [f"M{i}", i * 1.0])
    book.close()
    seen: list[tuple[int, int | None]] = []
    staged = stage(con, ReadSpec("xlsx", path), "t", progress=lambda done, total: seen.append((done, total)))
    assert staged.rows == count
    assert con.execute("SELECT * FROM t WHERE _row IN (2, 50001, 50002) ORDER BY _row").fetchall() == [
        ("M0", "0", 2), ("M49999", "49999", 50001), ("M50000", "50000", 50002)]
    assert seen == [(excel.BATCH_ROWS + 1, count + 1), (count + 1, count + 1)]
