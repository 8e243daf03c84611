"""Data-quality figures: per load (from the load's own rows) and per source (from what is stored).

Each is one aggregate query over the rows, not a loop over them.
"""

from __future__ import annotations

from typing import Any

from huaxiang.domain.schema import table_for_kind
from huaxiang.engine.warehouse import Warehouse
from huaxiang.ingest.mapping import REASON
from huaxiang.ingest.store import lit, q


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def load_columns(wh: Warehouse, produced: list[str]) -> list[dict[str, Any]]:
    """Null rate and validity per column over the load's distinct rows."""
    if not produced:
        return []
    aggs = ", ".join(f"count({q(c)}), count({q(REASON + c)})" for c in produced)
    row = wh.raw.execute(f"SELECT count(*), {aggs} FROM _marked WHERE NOT __dup_exact").fetchone()
    total = row[0]
    reasons = _top_reasons(wh, produced)
    out = []
    for i, col in enumerate(produced):
        present, invalid = row[1 + 2 * i], row[2 + 2 * i]
        out.append({
            "column": col,
            "null_rate": _ratio(total - present, total),
            "invalid": invalid,
            "validity": _ratio(present, present + invalid) if present + invalid else 1.0,
            "reasons": reasons.get(col, {}),
        })
    return out


def _top_reasons(wh: Warehouse, produced: list[str]) -> dict[str, dict[str, int]]:
    rows = wh.raw.execute("SELECT column_name, reason, count(*) FROM _issues GROUP BY ALL ORDER BY 3 DESC").fetchall()
    out: dict[str, dict[str, int]] = {}
    for col, reason, n in rows:
        out.setdefault(col, {})[reason] = n
    return out


def bad_row_reasons(wh: Warehouse) -> dict[str, int]:
    rows = wh.raw.execute("""SELECT r, count(*) FROM (SELECT unnest(__bad) AS r FROM _marked
                             WHERE NOT __dup_exact AND len(__bad) > 0) GROUP BY r ORDER BY 2 DESC LIMIT 20""").fetchall()
    return {r: n for r, n in rows}


def source_profile(wh: Warehouse, source: str, kind: str, latest_load: str | None = None) -> dict[str, Any]:
    """What is stored now for one source: rows, per column the null rate and the refused values.

    Refused values count only where the row that had them is still the stored one (a re-import
    replaces rows; the issue log keeps every load's issues). ``quarantined`` is the latest load's.
    """
    table = table_for_kind(kind)
    if not wh.has_table(table.name):
        return {"rows": 0, "columns": []}
    cols = table.column_names
    aggs = ", ".join(f"count({q(c)})" for c in cols)
    row = wh.raw.execute(f"SELECT count(*), {aggs} FROM {q(table.name)} WHERE source = ?", [source]).fetchone()
    total = row[0]
    issues = dict(wh.raw.execute(
        f"""SELECT v.column_name, count(*) FROM value_issues v SEMI JOIN {q(table.name)} t
            ON t.source = v.source AND t.source_key = v.source_key AND t.load_id = v.load_id
               AND t.row_number = v.row_number
            WHERE v.source = ? GROUP BY 1""", [source]).fetchall())
    columns = [{"column": c, "null_rate": _ratio(total - row[1 + i], total), "invalid": issues.get(c, 0)}
               for i, c in enumerate(cols) if row[1 + i] or issues.get(c)]
    quarantined = wh.raw.execute("SELECT count(*) FROM quarantine WHERE source = ? AND load_id = ?",
                                 [source, latest_load or ""]).fetchone()[0]
    return {"rows": total, "table": table.name, "quarantined": quarantined, "columns": columns}
