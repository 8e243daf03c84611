"""Shared fixtures: real workspaces on disk, real DuckDB and SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import huaxiang


@pytest.fixture
def make_ws(tmp_path: Path):
    """make_ws({name: source_dict}) -> an applied workspace with those sources."""
    opened = []

    def make(sources: dict[str, dict], root: Path | None = None) -> huaxiang.Workspace:
        root = root or tmp_path / "ws"
        ws = huaxiang.init_workspace(root, name="test", locale="en")
        for name, body in sources.items():
            (root / "sources" / f"{name}.yml").write_text(yaml.safe_dump({"name": name, **body}, allow_unicode=True, sort_keys=False),
                                                          encoding="utf-8")
        ws.apply()
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()
