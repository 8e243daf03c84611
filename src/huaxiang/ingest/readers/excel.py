"""Excel workbooks: rows stream out of python-calamine into DuckDB in Arrow batches.

calamine parses the sheet in Rust; Python only converts one batch of cells at a time to text
(whole numbers without ".0", dates as ISO text), so memory stays bounded by the batch size.
Row numbers are the ones Excel shows, so users can find a reported row in the workbook.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import python_calamine as calamine

from huaxiang.ingest.readers._core import Progress, ReadError, ReadSpec, Staged, reader
from huaxiang.ingest.readers._duck import BatchWriter, column_names
from huaxiang.ingest.readers._values import column_texts

BATCH_ROWS = 50_000
Row = list[object]


@reader("xlsx")
def read_xlsx(
    con: duckdb.DuckDBPyConnection, spec: ReadSpec, table: str, progress: Progress | None
) -> Staged:
    """Stage one sheet; rows before ``header_row`` are skipped, blank rows are not records."""
    assert spec.path is not None
    file = str(spec.path)
    with _open(spec.path) as workbook:
        sheet = _sheet(workbook, spec.sheet, file)
        if sheet.start is None:
            raise ReadError(f"sheet {sheet.name!r} is empty", file=file, code="empty_file")
        total = sheet.end[0] + 1 if sheet.end else 0
        rows = _numbered(sheet, file)
        names = _header(rows, spec.header_row, file)
        with BatchWriter(con, table, names) as out:
            for batch, numbers in _batches(rows, len(names)):
                out.append(column_texts(batch, len(names)), numbers)
                if progress is not None:
                    progress(numbers[-1], total)
        return Staged(table=table, columns=names, rows=out.rows, encoding=None)


def _open(path: Path) -> calamine.CalamineWorkbook:
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except calamine.CalamineError as err:
        with open(path, "rb") as f:
            head = f.read(4)
        if not head:
            raise ReadError("the file is empty", file=str(path), code="empty_file") from None
        if head == b"PK\x03\x04":
            raise ReadError(f"the workbook is damaged or truncated ({err})",
                            file=str(path), code="truncated") from None
        raise ReadError("not an Excel workbook (.xlsx/.xls); for text files use format csv",
                        file=str(path), code="not_text") from None


def _sheet(workbook: calamine.CalamineWorkbook, wanted: str | int | None,
           file: str) -> calamine.CalamineSheet:
    """The requested sheet (first by default); a wrong name lists the sheets that exist."""
    names = workbook.sheet_names
    try:
        if isinstance(wanted, str):
            return workbook.get_sheet_by_name(wanted)
        return workbook.get_sheet_by_index(wanted or 0)
    except (calamine.CalamineError, IndexError):
        available = ", ".join(names) or "(none)"
        raise ReadError(f"sheet {wanted!r} not found; available sheets: {available}",
                        file=file, code="not_found") from None


def _numbered(sheet: calamine.CalamineSheet, file: str) -> Iterator[tuple[int, Row]]:
    """Yield (Excel row number, cells).

    Depending on the calamine version ``iter_rows`` starts at row 1 (padding the blank rows
    above the data) or at the first used row; a blank first row reveals the padding.
    """
    rows = iter(sheet.iter_rows())
    try:
        first = next(rows, None)
        if first is None:
            return
        number = 1 if sheet.start is None or sheet.start[0] == 0 or _blank(first) else sheet.start[0] + 1
        yield number, first
        for number, cells in enumerate(rows, start=number + 1):
            yield number, cells
    except calamine.CalamineError as err:
        raise ReadError(f"the workbook is damaged ({err})", file=file, code="truncated") from None


def _header(rows: Iterator[tuple[int, Row]], header_row: int, file: str) -> list[str]:
    for number, cells in rows:
        if number == header_row:
            return column_names(cells, file=file, row=header_row)
        if number > header_row:
            break
    raise ReadError("no header row found (the sheet has no data at that row)",
                    file=file, row=header_row, code="no_header")


def _batches(rows: Iterator[tuple[int, Row]], width: int) -> Iterator[tuple[list[Row], list[int]]]:
    batch: list[Row] = []
    numbers: list[int] = []
    for number, cells in rows:
        if _blank(cells):
            continue
        batch.append(cells[:width] if len(cells) > width else cells + [None] * (width - len(cells)))
        numbers.append(number)
        if len(batch) >= BATCH_ROWS:
            yield batch, numbers
            batch, numbers = [], []
    if batch:
        yield batch, numbers


def _blank(cells: Row) -> bool:
    """calamine gives "" for empty cells; list.count keeps this check out of the Python loop."""
    return cells.count("") + cells.count(None) == len(cells)
