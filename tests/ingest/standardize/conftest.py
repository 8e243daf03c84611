"""Run standardizers on a real in-memory DuckDB and hand back plain Python values."""

from __future__ import annotations

import ibis
import pytest

from huaxiang.ingest import standardize


@pytest.fixture(scope="session")
def con():
    return ibis.duckdb.connect()


@pytest.fixture(scope="session")
def clean(con):
    """clean(name, inputs, **options) -> [(value, reason), ...] in input order."""

    def run(name, inputs, **options):
        t = ibis.memtable({"i": list(range(len(inputs))), "s": list(inputs)}, schema={"i": "int64", "s": "string"})
        cleaned = standardize.get(name)(t.s, **options)
        rows = con.to_pyarrow(t.select(t.i, v=cleaned.value, r=cleaned.reason).order_by("i")).to_pylist()
        return [(row["v"], row["r"]) for row in rows]

    return run
