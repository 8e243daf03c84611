"""`huaxiang predict train|score|report|list` and `huaxiang personas list|show|rename`: thin commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from huaxiang.cli.options import Workspace
from huaxiang.cli.options import open_workspace as _open
from huaxiang.cli import render_predict as render
from huaxiang.cli.errors import guarded
from huaxiang.i18n import language

Names = Annotated[Optional[list[str]], typer.Argument(help="predictions (default: all) / 预测名称（默认全部）")]

predict_app = typer.Typer(no_args_is_help=True, help="Predictions: CLV, churn, propensity, personas… / 预测模型。")
personas_app = typer.Typer(help="Personas: cards, rename. / 客户画像。", invoke_without_command=True)


@predict_app.command()
@guarded
def train(names: Names = None, workspace: Workspace = Path(".")) -> None:
    """Fit predictions on snapshots and store models with their cards. / 训练预测模型。"""
    with _open(workspace) as ws, render.progress("predict.training") as step:
        trained = ws.predictions.train(names or None, progress=step)
    render.trained(trained)


@predict_app.command()
@guarded
def score(names: Names = None, workspace: Workspace = Path(".")) -> None:
    """Score every customer, then refresh tags and segments. / 为客户打分并更新标签、分群。"""
    with _open(workspace) as ws, render.progress("predict.scoring") as step:
        scored = ws.predictions.score(names or None, progress=step)
    render.scored(scored)


@predict_app.command()
@guarded
def report(name: Annotated[str, typer.Argument(help="prediction / 预测名称")],
           plots: Annotated[Optional[Path], typer.Option(help="folder for PNG plots / 图表目录")] = None,
           workspace: Workspace = Path(".")) -> None:
    """A model card: windows, features, backtest metrics, calibration, as text and PNG plots. / 模型报告。"""
    from huaxiang.predict.plots import plot_card

    with _open(workspace) as ws:
        card = ws.predictions.card(name)
        folder = plots or ws.root / ".huaxiang" / "reports"
    render.report(card)
    render.plots(plot_card(card, folder, language()))


@predict_app.command("list")
@guarded
def list_models(workspace: Workspace = Path(".")) -> None:
    """Trained models, newest first. / 已训练的模型。"""
    with _open(workspace) as ws:
        render.models(ws.predictions.models())


@personas_app.callback()
def personas_default(ctx: typer.Context, workspace: Workspace = Path(".")) -> None:
    """Persona cards of the newest discovery (largest first). / 客户画像卡片。"""
    if ctx.invoked_subcommand is None:
        guarded(_list)(workspace)


def _list(workspace: Path) -> None:
    with _open(workspace) as ws:
        render.persona_list(ws.personas.cards())


@personas_app.command("list")
@guarded
def personas_list(workspace: Workspace = Path(".")) -> None:
    """Persona cards of the newest discovery. / 画像列表。"""
    _list(workspace)


@personas_app.command()
@guarded
def show(persona: Annotated[str, typer.Argument(help="persona id, e.g. P01 / 画像编号")],
         workspace: Workspace = Path(".")) -> None:
    """One persona card: key statistics, goals, pain points, narrative, typical members. / 画像详情。"""
    with _open(workspace) as ws:
        render.persona_card(ws.personas.card(persona))


@personas_app.command()
@guarded
def rename(persona: Annotated[str, typer.Argument(help="persona id / 画像编号")],
           zh: Annotated[Optional[str], typer.Option(help="Chinese name / 中文名")] = None,
           en: Annotated[Optional[str], typer.Option(help="English name / 英文名")] = None,
           narrative_zh: Annotated[Optional[str], typer.Option(help="Chinese narrative / 中文描述")] = None,
           narrative_en: Annotated[Optional[str], typer.Option(help="English narrative / 英文描述")] = None,
           workspace: Workspace = Path(".")) -> None:
    """Rename a persona or rewrite its narrative (kept by every rediscovery). / 重命名画像。"""
    with _open(workspace) as ws:
        edited = ws.personas.edit(persona, name_zh=zh, name_en=en, narrative_zh=narrative_zh, narrative_en=narrative_en)
    render.renamed(edited)


def register(app: typer.Typer) -> None:
    app.add_typer(predict_app, name="predict")
    app.add_typer(personas_app, name="personas")
