"""Fixtures for the reader tests: a real in-memory DuckDB and a helper to read staged rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pytest


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture
def fetch(con: duckdb.DuckDBPyConnection) -> Callable[..., list[tuple]]:
    """fetch(table, *columns) -> rows ordered by _row (all columns and _row when none given)."""

    def run(table: str, *columns: str) -> list[tuple]:
        select = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        return con.execute(f'SELECT {select} FROM "{table}" ORDER BY _row').fetchall()

    return run
