"""Readers stage one input (a file or a SQL query) as a DuckDB TEMP table of VARCHAR columns.

``stage(con, spec, table)`` is the entry point; each format registers itself from its own
module, so importing this package makes every built-in format available.
"""

from huaxiang.ingest.readers._core import ReadError, ReadSpec, Staged, formats, reader, stage
from huaxiang.ingest.readers._text import detect_encoding
from huaxiang.ingest.readers import csv_reader, excel, json_reader, parquet, sql  # noqa: F401  (registration)

__all__ = ["ReadError", "ReadSpec", "Staged", "detect_encoding", "formats", "reader", "stage"]
