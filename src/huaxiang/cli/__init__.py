"""The `huaxiang` command: thin commands that parse input, call one use-case and render it."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from huaxiang import i18n
from huaxiang.cli.options import Workspace
from huaxiang.cli.options import open_workspace as _open
from huaxiang.cli import render
from huaxiang.cli.errors import guarded
from huaxiang.i18n import t

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode="rich",
                  help="huaxiang (画像): customer profiles from all your customer data / 客户画像系统")

class DemoLocale(str, Enum):
    zh = "zh"
    en = "en"




@app.callback()
def _main(lang: Annotated[Optional[str], typer.Option("--lang", help="zh | en (default: from LANG)")] = None) -> None:
    i18n.set_language(lang or os.environ.get("HUAXIANG_LANG") or os.environ.get("LANG"))


@app.command()
@guarded
def init(path: Annotated[Path, typer.Argument(help="folder to create / 要创建的目录")],
         name: Annotated[Optional[str], typer.Option(help="workspace name")] = None) -> None:
    """Create a workspace folder with commented examples. / 创建工作区。"""
    import huaxiang
    ws = huaxiang.init_workspace(path, name=name, locale=i18n.language())
    ws.close()
    render.say(t("init.done", path=path))


@app.command()
@guarded
def plan(workspace: Workspace = Path(".")) -> None:
    """Validate the workspace folder and show what apply would change. / 校验定义并预览变更。"""
    with _open(workspace) as ws:
        p = ws.plan()
        render.plan(p, applied=False, impact=ws.profiles.impact(p))


@app.command()
@guarded
def apply(workspace: Workspace = Path(".")) -> None:
    """Write changed definitions into the catalog as new versions. / 将定义写入目录库。"""
    with _open(workspace) as ws:
        render.plan(ws.apply(), applied=True)


@app.command("import")
@guarded
def import_(source: Annotated[str, typer.Argument(help="source name / 数据源名称")],
            file: Annotated[Optional[Path], typer.Argument(help="input file (default: the source's path)")] = None,
            workspace: Workspace = Path(".")) -> None:
    """Import a file into the canonical tables as one atomic load. / 导入数据（原子加载）。"""
    with _open(workspace) as ws, render.LoadProgress(source) as progress:
        result = ws.ingest.load(source, file, progress=progress.update)
    render.load_result(result)


@app.command()
@guarded
def quality(source: Annotated[Optional[str], typer.Argument(help="source name (default: all)")] = None,
            load: Annotated[Optional[str], typer.Option(help="show one load's report")] = None,
            workspace: Workspace = Path(".")) -> None:
    """Show data-quality reports per source and per load. / 查看数据质量报告。"""
    with _open(workspace) as ws:
        if load:
            render.load_report(ws.quality.load_report(load), load)
            return
        for name in [source] if source else ws.sources.list():
            render.source_report(ws.quality.source_report(name))
        render.loads(ws.quality.loads(source))


@app.command()
@guarded
def status(workspace: Workspace = Path(".")) -> None:
    """Show the workspace: sources, table sizes, recent loads. / 查看工作区状态。"""
    with _open(workspace) as ws:
        render.status(ws.status())


@app.command()
@guarded
def demo(path: Annotated[Path, typer.Argument(help="folder for the demo workspace")] = Path("huaxiang-demo"),
         customers: Annotated[int, typer.Option(min=100, help="number of customers / 客户数")] = 5000,
         locale: Annotated[DemoLocale, typer.Option(
             help="zh: a Chinese retailer (default) | en: an English variant / 数据语言")] = DemoLocale.zh,
         seed: Annotated[int, typer.Option(help="random seed")] = 42,
         force: Annotated[bool, typer.Option("--force", help="replace an existing demo folder")] = False) -> None:
    """Generate a realistic retailer data set and import it. / 生成演示数据并导入。"""
    from huaxiang.demo.showcase import run_demo
    with render.StepProgress() as progress:
        summary = run_demo(path, customers=customers, locale=locale.value, seed=seed,
                           force=force, progress=progress)
    render.demo_summary(summary)


from huaxiang.cli.identity import app as _identity  # noqa: E402  (the sub-app needs guarded / render first)

app.add_typer(_identity, name="identity")

from huaxiang.cli.profiles import register as _profiles  # noqa: E402

_profiles(app)

from huaxiang.cli.predict import register as _predict  # noqa: E402

_predict(app)


def main() -> None:
    app()
