"""The workspace file ``huaxiang.yml``: name, stores, time zone, locale."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WarehouseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: Literal["duckdb", "spark"] = "duckdb"
    path: str = "warehouse.duckdb"
    # DuckDB's memory budget, e.g. "4GB"; beyond it, work spills to disk next to the file.
    # Default: half of the machine's memory (DuckDB's own default, 80%, crowds out everything else).
    memory_limit: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?\s*([KMGT]i?B)$")


class CatalogConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = "sqlite:///catalog.sqlite"  # relative SQLite paths are relative to the workspace


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    locale: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    warehouse: WarehouseConfig = WarehouseConfig()
    catalog: CatalogConfig = CatalogConfig()
