"""Incremental builds give exactly the result of a full rebuild, and re-resolve only what changed.

Two workspaces receive the same loads and decisions, step by step; one builds incrementally, the
other resolves everything again each time. After every step every identity table must be equal
(``build`` columns aside: a row keeps the number of the build that wrote it).
"""

from __future__ import annotations

import json

import pytest
from helpers import write
from idshop import CRM, STORE, WEB, customer_of, load

TABLES = {
    "customer_records": "source, source_key, customer_id",
    "identities": "*",
    "identifiers": "*",
    "identity_edges": "* EXCLUDE (build)",
    "identity_conflicts": "* EXCLUDE (build)",
    "identity_matches": "* EXCLUDE (build)",
    "golden_records": "* EXCLUDE (build)",
    "customer_ids": "*",
    "customer_aliases": "*",
}


def snapshot(ws) -> dict[str, list]:
    con = ws.warehouse.raw
    return {t: sorted(map(repr, con.execute(f"SELECT {cols} FROM {t}").fetchall())) for t, cols in TABLES.items()}


# CRM: C1 (member M1), C2, C3 张伟明; store: M1 and M3; a device seen on the web site
CRM_1 = ["C1,王伟,男,1980-01-02,13800138001,wang@x.cn,M1", "C2,李娜,女,1985-05-05,13800138002,li@x.cn,",
         "C3,张伟明,男,1990-03-14,13911112222,,", "C5,赵敏,女,1970-07-07,13800138005,zhao@x.cn,"]
STORE_1 = ["M1,王伟,男,1980-01-02,13800138001", "M3,周杰,男,1979-01-18,13700007777"]
EVENTS_1 = [{"messageId": "e1", "type": "track", "anonymousId": "dev-1"},
            {"messageId": "e2", "type": "identify", "userId": "M3", "anonymousId": "dev-3"}]


def _steps():
    """(what to do to a workspace) per step, after the first full build."""
    return [
        # a new store member: 张伟铭, the same person as C3 (a typo, a new phone); an unrelated newcomer
        lambda ws: load(ws, store=["M2,张伟铭,男,1990-03-14,13533334444", "M4,钱进,男,1999-09-09,13600006666"]),
        # a CRM update: C2 changes her phone to C1's (a man: refused), a new C4 shares C1's e-mail
        lambda ws: load(ws, crm=["C2,李娜,女,1985-05-05,13800138001,li@x.cn,",
                                 "C4,王伟,男,1980-01-02,,wang@x.cn,"]),
        # the anonymous device identifies as M2; a new anonymous device
        lambda ws: load(ws, events=[{"messageId": "e3", "type": "identify", "userId": "M2", "anonymousId": "dev-1"},
                                    {"messageId": "e4", "type": "track", "anonymousId": "dev-9"}]),
        # a decision: C4 is not C1's customer after all
        lambda ws: ws.identity.split(customer_of(ws, "crm", "C1"), [("crm", "C4")], reason="namesake", build=False),
        # nothing new at all
        lambda ws: None,
    ]


@pytest.fixture
def pair(make_ws, tmp_path, with_model):
    def make(model: bool):
        out = []
        for name in ("incremental", "full"):
            ws = make_ws({"crm": CRM, "store": STORE, "web": WEB}, root=tmp_path / name)
            if model:
                with_model(ws)
            load(ws, CRM_1, STORE_1, EVENTS_1)
            out.append(ws)
        return out

    return make


@pytest.mark.parametrize("model", [True, False], ids=["with_model", "identifiers_only"])
def test_incremental_builds_equal_full_rebuilds_step_by_step(pair, model):
    inc, full = pair(model)
    first = inc.identity.build()
    assert first.step == "full" and full.identity.build(full=True).step == "full"
    assert snapshot(inc) == snapshot(full)
    records = first.counts["records"]
    for i, step in enumerate(_steps()):
        step(inc)
        step(full)
        result = inc.identity.build()
        assert full.identity.build(full=True).step == "full"
        assert result.step == "incremental", i
        assert snapshot(inc) == snapshot(full), f"step {i}"
        assert result.counts["resolved"] < records + 3, i  # never everything: M5's customer is never touched
    assert result.counts["seeds"] == 0 and result.counts["resolved"] == 0
    assert customer_of(inc, "store", "M2") == customer_of(inc, "crm", "C3") if model else True


def test_what_an_incremental_build_re_resolves(pair):
    inc, _ = pair(False)
    inc.identity.build()
    untouched = customer_of(inc, "crm", "C5")
    load(inc, store=["M4,钱进,男,1999-09-09,13600006666"])
    result = inc.identity.build()
    # one seed (M4), which shares nothing with anyone: it alone is resolved again
    assert (result.step, result.counts["seeds"], result.counts["resolved"]) == ("incremental", 1, 1)
    assert result.counts["new_ids"] == 1 and customer_of(inc, "crm", "C5") == untouched
    # a phone shared with C1's customer pulls in that customer's records too (and only them); member
    # M6 is refused by the member_id guard-rail (C1 is member M1) but had to be resolved with them
    load(inc, store=["M6,王伟,男,1980-01-02,13800138001"])
    result = inc.identity.build()
    assert result.counts["seeds"] == 1
    c1 = customer_of(inc, "crm", "C1")
    members = inc.warehouse.raw.execute("SELECT count(*) FROM customer_records WHERE customer_id = ?", [c1]).fetchone()[0]
    assert members == 2 and customer_of(inc, "store", "M6") != c1
    assert result.counts["resolved"] == members + 1


def test_changed_rules_or_full_flag_resolve_everything(pair):
    inc, _ = pair(False)
    inc.identity.build()
    assert inc.identity.build(full=True).step == "full"
    write(inc.root / "identity.yml", "identifiers:\n  phone: {max_per_customer: 2}\n")
    inc.apply()
    result = inc.identity.build()
    assert result.step == "full" and "seeds" not in result.counts
    state = json.loads(inc.warehouse.raw.execute("SELECT state FROM identity_builds ORDER BY build DESC LIMIT 1")
                       .fetchone()[0])
    assert set(state) == {"rules", "model", "decision", "watermark"}
