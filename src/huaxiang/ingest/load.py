"""One load: stage the input, map and standardize it, check it, store it atomically, report it.

The load id, its status and its quality report go to the catalog whether the load succeeds or
is refused, so ``huaxiang quality`` can show why a load was refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from huaxiang.domain.schema import table_for_kind
from huaxiang.domain.sources import FILE_FORMATS, Source
from huaxiang.engine.catalog import Catalog
from huaxiang.engine.warehouse import Warehouse
from huaxiang.ingest import mapping, quality, store
from huaxiang.ingest.readers import ReadError, ReadSpec, stage

Progress = Callable[[str, int, int | None], None]


class IngestError(Exception):
    """A load was refused. Nothing it read was stored; ``load_id`` names it in the catalog."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, code: str = "ingest_error", load_id: str | None = None,
                 details: list[str] | None = None):
        self.message, self.file, self.row, self.column = message, file, row, column
        self.code, self.load_id, self.details = code, load_id, details or []
        where = ", ".join(x for x in (file, f"row {row}" if row else None,
                                      f"column {column}" if column else None) if x)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass
class LoadResult:
    load_id: str
    source: str
    file: str
    status: str
    counts: dict[str, int]
    report: dict[str, Any] = field(default_factory=dict)


def new_load_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:8]


def resolve_input(root: Path, source: Source, file: str | Path | None) -> Path | None:
    if source.format not in FILE_FORMATS:
        return None
    given = file or source.path
    if not given:
        raise IngestError(f"source {source.name} has no path; give the file to import", code="no_file")
    path = Path(given)
    return path if path.is_absolute() else (Path.cwd() / path if file else root / path)


def _spec(source: Source, path: Path | None) -> ReadSpec:
    return ReadSpec(format=source.format, path=path, encoding=source.encoding, delimiter=source.delimiter,
                    header_row=source.header_row, sheet=source.sheet, url=source.url, query=source.query,
                    json_path=source.json_path)


def _check_columns(source: Source, columns: list[str], file: str) -> None:
    missing = [c for c in source.mapping() if c not in columns]
    if missing:
        raise IngestError(
            f"missing column(s) {', '.join(missing)} (the input has: {', '.join(columns) or 'no columns'}); "
            f"is this the right file for source {source.name} ({source.kind})?",
            file=file, column=missing[0], code="missing_columns")


def _refuse(marked: store.Marked, wh: Warehouse, file: str) -> IngestError:
    rows = store.bad_rows(wh)
    details = [f"row {r}: {'; '.join(reasons)}" for r, reasons in rows]
    first_row, first = rows[0]
    column = first[0].split(":")[0].split(" ")[-1]
    return IngestError(f"{marked.bad} bad row(s); first: {'; '.join(first)}. Nothing was stored "
                       f"(use on_error: quarantine to set bad rows aside)",
                       file=file, row=first_row, column=column, code="bad_rows", details=details)


def run_load(wh: Warehouse, catalog: Catalog, root: Path, source: Source, version: int | None,
             file: str | Path | None = None, *, progress: Progress | None = None,
             today: datetime | None = None) -> LoadResult:
    progress = progress or (lambda *_: None)
    path = resolve_input(root, source, file)
    shown = path.name if path else f"{source.name} (sql)"
    load_id = new_load_id()
    catalog.start_load(load_id, source.name, version, str(path) if path else "sql")
    counts: dict[str, int] = {}
    report: dict[str, Any] = {"source": source.name, "kind": source.kind, "file": str(path or "sql")}
    try:
        wh.ensure_tables()
        staged = stage(wh.raw, _spec(source, path), "_stage", progress=lambda d, t: progress("read", d, t))
        report["encoding"] = staged.encoding
        _check_columns(source, staged.columns, shown)
        progress("standardize", 0, None)
        cleaning = mapping.clean_expr(wh.table("_stage"), source, today=(today or datetime.now()).date(),
                                      raw_columns=staged.columns)
        wh.materialize("_clean", cleaning.expr)
        produced = mapping.target_columns(source, cleaning.expr.columns)
        table = table_for_kind(source.kind)
        marked = store.mark(wh, source, table, produced, cleaning.checked, wh.sql(cleaning.raw_text))
        counts = {"read": marked.read, "duplicates_exact": marked.duplicates_exact,
                  "duplicate_keys": marked.duplicate_keys}
        report |= {"columns": quality.load_columns(wh, produced), "bad_rows": quality.bad_row_reasons(wh)}
        if marked.bad and source.on_error == "reject":
            counts |= {"rejected": marked.bad, "stored": 0}
            raise _refuse(marked, wh, shown)
        progress("store", 0, None)
        counts |= store.write(wh, load_id, source, table, produced, quarantine=marked.bad > 0)
        good = marked.read - marked.duplicates_exact - marked.duplicate_keys - marked.bad
        counts["already_loaded"] = good - counts["stored"]
    except (IngestError, ReadError) as exc:
        err = exc if isinstance(exc, IngestError) else IngestError(
            exc.message, file=exc.file or shown, row=exc.row, column=exc.column, code=exc.code)
        err.load_id = load_id
        report["error"] = {"message": err.message, "row": err.row, "column": err.column, "code": err.code,
                           "details": err.details[:50]}
        catalog.finish_load(load_id, "rejected", counts, str(err), report | {"counts": counts})
        raise err from None
    except Exception as exc:
        catalog.finish_load(load_id, "failed", counts, f"{type(exc).__name__}: {exc}", None)
        raise
    finally:
        wh.raw.execute("DROP VIEW IF EXISTS _marked; DROP TABLE IF EXISTS _stage; DROP TABLE IF EXISTS _clean; "
                       "DROP TABLE IF EXISTS _flags; DROP TABLE IF EXISTS _issues; DROP TABLE IF EXISTS _keep")
    report["counts"] = counts
    catalog.finish_load(load_id, "succeeded", counts, "", report)
    return LoadResult(load_id, source.name, str(path or "sql"), "succeeded", counts, report)
