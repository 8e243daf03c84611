"""CSV and TSV: DuckDB's ``read_csv`` does the scan, we decide the dialect and the header.

DuckDB's sniffer gives up (or silently picks one column) exactly on the broken files users
most need explained, so the delimiter is chosen from the header line here, the header is
parsed here (names kept verbatim, duplicates refused) and DuckDB reads the data rows
with strict parsing and positional column names. Its error messages carry the row number,
which is translated into a :class:`ReadError`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from huaxiang.ingest.readers._core import Progress, ReadError, ReadSpec, Staged, reader
from huaxiang.ingest.readers._duck import (
    column_names,
    csv_error_line,
    first_line,
    ident,
    literal,
    number_rows,
    run,
)
from huaxiang.ingest.readers._text import not_utf8, with_utf8

_CANDIDATES = (",", "\t", ";", "|")
_FIELD_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


@reader("csv")
@reader("tsv")
def read_delimited(
    con: duckdb.DuckDBPyConnection, spec: ReadSpec, table: str, progress: Progress | None
) -> Staged:
    """Stage a delimited text file; UTF-8 goes straight to DuckDB, other encodings via a copy."""
    assert spec.path is not None
    return with_utf8(spec.path, spec.encoding, progress,
                     lambda readable, encoding: _stage(con, spec, table, readable, encoding))


def _stage(con: duckdb.DuckDBPyConnection, spec: ReadSpec, table: str,
           readable: Path, encoding: str) -> Staged:
    names, delimiter = _header(readable, spec)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    select = ", ".join(f"c{i} AS {ident(name)}" for i, name in enumerate(names))
    options = (f"delim={literal(delimiter)}, quote='\"', escape='\"', header=false, "
               f"skip={int(spec.header_row)}, auto_detect=false, strict_mode=true, "
               f"null_padding=false, columns={columns}")
    try:
        run(con, f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "
                    f"SELECT {select} FROM read_csv({literal(str(readable))}, {options})")
    except duckdb.Error as err:
        raise _translate(str(err), spec) from None
    rows = number_rows(con, table, spec.header_row + 1)
    return Staged(table=table, columns=names, rows=rows, encoding=encoding)


def _header(readable: Path, spec: ReadSpec) -> tuple[list[str], str]:
    """Read the header line, choose the delimiter from it and return the column names."""
    file = str(spec.path)
    with open(readable, "rb") as f:  # binary: text mode would decode rows past the header
        for _ in range(spec.header_row - 1):
            f.readline()
        raw = f.readline()
    try:
        line = raw.decode("utf-8-sig" if spec.header_row == 1 else "utf-8")
    except UnicodeDecodeError:
        raise not_utf8(file, spec.header_row, spec.encoding) from None
    if not line.strip():
        raise ReadError("no header row found", file=file, row=spec.header_row, code="no_header")
    delimiter = _delimiter(line, spec)
    cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter)) if len(delimiter) == 1 \
        else line.rstrip("\r\n").split(delimiter)
    return column_names(cells, file=file, row=spec.header_row), delimiter


def _delimiter(header_line: str, spec: ReadSpec) -> str:
    """An explicit delimiter wins; TSV is tabs; CSV takes the commonest candidate in the header."""
    if spec.delimiter:
        return spec.delimiter
    if spec.format == "tsv":
        return "\t"
    counts = {candidate: header_line.count(candidate) for candidate in _CANDIDATES}
    best = max(_CANDIDATES, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _translate(message: str, spec: ReadSpec) -> ReadError:
    """Turn DuckDB's CSV error into a located ReadError with a short, actionable message."""
    file, row = str(spec.path), csv_error_line(message)
    if "Invalid unicode" in message:
        return not_utf8(file, row, spec.encoding)
    fields = _FIELD_COUNT.search(message)
    if fields:
        expected, found = fields.groups()
        return ReadError(f"expected {expected} fields (as in the header) but found {found}",
                         file=file, row=row, code="malformed")
    if "unterminated quote" in message:
        if not _ends_with_newline(spec.path):
            return ReadError("the file ends inside a quoted field; it looks truncated",
                             file=file, row=row, code="truncated")
        return ReadError("a quoted field is never closed (unterminated quote)",
                         file=file, row=row, code="malformed")
    return ReadError(f"cannot parse the file: {first_line(message)}", file=file, row=row,
                     code="malformed")


def _ends_with_newline(path: Path | None) -> bool:
    if path is None or path.stat().st_size == 0:
        return False
    with open(path, "rb") as f:
        f.seek(-1, 2)
        return f.read(1) in (b"\n", b"\r")
