"""Standardizers: raw VARCHAR columns → clean typed Ibis expressions with a reason code.

Each standardizer is ``fn(col: ibis.StringValue, **options) -> Cleaned`` and only *describes* the
work: the ingest pipeline puts every column's expressions into one SELECT that DuckDB runs.
Built-ins register themselves on import; see :func:`standardizer` to add one.
"""

from __future__ import annotations

from . import address, categorical, dates, emails, numbers, phone, text, timestamps  # noqa: F401
from ._registry import Cleaned, Standardizer, get, names, standardizer
from .address import split_address
from .dates import age_from

__all__ = ["Cleaned", "Standardizer", "age_from", "get", "names", "split_address", "standardizer"]
