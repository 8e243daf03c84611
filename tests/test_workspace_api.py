"""The public Python API: init_workspace, open_workspace and the namespaced parts of a Workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import CRM_YAML, without_library, write

import huaxiang
from huaxiang.definitions.loader import DefinitionError
from huaxiang.domain.sources import Source

CRM = CRM_YAML
CRM_CSV = "客户编号,姓名,手机号\nC1,张三,13800138000\nC2,李四,139 0000 1111\n"


@pytest.fixture
def ws(tmp_path: Path):
    ws = huaxiang.init_workspace(tmp_path / "shop", name="shop", locale="en")
    without_library(ws.root)
    yield ws
    ws.close()


def test_public_api_is_small_and_exported():
    assert sorted(huaxiang.__all__) == ["Workspace", "WorkspaceError", "__version__", "init_workspace",
                                        "open_workspace"]
    for name in huaxiang.__all__:
        assert getattr(huaxiang, name) is not None


def test_init_scaffolds_the_folder(tmp_path: Path):
    root = tmp_path / "shop"
    with huaxiang.init_workspace(root, locale="en") as ws:
        assert isinstance(ws, huaxiang.Workspace)
        assert ws.root == root
    for folder in ("sources", "traits", "tags", "segments", "personas", "predictions", "data"):
        assert (root / folder).is_dir(), folder
    assert (root / "identity.yml").read_text(encoding="utf-8").startswith("#")
    assert "catalog.sqlite" in (root / ".gitignore").read_text().splitlines()
    config = yaml.safe_load((root / "huaxiang.yml").read_text(encoding="utf-8"))
    assert config == {"name": "shop", "locale": "en", "timezone": "Asia/Shanghai",
                      "warehouse": {"engine": "duckdb", "path": "warehouse.duckdb"},
                      "catalog": {"url": "sqlite:///catalog.sqlite"}}


def test_init_writes_commented_examples_in_chinese_and_english(tmp_path: Path):
    root = tmp_path / "shop"
    huaxiang.init_workspace(root, name="店铺").close()
    config = (root / "huaxiang.yml").read_text(encoding="utf-8")
    assert "# 数据仓库：默认是工作区内的 DuckDB 文件 / warehouse: a DuckDB file in the workspace by default" in config
    assert yaml.safe_load(config)["name"] == "店铺" and yaml.safe_load(config)["locale"] == "zh"
    example = (root / "sources" / "_example.yml").read_text(encoding="utf-8")
    lines = [line for line in example.splitlines() if line.strip()]
    assert lines and all(line.startswith("#") for line in lines)  # all commented: applies nothing
    assert "#   zh: CRM 系统导出的客户联系人" in example and "#   en: Contacts exported from the CRM" in example
    assert "#   客户编号: crm_id" in example and "# format: sql" in example
    # uncommented, the example is a valid source definition, and so is its database variant
    lines = example.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# name:"))
    end = lines.index("#", start)
    body = yaml.safe_load("\n".join(line[2:] for line in lines[start:end]))
    source = Source.model_validate(body)
    assert (source.name, source.kind, source.format, source.key_columns) == ("crm_contacts", "customers", "csv",
                                                                             ["crm_id"])
    assert source.mapping()["出生日期"].formats == ["%Y%m%d"]
    sql = yaml.safe_load("\n".join(line[2:] for line in lines[end + 2:]))
    assert Source.model_validate(body | sql).format == "sql"


def test_fresh_workspace_plans_nothing_and_creates_no_warehouse(ws):
    assert ws.plan().changes == []
    assert ws.apply().changes == []
    assert ws.sources.list() == []
    assert ws.status() == {"name": "shop", "root": str(ws.root.resolve()), "sources": [], "tables": {},
                           "loads": []}
    assert (ws.root / "catalog.sqlite").exists()
    assert not (ws.root / "warehouse.duckdb").exists()


def test_init_refuses_an_existing_workspace_and_changes_nothing(tmp_path: Path):
    root = tmp_path / "shop"
    huaxiang.init_workspace(root, name="shop").close()
    write(root / "huaxiang.yml", "name: mine\n")
    write(root / "sources" / "_example.yml", "# my notes\n")
    with pytest.raises(huaxiang.WorkspaceError) as info:
        huaxiang.init_workspace(root, name="other")
    assert str(info.value) == f"{root / 'huaxiang.yml'} already exists"
    assert (root / "huaxiang.yml").read_text() == "name: mine\n"
    assert (root / "sources" / "_example.yml").read_text() == "# my notes\n"


def test_init_in_an_existing_project_keeps_its_files(tmp_path: Path):
    root = tmp_path / "project"
    write(root / ".gitignore", "node_modules/\n.env")
    write(root / "identity.yml", "# ours\n")
    write(root / "sources" / "_example.yml", "# our example\n")
    huaxiang.init_workspace(root, name="shop").close()
    assert (root / ".gitignore").read_text().splitlines() == ["node_modules/", ".env", "warehouse.duckdb*",
                                                              "catalog.sqlite", ".huaxiang/", "data/"]
    assert (root / "identity.yml").read_text() == "# ours\n"
    assert (root / "sources" / "_example.yml").read_text() == "# our example\n"
    (root / "huaxiang.yml").unlink()
    huaxiang.init_workspace(root, name="shop").close()  # nothing is added twice
    assert (root / ".gitignore").read_text().count("catalog.sqlite") == 1


@pytest.mark.parametrize("make", [lambda p: p.mkdir(), lambda p: None], ids=["empty-folder", "missing-folder"])
def test_open_a_folder_that_is_not_a_workspace(tmp_path: Path, make):
    folder = tmp_path / "nothing"
    make(folder)
    with pytest.raises(huaxiang.WorkspaceError) as info:
        huaxiang.open_workspace(folder)
    assert str(info.value) == (f"{folder.resolve()} is not a huaxiang workspace (no huaxiang.yml); "
                               f"create one with `huaxiang init {folder}`")
    assert not (folder / "catalog.sqlite").exists()


def test_open_with_invalid_settings_names_the_file_and_key(ws):
    write(ws.root / "huaxiang.yml", "name: shop\nlocale: fr\n")
    with pytest.raises(DefinitionError) as info:
        huaxiang.open_workspace(ws.root)
    [problem] = info.value.problems
    assert (problem.file, problem.key) == ("huaxiang.yml", "locale")
    assert "'zh' or 'en'" in problem.message


def test_catalog_lives_in_the_workspace_whatever_the_working_directory(ws, tmp_path: Path, monkeypatch):
    write(ws.root / "sources" / "crm.yml", CRM)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with huaxiang.open_workspace(ws.root) as other:
        assert [c.action for c in other.apply().changes] == ["create"]
    assert list(elsewhere.iterdir()) == []
    assert ws.sources.list() == ["crm"]


def test_sources_get_returns_the_latest_applied_version(ws):
    write(ws.root / "sources" / "crm.yml", CRM)
    ws.apply()
    source, version = ws.sources.get("crm")
    assert version == 1 and source.mapping()["手机号"].to == "phone" and "邮箱" not in source.columns
    write(ws.root / "sources" / "crm.yml", CRM + "  邮箱: email\n")
    assert ws.sources.get("crm")[0].columns == source.columns  # edited, not applied: the catalog rules
    ws.apply()
    source, version = ws.sources.get("crm")
    assert version == 2 and source.columns["邮箱"] == "email"
    assert ws.sources.list() == ["crm"]


def test_sources_get_of_an_unknown_name_says_what_to_do(ws):
    write(ws.root / "sources" / "crm.yml", CRM)
    ws.apply()
    with pytest.raises(DefinitionError) as info:
        ws.sources.get("erp")
    assert str(info.value) == ("catalog: erp: no applied source named 'erp' (applied: crm); "
                               "run `huaxiang plan` and `huaxiang apply` first")


def test_ingest_quality_and_status_work_together(ws):
    write(ws.root / "sources" / "crm.yml", CRM)
    write(ws.root / "data" / "crm.csv", CRM_CSV)
    ws.apply()
    result = ws.ingest.load("crm")
    assert result.status == "succeeded" and result.source == "crm"
    assert result.file == str(ws.root / "data" / "crm.csv")
    assert result.counts == {"read": 2, "duplicates_exact": 0, "duplicate_keys": 0, "stored": 2, "inserted": 2,
                             "updated": 0, "quarantined": 0, "already_loaded": 0}
    rows = ws.warehouse.raw.execute("SELECT source, source_key, name, phone FROM source_records "
                                    "ORDER BY source_key").fetchall()
    assert rows == [("crm", "C1", "张三", "+8613800138000"), ("crm", "C2", "李四", "+8613900001111")]

    [load] = ws.quality.loads("crm")
    assert load["load_id"] == result.load_id and load["status"] == "succeeded"
    assert ws.quality.load_report(result.load_id)["counts"] == result.counts
    report = ws.quality.source_report("crm")
    assert report["source"] == "crm" and report["kind"] == "customers"
    assert report["stored"]["rows"] == 2 and report["stored"]["table"] == "source_records"
    assert report["latest_load"]["load_id"] == result.load_id
    assert report["latest_report"]["encoding"] == "utf-8"

    status = ws.status()
    assert status["sources"] == ["crm"]
    assert status["tables"] == {"source_records": 2, "orders": 0, "order_items": 0, "events": 0,
                                "interactions": 0, "referrals": 0, "consents": 0, "survey_responses": 0}
    assert [(x["load_id"], x["source"], x["status"]) for x in status["loads"]] == [(result.load_id, "crm",
                                                                                    "succeeded")]


def test_ingest_a_file_given_explicitly(ws, tmp_path: Path):
    write(ws.root / "sources" / "crm.yml", CRM)
    ws.apply()
    other = write(tmp_path / "export.csv", "客户编号,姓名,手机号\nC9,王五,13700001111\n")
    result = ws.ingest.load("crm", other)
    assert result.file == str(other) and result.counts["stored"] == 1
    assert ws.warehouse.count("source_records") == 1


def test_closing_releases_the_warehouse(ws):
    write(ws.root / "sources" / "crm.yml", CRM)
    write(ws.root / "data" / "crm.csv", CRM_CSV)
    ws.apply()
    ws.ingest.load("crm")
    assert (ws.root / ".huaxiang" / "lock.json").exists()
    ws.close()
    assert not (ws.root / ".huaxiang" / "lock.json").exists()
    with huaxiang.open_workspace(ws.root) as again:
        assert again.warehouse.count("source_records") == 2


def test_warehouse_memory_budget_defaults_to_half_the_ram_and_can_be_set(ws):
    import os

    def limit(w) -> float:
        text = w.warehouse.raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        number, unit = text.split()
        return float(number) * {"MiB": 2**20, "GiB": 2**30}[unit]

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert limit(ws) == pytest.approx(ram / 2, rel=0.01)
    ws.close()
    settings = (ws.root / "huaxiang.yml").read_text().replace("path: warehouse.duckdb", "path: warehouse.duckdb\n  memory_limit: 1GiB")
    write(ws.root / "huaxiang.yml", settings)
    with huaxiang.open_workspace(ws.root) as again:
        assert limit(again) == 2**30
    write(ws.root / "huaxiang.yml", settings.replace("1GiB", "lots"))
    with pytest.raises(DefinitionError) as info:
        huaxiang.open_workspace(ws.root)
    assert info.value.problems[0].key == "warehouse.memory_limit"
