"""Splink on Spark: what ``probabilistic.Splink`` does on DuckDB, with Splink's ``SparkAPI``.

The record features are computed in the warehouse (``probabilistic.features``) and go to Spark as
Parquet (``engine.spark.to_spark``). Splink cuts the lineage of its work tables by persisting them
(memory, then disk): its default, Parquet in a checkpoint folder, reads back nothing from folders
named ``__splink__…``, which Spark takes for hidden. ``close`` drops its views (uncaching them)
and removes the run's folder. Scoring only: the model is trained on DuckDB.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from huaxiang.engine.spark import from_spark, new_run, register_similarity_udfs, remove_run, to_spark
from huaxiang.engine.warehouse import Warehouse
from huaxiang.identity.probabilistic import union_of

#: the temp views of a scoring run in the Spark session
FEATURES, SEEDS, OTHERS = "idn_features", "idn_seeds", "idn_others"


@dataclass
class SparkSplink:
    wh: Warehouse
    session: Any  # SparkSession
    run: str
    linker: Any
    records: Any  # the registered features
    views_before: frozenset[str]  # the session's temp views before this run: close leaves them

    @classmethod
    def open(cls, wh: Warehouse, session: Any, model: dict[str, Any]) -> SparkSplink:
        """A linker with ``model`` (its SQL rendered for Spark) over the warehouse's ``_idn_features``."""
        from splink import Linker
        from splink.backends.spark import SparkAPI

        run = new_run("identity")
        before = frozenset(t.name for t in session.catalog.listTables() if t.isTemporary)
        to_spark(wh, session, {FEATURES: "_idn_features"}, run=run)
        register_similarity_udfs(session)
        db_api = SparkAPI(spark_session=session, break_lineage_method="persist", register_udfs_automatically=False)
        records = db_api.register(FEATURES, table_name="features_input")
        return cls(wh, session, run, Linker(records, model, log_level=logging.ERROR), records, before)

    def split(self, seeds: list[str]) -> tuple[Any, Any]:
        """The registered features of the ``seeds`` (unique ids) and of every other record."""
        import pandas as pd

        ids = self.session.createDataFrame(pd.DataFrame({"unique_id": pd.Series(seeds, dtype="object")}),
                                           "unique_id string")
        features = self.session.table(FEATURES)
        features.join(ids, "unique_id", "left_semi").createOrReplaceTempView(SEEDS)
        features.join(ids, "unique_id", "left_anti").createOrReplaceTempView(OTHERS)
        db_api = self.records.db_api
        return db_api.register(SEEDS, table_name="seeds_input"), db_api.register(OTHERS, table_name="others_input")

    def collect(self, preds: list[Any], columns: list[str]) -> pa.Table:
        """The ``columns`` of the prediction tables ``preds``, one after the other, as Arrow."""
        return from_spark(self.session.sql(union_of(preds, columns)))

    def close(self) -> None:
        """Drop (and uncache) every view of this run, Splink's included, then its Parquet."""
        try:
            self.linker.table_management.delete_tables_created_by_splink_from_db()
            for table in self.session.catalog.listTables():
                if table.isTemporary and table.name not in self.views_before:
                    self.session.catalog.dropTempView(table.name)
        finally:
            remove_run(self.wh, self.run)
