"""JSON documents and JSON Lines: one column per top-level key, nested values as JSON text.

DuckDB reads each record as raw JSON (``read_json_objects``); a first pass collects the
union of keys in first-seen order, a second pass pulls every key out as text with one
``json_extract_string`` call per record. Keeping values as raw JSON avoids DuckDB's type
inference, which would turn "2024-01-05T10:30:00Z" into a timestamp with a different text
form and Segment-style ``properties`` objects into ever-growing structs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from huaxiang.ingest.readers._core import Progress, ReadError, ReadSpec, Staged, reader
from huaxiang.ingest.readers._duck import (
    column_names,
    count_rows,
    first_line,
    ident,
    literal,
    number_rows,
    run,
)
from huaxiang.ingest.readers._json_errors import locate_json_error
from huaxiang.ingest.readers._text import with_utf8


_HEAD_RECORDS = 20_000


class _NotObject(Exception):
    def __init__(self, row: int) -> None:
        self.row = row


@reader("json")
@reader("jsonl")
def read_json(
    con: duckdb.DuckDBPyConnection, spec: ReadSpec, table: str, progress: Progress | None
) -> Staged:
    """Stage JSON Lines, a JSON array of records, or the records under ``json_path``."""
    assert spec.path is not None
    return with_utf8(spec.path, spec.encoding, progress,
                     lambda readable, encoding: _stage(con, spec, table, readable, encoding),
                     bom_ok=False)


def _stage(con: duckdb.DuckDBPyConnection, spec: ReadSpec, table: str,
           readable: Path, encoding: str) -> Staged:
    layout = _layout(spec, readable)
    source = _records_sql(layout, readable, spec.json_path)
    try:
        if layout == "document":
            _check_json_path(con, readable, spec)
        keys = _keys(con, source)
        names = column_names(keys, file=str(spec.path), row=None) if keys else []
        run(con, _create_sql(table, source, keys, names))
    except _NotObject as err:
        raise ReadError("this record is not a JSON object ({...})", file=str(spec.path),
                        row=err.row, code="malformed") from None
    except duckdb.Error as err:
        raise locate_json_error(readable, layout, spec, first_line(str(err))) from None
    rows = number_rows(con, table, 1) if keys else count_rows(con, table)
    return Staged(table=table, columns=names, rows=rows, encoding=encoding)


def _create_sql(table: str, source: str, keys: list[str], names: list[str]) -> str:
    """One json_extract_string call per record pulls every key; empty text becomes NULL."""
    if not keys:  # records without keys ({} or []): only row numbers to stage
        return (f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "
                f"SELECT CAST(row_number() OVER () AS BIGINT) AS _row FROM ({source})")
    paths = "[" + ", ".join(literal(_pointer(key)) for key in keys) + "]"
    select = ", ".join(f"NULLIF(v[{i}], '') AS {ident(name)}" for i, name in enumerate(names, 1))
    return (f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT {select} "
            f"FROM (SELECT json_extract_string(record, {paths}) AS v FROM ({source}))")


def _layout(spec: ReadSpec, readable: Path) -> str:
    """'lines' (one record per line), 'array' (a top-level list) or 'document' (json_path)."""
    if spec.json_path:
        return "document"
    if spec.format == "jsonl":
        return "lines"
    with open(readable, "rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return "array" if head.startswith(b"[") else "lines"


def _records_sql(layout: str, readable: Path, json_path: str | None) -> str:
    """A query yielding one ``record`` (JSON) per row, in file order."""
    path = literal(str(readable))
    if layout == "lines":
        return f"SELECT json AS record FROM read_json_objects({path}, format='newline_delimited')"
    if layout == "array":
        return f"SELECT json AS record FROM read_json_objects({path}, format='array')"
    size = max(readable.stat().st_size + 1, 16 << 20)
    return (f"SELECT unnest(CAST(json_extract(json, {literal(_json_path(json_path or ''))}) AS JSON[])) "
            f"AS record FROM read_json_objects({path}, format='unstructured', maximum_object_size={size})")


def _check_json_path(con: duckdb.DuckDBPyConnection, readable: Path, spec: ReadSpec) -> None:
    """A json_path that is missing or not a list would otherwise stage zero rows silently."""
    path = literal(_json_path(spec.json_path or ""))
    size = max(readable.stat().st_size + 1, 16 << 20)
    rows = con.execute(f"SELECT json_type(json_extract(json, {path})) FROM read_json_objects("
                       f"{literal(str(readable))}, format='unstructured', maximum_object_size={size})"
                       ).fetchall()
    found = rows[0][0] if rows else None
    if found is None:
        raise ReadError(f"json_path {spec.json_path!r} not found in the document",
                        file=str(spec.path), code="not_found")
    if found != "ARRAY":
        raise ReadError(f"json_path {spec.json_path!r} is {found.lower()}, not a list of records",
                        file=str(spec.path), code="malformed")


def _keys(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """The union of top-level keys, in first-seen order; a record that is not an object is an error.

    Numbering every record to find where each key first appears needs a single-threaded window
    over the whole file, so only the first records are read in order; keys that first appear
    later follow in the order of their record shape's frequency.
    """
    shapes_sql = (f"SELECT CASE WHEN json_type(record) = 'OBJECT' THEN json_keys(record) END AS k "
                  f"FROM ({source})")
    shapes = con.execute(f"SELECT k, count(*) AS c FROM ({shapes_sql}) GROUP BY k "
                         f"ORDER BY c DESC, k").fetchall()
    if any(shape is None for shape, _ in shapes):
        raise _NotObject(_first_non_object(con, source))
    head = con.execute(f"SELECT k FROM ({shapes_sql}) LIMIT {_HEAD_RECORDS}").fetchall()
    ordered = [key for (shape,) in head for key in shape] + [key for shape, _ in shapes for key in shape]
    return list(dict.fromkeys(ordered))


def _first_non_object(con: duckdb.DuckDBPyConnection, source: str) -> int:
    rows = con.execute(f"SELECT n FROM (SELECT row_number() OVER () AS n, json_type(record) AS t "
                       f"FROM ({source})) WHERE t <> 'OBJECT' ORDER BY n LIMIT 1").fetchall()
    return int(rows[0][0]) if rows else 0


def _pointer(key: str) -> str:
    """A JSON pointer for one top-level key, safe for dots, quotes and slashes in the key."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _json_path(dotted: str) -> str:
    """'data.items' -> '$."data"."items"' so keys are taken literally."""
    parts = [part for part in dotted.removeprefix("$").split(".") if part]
    return "$" + "".join('."' + part.replace('"', '\\"') + '"' for part in parts)
