"""Demo workspaces generated once per test session (small, so the suite stays fast)."""

from __future__ import annotations

import pytest

from huaxiang.demo import DemoManifest, generate


@pytest.fixture(scope="session")
def zh_demo(tmp_path_factory) -> DemoManifest:
    return generate(tmp_path_factory.mktemp("zh") / "ws", customers=1500, seed=7, locale="zh")


@pytest.fixture(scope="session")
def en_demo(tmp_path_factory) -> DemoManifest:
    return generate(tmp_path_factory.mktemp("en") / "ws", customers=600, seed=7, locale="en")
