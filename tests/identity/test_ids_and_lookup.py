"""Stable customer ids, aliases after merges, lookup in any spelling, explain, the rules file, the CLI."""

from __future__ import annotations

import hashlib

import pytest
from idshop import cli, customer_of, customers, load, rules_problem
from helpers import write

from huaxiang.identity import IdentityNotBuilt

ROWS = ["C1,王伟,男,1990-01-05,13800138000,wang@x.cn,", "C2,李娜,女,,13900139000,,", "C3,赵六,男,,,zhao@x.cn,"]


def _derived(source: str, key: str) -> str:
    return "c_" + hashlib.md5(f"{source}\x1f{key}".encode()).hexdigest()[:16]


def test_ids_derive_from_the_smallest_record_and_survive_rebuilds(shop):
    ws = shop(ROWS, ["M1,王伟,男,1990-01-05,13800138000"])
    first = ws.identity.build()
    ids = {k: customer_of(ws, "crm", k) for k in ("C1", "C2", "C3")}
    assert ids == {k: _derived("crm", k) for k in ("C1", "C2", "C3")}
    assert customer_of(ws, "store", "M1") == ids["C1"]
    again = ws.identity.build(full=True)  # a full rebuild: every id kept
    assert {k: customer_of(ws, "crm", k) for k in ids} == ids
    assert (first.build, again.build) == (1, 2)
    assert (again.counts["new_ids"], again.counts["kept_ids"], again.counts["merged_ids"]) == (0, 3, 0)


def test_a_record_that_merges_two_customers_keeps_one_id_and_the_other_resolves_as_alias(shop):
    ws = shop(ROWS, ["M1,王伟,男,1990-01-05,13800138000"])
    ws.identity.build()
    c1, c3 = customer_of(ws, "crm", "C1"), customer_of(ws, "crm", "C3")
    load(ws, crm=["C4,王伟,男,1990-01-05,13800138000,zhao@x.cn,"])  # C1's phone and C3's e-mail
    result = ws.identity.build()
    assert customers(ws) == [["crm/C1", "crm/C3", "crm/C4", "store/M1"], ["crm/C2"]]
    assert customer_of(ws, "crm", "C4") == c1  # the old customer with more records (C1 + M1) survives
    assert result.counts["merged_ids"] == 1
    assert ws.warehouse.raw.execute("SELECT alias_id, customer_id FROM customer_aliases").fetchall() == [(c3, c1)]
    assert ws.warehouse.raw.execute("SELECT status, merged_into FROM customer_ids WHERE customer_id = ?",
                                    [c3]).fetchall() == [("merged", c1)]
    match, = ws.identity.lookup(c3)
    assert (match.customer_id, match.via, match.value) == (c1, "alias", c3)
    explanation, = ws.identity.explain(c3)
    assert explanation.customer_id == c1 and explanation.aliases == [c3]
    # a further rebuild changes nothing
    ws.identity.build()
    assert customer_of(ws, "crm", "C3") == c1 and ws.identity.lookup(c3)[0].customer_id == c1


def test_the_bigger_old_customer_keeps_its_id_when_two_merge(shop):
    ws = shop(["C1,王伟,男,,13800138000,,", "C2,王伟,男,,13800138000,,", "C3,王伟,男,,,w@x.cn,"])
    ws.identity.build()
    big = customer_of(ws, "crm", "C1")
    small = customer_of(ws, "crm", "C3")
    load(ws, crm=["C0,王伟,男,,13800138000,w@x.cn,"])  # sorts first: would derive a new id
    ws.identity.build()
    assert {customer_of(ws, "crm", k) for k in ("C0", "C1", "C2", "C3")} == {big}
    assert ws.identity.lookup(small)[0].customer_id == big


def test_lookup_by_phone_in_any_spelling_email_member_id_and_customer_id(shop):
    ws = shop(ROWS, ["M1,王伟,男,1990-01-05,13800138000"])
    ws.identity.build()
    c1 = customer_of(ws, "crm", "C1")
    for query in ("13800138000", "138 0013 8000", "+86-138-0013-8000", "008613800138000", "１３８００１３８０００"):
        found = ws.identity.lookup(query)
        assert [(m.customer_id, m.via, m.value) for m in found] == [(c1, "phone", "+8613800138000")], query
    assert [m.customer_id for m in ws.identity.lookup(" WANG@X.CN ")] == [c1]
    assert [(m.customer_id, m.via) for m in ws.identity.lookup("M1")] == [(c1, "member_id")]
    assert [(m.customer_id, m.via) for m in ws.identity.lookup(c1)] == [(c1, "customer_id")]
    assert [r.source_key for r in ws.identity.lookup(c1)[0].records] == ["C1", "M1"]
    assert ws.identity.lookup("13700000001") == []


def test_explain_shows_records_edges_and_refused_links(shop):
    ws = shop(["C1,王伟,男,1990-01-05,13800138000,,M1", "C2,王丽,女,1992-03-01,13800138000,,"],
              ["M1,王玮,男,1990-01-05,13900139999"])
    ws.identity.build()
    explanation, = ws.identity.explain("M1")
    assert [(r.source, r.source_key, r.name) for r in explanation.records] == [("crm", "C1", "王伟"),
                                                                               ("store", "M1", "王玮")]
    assert [(e.a, e.b, e.identifier_type, e.value, e.rule) for e in explanation.edges] == [
        (("crm", "C1"), ("store", "M1"), "member_id", "M1", "deterministic")]
    assert sorted((c.value, c.check_name) for c in explanation.conflicts) == [
        ("+8613800138000", "birth_date"), ("+8613800138000", "gender")]
    both = ws.identity.explain("13800138000")
    assert len(both) == 2 and {e.customer_id for e in both} == {customer_of(ws, "crm", "C1"), customer_of(ws, "crm", "C2")}


def test_lookup_before_any_build_says_so(shop):
    ws = shop(ROWS)
    with pytest.raises(IdentityNotBuilt):
        ws.identity.lookup("13800138000")


@pytest.mark.parametrize("text, key, words", [
    ("identifiers:\n  phone: {max_per_customer: 0}\n", "identifiers.phone.max_per_customer", "greater than or equal to 1"),
    ("identifiers:\n  phone: {columns: [mobile]}\n", "identifiers.phone.columns", "'mobile' is not a column of customers"),
    ("identifiers:\n  id_card: {max_per_customer: 1}\n", "identifiers.id_card.columns", "must name the customer column"),
    ("priority: [member_id, passport]\n", "priority.1", "unknown identifier type 'passport'"),
    ("events: {user_id: [wechat_openid, uid]}\n", "events.user_id.1", "'uid' is not an enabled identifier type"),
    ("block: {patterns: ['(unclosed']}\n", "block.patterns.0", "invalid regular expression"),
    ("colour: red\n", "colour", "Extra inputs are not permitted"),
])
def test_rules_errors_name_the_file_and_key(make_ws, text, key, words):
    problem = rules_problem(make_ws({}), text)
    assert (problem.file, problem.key) == ("identity.yml", key) and words in problem.message


def test_rules_are_planned_applied_and_versioned(make_ws):
    ws = make_ws({})
    assert ws.identity.rules().types()[4].max_per_customer == 3  # built-in rules before any apply
    write(ws.root / "identity.yml", "identifiers:\n  phone: {max_per_customer: 2}\n")
    assert [(c.kind, c.name, c.action, c.file) for c in ws.plan().changes] == [
        ("identity", "identity", "create", "identity.yml")]
    ws.apply()
    phone = next(t for t in ws.identity.rules().types() if t.name == "phone")
    assert (phone.columns, phone.max_per_customer, phone.agree_on) == (("phone",), 2, ("gender", "birth_date"))
    write(ws.root / "identity.yml", "identifiers:\n  phone: {max_per_customer: 1}\n")
    change, = ws.apply().changes
    assert (change.action, change.version, change.changed_keys) == ("update", 2, ["identifiers"])


def test_cli_identity_build_lookup_explain(shop):
    ws = shop(ROWS, ["M1,王伟,男,1990-01-05,13800138000"])
    root = ws.root
    ws.close()
    run = cli(root, columns=200)

    early = run("lookup", "13800138000")
    assert early.returncode == 1 and "run `huaxiang identity build` first" in early.stderr
    built = run("build", lang="zh")
    assert built.returncode == 0 and "第 1 次客户识别（全量）完成" in built.stdout and "客户" in built.stdout
    found = run("lookup", "138 0013 8000")
    assert found.returncode == 0 and _derived("crm", "C1") in found.stdout and "phone: +8613800138000" in found.stdout
    why = run("explain", "M1")
    assert why.returncode == 0 and "store/M1" in why.stdout and "+8613800138000" in why.stdout
    assert run("lookup", "nobody").returncode == 0
