"""The standardizer registry and the value every standardizer returns.

Standardizers register themselves with :func:`standardizer` (the built-ins do so too), so a new
kind of column is one new module, never an edit to a central table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir


@dataclass(frozen=True)
class Cleaned:
    """A standardized column: the typed value and why it was rejected.

    ``value`` is NULL when the input was missing or invalid. ``reason`` is NULL when the input was
    fine or missing (empty, blank or NULL input is *missing*, not invalid); otherwise it is a short
    stable code such as ``'invalid_phone'`` that the ingest pipeline reports per row and column.
    """

    value: ir.Value
    reason: ir.StringValue


Standardizer = Callable[..., Cleaned]

_REGISTRY: dict[str, Standardizer] = {}


def standardizer(name: str) -> Callable[[Standardizer], Standardizer]:
    """Register ``fn(col: ibis.StringValue, **options) -> Cleaned`` under ``name``."""

    def register(fn: Standardizer) -> Standardizer:
        if name in _REGISTRY:
            raise ValueError(f"standardizer {name!r} is already registered")
        _REGISTRY[name] = fn
        return fn

    return register


def get(name: str) -> Standardizer:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(names())
        raise KeyError(f"unknown standardizer {name!r}; known standardizers: {known}") from None


def names() -> list[str]:
    return sorted(_REGISTRY)


def null_string() -> ir.StringValue:
    return ibis.null("string")


def rejected(text: ir.StringValue, value: ir.Value, code: str) -> ir.StringValue:
    """``code`` where there was text but no value came out of it, else NULL."""
    return ibis.ifelse(text.notnull() & value.isnull(), code, null_string())


def let(value: ir.Value, body: Callable[[ir.Value], ir.Value]) -> ir.Value:
    """``body(v)`` with ``value`` computed once per row, however often ``body`` uses it.

    SQL has no per-row variables: an expression that refers to ``value`` five times repeats it five
    times, and DuckDB does not share work inside CASE branches, so a rewrite chain (``_dialable``)
    would run five times per row. A one-element list mapped with a lambda binds it once
    (DuckDB ``list_apply``; Spark ``transform``).
    """
    return ibis.array([value]).map(body)[0]
