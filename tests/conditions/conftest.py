"""Engines the compile tests run on: DuckDB always, and the shared local Spark session
(``spark`` in tests/conftest.py: UTC, one core, two shuffle partitions) when PySpark imports."""

from __future__ import annotations

import importlib.util

import ibis
import pytest
from conditions_data import ARROW

ENGINES = ["duckdb"] + (["spark"] if importlib.util.find_spec("pyspark") else [])


@pytest.fixture(scope="session", params=ENGINES)
def con(request):
    if request.param == "duckdb":
        return ibis.duckdb.connect()
    return ibis.pyspark.connect(request.getfixturevalue("spark"))


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
