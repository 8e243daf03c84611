"""Scores into the warehouse: ``predicted_<prediction>`` and the predicted traits of ``profiles``.

One transaction replaces the prediction's table and patches every profile's traits that name it
(``UPDATE … FROM``, one statement per prediction), so a reader sees the old scores or the new ones,
never a mix. The next profile build re-evaluates tags and segments for everyone (it sees a new
scoring run in the catalog) and joins the table for the customers it recomputes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from huaxiang.domain.predictions import OUTPUTS
from huaxiang.domain.traits import Trait
from huaxiang.profiles.build import PROFILES, predicted_table

_ARROW = {"float64": pa.float64(), "int64": pa.int64(), "string": pa.string(), "timestamp": pa.timestamp("us"),
          "list<string>": pa.list_(pa.string())}


def to_arrow(frame: pd.DataFrame, kind: str) -> pa.Table:
    """``customer_id`` + every output of ``kind``, typed (a missing output is null)."""
    outputs = OUTPUTS[kind]
    arrays = {"customer_id": pa.array(frame["customer_id"].astype(object), pa.string())}
    for name, dtype in outputs.items():
        values = frame[name] if name in frame else pd.Series([None] * len(frame))
        if isinstance(values.dtype, pd.ArrowDtype):
            arrays[name] = pa.array(values.array).cast(_ARROW[dtype])
            continue
        if dtype == "timestamp":
            values = pd.to_datetime(values).astype("datetime64[us]")
        arrays[name] = pa.array(values, _ARROW[dtype], from_pandas=True)
    return pa.table(arrays)


def replace_table(wh: Any, name: str, table: pa.Table, *then: str) -> int:
    """Replace the warehouse table ``name`` by ``table`` and run ``then`` (SQL), in one transaction."""
    con = wh.raw
    con.register("_arrow_in", table)
    try:
        with wh.transaction():
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _arrow_in")
            for sql in then:
                con.execute(sql)
    finally:
        con.unregister("_arrow_in")
    return table.num_rows


def write_scores(wh: Any, prediction: str, table: pa.Table, traits: list[Trait]) -> int:
    """Replace the prediction's scores and patch the profiles' predicted traits; returns rows written."""
    name = predicted_table(prediction)
    # a trait added since the last build is not a column yet: the next build adds it
    present = set(wh.ibis.table(PROFILES).columns) if wh.has_table(PROFILES) else set()
    mine = [t for t in traits if t.predicted and t.predicted.prediction == prediction and t.name in present]
    if not mine:
        return replace_table(wh, name, table)
    sets = ", ".join(f"{t.name} = s.{t.predicted.output}" for t in mine)
    return replace_table(wh, name, table, (
        f"UPDATE {PROFILES} SET {sets} FROM (SELECT p.customer_id AS _cid, x.* EXCLUDE (customer_id) "
        f"FROM {PROFILES} p LEFT JOIN {name} x USING (customer_id)) s WHERE {PROFILES}.customer_id = s._cid"))


__all__ = ["to_arrow", "write_scores", "replace_table"]
