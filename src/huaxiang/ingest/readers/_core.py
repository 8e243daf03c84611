"""The reader contract: what a reader is given, what it returns, and how it fails.

Every format module registers one function with :func:`reader`; :func:`stage` is the only
entry point the ingest pipeline calls, so checks that apply to all formats (unknown format,
missing file, row numbering guarantees) live here once instead of in each reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

Progress = Callable[[int, int | None], None]
ReaderFn = Callable[[duckdb.DuckDBPyConnection, "ReadSpec", str, Progress | None], "Staged"]

_READERS: dict[str, ReaderFn] = {}
_FILE_LESS = frozenset({"sql"})


class ReadError(Exception):
    """A problem with the input, located as precisely as possible.

    Users fix their files, not our code, so the message names the file, the row they would
    see in a spreadsheet and the column, and ``code`` lets callers react without parsing text.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        code: str = "read_error",
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [part for part in (
            self.file,
            f"row {self.row}" if self.row is not None else None,
            f"column {self.column}" if self.column is not None else None,
        ) if part]
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def __repr__(self) -> str:
        return f"ReadError({self.code!r}, {str(self)!r})"


@dataclass
class ReadSpec:
    """Where an input lives and how to parse it; everything optional has a sensible default."""

    format: str
    path: Path | None = None
    encoding: str = "auto"
    delimiter: str | None = None
    header_row: int = 1
    sheet: str | int | None = None
    url: str | None = None
    query: str | None = None
    json_path: str | None = None


@dataclass
class Staged:
    """The staged table: every source column as VARCHAR plus the user-visible row number."""

    table: str
    columns: list[str]
    rows: int
    encoding: str | None
    row_column: str = "_row"


def reader(fmt: str) -> Callable[[ReaderFn], ReaderFn]:
    """Register a reader for ``fmt``; a new format is one new module, not an edit here."""

    def register(fn: ReaderFn) -> ReaderFn:
        _READERS[fmt] = fn
        return fn

    return register


def formats() -> list[str]:
    """The formats that have a registered reader, sorted."""
    return sorted(_READERS)


def stage(
    con: duckdb.DuckDBPyConnection,
    spec: ReadSpec,
    table: str,
    *,
    progress: Progress | None = None,
) -> Staged:
    """Stage ``spec`` as TEMP table ``table`` (replacing any existing one)."""
    fn = _READERS.get(spec.format)
    if fn is None:
        raise ReadError(
            f"unsupported format {spec.format!r}; supported formats: {', '.join(formats())}",
            code="unsupported_format",
        )
    if spec.format not in _FILE_LESS:
        spec = replace(spec, path=_checked_path(spec))
    with _insertion_order_kept(con):
        return fn(con, spec, table, progress)


def _checked_path(spec: ReadSpec) -> Path:
    if spec.path is None:
        raise ReadError(f"format {spec.format} needs a file path", code="not_found")
    path = Path(spec.path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "file not found"
        raise ReadError(what, file=str(path), code="not_found")
    return path


class _insertion_order_kept:
    """Row numbers are derived from insertion order, so it must be preserved while staging."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.previous: bool | None = None

    def __enter__(self) -> None:
        rows = self.con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
        self.previous = bool(rows and rows[0][0])
        if not self.previous:
            self.con.execute("SET preserve_insertion_order = true").fetchall()

    def __exit__(self, *exc: object) -> None:
        if self.previous is False:
            self.con.execute("SET preserve_insertion_order = false").fetchall()
