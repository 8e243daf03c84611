"""What interaction texts say, kept in the warehouse: ``interaction_signals``, refreshed before each build.

One row per interaction with text (``source, source_key`` and a hash of the text): language,
sentiment score and label, intent, topic, keywords, pain points, and the first pain point as a plain
string (what ``top_k`` counts). Only rows whose text is new or changed since the last refresh are
analysed (``predict.text.analyze``, each distinct text once), so a daily build analyses the day's
texts, not the history. ``profiles.facts`` joins the table onto ``interactions``, so traits, tags
and segments read ``sentiment``, ``intent``, ``topic`` and ``pain_point`` like any column.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from huaxiang.profiles.facts import SIGNAL_COLUMNS as COLUMNS  # the join onto interactions lives there
from huaxiang.profiles.facts import SIGNALS

_DDL = (f"CREATE TABLE IF NOT EXISTS {SIGNALS} (source VARCHAR, source_key VARCHAR, text_hash VARCHAR, "
        "lang VARCHAR, sentiment DOUBLE, sentiment_label VARCHAR, intent VARCHAR, topic VARCHAR, "
        "keywords VARCHAR[], pain_points VARCHAR[], pain_point VARCHAR)")


def refresh(wh: Any, *, sentiment: str = "lexicon") -> int:
    """Analyse the interactions whose text is not analysed yet (or changed); returns how many."""
    if not wh.has_table("interactions"):
        return 0
    con = wh.raw
    con.execute(_DDL)
    todo = con.execute(f"""
        SELECT i.source, i.source_key, md5(i.text) AS text_hash, i.text FROM interactions i
        LEFT JOIN {SIGNALS} s ON s.source = i.source AND s.source_key = i.source_key AND s.text_hash = md5(i.text)
        WHERE i.text IS NOT NULL AND trim(i.text) <> '' AND s.source IS NULL""").to_arrow_table()
    if todo.num_rows == 0:
        return 0
    from huaxiang.predict.text import analyze

    found = analyze(todo.column("text"), sentiment=sentiment)
    first = _first(found.column("pain_points"))
    new = pa.table({"source": todo.column("source"), "source_key": todo.column("source_key"),
                    "text_hash": todo.column("text_hash"), **{c: found.column(c) for c in found.column_names},
                    "pain_point": first})
    con.register("_signals", new)
    try:
        with wh.transaction():
            con.execute(f"DELETE FROM {SIGNALS} WHERE (source, source_key) IN (SELECT source, source_key FROM _signals)")
            con.execute(f"INSERT INTO {SIGNALS} BY NAME SELECT * FROM _signals")
    finally:
        con.unregister("_signals")
    return new.num_rows


def _first(lists: pa.ChunkedArray) -> pa.ChunkedArray:
    """The first item of each list (null for a null or empty list), without a row loop."""
    import pyarrow.compute as pc

    sizes = pc.fill_null(pc.list_value_length(lists), 0)
    padded = pc.if_else(pc.greater(sizes, 0), lists, pa.scalar([None], lists.type))
    return pc.list_element(padded, 0)


__all__ = ["SIGNALS", "COLUMNS", "refresh"]
