"""Parquet staging: every type cast to the text users expect, truncated files refused."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from huaxiang.ingest.readers import ReadError, ReadSpec, stage


def orders_parquet(path: Path) -> Path:
    table = pa.table({
        "订单号": ["O1", "O2", ""],
        "下单时间": pa.array([dt.datetime(2024, 1, 5, 10, 30), dt.datetime(2024, 1, 5, 10, 30, 0, 123456), None],
                         pa.timestamp("us")),
        "出生日期": pa.array([dt.date(1990, 1, 5), None, None]),
        "金额": pa.array([decimal.Decimal("12.50"), decimal.Decimal("-3.00"), None], pa.decimal128(10, 2)),
        "手机号": pa.array([13800138000.0, None, 2.5]),
        "数量": pa.array([2, None, 0], pa.int32()),
        "会员": pa.array([True, False, None]),
        "属性": pa.array([{"渠道": "app", "等级": 3}, None, {"渠道": None, "等级": 1}],
                       pa.struct([("渠道", pa.string()), ("等级", pa.int64())])),
        "标签": pa.array([["vip", "新客"], [], None], pa.list_(pa.string())),
        "扩展": pa.array([[("k", "v")], None, []], pa.map_(pa.string(), pa.string())),
    })
    pq.write_table(table, path)
    return path


def test_types_become_text(con, fetch, tmp_path):
    staged = stage(con, ReadSpec("parquet", orders_parquet(tmp_path / "orders.parquet")), "t")
    assert staged.columns == ["订单号", "下单时间", "出生日期", "金额", "手机号", "数量", "会员", "属性", "标签", "扩展"]
    assert (staged.rows, staged.encoding) == (3, None)
    assert fetch("t") == [
        ("O1", "2024-01-05 10:30:00", "1990-01-05", "12.50", "13800138000", "2", "true",
         '{"渠道":"app","等级":3}', '["vip","新客"]', '{"k":"v"}', 1),
        ("O2", "2024-01-05 10:30:00.123456", None, "-3.00", None, None, "false", None, "[]", None, 2),
        (None, None, None, None, "2.5", "0", None, '{"渠道":null,"等级":1}', None, "{}", 3),
    ]
    types = {name: dtype for name, dtype in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 't'").fetchall()}
    assert set(types.values()) == {"VARCHAR", "BIGINT"} and types["_row"] == "BIGINT"


def test_truncated_parquet(con, tmp_path):
    data = orders_parquet(tmp_path / "orders.parquet").read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(data[: len(data) - 10])
    with pytest.raises(ReadError) as caught:
        stage(con, ReadSpec("parquet", cut), "t")
    assert (caught.value.code, caught.value.file) == ("truncated", str(cut))


def test_csv_given_as_parquet(con, tmp_path):
    path = tmp_path / "a.parquet"
    path.write_text("姓名\n张三\n", encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        stage(con, ReadSpec("parquet", path), "t")
    assert caught.value.code == "not_text"
