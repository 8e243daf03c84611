"""The Spark seam: settings, one session per process, warehouse tables to Spark and results back, value for value."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pyarrow as pa
import pytest
from pydantic import ValidationError

from huaxiang.domain.workspace import SparkConfig, WorkspaceConfig
from huaxiang.engine.spark import from_spark, ibis_spark, remove_run, run_folder, spark_session, to_spark
from huaxiang.engine.warehouse import Warehouse

T = dt.datetime
# near midnight, to the microsecond, at the epoch, before 1900, far ahead, and in hours that some
# zones skip or repeat for daylight saving time (they mean nothing in UTC, and must not move)
ROWS = [
    (1, T(2024, 3, 31, 23, 59, 59, 999999), Decimal("12.34"), "张三", dt.date(2024, 3, 31), '{"渠道": "微信"}'),
    (2, T(2024, 4, 1, 0, 0, 0), Decimal("-0.01"), "", dt.date(1970, 1, 1), None),
    (3, T(1970, 1, 1, 0, 0, 0), Decimal("9999999999999999.99"), "𠮷野家 Müller", dt.date(1899, 12, 31), "[]"),
    (4, T(1899, 12, 31, 23, 0, 0, 1), Decimal("-9999999999999999.99"), "王五\n第二行", dt.date(2999, 12, 31), "{}"),
    (5, T(2024, 3, 31, 2, 30, 0), Decimal("0.00"), "李四", None, None),  # no such hour in Europe/Berlin
    (6, T(2024, 11, 3, 1, 30, 0), None, None, dt.date(2024, 11, 3), None),  # twice in America/New_York
    (7, None, Decimal("100.50"), "赵六", dt.date(2000, 2, 29), None),
]


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    wh = Warehouse(tmp_path_factory.mktemp("ws") / "warehouse.duckdb")
    wh.raw.execute("""CREATE TABLE orders_x (id BIGINT, ordered_at TIMESTAMP, amount DECIMAL(18,2), name VARCHAR,
                                            day DATE, attrs JSON)""")
    wh.raw.executemany("INSERT INTO orders_x VALUES (?, ?, ?, ?, ?, ?)", ROWS)
    yield wh
    remove_run(wh, "adhoc")
    wh.close()


def test_spark_settings_are_a_block_of_the_workspace_file_with_small_defaults():
    config = WorkspaceConfig.model_validate({"name": "shop", "warehouse": {"engine": "spark"},
                                             "spark": {"master": "local[4]", "driver_memory": "512m"}})
    assert config.spark == SparkConfig(master="local[4]", driver_memory="512m", shuffle_partitions=4)
    assert SparkConfig() == SparkConfig(master="local[2]", driver_memory="2g", shuffle_partitions=4)
    with pytest.raises(ValidationError):
        SparkConfig.model_validate({"executors": 3})  # unknown keys are refused, as everywhere
    with pytest.raises(ValidationError):
        SparkConfig(driver_memory="2 GB")
    with pytest.raises(ValidationError):
        SparkConfig(shuffle_partitions=0)


def test_one_session_per_process_in_utc_with_the_similarity_functions(spark):
    again = spark_session(SparkConfig(shuffle_partitions=3))
    assert again is spark
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert spark.conf.get("spark.sql.shuffle.partitions") == "3"  # SQL settings follow the latest call
    assert spark.conf.get("spark.ui.enabled") == "false"
    jw, jc = spark.sql("SELECT jaro_winkler('zhangwei', 'zhangwie'), jaccard('ab', 'ac')").first()
    assert (jw, jc) == (pytest.approx(0.975), pytest.approx(1 / 3))
    # the DuckDB similarity UDFs run in this interpreter (with pandas, pyarrow, duckdb), whatever PATH's python3 is
    assert spark.sparkContext.pythonExec == sys.executable
    (jw_bytes,) = spark.sql("SELECT duckdb_jaro_winkler_similarity('杨倩倩', '杨娟倩')").first()
    assert jw_bytes == pytest.approx(0.883, abs=5e-4)
    spark_session(SparkConfig(shuffle_partitions=2))


def test_tables_go_to_spark_with_their_types_and_values(wh, spark):
    views = to_spark(wh, spark, ["orders_x"])
    schema = {f.name: f.dataType.simpleString() for f in views["orders_x"].schema.fields}
    assert schema == {"id": "bigint", "ordered_at": "timestamp", "amount": "decimal(18,2)", "name": "string",
                      "day": "date", "attrs": "string"}
    # Spark reads the stored UTC wall clock: the same text, the same hour, in any zone rule
    rows = spark.sql("""SELECT id, date_format(ordered_at, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), hour(ordered_at),
                               CAST(amount AS STRING), name, CAST(day AS STRING), attrs FROM orders_x ORDER BY id""").collect()
    assert [tuple(r) for r in rows] == [
        (i, ts.strftime("%Y-%m-%d %H:%M:%S.%f") if ts else None, ts.hour if ts else None,
         str(amount) if amount is not None else None, name, day.isoformat() if day else None, attrs)
        for i, ts, amount, name, day, attrs in ROWS]


def test_results_come_back_as_arrow_with_the_same_values_and_into_duckdb(wh, spark):
    to_spark(wh, spark, ["orders_x"])
    table = from_spark(spark.sql("SELECT * FROM orders_x ORDER BY id"))
    assert table.schema.field("ordered_at").type == pa.timestamp("us")  # naive UTC, as the warehouse stores
    assert table.schema.field("amount").type == pa.decimal128(18, 2)
    assert [tuple(r.values()) for r in table.to_pylist()] == ROWS
    wh.raw.register("_back", table)
    try:
        wh.raw.execute("CREATE OR REPLACE TABLE orders_back AS SELECT * REPLACE (CAST(attrs AS JSON) AS attrs) FROM _back")
    finally:
        wh.raw.unregister("_back")
    types = dict(wh.raw.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_name = 'orders_back'").fetchall())
    assert types["ordered_at"] == "TIMESTAMP" and types["amount"] == "DECIMAL(18,2)"
    assert wh.raw.execute("SELECT * FROM orders_back ORDER BY id").fetchall() == ROWS
    assert wh.raw.execute("""SELECT count(*) FROM (SELECT * FROM orders_x EXCEPT SELECT * FROM orders_back)""").fetchone() == (0,)


def test_queries_go_by_name_and_ibis_expressions_come_back(wh, spark):
    views = to_spark(wh, spark, {"late": "SELECT id, ordered_at FROM orders_x WHERE hour(ordered_at) = 23"})
    assert sorted(r.id for r in views["late"].collect()) == [1, 4]
    con = ibis_spark(spark)
    t = con.table("orders_x")
    expr = t.filter(t.amount > 0).select("id", "ordered_at", "amount").order_by("id")
    assert from_spark(expr).to_pylist() == [{"id": i, "ordered_at": ts, "amount": amount}
                                            for i, ts, amount, *_ in ROWS if amount is not None and amount > 0]


def test_a_run_is_a_folder_of_parquet_in_the_workspace(wh, spark):
    to_spark(wh, spark, ["orders_x"], run="r1")
    to_spark(wh, spark, ["orders_x"], run="r1")  # again: the view's previous file is replaced
    folder = run_folder(wh, "r1")
    assert folder == wh.path.resolve().parent / ".huaxiang" / "spark" / "r1"
    assert len(list(folder.glob("v_orders_x.*.parquet"))) == 1
    remove_run(wh, "r1")
    assert not folder.exists()
