"""Find where a JSON file is broken, in Python, only after DuckDB has refused it.

DuckDB's JSON error positions are approximate (its line numbers skip blank lines and can be
off by one), and users need the exact line, so the failing file is re-scanned here.
"""

from __future__ import annotations

import json
from pathlib import Path

from huaxiang.ingest.readers._core import ReadError, ReadSpec
from huaxiang.ingest.readers._text import not_utf8


def locate_json_error(readable: Path, layout: str, spec: ReadSpec, duckdb_message: str) -> ReadError:
    """The first broken line (JSON Lines) or position (documents), as a ReadError."""
    found = _scan_lines(readable, spec) if layout == "lines" else _scan_document(readable, spec)
    if found is not None:
        return found
    return ReadError(f"cannot read the JSON: {duckdb_message}", file=str(spec.path), code="malformed")


def _scan_lines(readable: Path, spec: ReadSpec) -> ReadError | None:
    file = str(spec.path)
    with open(readable, "rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                json.loads(line.decode("utf-8-sig"))
            except UnicodeDecodeError:
                return not_utf8(file, number, spec.encoding)
            except json.JSONDecodeError as err:
                if not line.endswith(b"\n") and not f.read(1):
                    return ReadError(f"the last line is cut off ({err.msg}); the file looks truncated",
                                     file=file, row=number, code="truncated")
                return ReadError(f"invalid JSON: {err.msg} at character {err.colno}",
                                 file=file, row=number, code="malformed")
    return None


def _scan_document(readable: Path, spec: ReadSpec) -> ReadError | None:
    file = str(spec.path)
    data = readable.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return not_utf8(file, data.count(b"\n", 0, err.start) + 1, spec.encoding)
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        if err.pos >= len(text.rstrip()):
            return ReadError("the JSON document ends unexpectedly; the file looks truncated",
                             file=file, code="truncated")
        return ReadError(f"invalid JSON at line {err.lineno}, character {err.colno}: {err.msg}",
                         file=file, code="malformed")
    return None
