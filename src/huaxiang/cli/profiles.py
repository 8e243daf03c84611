"""`huaxiang build`, `huaxiang profile`, `huaxiang tags …`, `huaxiang segments …`: thin commands over ws.profiles / tags / segments."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from huaxiang.cli.options import Workspace
from huaxiang.cli.options import open_workspace as _open
from huaxiang.cli import render_profiles as render
from huaxiang.cli.errors import guarded

Query = Annotated[str, typer.Argument(help="phone, e-mail, member id, customer id… / 手机号、邮箱、会员号、客户编号…")]
Page = Annotated[int, typer.Option(min=1, help="page number / 页码")]
Size = Annotated[int, typer.Option(min=1, max=10_000, help="rows per page / 每页行数")]
Traits = Annotated[Optional[str], typer.Option(help="traits to show, comma-separated / 要显示的特征，逗号分隔")]

tags_app = typer.Typer(no_args_is_help=True, help="Tags: rule tags and manual tags. / 标签。")
segments_app = typer.Typer(no_args_is_help=True, help="Segments: dynamic and static audiences. / 客户分群。")


class Engine(str, Enum):
    duckdb = "duckdb"
    spark = "spark"


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def build(full: Annotated[bool, typer.Option("--full", help="recompute every customer, not only those new data touched / 全量计算")] = False,
          as_of: Annotated[Optional[datetime], typer.Option("--as-of", help="a snapshot as of this time (UTC), from data before it / 历史快照时间")] = None,
          engine: Annotated[Optional[Engine], typer.Option(help="duckdb | spark (default: huaxiang.yml)")] = None,
          workspace: Workspace = Path(".")) -> None:
    """Compute every trait, then tags and segments. / 计算画像特征、标签与分群。"""
    with _open(workspace) as ws, render.spinner():
        result = ws.profiles.build(full=full, as_of=as_of, engine=engine.value if engine else None)
    render.build_result(result)


def profile(query: Query, workspace: Workspace = Path(".")) -> None:
    """A customer's 360° profile card: traits by dimension, tags, segments. / 客户360°画像卡片。"""
    from huaxiang.cli import render_predict
    from huaxiang.i18n import language

    with _open(workspace) as ws:
        found = ws.profiles.get(query)
        render.cards(found, query)
        if len(found) == 1 and found[0].traits:
            render_predict.insight(ws.predictions.insight(found[0].customer_id, language()))


@tags_app.command("list")
@guarded
def tags_list(workspace: Workspace = Path(".")) -> None:
    """Every tag with its category and member count. / 列出标签。"""
    with _open(workspace) as ws:
        render.tag_list(ws.tags.list())


@tags_app.command()
@guarded
def assign(customer: Query, tag: Annotated[str, typer.Argument(help="tag name or label / 标签名")],
           note: Annotated[str, typer.Option(help="why / 备注")] = "", workspace: Workspace = Path(".")) -> None:
    """Give a customer a manual tag (who and when are kept; members update on the next build). / 手动打标签。"""
    with _open(workspace) as ws:
        render.assigned(ws.tags.assign(customer, tag, note=note), customer, tag)


@tags_app.command()
@guarded
def remove(customer: Query, tag: Annotated[str, typer.Argument(help="tag name or label / 标签名")],
           workspace: Workspace = Path(".")) -> None:
    """Take a manual tag off a customer. / 移除手动标签。"""
    with _open(workspace) as ws:
        render.removed(ws.tags.remove(customer, tag), customer, tag)


@tags_app.command("members")
@guarded
def tag_members(tag: Annotated[str, typer.Argument(help="tag name or label / 标签名")], page: Page = 1, size: Size = 20,
                workspace: Workspace = Path(".")) -> None:
    """Customers with the tag, a page at a time. / 标签成员。"""
    with _open(workspace) as ws:
        render.members(ws.tags.members(tag, page=page, size=size), tag)


@segments_app.command("list")
@guarded
def segments_list(workspace: Workspace = Path(".")) -> None:
    """Every segment with its kind and size. / 列出分群。"""
    with _open(workspace) as ws:
        render.segment_list(ws.segments.list())


@segments_app.command("members")
@guarded
def segment_members(segment: Annotated[str, typer.Argument(help="segment name or label / 分群名")], page: Page = 1,
                    size: Size = 20, traits: Traits = None, workspace: Workspace = Path(".")) -> None:
    """Members of a segment, a page at a time, with chosen traits. / 分群成员。"""
    with _open(workspace) as ws:
        render.members(ws.segments.members(segment, page=page, size=size, traits=_names(traits)), segment)


@segments_app.command()
@guarded
def overlap(segments: Annotated[list[str], typer.Argument(help="two or more segments / 两个或以上分群")],
            workspace: Workspace = Path(".")) -> None:
    """How many members each pair of segments shares. / 分群重叠。"""
    with _open(workspace) as ws:
        render.overlap(ws.segments.overlap(segments))


@segments_app.command()
@guarded
def export(segment: Annotated[str, typer.Argument(help="segment name or label / 分群名")],
           file: Annotated[Path, typer.Argument(help=".csv or .parquet")], traits: Traits = None,
           workspace: Workspace = Path(".")) -> None:
    """Write the members with chosen traits to CSV or Parquet. / 导出分群成员。"""
    with _open(workspace) as ws:
        render.exported(ws.segments.export(segment, file, traits=_names(traits)), file)


@segments_app.command()
@guarded
def changes(segment: Annotated[str, typer.Argument(help="segment name or label / 分群名")],
            limit: Annotated[int, typer.Option(min=1)] = 50, workspace: Workspace = Path(".")) -> None:
    """Entries and exits, newest first. / 分群进出记录。"""
    with _open(workspace) as ws:
        render.changes(ws.segments.changes(segment, limit))


@segments_app.command()
@guarded
def refresh(segment: Annotated[str, typer.Argument(help="a static segment / 静态分群")],
            workspace: Workspace = Path(".")) -> None:
    """Take a static segment again on the next build. / 重新生成静态分群。"""
    with _open(workspace) as ws:
        ws.segments.refresh(segment)
    render.refreshed(segment)


def register(app: typer.Typer) -> None:
    app.command()(guarded(build))
    app.command()(guarded(profile))
    app.add_typer(tags_app, name="tags")
    app.add_typer(segments_app, name="segments")
