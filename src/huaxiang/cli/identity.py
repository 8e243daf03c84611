"""`huaxiang identity build|train|model|lookup|explain|golden|review|accept|reject|split`: thin commands over ``ws.identity``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huaxiang.cli.options import Workspace
from huaxiang.cli.options import open_workspace as _open
from huaxiang.cli import render_identity as render
from huaxiang.cli import render_review
from huaxiang.cli.errors import guarded

app = typer.Typer(no_args_is_help=True, help="Identity resolution: one customer across every source. / 客户识别。")

Query = Annotated[str, typer.Argument(help="phone, e-mail, member id, other identifier, customer id or alias / "
                                           "手机号、邮箱、会员号、其他标识、客户编号或别名")]


@app.command()
@guarded
def build(full: Annotated[bool, typer.Option("--full", help="resolve everything again, not only what changed / "
                                                             "全量重新识别")] = False,
          workspace: Workspace = Path(".")) -> None:
    """Resolve records and events into customers: what changed since the last build, or everything (ids stay stable). / 客户识别（增量或全量）。"""
    with _open(workspace) as ws, render.spinner():
        result = ws.identity.build(full=full)
    render.build_result(result)


@app.command()
@guarded
def train(workspace: Workspace = Path(".")) -> None:
    """Train the probabilistic model on the current records (no labels needed) and keep it. / 训练概率匹配模型。"""
    with _open(workspace) as ws, render.training():
        model = ws.identity.train()
    render.model(model)


@app.command()
@guarded
def model(workspace: Workspace = Path(".")) -> None:
    """Show the probabilistic model builds use: what each kind of agreement weighs. / 查看概率匹配模型。"""
    with _open(workspace) as ws:
        render.model(ws.identity.model())


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


@app.command()
@guarded
def golden(query: Query, workspace: Workspace = Path(".")) -> None:
    """Show the golden record: each field's value, where it came from and the rule that chose it. / 显示黄金记录。"""
    with _open(workspace) as ws:
        render.golden_records(query, ws.identity.golden(query))


ItemId = Annotated[str, typer.Argument(help="review item id, from `huaxiang identity review` / 待审核项编号")]
Reason = Annotated[str, typer.Option("--reason", "-r", help="why (kept with the decision) / 决定的理由")]
NoBuild = Annotated[bool, typer.Option("--no-build", help="record only; the next build applies it / 只记录，下次识别时生效")]


@app.command()
@guarded
def review(workspace: Workspace = Path(".")) -> None:
    """List the review queue: links a guard-rail refused, who they would have merged, why. / 列出待审核的关联。"""
    with _open(workspace) as ws:
        render_review.items(ws.identity.review())


def _decide(workspace: Path, action: str, item: str, reason: str, no_build: bool) -> None:
    with _open(workspace) as ws:
        decision = getattr(ws.identity, action)(item, reason=reason, build=False)
        render_review.decided(decision, None if no_build else ws.identity.build())


@app.command()
@guarded
def accept(item: ItemId, reason: Reason = "", no_build: NoBuild = False, workspace: Workspace = Path(".")) -> None:
    """Accept a review item: its customers are one person (a merge decision), then rebuild. / 确认合并。"""
    _decide(workspace, "accept", item, reason, no_build)


@app.command()
@guarded
def reject(item: ItemId, reason: Reason = "", no_build: NoBuild = False, workspace: Workspace = Path(".")) -> None:
    """Reject a review item: different people, never merged (closes the item), then rebuild. / 确认不是同一人。"""
    _decide(workspace, "reject", item, reason, no_build)


@app.command()
@guarded
def split(customer: Annotated[str, typer.Argument(help="customer id or alias / 客户编号")],
          record: Annotated[list[str], typer.Option("--record", help="source/key of a record to take off (repeat) / "
                                                                     "要拆出的记录（来源/键，可重复）")],
          reason: Reason = "", no_build: NoBuild = False, workspace: Workspace = Path(".")) -> None:
    """Take records off a customer for good: they get a new id, the rest keeps it. / 拆分客户，且下次识别仍保持拆分。"""
    records = [tuple(r.split("/", 1)) if "/" in r else (r, "") for r in record]
    with _open(workspace) as ws:
        decision = ws.identity.split(customer, records, reason=reason, build=False)
        render_review.decided(decision, None if no_build else ws.identity.build())
