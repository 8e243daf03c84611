"""No leakage: features as of a cutoff come from rows dated before it, whatever was loaded after.

Rows are planted after the cutoff for customers with history (a large order, an event, a complaint);
the snapshot's features must not move, while the label window does see them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import huaxiang
from huaxiang.predict.frames import feature_traits, purchases, read_features, snapshot_name, window_counts
from huaxiang.predict.runs import RunContext

pytestmark = pytest.mark.xdist_group("predicted_demo")


def test_rows_after_the_cutoff_change_labels_not_features(predicted_demo, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(predicted_demo[0], root)
    with huaxiang.open_workspace(root) as ws:
        ctx = RunContext(ws, ws.predictions.definitions(), ws.warehouse.raw.execute("SELECT max(as_of) FROM profiles").fetchone()[0])
        cutoff, _ = ctx.cutoffs(90)
        traits = feature_traits(ws.profiles.definitions().traits)
        table = ctx.snapshot(cutoff)
        before = read_features(ws.warehouse, table, traits, cutoff)
        labels_before = window_counts(purchases(ctx.rows), cutoff, timedelta(days=90)).to_pandas()
        con = ws.warehouse.raw
        later = cutoff + timedelta(days=3)
        buyers = [r[0] for r in con.execute("SELECT order_id FROM orders ORDER BY order_time LIMIT 50").fetchall()]
        # the same customers buy again after the cutoff, big; and complain
        con.execute("INSERT INTO orders SELECT * REPLACE ('late_' || order_id AS order_id, 'late_' || source_key AS source_key, "
                    "? AS order_time, 99999 AS total_amount, 99999 AS paid_amount) FROM orders WHERE order_id IN "
                    f"({', '.join('?' for _ in buyers)})", [later, *buyers])
        con.execute("INSERT INTO interactions SELECT * REPLACE ('late_' || interaction_id AS interaction_id, "
                    "'late_' || source_key AS source_key, ? AS occurred_at, 'complaint' AS kind) FROM interactions LIMIT 50",
                    [later])
        ctx2 = RunContext(ws, ctx.defs, ctx.end)
        ctx2.snapshot(cutoff)
        after = read_features(ws.warehouse, snapshot_name(cutoff), traits, cutoff)
        labels_after = window_counts(purchases(ctx2.rows), cutoff, timedelta(days=90)).to_pandas()
    assert before.equals(after)
    assert labels_after["n"].sum() >= labels_before["n"].sum() + 40  # the planted orders are seen by the labels
