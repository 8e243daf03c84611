"""Rich rendering of profile builds, profile cards, tags and segments, in the chosen language."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from rich.columns import Columns
from rich.panel import Panel
from rich.table import Table

from huaxiang.cli.render import console, err_console
from huaxiang.domain.traits import DIMENSIONS
from huaxiang.i18n import language, t


@contextmanager
def spinner() -> Iterator[None]:
    with err_console.status(t("profiles.building")):
        yield


def _label(localized: Any, fallback: str) -> str:
    return (localized.get(language()) if localized is not None else "") or fallback


def _local(value: datetime, tz: str) -> str:
    local = value.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%d %H:%M")


def value_text(value: Any, unit: str = "", tz: str = "UTC") -> str:
    """A trait value as people read it: local times, rounded numbers, lists joined, empty as –."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return t("value.yes") if value else t("value.no")
    if isinstance(value, datetime):
        return _local(value, tz)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        text = f"{value:.1%}" if unit == "%" else f"{value:,.2f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, (list, tuple)):
        text = t("value.list_sep").join(str(v) for v in value) or "–"
    else:
        text = str(value)
    return f"{text} {unit}" if unit and unit != "%" else text


def build_result(result: Any) -> None:
    console.print(t(f"profiles.built.{result.kind}", customers=result.customers, traits=result.traits,
                    seconds=result.seconds, table=result.table, engine=result.engine, build=result.build))
    counts = result.counts
    if counts.get("tags") is not None and result.kind != "snapshot":
        console.print(t("profiles.built.members", tags=len(counts.get("tags", {})), segments=len(counts.get("segments", {})),
                        changes=counts.get("membership_changes", 0)))
    if counts.get("store") == "written":
        console.print(t("profiles.built.store", seconds=counts.get("seconds_store", 0)))


def cards(found: list[Any], query: str) -> None:
    if not found:
        console.print(t("profiles.not_found", query=query))
        return
    for card in found:
        _card(card)


def _card(card: Any) -> None:
    title = t("profiles.card_title", customer=card.customer_id,
              as_of=_local(card.as_of, card.timezone) if card.as_of else "–")
    if not card.traits:
        console.print(Panel(t("profiles.not_built"), title=title))
        return
    panels = []
    for dim in DIMENSIONS:
        rows = card.traits.get(dim)
        if not rows:
            continue
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="dim")
        table.add_column()
        for trait, value in rows:
            table.add_row(_label(trait.label, trait.name), value_text(value, trait.unit, card.timezone))
        panels.append(Panel(table, title=t(f"dimension.{dim}"), expand=True))
    console.print(Panel(Columns(panels, equal=True, expand=True), title=title))
    tags = "  ".join(f"[bold cyan]{_label(x['label'], x['name'])}[/]" + (" ✋" if x["source"] == "manual" else "")
                     for x in card.tags) or "–"
    segments = "  ".join(f"[bold magenta]{_label(x['label'], x['name'])}[/]" for x in card.segments) or "–"
    console.print(f"{t('profiles.tags')}: {tags}")
    console.print(f"{t('profiles.segments')}: {segments}")


def tag_list(rows: list[dict[str, Any]]) -> None:
    table = Table(title=t("tags.title"))
    for key in ("tags.name", "tags.label", "tags.category", "tags.kind", "tags.members", "tags.rule"):
        table.add_column(t(key))
    for r in rows:
        table.add_row(r["name"], _label(r["label"], r["name"]), r["category"], t(f"tags.kind.{r['kind']}"),
                      f"{r['members']:,}", r["rule"] or "")
    console.print(table)


def segment_list(rows: list[dict[str, Any]]) -> None:
    table = Table(title=t("segments.title"))
    for key in ("tags.name", "tags.label", "segments.kind", "tags.members", "segments.condition"):
        table.add_column(t(key))
    for r in rows:
        table.add_row(r["name"], _label(r["label"], r["name"]), t(f"segments.kind.{r['kind']}"), f"{r['members']:,}",
                      r["condition"])
    console.print(table)


def members(page: Any, name: str) -> None:
    table = Table(title=t("members.title", name=name, total=page.total, page=page.page, pages=page.pages))
    columns = list(page.rows[0]) if page.rows else ["customer_id", "since"]
    for col in columns:
        table.add_column(t(f"members.{col}") if col in ("customer_id", "since") else col)
    for row in page.rows:
        table.add_row(*[value_text(row[c]) for c in columns])
    console.print(table)


def overlap(pairs: dict[tuple[str, str], int]) -> None:
    names = sorted({a for a, _ in pairs})
    table = Table(title=t("segments.overlap"))
    table.add_column("")
    for n in names:
        table.add_column(n, justify="right")
    for a in names:
        table.add_row(a, *[f"{pairs.get((a, b), 0):,}" for b in names])
    console.print(table)


def exported(rows: int, file: Path) -> None:
    console.print(t("segments.exported", rows=rows, file=file))


def changes(rows: list[dict[str, Any]]) -> None:
    table = Table(title=t("segments.changes"))
    for key in ("members.customer_id", "changes.change", "changes.at", "changes.build", "changes.reason"):
        table.add_column(t(key))
    for r in rows:
        table.add_row(r["customer_id"], t(f"changes.{r['change']}"), value_text(r["changed_at"]), str(r["build"]), r["reason"])
    console.print(table)


def refreshed(segment: str) -> None:
    console.print(t("segments.refreshed", segment=segment))


def assigned(done: bool, customer: str, tag: str) -> None:
    console.print(t("tags.assigned" if done else "tags.already", customer=customer, tag=tag))


def removed(done: bool, customer: str, tag: str) -> None:
    console.print(t("tags.removed" if done else "tags.not_assigned", customer=customer, tag=tag))
