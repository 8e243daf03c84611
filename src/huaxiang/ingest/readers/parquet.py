"""Parquet: DuckDB scans the file; every column is cast to the text users would expect.

Timestamps and decimals use DuckDB's ISO / exact text, nested types become JSON text so later
code can use json_extract, and whole floats lose their ".0" (pandas writes integer columns
that contain nulls, such as phone numbers, as float64).
"""

from __future__ import annotations

import duckdb

from huaxiang.ingest.readers._core import Progress, ReadError, ReadSpec, Staged, reader
from huaxiang.ingest.readers._duck import column_names, count_rows, first_line, ident, literal, run

_NESTED = ("STRUCT", "MAP", "UNION", "JSON")
_FLOATS = ("FLOAT", "DOUBLE", "REAL")


@reader("parquet")
def read_parquet(
    con: duckdb.DuckDBPyConnection, spec: ReadSpec, table: str, progress: Progress | None
) -> Staged:
    """Stage a Parquet file; ``_row`` is the record's position in the file."""
    assert spec.path is not None
    source = f"read_parquet({literal(str(spec.path))}, file_row_number=true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        fields = [(name, dtype) for name, dtype, *_ in described if name != "file_row_number"]
        names = column_names([name for name, _ in fields], file=str(spec.path), row=None)
        select = ", ".join(f"{_as_text(ident(name), dtype)} AS {ident(new)}"
                           for (name, dtype), new in zip(fields, names, strict=True))
        run(con, f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT {select}"
                 f"{', ' if select else ''}file_row_number + 1 AS _row FROM {source}")
    except duckdb.Error as err:
        raise _translate(str(err), spec) from None
    return Staged(table=table, columns=names, rows=count_rows(con, table), encoding=None)


def _as_text(column: str, dtype: str) -> str:
    """SQL turning one typed column into VARCHAR."""
    upper = dtype.upper()
    if upper.startswith(_NESTED) or upper.endswith("]"):
        return f"CAST(to_json({column}) AS VARCHAR)"
    if upper in _FLOATS:
        return (f"CASE WHEN isfinite({column}) AND {column} = trunc({column}) AND abs({column}) < 1e18 "
                f"THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) "
                f"WHEN isnan({column}) THEN NULL ELSE CAST({column} AS VARCHAR) END")
    if upper == "VARCHAR":
        return f"NULLIF({column}, '')"
    return f"CAST({column} AS VARCHAR)"


def _translate(message: str, spec: ReadSpec) -> ReadError:
    file = str(spec.path)
    with open(spec.path, "rb") as f:  # type: ignore[arg-type]
        head = f.read(4)
    if not head:
        return ReadError("the file is empty", file=file, code="empty_file")
    if head != b"PAR1":
        return ReadError("not a Parquet file (it does not start with PAR1)", file=file, code="not_text")
    if "magic bytes" in message or "too small" in message or "footer" in message.lower():
        return ReadError("the Parquet file is truncated (its footer is missing)", file=file, code="truncated")
    return ReadError(f"cannot read the Parquet file: {first_line(message)}", file=file, code="malformed")
