"""Plan, then apply: what changes, which versions are written, and errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import without_library, write

import huaxiang
from huaxiang.definitions.loader import DefinitionError, Problem

CRM = """name: crm
kind: customers
format: csv
key: [crm_id]
columns:
  客户编号: crm_id
  姓名: name
"""
ERP = """name: erp
kind: orders
format: parquet
columns:
  order_no: order_id
  amount: total_amount
"""


@pytest.fixture
def ws(tmp_path: Path):
    ws = huaxiang.init_workspace(tmp_path / "shop", name="shop", locale="en")
    without_library(ws.root)
    yield ws
    ws.close()


def _source(ws, name: str, text: str) -> None:
    write(ws.root / "sources" / f"{name}.yml", text)


def _changes(plan) -> list[tuple[str, str, str, int | None]]:
    return [(c.name, c.action, c.file, c.version) for c in plan.changes]


def _versions(ws, name: str) -> list[tuple[int, bool]]:
    return [(row["version"], row["deleted"]) for row in ws.catalog.history("source", name)]


def test_plan_shows_creates_and_writes_nothing(ws):
    _source(ws, "crm", CRM)
    _source(ws, "erp", ERP)
    plan = ws.plan()
    assert _changes(plan) == [("crm", "create", "sources/crm.yml", 1), ("erp", "create", "sources/erp.yml", 1)]
    assert plan.summary() == {"create": 2, "update": 0, "delete": 0, "unchanged": 0}
    assert ws.catalog.latest("source") == {}
    assert ws.catalog.audit_entries() == []


def test_apply_writes_version_one_then_nothing_when_unchanged(ws):
    _source(ws, "crm", CRM)
    _source(ws, "erp", ERP)
    applied = ws.apply()
    assert _changes(applied) == [("crm", "create", "sources/crm.yml", 1), ("erp", "create", "sources/erp.yml", 1)]
    assert _versions(ws, "crm") == [(1, False)] and _versions(ws, "erp") == [(1, False)]
    audit = len(ws.catalog.audit_entries())

    again = ws.plan()
    assert _changes(again) == [("crm", "unchanged", "sources/crm.yml", 1), ("erp", "unchanged", "sources/erp.yml", 1)]
    assert again.pending == []
    assert _changes(ws.apply()) == _changes(again)
    assert _versions(ws, "crm") == [(1, False)] and _versions(ws, "erp") == [(1, False)]
    assert len(ws.catalog.audit_entries()) == audit


def test_comments_and_formatting_are_not_a_change(ws):
    _source(ws, "crm", CRM)
    ws.apply()
    _source(ws, "crm", "# 客户主数据 / customer master data\n" + CRM.replace("key: [crm_id]", "key:\n  - crm_id"))
    assert _changes(ws.plan()) == [("crm", "unchanged", "sources/crm.yml", 1)]
    ws.apply()
    assert _versions(ws, "crm") == [(1, False)]


def test_update_writes_a_new_version_and_history_keeps_the_old_one(ws):
    _source(ws, "crm", CRM)
    ws.apply()
    _source(ws, "crm", CRM.replace("format: csv", "format: tsv") + "  手机号: phone\n")
    [change] = ws.plan().changes
    assert (change.action, change.version, change.changed_keys) == ("update", 2, ["columns", "format"])
    ws.apply()
    history = ws.catalog.history("source", "crm")
    assert [(h["version"], h["body"]["format"], h["origin"]) for h in history] == [
        (1, "csv", "sources/crm.yml"), (2, "tsv", "sources/crm.yml")]
    assert history[0]["body"]["columns"] == {"客户编号": "crm_id", "姓名": "name"}
    assert history[1]["body"]["columns"] == {"客户编号": "crm_id", "姓名": "name", "手机号": "phone"}
    assert ws.sources.get("crm")[1] == 2
    assert _changes(ws.plan()) == [("crm", "unchanged", "sources/crm.yml", 2)]


def test_deleting_a_source_file_shows_a_delete(ws):
    _source(ws, "crm", CRM)
    _source(ws, "erp", ERP)
    ws.apply()
    (ws.root / "sources" / "erp.yml").unlink()
    plan = ws.plan()
    assert _changes(plan) == [("crm", "unchanged", "sources/crm.yml", 1), ("erp", "delete", "sources/erp.yml", 2)]
    assert plan.summary() == {"create": 0, "update": 0, "delete": 1, "unchanged": 1}
    assert ws.sources.list() == ["crm", "erp"]  # planning changes nothing
    ws.apply()
    assert ws.sources.list() == ["crm"]
    assert _versions(ws, "erp") == [(1, False), (2, True)]
    assert ws.catalog.history("source", "erp")[0]["body"]["columns"] == {"order_no": "order_id",
                                                                         "amount": "total_amount"}
    with pytest.raises(DefinitionError):
        ws.sources.get("erp")
    assert _changes(ws.plan()) == [("crm", "unchanged", "sources/crm.yml", 1)]


def test_a_source_created_again_after_a_delete_continues_its_versions(ws):
    _source(ws, "erp", ERP)
    ws.apply()
    (ws.root / "sources" / "erp.yml").unlink()
    ws.apply()
    _source(ws, "erp", ERP)
    assert _changes(ws.plan()) == [("erp", "create", "sources/erp.yml", 3)]  # what apply will write
    assert _changes(ws.apply()) == [("erp", "create", "sources/erp.yml", 3)]
    assert _versions(ws, "erp") == [(1, False), (2, True), (3, False)]
    assert ws.sources.get("erp")[1] == 3


def test_the_example_file_is_not_a_definition(ws):
    assert (ws.root / "sources" / "_example.yml").exists()
    _source(ws, "crm", CRM)
    assert [c.name for c in ws.plan().changes] == ["crm"]


# ---- validation -------------------------------------------------------------------------------

BAD = {
    "unknown_kind.yml": (CRM.replace("kind: customers", "kind: customer"), "kind",
                         "unknown kind 'customer'; expected one of: customers, orders, order_items, events, "
                         "interactions, referrals, consents, surveys"),
    "unknown_column.yml": (CRM + "  手机: telephone\n", "columns.手机", "'telephone' is not a column of customers"),
    "key_not_mapped.yml": (CRM.replace("key: [crm_id]", "key: [member_id]"), "key",
                           "no input column maps to 'member_id'"),
    "default_key_not_mapped.yml": (ERP.replace("order_no: order_id", "order_no: customer_key"), "key",
                                   "no input column maps to 'order_id'"),
    "required_not_mapped.yml": (CRM + "required: [phone]\n", "required", "no input column maps to 'phone'"),
    "values_not_mapped.yml": (CRM + "values:\n  gender: {'1': M}\n", "values.gender",
                              "no input column maps to 'gender'"),
    "two_to_one.yml": (CRM + "  编号: crm_id\n", "columns", "several input columns map to crm_id"),
    "sql_without_url.yml": (CRM.replace("format: csv", "format: sql\nquery: select * from members"), "url",
                            "format sql needs both url and query"),
    "sql_without_query.yml": (CRM.replace("format: csv", "format: sql\nurl: sqlite:///erp.db"), "query",
                              "format sql needs both url and query"),
    "typo_in_a_key.yml": (CRM + "on_eror: quarantine\n", "on_eror", "Extra inputs are not permitted"),
    "bad_format.yml": (CRM.replace("format: csv", "format: xls"), "format", "Input should be 'csv', 'tsv', "
                       "'xlsx', 'json', 'jsonl', 'parquet' or 'sql'"),
}


def _name(file: str, text: str) -> str:
    return text.replace("name: crm", f"name: {file.removesuffix('.yml')}", 1)


@pytest.mark.parametrize("file", sorted(BAD))
def test_validation_error_names_file_and_key(ws, file):
    text, key, message = BAD[file]
    _source(ws, file.removesuffix(".yml"), _name(file, text))
    with pytest.raises(DefinitionError) as info:
        ws.plan()
    [problem] = info.value.problems
    assert (problem.file, problem.key) == (f"sources/{file}", key)
    assert problem.message.startswith(message), problem.message
    assert str(problem).startswith(f"sources/{file}: {key}: {message}")


def test_bad_yaml_syntax_names_file_line_and_column(ws):
    _source(ws, "broken", "name: broken\nkind: customers\ncolumns:\n  a: crm_id\n   b: name\n")
    with pytest.raises(DefinitionError) as info:
        ws.plan()
    assert info.value.problems == [
        Problem("sources/broken.yml", "", "line 5, column 5: invalid YAML (mapping values are not allowed here)")]


def test_duplicate_source_names_across_two_files(ws):
    _source(ws, "a_crm", CRM)
    _source(ws, "b_crm", CRM.replace("姓名: name", "名字: name"))
    with pytest.raises(DefinitionError) as info:
        ws.plan()
    assert info.value.problems == [
        Problem("sources/b_crm.yml", "name", "'crm' is already defined in sources/a_crm.yml")]


def test_not_a_mapping_and_not_utf8(ws):
    _source(ws, "listed", "- name: crm\n- kind: customers\n")
    write(ws.root / "sources" / "gbk.yml", CRM.replace("name: crm", "name: gbk"), encoding="gbk")
    with pytest.raises(DefinitionError) as info:
        ws.plan()
    assert info.value.problems == [Problem("sources/gbk.yml", "", "definitions must be UTF-8 text"),
                                   Problem("sources/listed.yml", "", "expected a mapping of keys to values")]


def test_every_problem_is_reported_and_nothing_is_written(ws):
    _source(ws, "erp", ERP)
    ws.apply()
    before = (ws.catalog.history("source", "erp"), ws.catalog.audit_entries())
    _source(ws, "crm", CRM)  # valid, but must not be applied alongside broken files
    _source(ws, "erp", ERP + "  buyer: customer_key\n")  # a valid update
    for file in sorted(BAD):
        _source(ws, file.removesuffix(".yml"), _name(file, BAD[file][0]))
    _source(ws, "broken", "name: [\n")
    with pytest.raises(DefinitionError) as info:
        ws.apply()
    assert sorted(p.file for p in info.value.problems) == sorted(
        ["sources/broken.yml", *(f"sources/{f}" for f in BAD)])
    assert str(info.value).count("\n") == len(BAD)  # one line per problem
    assert ws.sources.list() == ["erp"]
    assert (ws.catalog.history("source", "erp"), ws.catalog.audit_entries()) == before
    assert ws.catalog.history("source", "crm") == []
