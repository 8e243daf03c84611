"""Manual decisions and the review queue: split, accept, reject; kept in the catalog, honoured by every build."""

from __future__ import annotations

import hashlib

import pytest
from idshop import cli, customer_of, customers, load

from huaxiang.identity import DecisionError

# C1 (member M1) and C2 share a phone; the store's M1 is C1: one customer of three records
ONE = ["C1,王伟,男,,13800138000,wang@x.cn,M1", "C2,王伟,男,,13800138000,wei@x.cn,"]
STORE = ["M1,王伟,男,,13800138000"]
# a family: two member ids on one phone, refused by the member_id guard-rail
FAMILY = ["C1,张伟,男,,13900139000,,M1", "C2,张强,男,,13900139000,,M2"]
FAMILY_STORE = ["M1,张伟,男,,13900139000"]
PHONE = "+8613900139000"


def _derived(source: str, key: str, salt: str = "") -> str:
    return "c_" + hashlib.md5(f"{source}\x1f{key}{salt}".encode()).hexdigest()[:16]


def _conflicts(ws) -> list[tuple]:
    return ws.warehouse.raw.execute("""SELECT identifier_type, value, stage, check_name FROM identity_conflicts
                                       ORDER BY 1, 2, 4""").fetchall()


def test_split_stays_undone_across_rebuilds_and_after_a_new_load(shop):
    ws = shop(ONE, STORE)
    ws.identity.build()
    cid = _derived("crm", "C1")
    assert customers(ws) == [["crm/C1", "crm/C2", "store/M1"]] and customer_of(ws, "crm", "C2") == cid
    decision = ws.identity.split(cid, records=[("crm", "C2")], reason="C2 is his brother")
    assert (decision.id, decision.kind, decision.records, decision.customer_id) == (
        1, "split", ((("crm", "C2"),), (("crm", "C1"), ("store", "M1"))), cid)
    assert customers(ws) == [["crm/C1", "store/M1"], ["crm/C2"]]
    assert (customer_of(ws, "crm", "C1"), customer_of(ws, "crm", "C2")) == (cid, _derived("crm", "C2"))
    assert _conflicts(ws) == [("phone", "+8613800138000", "shared_value", "decision:1")]
    ws.identity.build()
    assert customers(ws) == [["crm/C1", "store/M1"], ["crm/C2"]]
    # new data: C3 shares M1 with C1 and C2's e-mail; it joins C1's customer, C2 stays apart
    load(ws, crm=["C3,王伟,男,,,wei@x.cn,M1"])
    ws.identity.build()
    assert customers(ws) == [["crm/C1", "crm/C3", "store/M1"], ["crm/C2"]]
    assert (customer_of(ws, "crm", "C3"), customer_of(ws, "crm", "C2")) == (cid, _derived("crm", "C2"))
    assert _conflicts(ws) == [("email", "wei@x.cn", "shared_value", "decision:1"),
                              ("phone", "+8613800138000", "shared_value", "decision:1")]


def test_split_keeps_the_original_id_for_the_bigger_part(shop):
    ws = shop(ONE, STORE)
    first = ws.identity.build()
    cid = customer_of(ws, "crm", "C1")
    # take off C1, the record the id was derived from: the rest (two records) keeps the id
    ws.identity.split(cid, records=[("crm", "C1")])
    assert customers(ws) == [["crm/C1"], ["crm/C2", "store/M1"]]
    assert customer_of(ws, "crm", "C2") == customer_of(ws, "store", "M1") == cid
    assert customer_of(ws, "crm", "C1") == _derived("crm", "C1", f"\x1f{first.build + 1}")
    # the rest stays one customer although the phone that joined it is refused: a must-link of the split
    assert [(e.a, e.b, e.value, e.rule) for e in ws.identity.explain(cid)[0].edges] == [
        (("crm", "C2"), ("store", "M1"), "decision 1.1", "manual")]


def test_accept_merges_a_family_phone_refusal_and_explain_shows_the_manual_evidence(shop):
    ws = shop(FAMILY, FAMILY_STORE)
    ws.identity.build()
    c1, c2 = customer_of(ws, "crm", "C1"), customer_of(ws, "crm", "C2")
    item, = ws.identity.review()
    assert (item.item_id, item.identifier_type, item.value) == (
        "r_" + hashlib.md5(f"phone\x1f{PHONE}".encode()).hexdigest()[:12], "phone", PHONE)
    assert [(c.stage, c.check_name, c.max_allowed, c.found_values) for c in item.reasons] == [
        ("shared_value", "member_id", 1, ("M1", "M2"))]
    assert sorted((c.customer_id, tuple(r.source_key for r in c.records)) for c in item.customers) == sorted(
        [(c1, ("C1", "M1")), (c2, ("C2",))])
    decision = ws.identity.accept(item.item_id, reason="one man, two cards")
    assert (decision.kind, decision.item_id, decision.reason) == ("merge", item.item_id, "one man, two cards")
    assert customers(ws) == [["crm/C1", "crm/C2", "store/M1"]]
    assert customer_of(ws, "crm", "C2") == c1  # the bigger customer keeps its id, the other is an alias
    explanation, = ws.identity.explain(c2)
    assert explanation.customer_id == c1 and explanation.aliases == [c2]
    assert [(e.a, e.b, e.identifier_type, e.value, e.rule) for e in explanation.edges if e.rule == "manual"] == [
        (("crm", "C1"), ("crm", "C2"), "manual", "decision 1", "manual"),
        (("crm", "C1"), ("store", "M1"), "manual", "decision 1", "manual")]
    assert ws.identity.review() == [] and _conflicts(ws) == []
    ws.identity.build()
    assert customers(ws) == [["crm/C1", "crm/C2", "store/M1"]] and ws.identity.review() == []


def test_reject_closes_the_item_and_it_does_not_come_back(shop):
    ws = shop(FAMILY, FAMILY_STORE)
    ws.identity.build()
    item, = ws.identity.review()
    decision = ws.identity.reject(item.item_id, reason="father and son")
    assert (decision.kind, decision.records) == ("reject", ((("crm", "C1"), ("store", "M1")), (("crm", "C2"),)))
    assert customers(ws) == [["crm/C1", "store/M1"], ["crm/C2"]]
    assert ws.identity.review() == []
    assert _conflicts(ws) == [("phone", PHONE, "shared_value", "decision:1"), ("phone", PHONE, "shared_value", "member_id")]
    load(ws, crm=["C3,张伟,男,,13900139000,,"])  # new data on the same phone
    ws.identity.build()
    assert ws.identity.review() == []
    with pytest.raises(DecisionError) as info:
        ws.identity.accept(item.item_id)
    assert info.value.code == "unknown_item"


def test_a_later_decision_overrides_an_earlier_one_on_the_same_records(shop):
    ws = shop(FAMILY, FAMILY_STORE)
    ws.identity.build()
    item, = ws.identity.review()
    ws.identity.accept(item.item_id)
    cid = customer_of(ws, "crm", "C1")
    ws.identity.split(cid, records=[("crm", "C2")])
    assert customers(ws) == [["crm/C1", "store/M1"], ["crm/C2"]]
    assert customer_of(ws, "crm", "C1") == cid


def test_decisions_are_in_the_catalog_and_the_audit_log(shop):
    ws = shop(FAMILY, FAMILY_STORE)
    ws.identity.build()
    item, = ws.identity.review()
    ws.identity.reject(item.item_id, reason="father and son", build=False)
    ws.identity.split(customer_of(ws, "crm", "C1"), [("store", "M1")], build=False)
    rows = ws.catalog.identity_decisions()
    assert [(r["id"], r["kind"], r["records"], r["reason"], r["item_id"]) for r in rows] == [
        (1, "reject", [[["crm", "C1"], ["store", "M1"]], [["crm", "C2"]]], "father and son", item.item_id),
        (2, "split", [[["store", "M1"]], [["crm", "C1"]]], "", None)]
    assert all(r["actor"] and r["at"] for r in rows)
    audit = [(e["action"], e["target"], e["details"]["reason"]) for e in ws.catalog.audit_entries(2)]
    assert audit == [("identity.split", "identity_decision/2", ""),
                     ("identity.reject", "identity_decision/1", "father and son")]
    assert [d.kind for d in ws.identity.decisions()] == ["reject", "split"]


def test_unknown_item_customer_or_record_is_a_clear_error(shop):
    ws = shop(ONE, STORE)
    ws.identity.build()
    cid = customer_of(ws, "crm", "C1")
    cases = [(lambda: ws.identity.reject("r_000000000000"), "unknown_item"),
             (lambda: ws.identity.split("c_nobody", [("crm", "C1")]), "unknown_customer"),
             (lambda: ws.identity.split(cid, [("crm", "C9"), ("crm", "C2")]), "unknown_record"),
             (lambda: ws.identity.split(cid, [("crm", "C1"), ("crm", "C2"), ("store", "M1")]), "nothing_to_split")]
    for call, code in cases:
        with pytest.raises(DecisionError) as info:
            call()
        assert info.value.code == code
    assert ws.catalog.identity_decisions() == []


def test_cli_review_accept_reject_split_in_zh_and_en(shop):
    ws = shop(FAMILY + ["C3,李娜,女,,13700137000,,M3", "C4,李丽,女,,13700137000,,M4"], FAMILY_STORE)
    ws.identity.build()
    family, sisters = sorted(ws.identity.review(), key=lambda i: i.value, reverse=True)
    root = ws.root
    ws.close()
    run = cli(root, columns=250)

    listed = run("review", lang="zh")
    assert listed.returncode == 0 and "待审核：2 项" in listed.stdout
    assert family.item_id in listed.stdout and PHONE in listed.stdout
    assert "共同的值：member_id 超过 1 个（M1, M2）" in listed.stdout
    accepted = run("accept", family.item_id, "--reason", "same man")
    assert accepted.returncode == 0 and f"Decision 1 recorded: review item {family.item_id} accepted" in accepted.stdout
    assert "crm/C1, store/M1 | crm/C2" in accepted.stdout
    rejected = run("reject", sisters.item_id, lang="zh")
    assert rejected.returncode == 0 and f"已记录决定 2：驳回审核项 {sisters.item_id}" in rejected.stdout
    assert run("review").stdout.strip() == "The review queue is empty."
    again = run("reject", sisters.item_id, lang="zh")
    assert again.returncode == 1 and f"没有待审核项 {sisters.item_id}" in again.stderr
    cid = _derived("crm", "C1")
    bad = run("split", cid, "--record", "crm/C9")
    assert bad.returncode == 1 and f"Not records of customer {cid}: crm/C9" in bad.stderr
    split = run("split", cid, "--record", "crm/C2", "--reason", "brothers after all", lang="zh")
    assert split.returncode == 0 and f"已记录决定 3：拆分客户 {cid}" in split.stdout
    why = run("explain", "C2")
    assert why.returncode == 0 and "crm/C1" not in why.stdout
    assert f"Refused link: phone {PHONE} would join records that decision 3 keeps apart" in why.stdout
    assert run("review", lang="zh").stdout.strip() == "没有待审核的项目。"
    assert run("split", "c_nobody", "--record", "crm/C1", lang="zh").stderr.count("没有客户 c_nobody") == 1
