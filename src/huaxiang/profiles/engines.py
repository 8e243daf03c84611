"""Where a build's Ibis expressions run: the DuckDB warehouse itself, or a Spark session fed from it.

Both give the profile build the same three things: ``table(name)`` (an Ibis table of the
warehouse), ``has(name)``, and ``write(name, expr)`` (materialize an expression into the DuckDB
warehouse, where the console, the API and the next build read it). The compiler never knows which
engine runs its expressions.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from huaxiang.engine.warehouse import Warehouse


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, wh: Warehouse):
        self.wh = wh
        self.con = wh.ibis

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)

    def has(self, name: str) -> bool:
        return self.wh.has_table(name)

    def write(self, name: str, expr: ir.Table, *, temp: bool = False) -> None:
        # Ibis's create_table(overwrite=True) wraps the query in an INSERT that DuckDB 1.5 cannot
        # parse for some of ours; a plain CREATE ... AS is also one statement less
        self.con._run_pre_execute_hooks(expr)  # registers memtables
        kind = "TEMP TABLE" if temp else "TABLE"
        self.wh.raw.execute(f"CREATE OR REPLACE {kind} {name} AS {self.wh.sql(expr)}")

    def close(self) -> None:
        pass

class SparkEngine:
    """The warehouse tables a build reads are copied to a Spark session; results come back by Arrow."""

    name = "spark"

    def __init__(self, wh: Warehouse, session: Any, tables: list[str]):
        from huaxiang.engine.spark import ibis_spark, to_spark

        self.wh = wh
        self.session = session
        present = [t for t in tables if wh.has_table(t)]
        self.views = to_spark(wh, session, present)
        self.con = ibis_spark(session)
        self._present = set(present)

    def table(self, name: str) -> ir.Table:
        return self.con.table(self.views[name] if isinstance(self.views.get(name), str) else name)

    def has(self, name: str) -> bool:
        return name in self._present

    def write(self, name: str, expr: ir.Table, *, temp: bool = False) -> None:
        from huaxiang.engine.spark import from_spark

        arrow = from_spark(expr)
        self.wh.raw.register("_from_spark", arrow)
        kind = "TEMP TABLE" if temp else "TABLE"
        try:
            self.wh.raw.execute(f"CREATE OR REPLACE {kind} {name} AS SELECT * FROM _from_spark")
        finally:
            self.wh.raw.unregister("_from_spark")

    def close(self) -> None:
        pass
