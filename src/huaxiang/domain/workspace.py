"""The workspace file ``huaxiang.yml``: name, stores, time zone, locale."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WarehouseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: Literal["duckdb", "spark"] = "duckdb"
    path: str = "warehouse.duckdb"


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
