"""Where a build's Ibis expressions run: the DuckDB warehouse itself, or a Spark session fed from it.

Both give the profile build the same three things: ``table(name)`` (an Ibis table of the
warehouse), ``has(name)``, and ``write(name, expr)`` (materialize an expression into the DuckDB
warehouse, where the console, the API and the next build read it). The compiler never knows which
engine runs its expressions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from huaxiang.engine.warehouse import Warehouse


class DuckDBEngine:
    name = "duckdb"
    #: derived levels inlined: DuckDB plans the whole projection well, and copying the wide table costs more
    stage_levels = False

    def __init__(self, wh: Warehouse):
        self.wh = wh
        self.con = wh.ibis
        #: when a list, every statement ``write`` and ``execute`` run is appended (``plans`` keeps them)
        self.recorded: list[str] | None = None
        #: false once a recorded statement read an in-memory table (its rows are not in the SQL)
        self.replayable = True

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)

    def has(self, name: str) -> bool:
        return self.wh.has_table(name)

    def present(self, names: Iterable[str]) -> set[str]:
        """Those of ``names`` that ``has`` finds (one query)."""
        return self.wh.existing(names)

    def write(self, name: str, expr: ir.Table, *, temp: bool = False) -> None:
        # Ibis's create_table(overwrite=True) wraps the query in an INSERT that DuckDB 1.5 cannot
        # parse for some of ours; a plain CREATE ... AS is also one statement less
        if expr.op().find(ops.InMemoryTable):
            self.con._run_pre_execute_hooks(expr)  # registers memtables
            self.replayable = False
        kind = "TEMP TABLE" if temp else "TABLE"
        self.execute(f"CREATE OR REPLACE {kind} {name} AS {self.wh.sql(expr)}")

    def stage(self, name: str, expr: ir.Table) -> None:
        """An intermediate result later expressions read (a temp table)."""
        self.write(name, expr, temp=True)

    def execute(self, sql: str) -> None:
        """A statement on the warehouse (recorded, when recording)."""
        if self.recorded is not None:
            self.recorded.append(sql)
        self.wh.raw.execute(sql)

    def put(self, name: str, rows: pa.Table) -> None:
        """A temp table of these rows (data, not a statement: never recorded)."""
        self.wh.raw.register("_hx_rows", rows)
        try:
            self.wh.raw.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _hx_rows")
        finally:
            self.wh.raw.unregister("_hx_rows")

    def view(self, name: str, rows: pa.Table) -> None:
        """A view of these rows where they are (not copied; it lives until replaced: a few rows only)."""
        self.wh.raw.register(name, rows)

    def close(self) -> None:
        pass

class SparkEngine:
    """The warehouse tables a build reads are copied to Spark (Parquet); results come back by Arrow.

    ``write`` runs an expression on Spark, keeps the result as a checkpointed Spark view of that name (later
    expressions read it there) and copies it into the DuckDB warehouse (where the console, the API and
    the next build read it). Tables changed on the DuckDB side (``refresh``) are copied over again.
    """

    name = "spark"
    #: the joined passes and each derived level kept: Spark's planner runs out of heap on the inlined plan
    stage_levels = True

    def __init__(self, wh: Warehouse, session: Any, tables: list[str]):
        from huaxiang.engine.spark import ibis_spark, new_run, to_spark

        self.wh = wh
        self.session = session
        self.run = new_run("build")
        self._present = wh.existing(tables)
        self._staged: dict[str, Any] = {}
        to_spark(wh, session, sorted(self._present), run=self.run)
        self.con = ibis_spark(session)

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)

    def has(self, name: str) -> bool:
        return name in self._present

    def present(self, names: Iterable[str]) -> set[str]:
        return self._present.intersection(names)

    def execute(self, sql: str) -> None:
        """A statement on the DuckDB side (membership bookkeeping); ``refresh`` copies its result over."""
        self.wh.raw.execute(sql)

    def put(self, name: str, rows: pa.Table) -> None:
        DuckDBEngine(self.wh).put(name, rows)
        self.refresh(name)

    def write(self, name: str, expr: ir.Table, *, temp: bool = False) -> None:
        from huaxiang.engine.spark import from_spark

        backends = expr._find_backends()[0]
        if not backends:  # a memtable alone: made on the DuckDB side, then copied over
            DuckDBEngine(self.wh).write(name, expr, temp=temp)
            self.refresh(name)
            return
        self.stage(name, expr)
        arrow = from_spark(self._staged[name])
        self.wh.raw.register("_from_spark", arrow)
        kind = "TEMP TABLE" if temp else "TABLE"
        try:
            self.wh.raw.execute(f"CREATE OR REPLACE {kind} {name} AS SELECT * FROM _from_spark")
        finally:
            self.wh.raw.unregister("_from_spark")
        self._present.add(name)

    def stage(self, name: str, expr: ir.Table) -> None:
        """An intermediate result later expressions read: a checkpointed Spark view, not copied to DuckDB."""
        # checkpointed, not only cached: the next stage's plan starts from this result, not from the
        # whole lineage behind it (kept, that lineage made plans the driver's heap could not hold)
        df = self.con.raw_sql(self.con.compile(expr)).localCheckpoint(eager=True)
        df.createOrReplaceTempView(name)
        # a replaced stage's blocks go when nothing refers to its frame (Spark's context cleaner)
        self._staged[name] = df
        self._present.add(name)

    def refresh(self, name: str) -> None:
        """Copy the DuckDB table ``name`` (changed there) to Spark again."""
        from huaxiang.engine.spark import to_spark

        to_spark(self.wh, self.session, [name], run=self.run)
        self._present.add(name)

    def close(self) -> None:
        from huaxiang.engine.spark import remove_run

        self._staged.clear()  # their checkpoint blocks go with the frames (Spark's context cleaner)
        for name in self._present:  # only the views this build made: the session is shared
            self.session.catalog.dropTempView(name)
        remove_run(self.wh, self.run)
