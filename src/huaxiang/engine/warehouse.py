"""The warehouse: Ibis over a DuckDB file (default) with one place that knows the engine.

Use-cases get a :class:`Warehouse` and work with ``wh.ibis`` (an Ibis backend) and ``wh.table``;
the few DuckDB-only operations (staging files, transactions, progress) sit behind methods here so
that the Spark backend can supply its own later.

DuckDB lets one process write a database file. A second process gets a lock error whose text
names the holding PID; we turn it into :class:`WorkspaceBusy`, which says who holds it and what to
do, and we record our own holder (command, PID, start time) in ``.huaxiang/lock.json`` so the
message can say what the other process is doing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import ibis

from huaxiang.domain.schema import QUARANTINE, SYSTEM_COLUMNS, TABLES, VALUE_ISSUES, Column

_DTYPES = {"string": "VARCHAR", "date": "DATE", "timestamp": "TIMESTAMP", "int64": "BIGINT",
           "boolean": "BOOLEAN", "json": "JSON", "decimal(18,2)": "DECIMAL(18,2)",
           "decimal(18,4)": "DECIMAL(18,4)", "float64": "DOUBLE"}


class WorkspaceBusy(RuntimeError):
    """Another process is writing to this workspace's warehouse."""

    def __init__(self, path: Path, pid: int | None, holder: dict | None):
        self.path, self.pid, self.holder = path, pid, holder or {}
        doing = ""
        if self.holder.get("pid") == pid and self.holder.get("command"):  # lock.json may be stale
            doing = f" ({self.holder['command']}, since {self.holder.get('since', '?')})"
        who = f"process {pid}" if pid else "another process"
        stop = f"stop it (kill {pid})" if pid else "stop it"
        super().__init__(f"workspace busy: {path} is being written by {who}{doing}; "
                         f"wait for it to finish, or {stop}, then try again")


def _half_of_memory() -> str | None:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: keep DuckDB's default
        return None
    return f"{max(total // 2 // 2**20, 256)}MiB"


def sql_type(dtype: str) -> str:
    return _DTYPES[dtype]


def _ddl(name: str, columns: tuple[Column, ...]) -> str:
    cols = ", ".join(f'"{c.name}" {sql_type(c.dtype)}' for c in columns)
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({cols})'


_EXISTING = """SELECT DISTINCT name FROM (
    SELECT table_name AS name, database_name AS db, schema_name AS s, temporary FROM duckdb_tables()
    UNION ALL SELECT view_name, database_name, schema_name, temporary FROM duckdb_views() WHERE NOT internal)
    WHERE list_contains(?, name) AND (temporary OR (db = current_database() AND s = current_schema()))"""


class Warehouse:
    def __init__(self, path: Path, *, read_only: bool = False, command: str = "", memory_limit: str | None = None):
        self.path = Path(path)
        self._lock_file = self.path.parent / ".huaxiang" / "lock.json"
        try:
            self.raw = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise self._busy(exc) from None
        self.raw.execute("SET TimeZone = 'UTC'")
        self.raw.execute("SET enable_progress_bar = false")  # our own progress bars, not DuckDB's on stderr
        limit = memory_limit or _half_of_memory()
        if limit:
            self.raw.execute(f"SET memory_limit = '{limit}'")
        self.ibis = ibis.duckdb.from_connection(self.raw)
        self.read_only = read_only
        if not read_only:
            self._write_lock_info(command)

    def _busy(self, exc: Exception) -> Exception:
        text = str(exc)
        if "lock" not in text.lower():
            return exc
        match = re.search(r"PID (\d+)", text)
        holder = None
        with contextlib.suppress(OSError, ValueError):
            holder = json.loads(self._lock_file.read_text())
        return WorkspaceBusy(self.path, int(match.group(1)) if match else None, holder)

    def _write_lock_info(self, command: str) -> None:
        self._lock_file.parent.mkdir(exist_ok=True)
        info = {"pid": os.getpid(), "command": command or " ".join(sys.argv), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        self._lock_file.write_text(json.dumps(info, ensure_ascii=False))

    def close(self) -> None:
        if not self.read_only:
            with contextlib.suppress(OSError):
                self._lock_file.unlink()
        self.raw.close()

    # ---- layout -----------------------------------------------------------------------------
    def ensure_tables(self) -> None:
        """Create every canonical table that does not exist yet (idempotent)."""
        for table in TABLES.values():
            self.raw.execute(_ddl(table.name, (*SYSTEM_COLUMNS, *_unique(table.columns))))
        self.raw.execute(_ddl("value_issues", VALUE_ISSUES))
        self.raw.execute(_ddl("quarantine", QUARANTINE))

    def ensure_table(self, name: str, columns: tuple[Column, ...]) -> None:
        """Create a use-case's own table (identity, profiles…) unless it exists."""
        self.raw.execute(_ddl(name, columns))

    def table(self, name: str) -> ibis.Table:
        return self.ibis.table(name)

    # one-row answers are read with fetchall: after fetchone the result stays open, and the next UDF
    # Ibis registers on this connection then fails with "already exists"
    def has_table(self, name: str) -> bool:
        """A table or view of that name in the current schema, or a temporary one (what Ibis's
        ``list_tables`` lists, in one small query instead of its ~13 ms of SQL generation)."""
        return bool(self.existing([name]))

    def existing(self, names: Iterable[str]) -> set[str]:
        """Those of ``names`` that ``has_table`` would find, in one query (each costs about 1 ms)."""
        names = list(names)
        return {r[0] for r in self.raw.execute(_EXISTING, [names]).fetchall()} if names else set()

    def count(self, name: str, where: str = "") -> int:
        clause = f" WHERE {where}" if where else ""
        return self.raw.execute(f'SELECT count(*) FROM "{name}"{clause}').fetchall()[0][0]

    # ---- execution --------------------------------------------------------------------------
    def materialize(self, name: str, expr: ibis.Expr, *, temp: bool = True) -> None:
        """Run ``expr`` into a table; through Ibis so that any Python UDFs it uses are registered."""
        self.raw.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.ibis.create_table(name, expr, temp=temp)

    def sql(self, expr: ibis.Expr) -> str:
        """The engine's SQL for ``expr`` (only for expressions without Python UDFs)."""
        return str(ibis.to_sql(expr, dialect="duckdb"))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside rolls back every write made in the block."""
        self.raw.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")


def _unique(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    seen: set[str] = {c.name for c in SYSTEM_COLUMNS}
    out = []
    for c in columns:
        if c.name not in seen:
            seen.add(c.name)
            out.append(c)
    return tuple(out)
