"""Turn a staged input (all text) into canonical, standardized columns: one Ibis SELECT.

For every canonical column the result carries the clean value and the reason it was rejected
(``__r_<column>``, NULL when fine or missing); a second SELECT over the same staged input gives
the raw text of refusable columns (``__x_<column>``), which the store reads for issue rows only.
Nothing runs here: the function returns an expression for the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from huaxiang.domain.schema import Column, Table, table_for_kind
from huaxiang.domain.sources import ColumnMap, Source
from huaxiang.ingest import standardize
from huaxiang.ingest.standardize.text import normalize, normalize_str

REASON = "__r_"
RAW = "__x_"

#: canonical column kind -> standardizer name (kinds not listed use their own name)
_STANDARDIZER = {"identifier": "text", "address": "text"}

#: kinds that only mean something for Chinese data (other countries keep the normalized text)
_CHINESE_REGIONS = ("province", "city", "district")

#: events: typed columns extracted from the Segment JSON objects when not mapped directly
_EVENT_PATHS = {
    "category": [("properties", "$.category")],
    "product_id": [("properties", "$.product_id"), ("properties", "$.productId"), ("properties", "$.sku")],
    "amount": [("properties", "$.price"), ("properties", "$.revenue"), ("properties", "$.total")],
    "search_query": [("properties", "$.query")],
    "session_id": [("properties", "$.session_id"), ("context", "$.session_id")],
    "page_url": [("properties", "$.url"), ("context", "$.page.url")],
    "referrer": [("properties", "$.referrer"), ("context", "$.page.referrer")],
    "channel": [("context", "$.channel")],
    "device_type": [("context", "$.device.type")],
    "utm_source": [("context", "$.campaign.source")],
    "utm_campaign": [("context", "$.campaign.name")],
}


@ibis.udf.scalar.builtin(name="json_extract_string")
def _json_text(doc: str, path: str) -> str:  # DuckDB builtin; Spark gets get_json_object
    ...


@ibis.udf.scalar.builtin(name="json_valid")
def _json_valid(doc: str) -> bool:  # DuckDB builtin; Spark: get_json_object(doc, '$') IS NOT NULL
    ...


def _json(text: ir.StringValue) -> standardize.Cleaned:
    """JSON text as given; text that does not parse is invalid (casting it would fail the whole load)."""
    value = ibis.ifelse(_json_valid(text), text, ibis.null(str))
    invalid = text.strip().nullif("").notnull() & value.isnull()
    return standardize.Cleaned(value, ibis.ifelse(invalid, "invalid_json", ibis.null(str)))


def _options(col: Column, cmap: ColumnMap | None, source: Source) -> dict:
    kind = col.kind
    opts: dict = {}
    if kind == "phone":
        opts["region"] = (cmap.region if cmap else None) or source.region
    elif kind == "timestamp":
        opts["timezone"] = (cmap.timezone if cmap else None) or source.timezone
    elif kind == "gender" and col.name in source.values:
        opts["mapping"] = source.values[col.name]
    if kind in ("date", "timestamp") and cmap and cmap.formats:
        opts["formats"] = cmap.formats
    return opts


def _clean(col: Column, text: ir.StringValue, cmap: ColumnMap | None, source: Source) -> standardize.Cleaned:
    if col.dtype == "json":
        return _json(text)
    if col.kind == "":
        return standardize.Cleaned(text, ibis.null(str))
    if col.name in source.values and col.kind != "gender":
        # Matched like every standardizer reads its input: " 2 " and full-width "２" are "2".
        wanted = {normalize_str(k): v for k, v in source.values[col.name].items()}
        text = normalize(text).substitute(wanted, else_=text)
    name = _STANDARDIZER.get(col.kind, col.kind)
    if col.kind in _CHINESE_REGIONS and not source.chinese_addresses:
        name = "text"
    return standardize.get(name)(text, **_options(col, cmap, source))


def _inputs(t: ir.Table, source: Source, table: Table) -> dict[str, tuple[ir.StringValue, ColumnMap | None]]:
    """Canonical column -> (raw text expression, mapping), including event extractions."""
    out = {cmap.to: (t[src].cast("string"), cmap) for src, cmap in source.mapping().items()}
    if table.kind == "events":
        docs = {obj: _json(out[obj][0]).value for obj in ("properties", "context") if obj in out}
        for name, paths in _EVENT_PATHS.items():
            if name in out:
                continue
            found = [_json_text(docs[obj], p) for obj, p in paths if obj in docs]
            if found:
                out[name] = (ibis.coalesce(*found) if len(found) > 1 else found[0], None)
    return out


def _address_parts(inputs: dict, values: dict, reasons: dict) -> None:
    """Fill province / city / district from the address where they are missing."""
    parts = standardize.split_address(inputs["address"][0])
    for level in ("province", "city", "district"):
        if level in values:
            values[level] = ibis.coalesce(values[level], parts[level].value)
        else:
            values[level] = parts[level].value
            reasons[level] = ibis.null(str)
    values["address"] = parts["address"].value
    reasons["address"] = parts["address"].reason


@dataclass(frozen=True)
class Cleaning:
    """What :func:`clean_expr` builds: the clean SELECT, and the raw texts of refusable columns.

    ``raw_text`` (``_row`` plus ``__x_<column>``) is only evaluated for the few rows that have an
    issue, so the clean table does not carry a second copy of every input value.
    """

    expr: ir.Table
    checked: list[str]  # canonical columns whose values can be refused
    raw_text: ir.Table


def clean_expr(t: ir.Table, source: Source, *, today: date, raw_columns: list[str]) -> Cleaning:
    """The one SELECT that maps and standardizes a staged table (see module docstring)."""
    table = table_for_kind(source.kind)
    inputs = _inputs(t, source, table)
    values: dict[str, ir.Value] = {}
    reasons: dict[str, ir.Value] = {}
    for name, (text, cmap) in inputs.items():
        cleaned = _clean(table.column(name), text, cmap, source)
        values[name], reasons[name] = cleaned.value, cleaned.reason
    if "address" in inputs and source.kind == "customers" and source.chinese_addresses:
        _address_parts(inputs, values, reasons)
    if "birth_date" in values and "age" not in values:
        values["age"] = standardize.age_from(values["birth_date"], today)
        reasons["age"] = ibis.null(str)
    raw = ibis.struct({c: t[c] for c in raw_columns}).cast("json")
    cols = {"_row": t["_row"], "raw": raw}
    for name in values:
        cols[name] = values[name].cast(table.column(name).dtype)
        cols[REASON + name] = reasons[name].cast("string")
    checked = [name for name in values if not _never_rejects(reasons[name])]
    texts = {RAW + name: inputs[name][0] if name in inputs else ibis.null(str) for name in checked}
    return Cleaning(t.select(**cols), checked, t.select(t["_row"], **texts))


def _never_rejects(reason: ir.Value) -> bool:
    op = reason.op()
    return isinstance(op, ops.Literal) and op.value is None


def target_columns(source: Source, produced: list[str]) -> list[str]:
    """Canonical columns the load writes, in table order."""
    table = table_for_kind(source.kind)
    return [c for c in table.column_names if c in produced]
