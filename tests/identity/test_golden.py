"""The golden record: each survivorship rule on a hand-made case, provenance, rules file errors, merges."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import write
from idshop import cli, customer_of, load, rules_problem


CRM = {"kind": "customers", "format": "csv", "path": "data/crm.csv", "key": ["crm_id"],
       "columns": {c: c for c in ("crm_id", "name", "gender", "phone", "email", "member_id", "province", "address",
                                  "registered_at", "updated_at")}}
STORE = {"kind": "customers", "format": "csv", "path": "data/store.csv", "key": ["member_id"],
         "columns": {c: c for c in ("member_id", "name", "phone", "province", "address")}}
CRM_HEADER = "crm_id,name,gender,phone,email,member_id,province,address,registered_at,updated_at\n"
STORE_HEADER = "member_id,name,phone,province,address\n"


@pytest.fixture
def golden_shop(make_ws):
    """golden_shop(crm_rows, store_rows=(), identity_yml=None) -> a built workspace."""

    def make(crm: list[str], store: list[str] = (), identity_yml: str | None = None):
        ws = make_ws({"crm": CRM, "store": STORE})
        if identity_yml is not None:
            write(ws.root / "identity.yml", identity_yml)
            ws.apply()
        load(ws, crm, store, crm_header=CRM_HEADER, store_header=STORE_HEADER)
        ws.identity.build()
        return ws

    return make


def picked(ws, query: str, field: str) -> tuple:
    """(value, source/key, rule) of one field of the only golden record ``query`` finds."""
    record, = ws.identity.golden(query)
    f = record.fields[field]
    return f.value, f.source and f"{f.source}/{f.source_key}", f.rule


def test_most_recent_takes_updated_at_then_registered_at(golden_shop):
    # one customer through member id M1. C2 is the newest (updated in June) but has no phone;
    # C3 was never updated, but registered in March: newer than C1's January update.
    ws = golden_shop(["C1,王伟,男,13800138001,old@x.cn,M1,,,,2024-01-01 10:00:00",
                      "C2,王伟,男,,new@x.cn,M1,,,,2024-06-01 10:00:00",
                      "C3,王伟,男,13800138003,,M1,,,2024-03-01 10:00:00,"])
    assert picked(ws, "M1", "email") == ("new@x.cn", "crm/C2", "most_recent")
    assert picked(ws, "M1", "phone") == ("+8613800138003", "crm/C3", "most_recent")
    assert picked(ws, "M1", "updated_at") == (dt.datetime(2024, 6, 1, 2, 0), "crm/C2", "most_recent")  # UTC


def test_most_frequent_with_a_tie_resolved_by_source_priority(golden_shop):
    rules = "golden:\n  source_priority: [store, crm]\n"
    ws = golden_shop(["C1,王伟,男,,,M1,,,,2024-06-01 10:00:00"], ["M1,王玮,,,"], identity_yml=rules)
    assert picked(ws, "M1", "name") == ("王玮", "store/M1", "most_frequent")  # 1 : 1, the store is trusted first
    assert picked(ws, "M1", "gender") == ("M", "crm/C1", "most_frequent")  # the store has none


def test_most_frequent_counts_records_before_source_priority(golden_shop):
    rules = "golden:\n  source_priority: [store, crm]\n"
    ws = golden_shop(["C1,王伟,男,,,M1,,,,2024-01-01 10:00:00", "C2,王伟,男,,,M1,,,,2024-06-01 10:00:00"],
                     ["M1,王玮,,,"], identity_yml=rules)
    # two records say 王伟; of those, the more recent one is named
    assert picked(ws, "M1", "name") == ("王伟", "crm/C2", "most_frequent")


@pytest.mark.parametrize("identity_yml, expected", [
    ("golden:\n  source_priority: [crm]\n", ("广东省", "crm/C1", "source_priority")),
    # without a priority every source ranks the same: the tie goes to the most recent record, here the
    # store's row, which has no time of its own, so its load time (today) counts
    (None, ("北京市", "store/M1", "source_priority")),
])
def test_source_priority_beats_a_more_recent_value(golden_shop, identity_yml, expected):
    ws = golden_shop(["C1,王伟,男,,,M1,广东省,,,2024-06-01 10:00:00"], ["M1,王伟,,北京市,"], identity_yml=identity_yml)
    assert picked(ws, "M1", "province") == expected


def test_longest_ignores_null_and_blank_values(golden_shop):
    ws = golden_shop(["C1,王伟,男,,,M1,,天河路1号,,2024-06-01 10:00:00",
                      'C2,王伟,男,,,M1,,"                    ",,2024-07-01 10:00:00',
                      "C3,王伟,男,,,M1,,,,2024-08-01 10:00:00",
                      "C4,李娜,女,,,M4,,,,"],
                     ["M1,王伟,,,天河路1号301室"])
    assert picked(ws, "M1", "address") == ("天河路1号301室", "store/M1", "longest")
    assert picked(ws, "M4", "address") == (None, None, "longest")  # nobody wrote one


def test_field_rules_are_configurable_and_the_golden_table_has_one_row_per_customer(golden_shop):
    rules = "golden:\n  fields: {address: most_recent, name: source_priority}\n  source_priority: [crm]\n"
    ws = golden_shop(["C1,王伟,男,,,M1,,天河路1号,,2024-06-01 10:00:00", "C2,李娜,女,,,M2,,,,"],
                     ["M1,王玮,,,天河路1号301室"], identity_yml=rules)
    # the store row has no time of its own: its load time (today) makes it the most recent
    assert picked(ws, "M1", "address") == ("天河路1号301室", "store/M1", "most_recent")
    assert picked(ws, "M1", "name") == ("王伟", "crm/C1", "source_priority")
    rows = ws.warehouse.raw.execute("SELECT customer_id, name, provenance->'$.name'->>'source_key' "
                                    "FROM golden_records ORDER BY name").fetchall()
    assert rows == [(customer_of(ws, "crm", "C2"), "李娜", "C2"), (customer_of(ws, "crm", "C1"), "王伟", "C1")]


def test_the_golden_record_follows_a_merge_after_a_rebuild(golden_shop):
    ws = golden_shop(["C1,王伟,男,13800138000,,,,,,2024-01-01 10:00:00",
                      "C2,王伟,男,,w@x.cn,,,天河路1号,,2024-02-01 10:00:00"])
    c1, c2 = customer_of(ws, "crm", "C1"), customer_of(ws, "crm", "C2")
    assert picked(ws, c1, "address") == (None, None, "longest") and c1 != c2
    load(ws, crm=["C3,王伟,男,13800138000,w@x.cn,,,,,2024-03-01 10:00:00"], crm_header=CRM_HEADER)  # joins C1 and C2
    ws.identity.build()
    survivor = customer_of(ws, "crm", "C3")
    record, = ws.identity.golden(c2)  # the merged id still resolves, to the survivor's golden record
    assert record.customer_id == survivor
    assert (record["phone"], record["email"], record["address"]) == ("+8613800138000", "w@x.cn", "天河路1号")
    assert record.fields["address"].source_key == "C2"
    ids = [r[0] for r in ws.warehouse.raw.execute("SELECT customer_id FROM golden_records").fetchall()]
    assert ids == [survivor]


def test_golden_by_any_identifier(golden_shop):
    ws = golden_shop(["C1,王伟,男,13800138000,w@x.cn,M1,,,,"])
    assert [r.customer_id for r in ws.identity.golden("138 0013 8000")] == [customer_of(ws, "crm", "C1")]
    assert ws.identity.golden("13700000001") == []


@pytest.mark.parametrize("text, key, words", [
    ("golden:\n  fields: {nickname: longest}\n", "golden.fields.nickname", "'nickname' is not a column of customers"),
    ("golden:\n  fields: {name: newest}\n", "golden.fields.name", "unknown rule 'newest'; known: most_recent"),
    ("golden:\n  source_priority: [crm, store, crm]\n", "golden.source_priority.2", "'crm' is listed more than once"),
    ("golden:\n  rules: {}\n", "golden.rules", "Extra inputs are not permitted"),
])
def test_golden_rules_errors_name_the_file_and_key(make_ws, text, key, words):
    problem = rules_problem(make_ws({}), text)
    assert (problem.file, problem.key) == ("identity.yml", key) and words in problem.message


def test_cli_identity_golden(golden_shop):
    ws = golden_shop(["C1,王伟,男,13800138000,,M1,,天河路1号,,2024-01-01 10:00:00"], ["M1,王玮,,,"])
    root = ws.root
    ws.close()
    run = cli(root)
    en = run("golden", "M1")
    assert en.returncode == 0, en.stderr
    assert "Golden record" in en.stdout and "天河路1号" in en.stdout and "crm/C1" in en.stdout
    assert "longest" in en.stdout and "most frequent" in en.stdout
    zh = run("golden", "13800138000", lang="zh")
    assert zh.returncode == 0 and "黄金记录" in zh.stdout and "最长非空" in zh.stdout and "来源优先" not in zh.stdout
    assert run("golden", "nobody").returncode == 0
