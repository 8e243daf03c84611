"""`huaxiang identity build|lookup|explain`: thin commands over ``ws.identity``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huaxiang.cli import render_identity as render
from huaxiang.cli.errors import guarded

app = typer.Typer(no_args_is_help=True, help="Identity resolution: one customer across every source. / 客户识别。")

Workspace = Annotated[Path, typer.Option("--workspace", "-w", help="workspace folder / 工作区目录")]
Query = Annotated[str, typer.Argument(help="phone, e-mail, member id, other identifier, customer id or alias / "
                                           "手机号、邮箱、会员号、其他标识、客户编号或别名")]


def _open(path: Path):
    import huaxiang
    return huaxiang.open_workspace(path)


@app.command()
@guarded
def build(workspace: Workspace = Path(".")) -> None:
    """Resolve all records and events into customers (ids stay stable). / 重建客户识别结果。"""
    with _open(workspace) as ws, render.spinner():
        result = ws.identity.build()
    render.build_result(result)


@app.command()
@guarded
def lookup(query: Query, workspace: Workspace = Path(".")) -> None:
    """Find the customer(s) an identifier belongs to. / 按任一标识查找客户。"""
    with _open(workspace) as ws:
        render.matches(query, ws.identity.lookup(query))


@app.command()
@guarded
def explain(query: Query, workspace: Workspace = Path(".")) -> None:
    """Show why records are one customer: the evidence of every link. / 说明为何这些记录是同一客户。"""
    with _open(workspace) as ws:
        render.explanations(query, ws.identity.explain(query))
