"""The workspace file ``huaxiang.yml``: name, stores, time zone, locale, the Spark session."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WarehouseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # where builds compute: duckdb, or spark (the ``spark:`` session; identity scoring runs there).
    # Either way ingestion and storage stay in the DuckDB file of ``path``.
    engine: Literal["duckdb", "spark"] = "duckdb"
    path: str = "warehouse.duckdb"
    # DuckDB's memory budget, e.g. "4GB"; beyond it, work spills to disk next to the file.
    # Default: half of the machine's memory (DuckDB's own default, 80%, crowds out everything else).
    memory_limit: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?\s*([KMGT]i?B)$")


class SparkConfig(BaseModel):
    """The Spark session of ``warehouse.engine: spark`` (``huaxiang.engine.spark``); the data stay in DuckDB.

    One session per process, started on first use: a second workspace opened in the same process
    shares it, and ``master`` and ``driver_memory`` only count for the first (the JVM is running).
    """

    model_config = ConfigDict(extra="forbid")
    # "local[2]" (a local session with two cores), "local[*]", or a cluster URL ("spark://host:7077");
    # on a cluster the workspace folder must be on a file system the executors see (Parquet goes through it)
    master: str = "local[2]"
    driver_memory: str = Field(default="2g", pattern=r"^\d+[kmgt]?$")  # the JVM heap of the driver: "2g", "512m"
    shuffle_partitions: int = Field(default=4, ge=1)  # spark.sql.shuffle.partitions (Spark's 200 suit a cluster)


class CatalogConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = "sqlite:///catalog.sqlite"  # relative SQLite paths are relative to the workspace


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    locale: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    # a fixed "now" for profile builds (naive UTC), e.g. the demo's data end on 2026-06-30; unset: the real time
    clock: datetime | None = None
    warehouse: WarehouseConfig = WarehouseConfig()
    spark: SparkConfig = SparkConfig()
    catalog: CatalogConfig = CatalogConfig()
