"""The ``shop`` fixture: a workspace with the hand-made sources of idshop.py loaded."""

from __future__ import annotations

import pytest
from helpers import write
from idshop import CRM, STORE, WEB, load


@pytest.fixture
def shop(make_ws):
    """shop(crm_rows, store_rows=(), events=()) -> a workspace with those rows loaded."""

    def make(crm: list[str], store: list[str] = (), events: list[dict] = (), identity_yml: str | None = None):
        ws = make_ws({"crm": CRM, "store": STORE, "web": WEB})
        if identity_yml is not None:
            write(ws.root / "identity.yml", identity_yml)
            ws.apply()
        load(ws, crm, store, events)
        return ws

    return make




@pytest.fixture
def with_model(trained_demo):
    """with_model(ws): store the demo's trained model in ``ws`` (too few records there to train one)."""

    def give(ws):
        m = trained_demo[1]
        ws.catalog.add_identity_model(ws.identity.rules().probabilistic.training_key(), m.model,
                                      records=m.records, summary=m.summary)
        return ws

    return give
