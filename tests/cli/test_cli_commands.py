"""The real `huaxiang` command in subprocesses: messages, exit codes, languages, a busy workspace."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import CRM_YAML, without_library

EXE = [sys.executable, "-m", "huaxiang.cli"]

SOURCE = CRM_YAML


def run(*args: str, cwd: Path, lang: str = "en") -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "200"}
    return subprocess.run([*EXE, "--lang", lang, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    assert run("init", "shop", cwd=tmp_path).returncode == 0
    root = without_library(tmp_path / "shop")
    (root / "sources" / "crm.yml").write_text(SOURCE, encoding="utf-8")
    (root / "data" / "crm.csv").write_text("客户编号,姓名,手机号\nC1,张三,13800138000\nC2,李四,139 0000 1111\n",
                                           encoding="utf-8")
    return root


def test_init_plan_apply_import_quality_status(ws: Path):
    assert (ws / "huaxiang.yml").exists() and (ws / "sources" / "_example.yml").exists()
    plan = run("plan", cwd=ws)
    assert plan.returncode == 0 and "create" in plan.stdout and "crm" in plan.stdout
    assert run("apply", cwd=ws).returncode == 0
    again = run("plan", cwd=ws)
    assert "0 to create, 0 to update, 0 to delete, 1 unchanged" in again.stdout
    imp = run("import", "crm", cwd=ws)
    assert imp.returncode == 0, imp.stderr
    assert "rows stored" in imp.stdout and " 2" in imp.stdout
    quality = run("quality", "crm", cwd=ws)
    assert quality.returncode == 0 and "2 rows stored in source_records" in quality.stdout
    status = run("status", cwd=ws)
    assert "source_records" in status.stdout and "succeeded" in status.stdout


def test_messages_in_chinese(ws: Path):
    out = run("plan", cwd=ws, lang="zh")
    assert "新建 1 个" in out.stdout


def test_invalid_definition_names_file_and_key(ws: Path):
    (ws / "sources" / "bad.yml").write_text("name: bad\nkind: customers\nformat: csv\nkey: [crm_id]\n"
                                            "columns:\n  编号: crm_id\n  手机: telephone\n", encoding="utf-8")
    out = run("plan", cwd=ws)
    assert out.returncode == 1
    assert "sources/bad.yml" in out.stderr and "columns.手机" in out.stderr and "telephone" in out.stderr
    assert "Traceback" not in out.stderr


def test_refused_import_reports_load_and_row(ws: Path):
    run("apply", cwd=ws)
    (ws / "data" / "crm.csv").write_text("客户编号,姓名,手机号\nC1,张三,138\nC2,李四,1,2\n", encoding="utf-8")
    out = run("import", "crm", cwd=ws)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "crm.csv" in out.stderr and "row 3" in out.stderr and "nothing was stored" in out.stderr


def test_second_writer_is_told_the_workspace_is_busy(ws: Path):
    run("apply", cwd=ws)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, huaxiang; ws = huaxiang.open_workspace(sys.argv[1]); ws.warehouse; "
        "print('ready', flush=True); time.sleep(60)"), str(ws)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        out = run("import", "crm", cwd=ws)
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert "busy" in out.stderr and str(holder.pid) in out.stderr
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    assert run("import", "crm", cwd=ws).returncode == 0


def test_help_lists_every_command(tmp_path: Path):
    out = run("--help", cwd=tmp_path)
    for cmd in ("init", "plan", "apply", "import", "quality", "demo", "status"):
        assert cmd in out.stdout


def test_refused_import_in_chinese_names_row_and_kind_of_problem(ws: Path):
    run("apply", cwd=ws)
    (ws / "data" / "crm.csv").write_bytes("客户编号,姓名,手机号\nC1,张三,138\n".encode("gbk") + "C2,李四,139\n".encode("utf-8"))
    out = run("import", "crm", cwd=ws, lang="zh")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "未写入任何数据" in out.stderr and "crm.csv，第 3 行：编码错误：" in out.stderr


def test_build_says_when_it_writes_the_fact_store(tmp_path: Path):
    assert run("init", "shop", cwd=tmp_path).returncode == 0
    root = tmp_path / "shop"  # with the built-in library
    (root / "sources" / "crm.yml").write_text(SOURCE, encoding="utf-8")
    crm = root / "data" / "crm.csv"
    crm.write_text("客户编号,姓名,手机号\nC1,张三,13800138000\nC2,李四,139 0000 1111\n", encoding="utf-8")
    for step in (["apply"], ["import", "crm"], ["identity", "build"]):
        assert run(*step, cwd=root).returncode == 0
    full = run("build", cwd=root)
    assert full.returncode == 0 and "Full build #1" in full.stdout and "Fact store" not in full.stdout
    crm.write_text("客户编号,姓名,手机号\nC1,张三,13800138000\nC2,李四,139 0000 2222\n", encoding="utf-8")
    assert run("import", "crm", cwd=root).returncode == 0
    first = run("build", cwd=root)
    assert "Incremental build #2" in first.stdout and "Fact store written" in first.stdout, first.stdout
    crm.write_text("客户编号,姓名,手机号\nC1,张三,13800138000\nC2,李四,139 0000 3333\n", encoding="utf-8")
    assert run("import", "crm", cwd=root).returncode == 0
    second = run("build", cwd=root, lang="zh")  # reads the store: nothing to say about it
    assert "增量构建 #3" in second.stdout and "事实存储" not in second.stdout, second.stdout
