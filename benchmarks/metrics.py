"""How well a clustering of records matches a planted truth: pairwise and B-cubed precision and recall.

Computed in DuckDB from the contingency table (cluster x true entity -> number of records), so no
pair of records is ever listed, which keeps a million records to one GROUP BY:

* pairwise: a pair is *predicted* when its two records share a cluster and *true* when they share
  an entity. A cell, a cluster or an entity of n records holds n(n-1)/2 pairs, so
  precision = pairs in cells / pairs in clusters and recall = pairs in cells / pairs in entities.
  It weighs big clusters quadratically: one wrong merge of two large families costs a lot.
* B-cubed (Bagga & Baldwin, 1998): each record scores the share of its cluster that is its entity
  (precision) and the share of its entity that is in its cluster (recall), averaged over records;
  the n records of a cell each score n / |cluster| and n / |entity|. Every record counts the same.

Only the truth's records are scored; a truth record that no cluster holds counts as a cluster of
its own (a record the resolver lost cannot improve its score).
"""

from __future__ import annotations

import duckdb

SQL = """
WITH cells AS (
    SELECT c.cluster_id, CASE WHEN c.cluster_id IS NULL THEN t.record_id END AS orphan, t.true_id, count(*) AS n
    FROM {truth} t LEFT JOIN {clusters} c USING (record_id)
    GROUP BY ALL),
sized AS (
    SELECT n, sum(n) OVER (PARTITION BY cluster_id, orphan) AS in_cluster, sum(n) OVER (PARTITION BY true_id) AS in_entity
    FROM cells)
SELECT sum(n), sum(n * (n - 1)) // 2, sum(n * (in_cluster - 1)) // 2, sum(n * (in_entity - 1)) // 2,
       sum(n * n / in_cluster) / sum(n), sum(n * n / in_entity) / sum(n)
FROM sized"""


def score(con: duckdb.DuckDBPyConnection, truth: str, clusters: str) -> dict[str, float | int | None]:
    """Scores of ``clusters(record_id, cluster_id)`` against ``truth(record_id, true_id)`` (table or view names).

    Precision or recall is None when it has nothing to divide by (no pair predicted, no true pair).
    """
    records, together, predicted, true, b_precision, b_recall = con.execute(
        SQL.format(truth=truth, clusters=clusters)).fetchone()
    together, predicted, true = int(together or 0), int(predicted or 0), int(true or 0)
    return {
        "records": int(records or 0),
        "pairs_predicted": predicted,
        "pairs_true": true,
        "pairs_correct": together,
        "pairwise_precision": together / predicted if predicted else None,
        "pairwise_recall": together / true if true else None,
        "bcubed_precision": b_precision,
        "bcubed_recall": b_recall,
    }
