"""DuckDB plumbing shared by the readers: quoting, header checks, row numbers, batch writes.

Readers that let DuckDB scan the file create the table in one statement; readers that
stream rows through Python (xlsx, sql) write Arrow batches into a scratch table that only
takes the caller's table name once every row is in, so a failed read never leaves half a table.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from huaxiang.ingest.readers._core import ReadError

ROW = "_row"
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")


def ident(name: str) -> str:
    """Quote an identifier; Chinese and odd header names are used verbatim."""
    return '"' + name.replace('"', '""') + '"'


def run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Execute a statement and drain its result (DuckDB 2 refuses new work while one is open)."""
    con.execute(sql).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The first value of a query, reading the result to its end."""
    rows = con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def temp_table(name: str) -> str:
    """A TEMP table reference that can never hit a persistent table of the same name."""
    return f"temp.main.{ident(name)}"


def literal(text: str) -> str:
    """Quote a SQL string literal (file paths, JSON paths)."""
    return "'" + text.replace("'", "''") + "'"


def column_names(raw: Sequence[object], *, file: str | None, row: int | None) -> list[str]:
    """Trim header cells, name blank ones by position, and reject duplicates.

    DuckDB identifiers are case-insensitive, so ``Name`` and ``name`` collide too.
    """
    names = [str(cell).replace("\ufeff", "").strip() if cell is not None else "" for cell in raw]
    if not any(names):
        raise ReadError("the header row is empty", file=file, row=row, code="no_header")
    names = [name or f"column{i}" for i, name in enumerate(names, start=1)]
    seen: dict[str, str] = {}
    for name in names:
        key = name.casefold()
        if key == ROW:
            raise ReadError(f"column name {ROW} is reserved for row numbers",
                            file=file, row=row, column=name, code="duplicate_header")
        if key in seen:
            raise ReadError(f"duplicate column name (also {seen[key]!r})",
                            file=file, row=row, column=name, code="duplicate_header")
        seen[key] = name
    return names


def number_rows(con: duckdb.DuckDBPyConnection, table: str, first_row: int) -> int:
    """Add ``_row`` from insertion order (cheaper than a window) and return the row count."""
    run(con, f"ALTER TABLE {temp_table(table)} ADD COLUMN {ROW} BIGINT")
    run(con, f"UPDATE {temp_table(table)} SET {ROW} = rowid + {int(first_row)}")
    return count_rows(con, table)


def count_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(scalar(con, f"SELECT count(*) FROM {temp_table(table)}") or 0)


def csv_error_line(message: str) -> int | None:
    """The row DuckDB's CSV reader names in an error (it counts records, header included)."""
    match = _CSV_LINE.search(message)
    return int(match.group(1)) if match else None


def first_line(message: str) -> str:
    """DuckDB errors carry pages of hints; users need the first sentence."""
    return message.strip().splitlines()[0] if message.strip() else message


class BatchWriter:
    """Append string columns batch by batch, then publish the table under its final name."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
        self.con, self.table, self.columns = con, table, columns
        self.scratch = f"_hx_stage_{uuid.uuid4().hex}"
        self.view = f"_hx_batch_{uuid.uuid4().hex}"
        self.rows = 0
        cols = ", ".join(f"{ident(c)} VARCHAR" for c in columns)
        run(con, f"CREATE TEMP TABLE {ident(self.scratch)} ({cols}{', ' if cols else ''}{ROW} BIGINT)")
        self.schema = pa.schema([pa.field(f"c{i}", pa.string()) for i in range(len(columns))]
                                + [pa.field(ROW, pa.int64())])

    def append(self, values: list[list[str | None]], row_numbers: list[int]) -> None:
        """``values`` holds one list per column, all as long as ``row_numbers``."""
        if not row_numbers:
            return
        batch = pa.Table.from_arrays([*values, row_numbers], schema=self.schema)
        self.con.register(self.view, batch)
        try:
            run(self.con, f"INSERT INTO {temp_table(self.scratch)} SELECT * FROM {ident(self.view)}")
        finally:
            self.con.unregister(self.view)
        self.rows += len(row_numbers)

    def publish(self) -> None:
        run(self.con, f"DROP TABLE IF EXISTS {temp_table(self.table)}")
        run(self.con, f"ALTER TABLE {temp_table(self.scratch)} RENAME TO {ident(self.table)}")

    def discard(self) -> None:
        run(self.con, f"DROP TABLE IF EXISTS {temp_table(self.scratch)}")

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self.publish()
        else:
            self.discard()
