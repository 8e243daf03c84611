"""End-to-end loads of customer files: mapping, standardization, upsert, issues, quarantine."""

from __future__ import annotations

import json

import pytest
from helpers import write

from huaxiang.ingest.load import IngestError

HEADER = "客户编号,姓名,性别,手机号,邮箱,出生日期,地址\n"
ROWS = [
    "C1,张 三,男,138 0013 8000,A@B.com,1990年1月5日,广东省深圳市南山区科苑路15号",
    "C2,李四,女,12345,bad-email,1990-02-30,北京市朝阳区建国路88号",
    "C3,赵六,F,+86-139-0000-2222,x@y.cn,19850101,浙江省杭州市西湖区文三路1号",
]

CRM = {
    "kind": "customers", "format": "csv", "path": "data/crm.csv", "key": ["crm_id"], "on_error": "quarantine",
    "columns": {"客户编号": "crm_id", "姓名": "name", "性别": "gender", "手机号": "phone", "邮箱": "email",
                "出生日期": "birth_date", "地址": "address"},
}


def _rows(ws, sql):
    return ws.warehouse.raw.execute(sql).fetchall()


def test_gbk_csv_with_chinese_headers_is_standardized(make_ws):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data/crm.csv", HEADER + "\n".join(ROWS) + "\n", "gbk")
    result = ws.ingest.load("crm")
    assert result.counts["read"] == 3 and result.counts["stored"] == 3 and result.counts["inserted"] == 3
    assert result.report["encoding"] in ("gbk", "gb18030")
    got = _rows(ws, """SELECT source_key, name, gender, phone, email, birth_date::VARCHAR, province, city, district
                       FROM source_records ORDER BY source_key""")
    assert got[0] == ("C1", "张三", "M", "+8613800138000", "a@b.com", "1990-01-05", "广东省", "深圳市", "南山区")
    assert got[1][:6] == ("C2", "李四", "F", None, None, None)
    assert got[2][3] == "+8613900002222" and got[2][5] == "1985-01-01" and got[2][8] == "西湖区"


def test_invalid_values_are_nulled_with_reasons_per_row_and_column(make_ws):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data/crm.csv", HEADER + "\n".join(ROWS) + "\n", "gbk")
    result = ws.ingest.load("crm")
    issues = _rows(ws, "SELECT source_key, row_number, column_name, raw_value, reason FROM value_issues ORDER BY column_name")
    assert ("C2", 3, "birth_date", "1990-02-30", "invalid_date") in issues
    assert ("C2", 3, "email", "bad-email", "invalid_email") in issues
    assert ("C2", 3, "phone", "12345", "invalid_phone") in issues
    assert all(r[0] == "C2" for r in issues)
    cols = {c["column"]: c for c in result.report["columns"]}
    assert cols["phone"]["invalid"] == 1 and cols["phone"]["validity"] == pytest.approx(2 / 3, abs=1e-3)
    assert cols["phone"]["reasons"] == {"invalid_phone": 1}
    assert ws.catalog.quality_report(result.load_id)["counts"]["stored"] == 3


def test_reimport_updates_and_never_duplicates(make_ws):
    ws = make_ws({"crm": CRM})
    path = write(ws.root / "data/crm.csv", HEADER + "\n".join(ROWS) + "\n", "gbk")
    ws.ingest.load("crm")
    changed = ROWS[0].replace("张 三", "张三丰")
    write(path, HEADER + changed + "\nC4,钱七,女,13700001111,,,\n", "gbk")
    result = ws.ingest.load("crm")
    assert result.counts["updated"] == 1 and result.counts["inserted"] == 1
    assert _rows(ws, "SELECT count(*), count(DISTINCT source_key) FROM source_records") == [(4, 4)]
    assert _rows(ws, "SELECT name FROM source_records WHERE source_key = 'C1'") == [("张三丰",)]


def test_exact_duplicates_removed_and_later_row_wins_for_same_key(make_ws):
    ws = make_ws({"crm": CRM})
    text = HEADER + ROWS[0] + "\n" + ROWS[0] + "\n" + ROWS[0].replace("A@B.com", "new@b.com") + "\n"
    write(ws.root / "data/crm.csv", text, "gbk")
    result = ws.ingest.load("crm")
    assert result.counts["duplicates_exact"] == 1 and result.counts["duplicate_keys"] == 1
    assert _rows(ws, "SELECT email, row_number FROM source_records") == [("new@b.com", 4)]


def test_rows_without_key_go_to_quarantine_with_reasons(make_ws):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data/crm.csv", HEADER + ROWS[0] + "\n,王五,女,13900001111,,,\n", "gbk")
    result = ws.ingest.load("crm")
    assert result.counts["stored"] == 1 and result.counts["quarantined"] == 1
    (row, reasons, raw), = _rows(ws, "SELECT row_number, reasons, raw FROM quarantine")
    assert row == 3 and json.loads(reasons) == ["key crm_id: missing"]
    assert json.loads(raw)["姓名"] == "王五"


def test_reject_refuses_whole_load_and_keeps_earlier_data(make_ws):
    ws = make_ws({"crm": {**CRM, "on_error": "reject", "required": ["phone"]}})
    path = write(ws.root / "data/crm.csv", HEADER + ROWS[0] + "\n", "gbk")
    ws.ingest.load("crm")
    before = _rows(ws, "SELECT * FROM source_records")
    write(path, HEADER + ROWS[0].replace("张 三", "改名") + "\n" + ROWS[1] + "\n", "gbk")
    with pytest.raises(IngestError) as err:
        ws.ingest.load("crm")
    assert err.value.code == "bad_rows" and err.value.row == 3 and err.value.column == "phone"
    assert "invalid_phone" in str(err.value)
    assert _rows(ws, "SELECT * FROM source_records") == before
    assert _rows(ws, "SELECT count(*) FROM value_issues") == [(0,)]
    load = ws.catalog.list_loads("crm", limit=1)[0]
    assert load["status"] == "rejected" and load["load_id"] == err.value.load_id
    assert ws.catalog.quality_report(load["load_id"])["error"]["row"] == 3


def test_missing_columns_name_the_file_and_column(make_ws):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data/crm.csv", "客户编号,姓名\nC1,张三\n", "utf-8")
    with pytest.raises(IngestError) as err:
        ws.ingest.load("crm")
    assert err.value.code == "missing_columns" and err.value.file == "crm.csv" and err.value.column == "性别"
    assert "手机号" in err.value.message


def test_wrong_kind_of_file_is_refused_without_changes(make_ws):
    ws = make_ws({"crm": CRM})
    write(ws.root / "data/crm.csv", HEADER + ROWS[0] + "\n", "gbk")
    ws.ingest.load("crm")
    orders = "订单号,金额,下单时间\nO1,100.00,2024-01-05 10:00\n"
    with pytest.raises(IngestError) as err:
        ws.ingest.load("crm", write(ws.root / "data/orders.csv", orders))
    assert err.value.code == "missing_columns"
    assert _rows(ws, "SELECT count(*) FROM source_records") == [(1,)]


@pytest.mark.parametrize("content, code", [
    (b"", "empty_file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_text"),
    ((HEADER + ROWS[0] + "\n").encode("gbk") + "C9,混合编码,男,13800138001,,,\n".encode("utf-8"), "encoding"),
    ((HEADER + ROWS[0] + '\nC9,"未结束的引号,男\n').encode("utf-8"), None),
])
def test_bad_files_get_clear_errors_and_store_nothing(make_ws, content, code):
    ws = make_ws({"crm": CRM})
    path = ws.root / "data/crm.csv"
    path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        ws.ingest.load("crm")
    assert err.value.file and err.value.file.endswith("crm.csv")
    if code:
        assert err.value.code == code
    else:
        assert err.value.code in ("truncated", "malformed") and err.value.row == 3
    if code == "encoding":
        assert err.value.row == 3
    assert _rows(ws, "SELECT count(*) FROM source_records") == [(0,)]
    assert ws.catalog.list_loads("crm")[0]["status"] == "rejected"
