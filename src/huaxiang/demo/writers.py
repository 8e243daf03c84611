"""Write generated tables in the file formats real systems export.

Every writer takes a table whose columns are named like the spec's fields and renames them to
the locale's headers. Nothing here depends on the clock, so outputs are byte-identical for
identical inputs (xlsx gets a fixed creation date; Parquet and CSV carry no timestamps).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

from huaxiang.demo.messy import excel_serial
from huaxiang.demo.specs import SourceSpec

FIXED_CREATED = dt.datetime(2026, 6, 30, 20, 0, 0)


def with_headers(table: pa.Table | dict, spec: SourceSpec, locale: str) -> pa.Table:
    """The spec's columns, in the spec's order, under the locale's headers."""
    table = table if isinstance(table, pa.Table) else pa.table(table)
    columns = [table[f.column] for f in spec.fields]
    return pa.table(columns, names=spec.headers(locale))


def write_csv(table: pa.Table, path: Path, encoding: str) -> int:
    """CSV as Excel and CRMs write it: GBK for Chinese Windows tools, UTF-8 with a BOM from Excel.

    Empty text is written as an empty field, not as "".
    """
    table = pa.table([_blank_as_null(c) for c in table.columns], names=table.column_names)
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(quoting_style="needed"))
    data = buffer.getvalue()
    if encoding.lower() == "gbk":
        data = data.decode("utf-8").encode("gbk")
    elif encoding.lower() == "utf-8-sig":
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return table.num_rows


def _blank_as_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if not pa.types.is_string(column.type):
        return column
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


class ParquetAppender:
    """Streams chunks into one Parquet file (one row group per chunk)."""

    def __init__(self, path: Path):
        self.path, self.writer, self.rows = path, None, 0

    def append(self, table: pa.Table) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def write_json_array(table: pa.Table, path: Path) -> int:
    """A JSON array of objects (an API dump), written by DuckDB so escaping is done right."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.register("t", table)
    con.execute(f"COPY (SELECT * FROM t) TO '{path}' (FORMAT JSON, ARRAY true)")
    con.close()
    return table.num_rows


def write_members_xlsx(columns: dict, spec: SourceSpec, path: Path, locale: str, sheet: str) -> int:
    """The store membership sheet with real Excel date cells (birthday, join date).

    xlsxwriter has no bulk API, so this is the one per-row loop of the demo; constant_memory
    mode keeps it flat in memory even for a million members.
    """
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": FIXED_CREATED, "author": "huaxiang demo"})
    sheet_ = workbook.add_worksheet(sheet)
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet_.write_row(0, 0, spec.headers(locale))
    dates = {"birth_date", "registered_at"}
    names = [f.column for f in spec.fields]
    values = [_cells(columns[name], name in dates) for name in names]
    kinds = [(c, date if n in dates else None, columns[n].dtype.kind in "iuf") for c, n in enumerate(names)]
    for r, row in enumerate(zip(*values), start=1):
        for (c, fmt, numeric), value in zip(kinds, row):
            if value is None:
                continue
            if numeric:
                sheet_.write_number(r, c, value, fmt)
            else:
                sheet_.write_string(r, c, value)
    workbook.close()
    return len(values[0])


def _cells(values: np.ndarray, is_date: bool) -> list:
    """Python values for one column: Excel serials for day numbers, None for missing."""
    if is_date:
        days = np.asarray(values, dtype=float)
        out = excel_serial(np.nan_to_num(days, nan=0).astype(np.int64)).astype(object)
        out[np.isnan(days)] = None
        return out.tolist()
    if values.dtype.kind in "iuf":
        return values.tolist()
    return values.astype(object).tolist()
