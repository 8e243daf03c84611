"""End-to-end loads of every kind but customers: orders, order items, events, interactions,
referrals, consents and surveys, from real files into a real DuckDB warehouse."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import write

from huaxiang.ingest.load import IngestError

D = decimal.Decimal
T = dt.datetime

ORDER_HEADER = "订单号,会员号,下单时间,金额,实付金额,渠道,状态\n"
SHOP = {
    "kind": "orders", "format": "csv", "path": "data/orders.csv", "on_error": "quarantine",
    "columns": {"订单号": "order_id", "会员号": "member_id", "下单时间": "order_time", "金额": "total_amount",
                "实付金额": "paid_amount", "渠道": "channel", "状态": "status"},
}


def _rows(ws, sql):
    return ws.warehouse.raw.execute(sql).fetchall()


def _issues(ws):
    return _rows(ws, """SELECT table_name, source_key, row_number, column_name, raw_value, reason
                        FROM value_issues ORDER BY row_number, column_name""")


# --- orders from CSV --------------------------------------------------------------------------

def test_orders_csv_money_and_times_in_many_spellings(make_ws):
    ws = make_ws({"shop": SHOP})
    rows = [
        'O1,M001,2024-01-05 10:00,"¥1,234.50",1，234.50元,天猫,已支付',
        "O2,M002,2024/1/5 8:30:15,￥88.8,RMB 80,京东,已支付",
        "O3,M003,2024年1月5日 7时05分,-12.5,0,门店,已退款",
        "O4,M004,2024-01-05T10:00:00+08:00,100,100,app,已支付",
        "O5,M005,2024-01-05T10:00:00Z,１００.５,100.5,app,已支付",
        "O6,M006,1704420000,1,1,app,已支付",
        "O7,M007,20240105 10:00:00,1,1,app,已支付",
        "O8,M008,2024-01-05 10:00:00-05:00,1,1,app,已支付",
    ]
    # utf-8 with BOM, as Excel saves "CSV UTF-8"
    write(ws.root / "data/orders.csv", "\ufeff" + ORDER_HEADER + "\n".join(rows) + "\n")
    result = ws.ingest.load("shop")
    assert result.counts == {"read": 8, "duplicates_exact": 0, "duplicate_keys": 0, "stored": 8, "inserted": 8,
                             "updated": 0, "quarantined": 0, "already_loaded": 0}
    got = _rows(ws, """SELECT source_key, row_number, order_id, member_id, order_time, total_amount, paid_amount,
                              channel, status FROM orders ORDER BY source_key""")
    assert got == [
        ("O1", 2, "O1", "M001", T(2024, 1, 5, 2, 0), D("1234.50"), D("1234.50"), "天猫", "已支付"),
        ("O2", 3, "O2", "M002", T(2024, 1, 5, 0, 30, 15), D("88.80"), D("80.00"), "京东", "已支付"),
        ("O3", 4, "O3", "M003", T(2024, 1, 4, 23, 5), D("-12.50"), D("0.00"), "门店", "已退款"),
        ("O4", 5, "O4", "M004", T(2024, 1, 5, 2, 0), D("100.00"), D("100.00"), "app", "已支付"),
        ("O5", 6, "O5", "M005", T(2024, 1, 5, 10, 0), D("100.50"), D("100.50"), "app", "已支付"),
        ("O6", 7, "O6", "M006", T(2024, 1, 5, 2, 0), D("1.00"), D("1.00"), "app", "已支付"),
        ("O7", 8, "O7", "M007", T(2024, 1, 5, 2, 0), D("1.00"), D("1.00"), "app", "已支付"),
        ("O8", 9, "O8", "M008", T(2024, 1, 5, 15, 0), D("1.00"), D("1.00"), "app", "已支付"),
    ]
    assert _issues(ws) == []
    raw = json.loads(_rows(ws, "SELECT raw FROM orders WHERE source_key = 'O1'")[0][0])
    assert raw["金额"] == "¥1,234.50" and raw["下单时间"] == "2024-01-05 10:00"


def test_orders_wrong_types_are_null_with_reasons_naming_row_and_column(make_ws):
    ws = make_ws({"shop": SHOP})
    rows = [
        "O1,M001,2024-01-05 10:00,abc,12.5万,天猫,已支付",
        "O2,M002,yesterday,99,99,京东,已支付",
        "O3,M003,2024-02-30 10:00,10,10,京东,已支付",
    ]
    write(ws.root / "data/orders.csv", ORDER_HEADER + "\n".join(rows) + "\n")
    result = ws.ingest.load("shop")
    assert result.counts["stored"] == 3 and result.counts["quarantined"] == 0
    assert _rows(ws, "SELECT source_key, order_time, total_amount, paid_amount FROM orders ORDER BY 1") == [
        ("O1", T(2024, 1, 5, 2, 0), None, None),
        ("O2", None, D("99.00"), D("99.00")),
        ("O3", None, D("10.00"), D("10.00")),
    ]
    assert _issues(ws) == [
        ("orders", "O1", 2, "paid_amount", "12.5万", "invalid_money"),
        ("orders", "O1", 2, "total_amount", "abc", "invalid_money"),
        ("orders", "O2", 3, "order_time", "yesterday", "invalid_timestamp"),
        ("orders", "O3", 4, "order_time", "2024-02-30 10:00", "invalid_timestamp"),
    ]
    assert _rows(ws, "SELECT DISTINCT load_id, source FROM value_issues") == [(result.load_id, "shop")]
    cols = {c["column"]: c for c in result.report["columns"]}
    assert cols["order_time"]["invalid"] == 2 and cols["order_time"]["reasons"] == {"invalid_timestamp": 2}
    assert cols["total_amount"]["validity"] == pytest.approx(2 / 3, abs=1e-3)
    assert cols["channel"]["invalid"] == 0


def test_orders_reimport_updates_by_key_and_never_duplicates(make_ws):
    ws = make_ws({"shop": SHOP})
    path = write(ws.root / "data/orders.csv", ORDER_HEADER + "O1,M001,2024-01-05 10:00,100,100,天猫,已支付\n"
                                                           "O2,M002,2024-01-06 10:00,200,200,京东,已支付\n")
    first = ws.ingest.load("shop")
    write(path, ORDER_HEADER + " O2 ,M002,2024-01-06 10:00,200,0,京东,已退款\nO3,M003,2024-01-07 10:00,300,300,app,已支付\n")
    second = ws.ingest.load("shop")
    assert (second.counts["inserted"], second.counts["updated"], second.counts["stored"]) == (1, 1, 2)
    assert _rows(ws, "SELECT count(*), count(DISTINCT source_key) FROM orders") == [(3, 3)]
    assert _rows(ws, "SELECT source_key, status, paid_amount, load_id, row_number FROM orders ORDER BY 1") == [
        ("O1", "已支付", D("100.00"), first.load_id, 2),
        ("O2", "已退款", D("0.00"), second.load_id, 2),
        ("O3", "已支付", D("300.00"), second.load_id, 3),
    ]
    again = ws.ingest.load("shop")
    assert (again.counts["inserted"], again.counts["updated"]) == (0, 2)
    assert _rows(ws, "SELECT count(*) FROM orders") == [(3,)]


def test_orders_times_use_the_source_or_column_timezone(make_ws):
    ws = make_ws({
        "ny": {"kind": "orders", "format": "csv", "path": "data/ny.csv", "timezone": "America/New_York",
               "columns": {"订单号": "order_id", "下单时间": "order_time"}},
        "jp": {"kind": "orders", "format": "csv", "path": "data/jp.csv", "timezone": "UTC",
               "columns": {"订单号": "order_id",
                           "下单时间": {"to": "order_time", "formats": ["%d/%m/%Y %H:%M"], "timezone": "Asia/Tokyo"}}},
    })
    write(ws.root / "data/ny.csv", "订单号,下单时间\n"
                                   "N1,2024-01-05 10:00\n"  # EST, UTC-5
                                   "N2,2024-07-01 10:00\n"  # EDT, UTC-4
                                   "N3,2024-07-01T10:00:00+08:00\n"  # an exact instant
                                   "N4,1704420000\n")  # Unix seconds are UTC
    write(ws.root / "data/jp.csv", "订单号,下单时间\n"
                                   "J1,05/01/2024 10:00\n"  # the explicit format, day first
                                   "J2,2024-01-05 10:00\n"  # built-in spellings still work
                                   "J3,2024-01-05T10:00:00Z\n")
    ws.ingest.load("ny")
    ws.ingest.load("jp")
    assert _rows(ws, "SELECT source, source_key, order_time FROM orders ORDER BY 1, 2") == [
        ("jp", "J1", T(2024, 1, 5, 1, 0)), ("jp", "J2", T(2024, 1, 5, 1, 0)), ("jp", "J3", T(2024, 1, 5, 10, 0)),
        ("ny", "N1", T(2024, 1, 5, 15, 0)), ("ny", "N2", T(2024, 7, 1, 14, 0)), ("ny", "N3", T(2024, 7, 1, 2, 0)),
        ("ny", "N4", T(2024, 1, 5, 2, 0)),
    ]
    assert _issues(ws) == []


def test_orders_value_mapping_matches_values_with_stray_spaces_and_full_width(make_ws):
    # Bug fixed in mapping._clean: `values` were matched against the raw text, so " 2 " or a
    # full-width "２" from an IME stayed unmapped while every standardizer ignores that noise.
    ws = make_ws({"shop": {"kind": "orders", "format": "csv", "path": "data/o.csv",
                           "columns": {"订单号": "order_id", "状态": "status"},
                           "values": {"status": {"1": "paid", "2": "refunded"}}}})
    write(ws.root / "data/o.csv", "订单号,状态\nO1,1\nO2, 2 \nO3,２\nO4,3\nO5,\n")
    ws.ingest.load("shop")
    assert _rows(ws, "SELECT source_key, status FROM orders ORDER BY 1") == [
        ("O1", "paid"), ("O2", "refunded"), ("O3", "refunded"), ("O4", "3"), ("O5", None)]


# --- orders and order items from Parquet (typed columns) --------------------------------------

PARQUET_SHOP = {
    "kind": "orders", "format": "parquet", "path": "data/orders.parquet",
    "columns": {"order_no": "order_id", "mobile": "phone", "created": "order_time", "total": "total_amount",
                "paid": "paid_amount", "discount": "discount_amount", "store": "store_id", "state": "status"},
}


def test_orders_parquet_typed_columns_are_read_correctly(make_ws):
    ws = make_ws({"shop": PARQUET_SHOP})
    path = ws.root / "data/orders.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "order_no": pa.array([1001, 1002, 1003], pa.int64()),
        "mobile": pa.array([13800138000.0, None, 13900002222.0]),  # pandas' int-with-nulls
        "created": pa.array([T(2024, 1, 5, 10, 0), T(2024, 1, 5, 10, 0, 0, 123456), None], pa.timestamp("us")),
        "total": pa.array([1234.5, 100.0, 0.1 + 0.2], pa.float64()),
        "paid": pa.array([D("1234.50"), D("-12.05"), None], pa.decimal128(10, 2)),
        "discount": pa.array([1.5, 2.25, None], pa.float32()),
        "store": pa.array([7, 8, None], pa.int32()),
        "state": pa.array(["已支付", "", None]),
    }), path)
    result = ws.ingest.load("shop")
    assert result.counts["stored"] == 3 and result.report["encoding"] is None
    assert _rows(ws, """SELECT source_key, phone, order_time, total_amount, paid_amount, discount_amount,
                               store_id, status FROM orders ORDER BY 1""") == [
        ("1001", "+8613800138000", T(2024, 1, 5, 2, 0), D("1234.50"), D("1234.50"), D("1.50"), "7", "已支付"),
        ("1002", None, T(2024, 1, 5, 2, 0, 0, 123456), D("100.00"), D("-12.05"), D("2.25"), "8", None),
        ("1003", "+8613900002222", None, D("0.30"), None, None, None, None),
    ]
    assert _issues(ws) == []
    raw = json.loads(_rows(ws, "SELECT raw FROM orders WHERE source_key = '1001'")[0][0])
    assert raw == {"order_no": "1001", "mobile": "13800138000", "created": "2024-01-05 10:00:00", "total": "1234.5",
                   "paid": "1234.50", "discount": "1.5", "store": "7", "state": "已支付"}

    # Timestamps that carry a zone are exact instants whatever the source timezone; int32 keys
    # and decimal amounts land on the same rows.
    pq.write_table(pa.table({
        "order_no": pa.array([1001, 1004], pa.int32()),
        "mobile": pa.array(["+86 138 0013 8000", None]),
        "created": pa.array([T(2024, 1, 5, 2, 0, tzinfo=dt.UTC), T(2024, 6, 30, 23, 59, 59, tzinfo=dt.UTC)],
                            pa.timestamp("us", tz="Asia/Shanghai")),
        "total": pa.array([D("99.90"), D("0.01")], pa.decimal128(18, 2)),
        "paid": pa.array([1, 0], pa.int64()),
        "discount": pa.array([None, None], pa.float64()),
        "store": pa.array(["S1", "S2"]),
        "state": pa.array(["已退款", "已支付"]),
    }), path)
    second = ws.ingest.load("shop")
    assert (second.counts["updated"], second.counts["inserted"]) == (1, 1)
    assert _rows(ws, """SELECT source_key, phone, order_time, total_amount, paid_amount, store_id, status
                        FROM orders WHERE source_key IN ('1001', '1004') ORDER BY 1""") == [
        ("1001", "+8613800138000", T(2024, 1, 5, 2, 0), D("99.90"), D("1.00"), "S1", "已退款"),
        ("1004", None, T(2024, 6, 30, 23, 59, 59), D("0.01"), D("0.00"), "S2", "已支付"),
    ]


ITEMS = {
    "kind": "order_items", "format": "csv", "path": "data/items.csv", "on_error": "quarantine",
    "columns": {"订单号": "order_id", "行号": "line_no", "商品编号": "product_id", "商品名称": "product_name",
                "数量": "quantity", "单价": "unit_price", "金额": "amount", "是否退货": "returned"},
}
ITEMS_HEADER = "订单号,行号,商品编号,商品名称,数量,单价,金额,是否退货\n"


def test_order_items_are_keyed_by_order_and_line(make_ws):
    ws = make_ws({"items": ITEMS})
    path = write(ws.root / "data/items.csv", ITEMS_HEADER + "\n".join([
        "O1,1,P1,口红,2,99.00,198.00,否",
        'O1,2,P2,面霜,1,"¥1,299",1299,是',
        "O2,1,P1,口红,1,99,99,",
        "O2,,P3,赠品,1,0,0,否",
        "O3,2,P4,眼影,两件,50,100,不知道",
    ]) + "\n")
    result = ws.ingest.load("items")
    assert (result.counts["stored"], result.counts["quarantined"]) == (4, 1)
    assert _rows(ws, """SELECT source_key, order_id, line_no, product_id, quantity, unit_price, amount, returned
                        FROM order_items ORDER BY 1""") == [
        ("O1|1", "O1", 1, "P1", 2, D("99.00"), D("198.00"), False),
        ("O1|2", "O1", 2, "P2", 1, D("1299.00"), D("1299.00"), True),
        ("O2|1", "O2", 1, "P1", 1, D("99.00"), D("99.00"), None),
        ("O3|2", "O3", 2, "P4", None, D("50.00"), D("100.00"), None),
    ]
    (row, reasons), = _rows(ws, "SELECT row_number, reasons FROM quarantine")
    assert row == 5 and json.loads(reasons) == ["key line_no: missing"]
    assert _issues(ws) == [("order_items", "O3|2", 6, "quantity", "两件", "invalid_integer"),
                           ("order_items", "O3|2", 6, "returned", "不知道", "invalid_boolean")]

    # Line "1.0" is line 1 of the same order: the line is updated, the order's other lines stay.
    write(path, ITEMS_HEADER + "O1,1.0,P1,口红,3,99.00,297.00,否\n")
    again = ws.ingest.load("items")
    assert (again.counts["updated"], again.counts["inserted"]) == (1, 0)
    assert _rows(ws, "SELECT source_key, quantity, amount FROM order_items WHERE order_id = 'O1' ORDER BY 1") == [
        ("O1|1", 3, D("297.00")), ("O1|2", 1, D("1299.00"))]


def test_order_items_parquet_ints_floats_and_booleans(make_ws):
    ws = make_ws({"items": {**ITEMS, "format": "parquet", "path": "data/items.parquet"}})
    path = ws.root / "data/items.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "订单号": pa.array([5001, 5001], pa.int64()),
        "行号": pa.array([1, 2], pa.int16()),
        "商品编号": ["P1", "P2"],
        "商品名称": ["口红", "面霜"],
        "数量": pa.array([2.0, None]),
        "单价": pa.array([9.9, 100.0]),
        "金额": pa.array([D("19.80"), None], pa.decimal128(12, 2)),
        "是否退货": pa.array([False, True]),
    }), path)
    ws.ingest.load("items")
    assert _rows(ws, """SELECT source_key, line_no, quantity, unit_price, amount, returned
                        FROM order_items ORDER BY 1""") == [
        ("5001|1", 1, 2, D("9.90"), D("19.80"), False),
        ("5001|2", 2, None, D("100.00"), None, True),
    ]
    assert _issues(ws) == []


# --- events (Segment spec) --------------------------------------------------------------------

SEGMENT = {
    "kind": "events", "format": "jsonl", "path": "data/events.jsonl", "on_error": "quarantine",
    "columns": {"messageId": "message_id", "type": "type", "event": "event", "userId": "user_id",
                "anonymousId": "anonymous_id", "timestamp": "timestamp", "properties": "properties",
                "context": "context"},
}
EVENT_COLUMNS = ("message_id, type, event, user_id, anonymous_id, timestamp, session_id, channel, device_type, "
                 "page_url, referrer, utm_source, utm_campaign, search_query, product_id, category, amount")


def _jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def test_events_jsonl_in_segment_shape_get_typed_columns(make_ws):
    ws = make_ws({"web": SEGMENT})
    viewed = {
        "messageId": "m1", "type": "track", "event": "Product Viewed", "userId": "U1", "anonymousId": "a1",
        "timestamp": "2024-01-05T10:00:00+08:00",
        "properties": {"category": "美妆", "product_id": "P9", "price": 199.5, "query": "口红"},
        "context": {"channel": "app", "device": {"type": "ios"}, "session_id": "s1",
                    "page": {"url": "https://shop.cn/p/9", "referrer": "https://m.baidu.com"},
                    "campaign": {"source": "wechat", "name": "春节大促"}},
    }
    ordered = {
        "messageId": "m2", "type": "track", "event": "Order Completed", "userId": "U1", "anonymousId": None,
        "timestamp": "2024-01-05 10:00:00",
        "properties": {"productId": "P8", "revenue": "¥1,234.50", "url": "https://shop.cn/pay"},
        "context": {"channel": "mini_program"},
    }
    page = {"messageId": "m3", "type": "page", "anonymousId": "a3", "timestamp": 1704420000000,
            "properties": {"sku": "S1", "total": 5, "session_id": "s3"}}
    identify = {"messageId": "m4", "type": "identify", "userId": "U2", "timestamp": "2024-01-05T02:00:00Z",
                "context": {"channel": "web"}}
    write(ws.root / "data/events.jsonl", _jsonl([viewed, ordered, page, identify]))
    result = ws.ingest.load("web")
    assert (result.counts["read"], result.counts["stored"], result.counts["quarantined"]) == (4, 4, 0)
    got = _rows(ws, f"SELECT {EVENT_COLUMNS} FROM events ORDER BY message_id")
    assert got == [
        ("m1", "track", "Product Viewed", "U1", "a1", T(2024, 1, 5, 2, 0), "s1", "app", "ios",
         "https://shop.cn/p/9", "https://m.baidu.com", "wechat", "春节大促", "口红", "P9", "美妆", D("199.50")),
        ("m2", "track", "Order Completed", "U1", None, T(2024, 1, 5, 2, 0), None, "mini_program", None,
         "https://shop.cn/pay", None, None, None, None, "P8", None, D("1234.50")),
        ("m3", "page", None, None, "a3", T(2024, 1, 5, 2, 0), "s3", None, None,
         None, None, None, None, None, "S1", None, D("5.00")),
        ("m4", "identify", None, "U2", None, T(2024, 1, 5, 2, 0), None, "web", None,
         None, None, None, None, None, None, None, None),
    ]
    props, context = _rows(ws, "SELECT properties, context FROM events WHERE message_id = 'm1'")[0]
    assert json.loads(props) == viewed["properties"] and json.loads(context) == viewed["context"]
    assert _rows(ws, "SELECT properties, context FROM events WHERE message_id = 'm4'") == [(None, '{"channel":"web"}')]
    assert _rows(ws, "SELECT source_key, row_number FROM events ORDER BY 1") == [
        ("m1", 1), ("m2", 2), ("m3", 3), ("m4", 4)]


def test_events_load_twice_is_idempotent_by_message_id(make_ws):
    columns = {k: k for k in ("message_id", "type", "event", "user_id", "timestamp", "properties")}
    ws = make_ws({"web": {"kind": "events", "format": "jsonl", "path": "data/e.jsonl", "columns": columns}})
    events = [{"message_id": f"e{i}", "type": "track", "event": "Product Added", "user_id": "U1",
               "timestamp": f"2024-01-0{i}T00:00:00Z", "properties": {"price": i}} for i in (1, 2, 3)]
    path = write(ws.root / "data/e.jsonl", _jsonl(events))
    first = ws.ingest.load("web")
    assert (first.counts["stored"], first.counts["inserted"], first.counts["already_loaded"]) == (3, 3, 0)
    second = ws.ingest.load("web")
    assert second.counts == {"read": 3, "duplicates_exact": 0, "duplicate_keys": 0, "stored": 0, "inserted": 0,
                             "updated": 0, "quarantined": 0, "already_loaded": 3}
    assert ws.catalog.list_loads("web", limit=1)[0]["counts"]["already_loaded"] == 3
    assert _rows(ws, "SELECT count(*), count(DISTINCT message_id), min(load_id), max(load_id) FROM events") == [
        (3, 3, first.load_id, first.load_id)]

    # Events are immutable: a re-sent e3 keeps its first version, only e4 is new; an exact
    # repeat inside the file is counted, not stored twice.
    changed = {**events[2], "event": "Product Removed"}
    new = {**events[0], "message_id": "e4"}
    write(path, _jsonl([changed, new, new]))
    third = ws.ingest.load("web")
    assert (third.counts["stored"], third.counts["already_loaded"], third.counts["duplicates_exact"]) == (1, 1, 1)
    assert ws.warehouse.raw.execute("SELECT message_id, event, amount, load_id = ? FROM events ORDER BY 1",
                                    [third.load_id]).fetchall() == [
        ("e1", "Product Added", D("1.00"), False), ("e2", "Product Added", D("2.00"), False),
        ("e3", "Product Added", D("3.00"), False), ("e4", "Product Added", D("1.00"), True)]


def test_events_truncated_last_line_names_the_row_and_stores_nothing(make_ws):
    ws = make_ws({"web": SEGMENT})
    good = {"messageId": "m1", "type": "track", "event": "x", "userId": "U1", "anonymousId": "a1",
            "timestamp": "2024-01-05T02:00:00Z", "properties": {}, "context": {}}
    text = _jsonl([good, {**good, "messageId": "m2"}]) + '{"messageId": "m3", "type": "tra'
    write(ws.root / "data/events.jsonl", text)
    with pytest.raises(IngestError) as err:
        ws.ingest.load("web")
    assert (err.value.code, err.value.row) == ("truncated", 3)
    assert err.value.file.endswith("events.jsonl") and "row 3" in str(err.value)
    assert _rows(ws, "SELECT count(*) FROM events") == [(0,)]
    load = ws.catalog.list_loads("web", limit=1)[0]
    assert load["status"] == "rejected" and load["load_id"] == err.value.load_id


def test_events_properties_that_are_not_json_are_invalid_values_not_a_failed_load(make_ws):
    # Bug fixed in mapping: text that is not JSON in a json column (properties / context) made
    # DuckDB abort the whole load ("Malformed JSON") without naming row or column.
    ws = make_ws({"csv_events": {"kind": "events", "format": "csv", "path": "data/e.csv",
                                 "columns": {"id": "message_id", "type": "type", "props": "properties"}}})
    write(ws.root / "data/e.csv", 'id,type,props\n'
                                  'c1,track,"{""price"": 3, ""category"": ""图书""}"\n'
                                  "c2,track,not json\n"
                                  "c3,track,\n")
    result = ws.ingest.load("csv_events")
    assert result.status == "succeeded" and result.counts["stored"] == 3
    assert _rows(ws, "SELECT message_id, properties, amount, category FROM events ORDER BY 1") == [
        ("c1", '{"price": 3, "category": "图书"}', D("3.00"), "图书"),
        ("c2", None, None, None),
        ("c3", None, None, None),
    ]
    assert _issues(ws) == [("events", "c2", 3, "properties", "not json", "invalid_json")]


# --- interactions, referrals, consents, surveys -----------------------------------------------

def test_interactions_ticket_text_and_rating(make_ws):
    ws = make_ws({"tickets": {
        "kind": "interactions", "format": "csv", "path": "data/t.csv",
        "columns": {"工单号": "interaction_id", "手机号": "phone", "时间": "occurred_at", "渠道": "channel",
                    "类型": "kind", "内容": "text", "评分": "rating", "状态": "status", "客服": "agent"}}})
    write(ws.root / "data/t.csv", "工单号,手机号,时间,渠道,类型,内容,评分,状态,客服\n"
                                  'T1,138 0013 8000,2024-01-05 10:00,wechat,complaint,"口红颜色不对,要求换货",2,open,客服小王\n'
                                  "T2,+86-139-0000-2222,2024-01-06 09:30:00,phone,ticket,非常满意 下次还来,五星,closed,\n"
                                  "T3,,2024-01-07,app,review,  还行  ,4.0,resolved,客服小李\n", "gbk")
    result = ws.ingest.load("tickets")
    assert result.report["encoding"] in ("gbk", "gb18030") and result.counts["stored"] == 3
    assert _rows(ws, """SELECT source_key, phone, occurred_at, channel, kind, text, rating, status, agent
                        FROM interactions ORDER BY 1""") == [
        ("T1", "+8613800138000", T(2024, 1, 5, 2, 0), "wechat", "complaint", "口红颜色不对,要求换货", 2, "open", "客服小王"),
        ("T2", "+8613900002222", T(2024, 1, 6, 1, 30), "phone", "ticket", "非常满意 下次还来", None, "closed", None),
        ("T3", None, T(2024, 1, 6, 16, 0), "app", "review", "还行", 4, "resolved", "客服小李"),
    ]
    assert _issues(ws) == [("interactions", "T2", 3, "rating", "五星", "invalid_integer")]


def test_referrals_converted_flag_and_revenue(make_ws):
    ws = make_ws({"refs": {
        "kind": "referrals", "format": "csv", "path": "data/r.csv",
        "columns": {"推荐编号": "referral_id", "推荐人会员号": "member_id", "被推荐人": "referred_name",
                    "被推荐人手机": "referred_phone", "推荐时间": "referred_at", "是否转化": "converted",
                    "转化时间": "converted_at", "收入": "revenue"}}})
    write(ws.root / "data/r.csv", "推荐编号,推荐人会员号,被推荐人,被推荐人手机,推荐时间,是否转化,转化时间,收入\n"
                                  'R1,M1,王 小明,13900001111,2024-01-20 09:00,是,2024-02-01 08:00,"¥1,300.00"\n'
                                  "R2,M1,李四,123,2024-01-21,否,,\n"
                                  "R3,M2,赵六,13900003333,2024-01-22,maybe,,abc\n")
    ws.ingest.load("refs")
    assert _rows(ws, """SELECT source_key, member_id, referred_name, referred_phone, referred_at, converted,
                               converted_at, revenue FROM referrals ORDER BY 1""") == [
        ("R1", "M1", "王小明", "+8613900001111", T(2024, 1, 20, 1, 0), True, T(2024, 2, 1, 0, 0), D("1300.00")),
        ("R2", "M1", "李四", None, T(2024, 1, 20, 16, 0), False, None, None),
        ("R3", "M2", "赵六", "+8613900003333", T(2024, 1, 21, 16, 0), None, None, None),
    ]
    assert _issues(ws) == [("referrals", "R2", 3, "referred_phone", "123", "invalid_phone"),
                           ("referrals", "R3", 4, "converted", "maybe", "invalid_boolean"),
                           ("referrals", "R3", 4, "revenue", "abc", "invalid_money")]


def test_consents_purpose_and_status_latest_load_wins_per_member_and_purpose(make_ws):
    ws = make_ws({"consent": {
        "kind": "consents", "format": "csv", "path": "data/c.csv", "key": ["member_id", "purpose"],
        "columns": {"会员号": "member_id", "用途": "purpose", "状态": "status", "时间": "recorded_at",
                    "来源": "collected_via"}}})
    path = write(ws.root / "data/c.csv", "会员号,用途,状态,时间,来源\n"
                                         "M1,marketing_email,granted,2024-01-01 08:00,小程序\n"
                                         "M1,sms,denied,2024-01-01 08:00,小程序\n"
                                         "M2,marketing_email,granted,2024-01-02,门店\n")
    ws.ingest.load("consent")
    write(path, "会员号,用途,状态,时间,来源\nM1,marketing_email,withdrawn,2024-03-01 08:00,App\n")
    again = ws.ingest.load("consent")
    assert (again.counts["updated"], again.counts["inserted"]) == (1, 0)
    assert _rows(ws, "SELECT source_key, member_id, purpose, status, recorded_at, collected_via FROM consents "
                     "ORDER BY 1") == [
        ("M1|marketing_email", "M1", "marketing_email", "withdrawn", T(2024, 3, 1, 0, 0), "App"),
        ("M1|sms", "M1", "sms", "denied", T(2024, 1, 1, 0, 0), "小程序"),
        ("M2|marketing_email", "M2", "marketing_email", "granted", T(2024, 1, 1, 16, 0), "门店"),
    ]


def test_surveys_land_in_survey_responses(make_ws):
    ws = make_ws({"nps": {
        "kind": "surveys", "format": "csv", "path": "data/s.csv",
        "columns": {"答卷编号": "response_id", "问卷编号": "survey_id", "类型": "survey_type", "邮箱": "email",
                    "提交时间": "responded_at", "题目": "question", "回答": "answer", "得分": "score"}}})
    write(ws.root / "data/s.csv", "答卷编号,问卷编号,类型,邮箱,提交时间,题目,回答,得分\n"
                                  "A1,NPS2024,nps,Li.Si@Example.COM,2024-01-05 10:00,推荐意愿,非常愿意,10\n"
                                  "A2,NPS2024,nps,bad-email,2024-01-05 11:00,推荐意愿,一般,7.5\n")
    result = ws.ingest.load("nps")
    assert result.counts["stored"] == 2
    assert _rows(ws, """SELECT source, source_key, survey_id, survey_type, email, responded_at, question, answer, score
                        FROM survey_responses ORDER BY 2""") == [
        ("nps", "A1", "NPS2024", "nps", "li.si@example.com", T(2024, 1, 5, 2, 0), "推荐意愿", "非常愿意", 10),
        ("nps", "A2", "NPS2024", "nps", None, T(2024, 1, 5, 3, 0), "推荐意愿", "一般", None),
    ]
    assert _issues(ws) == [("survey_responses", "A2", 3, "email", "bad-email", "invalid_email"),
                           ("survey_responses", "A2", 3, "score", "7.5", "invalid_integer")]


# --- on_error: reject vs quarantine -----------------------------------------------------------

def test_reject_refuses_the_whole_orders_load_and_keeps_earlier_data(make_ws):
    ws = make_ws({"shop": {**SHOP, "on_error": "reject", "required": ["order_time"]}})
    path = write(ws.root / "data/orders.csv", ORDER_HEADER + "O1,M001,2024-01-05 10:00,100,100,天猫,已支付\n")
    first = ws.ingest.load("shop")
    before = _rows(ws, "SELECT * FROM orders")
    write(path, ORDER_HEADER + "O1,M001,2024-01-05 10:00,999,999,天猫,已退款\n"
                               "O2,M002,yesterday,abc,1,京东,已支付\n"
                               ",M003,2024-01-05 10:00,1,1,京东,已支付\n")
    with pytest.raises(IngestError) as err:
        ws.ingest.load("shop")
    assert (err.value.code, err.value.row, err.value.column) == ("bad_rows", 3, "order_time")
    assert err.value.details == ["row 3: required order_time: invalid_timestamp", "row 4: key order_id: missing"]
    assert "2 bad row(s)" in err.value.message and "Nothing was stored" in err.value.message
    assert _rows(ws, "SELECT * FROM orders") == before
    assert _rows(ws, "SELECT load_id FROM orders") == [(first.load_id,)]
    assert _rows(ws, "SELECT count(*) FROM value_issues") == [(0,)]
    assert _rows(ws, "SELECT count(*) FROM quarantine") == [(0,)]
    load = ws.catalog.list_loads("shop", limit=1)[0]
    assert load["status"] == "rejected" and load["load_id"] == err.value.load_id
    assert load["counts"]["rejected"] == 2 and load["counts"]["stored"] == 0


def test_quarantine_sets_bad_orders_aside_and_keeps_the_stored_version(make_ws):
    # Also covers a fix in store._bad_reasons_sql: a row without order_id used to get two reasons
    # for one fault ("key order_id: missing" and "no identifying value in order_id").
    ws = make_ws({"shop": {**SHOP, "required": ["order_time"]}})
    path = write(ws.root / "data/orders.csv", ORDER_HEADER + "O1,M001,2024-01-05 10:00,100,100,天猫,已支付\n")
    ws.ingest.load("shop")
    write(path, ORDER_HEADER + "O1,M001,yesterday,999,999,天猫,已退款\n"
                               ",M003,2024-01-05 10:00,1,1,京东,已支付\n"
                               "O2,M002,2024-01-06 10:00,200,200,京东,已支付\n")
    result = ws.ingest.load("shop")
    assert (result.counts["stored"], result.counts["quarantined"], result.counts["updated"]) == (1, 2, 0)
    assert result.report["bad_rows"] == {"required order_time: invalid_timestamp": 1, "key order_id: missing": 1}
    assert _rows(ws, "SELECT source_key, order_time, total_amount, status FROM orders ORDER BY 1") == [
        ("O1", T(2024, 1, 5, 2, 0), D("100.00"), "已支付"),
        ("O2", T(2024, 1, 6, 2, 0), D("200.00"), "已支付"),
    ]
    quarantined = _rows(ws, "SELECT load_id, source, row_number, reasons, raw FROM quarantine ORDER BY row_number")
    assert [(q[0], q[1], q[2], json.loads(q[3])) for q in quarantined] == [
        (result.load_id, "shop", 2, ["required order_time: invalid_timestamp"]),
        (result.load_id, "shop", 3, ["key order_id: missing"]),
    ]
    assert json.loads(quarantined[0][4])["状态"] == "已退款" and json.loads(quarantined[1][4])["会员号"] == "M003"
