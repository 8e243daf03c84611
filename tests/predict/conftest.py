"""One demo workspace with every prediction trained and scored (the demo's own path), shared by the
end-to-end prediction tests; `xdist_group` keeps them on one worker, so it is built once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def predicted_demo(tmp_path_factory):
    from huaxiang.demo.showcase import run_demo

    root = tmp_path_factory.mktemp("predict") / "demo"
    summary = run_demo(root, customers=1500, seed=5)  # trains and scores every prediction
    return root, summary
