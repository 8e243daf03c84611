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
