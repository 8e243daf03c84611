"""Shared fixtures: real workspaces on disk, real DuckDB and SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import without_library

import huaxiang


@pytest.fixture
def make_ws(tmp_path: Path):
    """make_ws({name: source_dict}) -> an applied workspace with those sources (and no built-in library)."""
    opened = []

    def make(sources: dict[str, dict], root: Path | None = None) -> huaxiang.Workspace:
        root = root or tmp_path / "ws"
        ws = huaxiang.init_workspace(root, name="test", locale="en")
        without_library(root)
        for name, body in sources.items():
            (root / "sources" / f"{name}.yml").write_text(yaml.safe_dump({"name": name, **body}, allow_unicode=True, sort_keys=False),
                                                          encoding="utf-8")
        ws.apply()
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


@pytest.fixture(scope="session")
def trained_demo(tmp_path_factory):
    """A 1,000-customer demo (about 1,300 customer records) and the model its first build trained.

    Shared by the identity tests and the engine tests (which score it on DuckDB and on Spark).
    """
    from huaxiang.demo.showcase import run_demo

    root = tmp_path_factory.mktemp("prob") / "demo"
    run_demo(root, customers=1000, predict=False)  # the demo's build trains the model (none stored yet)
    with huaxiang.open_workspace(root) as ws:
        model = ws.identity.model()
    return root, model


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """The process's Spark session (``huaxiang.engine.spark``), small: one core, 1 GB, two shuffle partitions.

    Created once per test process (each pytest-xdist worker has its own) and shared by every Spark test.
    """
    from huaxiang.domain.workspace import SparkConfig
    from huaxiang.engine.spark import spark_session

    return spark_session(SparkConfig(master="local[1]", driver_memory="2g", shuffle_partitions=2),
                         tmp_path_factory.mktemp("spark"))
