"""Engines the compile tests run on: DuckDB always, a local Spark session when PySpark imports."""

from __future__ import annotations

import importlib.util

import ibis
import pytest
from conditions_data import ARROW

ENGINES = ["duckdb"] + (["spark"] if importlib.util.find_spec("pyspark") else [])


@pytest.fixture(scope="session")
def spark_session():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("huaxiang-conditions-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.session.timeZone", "UTC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session", params=ENGINES)
def con(request):
    if request.param == "duckdb":
        return ibis.duckdb.connect()
    return ibis.pyspark.connect(request.getfixturevalue("spark_session"))


@pytest.fixture(scope="session")
def tables(con) -> dict[str, ibis.Table]:
    """The test data as tables of ``con`` (Spark reads Arrow itself: Ibis's Spark memtables lose
    decimal nulls on the way through pandas)."""
    if con.name == "duckdb":
        return {name: ibis.memtable(data) for name, data in ARROW.items()}
    session = con._session
    for name, data in ARROW.items():
        session.createDataFrame(data).createOrReplaceTempView(f"conditions_{name}")
    return {name: con.table(f"conditions_{name}") for name in ARROW}
