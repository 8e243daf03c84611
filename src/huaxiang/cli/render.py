"""Rich rendering of use-case results for the terminal, in the chosen language."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from huaxiang.definitions.plan import Plan
from huaxiang.i18n import t

console = Console()
err_console = Console(stderr=True)


def say(text: str) -> None:
    console.print(text)


def error(message: str, details: list[str] | None = None) -> None:
    err_console.print(f"[bold red]{t('error.prefix')}[/] {message}")
    for line in details or []:
        err_console.print(f"  • {line}", markup=False)


def _impact(i: Any) -> str:
    if i is None:
        return ""
    if i.enter is None:
        return t("plan.needs_build")
    return t("plan.impact", enter=i.enter, leave=i.leave, members=i.members)


def plan(p: Plan, *, applied: bool, impact: dict | None = None) -> None:
    table = Table(title=t("plan.applied" if applied else "plan.title"))
    columns = ["plan.kind", "plan.name", "plan.action", "plan.version", "plan.file", "plan.keys"]
    for col in columns + (["plan.members"] if impact else []):
        table.add_column(t(col))
    styles = {"create": "green", "update": "yellow", "delete": "red", "unchanged": "dim"}
    for c in p.changes:
        cells = [c.kind, c.name, f"[{styles[c.action]}]{t('plan.' + c.action)}[/]", str(c.version or ""),
                 c.file, ", ".join(c.changed_keys)]
        if impact:
            cells.append(_impact(impact.get((c.kind, c.name))))
        table.add_row(*cells)
    console.print(table)
    s = p.summary()
    console.print(t("plan.summary", **s))
    if not applied and p.pending:
        console.print(t("plan.next"))


class LoadProgress:
    """A progress bar per load stage (read / standardize / store)."""

    def __init__(self, label: str):
        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  DownloadColumn(), TimeElapsedColumn(), console=err_console, transient=True)
        self._label = label
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> "LoadProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, stage: str, done: int, total: int | None) -> None:
        if stage not in self._tasks:
            for task in self._tasks.values():
                self._progress.update(task, completed=self._progress.tasks[task].total or 1, total=self._progress.tasks[task].total or 1)
            self._tasks[stage] = self._progress.add_task(f"{self._label}: {t('progress.' + stage)}", total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)


class StepProgress:
    """Progress over named steps (the demo): progress(label, done, total)."""

    def __init__(self):
        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                  console=err_console, transient=False)
        self._task: int | None = None

    def __enter__(self) -> "StepProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if self._task is None:
            self._task = self._progress.add_task(label, total=total)
        self._progress.update(self._task, description=label, completed=done, total=total)


def _counts_table(counts: dict[str, int]) -> Table:
    table = Table(show_header=False, box=None)
    for key, value in counts.items():
        table.add_row(t("count." + key), f"{value:,}")
    return table


def load_result(result: Any) -> None:
    console.print(t("import.done", source=result.source, load_id=result.load_id))
    console.print(_counts_table(result.counts))
    cols = result.report.get("columns", [])
    if any(c["invalid"] for c in cols):
        console.print(columns_table(cols))


def columns_table(cols: list[dict[str, Any]], title: str = "") -> Table:
    table = Table(title=title or None)
    for key in ("quality.column", "quality.null_rate", "quality.validity", "quality.invalid", "quality.reasons"):
        table.add_column(t(key))
    for c in cols:
        validity = c.get("validity")
        table.add_row(c["column"], f"{c['null_rate']:.1%}", "" if validity is None else f"{validity:.1%}",
                      f"{c['invalid']:,}", ", ".join(f"{k} ×{v}" for k, v in (c.get("reasons") or {}).items()))
    return table


def load_report(report: dict[str, Any] | None, load_id: str) -> None:
    if report is None:
        error(t("quality.no_report", load_id=load_id))
        return
    console.print(t("quality.load_title", load_id=load_id, source=report["source"], file=report["file"]))
    console.print(_counts_table(report.get("counts", {})))
    if report.get("error"):
        error(report["error"]["message"], report["error"].get("details"))
    for reason, n in (report.get("bad_rows") or {}).items():
        console.print(f"  {t('quality.bad_row')}: {reason} ×{n}", markup=False)
    console.print(columns_table(report.get("columns", [])))


def source_report(r: dict[str, Any]) -> None:
    stored = r["stored"]
    console.print(t("quality.source_title", source=r["source"], kind=r["kind"], rows=stored["rows"],
                    table=stored.get("table", ""), quarantined=stored.get("quarantined", 0)))
    latest = r.get("latest_report")
    if latest:
        console.print(columns_table(latest.get("columns", []), t("quality.latest_load")))


def loads(rows: list[dict[str, Any]]) -> None:
    table = Table(title=t("quality.loads"))
    for key in ("load.id", "load.source", "load.status", "load.started", "count.read", "count.stored",
                "count.quarantined", "count.rejected"):
        table.add_column(t(key))
    for r in rows:
        c = r.get("counts") or {}
        style = {"succeeded": "green", "rejected": "red", "failed": "red"}.get(r["status"], "")
        table.add_row(r["load_id"], r["source"], f"[{style}]{t('status.' + r['status'])}[/]",
                      r["started_at"].strftime("%Y-%m-%d %H:%M:%S"), *(f"{c.get(k, 0):,}" for k in
                                                                      ("read", "stored", "quarantined", "rejected")))
    console.print(table)


def status(s: dict[str, Any]) -> None:
    console.print(t("status.title", name=s["name"], root=s["root"]))
    console.print(t("status.sources", sources=", ".join(s["sources"]) or "-"))
    table = Table(title=t("status.tables"))
    table.add_column(t("status.table"))
    table.add_column(t("status.rows"), justify="right")
    for name, n in s["tables"].items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    loads(s["loads"])


def demo_summary(summary: dict[str, Any]) -> None:
    console.print(t("demo.built", path=summary["path"], customers=summary["customers"],
                    seconds=summary["seconds"]))
    table = Table(title=t("status.tables"))
    table.add_column(t("status.table"))
    table.add_column(t("status.rows"), justify="right")
    for name, n in summary["tables"].items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    table = Table(title=t("demo.loads"))
    for key in ("load.source", "count.read", "count.stored", "count.quarantined", "demo.invalid_values"):
        table.add_column(t(key))
    for r in summary["loads"]:
        table.add_row(r["source"], f"{r['read']:,}", f"{r['stored']:,}", f"{r['quarantined']:,}", f"{r['invalid']:,}")
    console.print(table)
    examples = summary.get("examples") or {}
    if examples.get("rows"):
        table = Table(title=t("demo.examples", source=examples["source"]))
        for header, column in examples["columns"]:
            table.add_column(f"{header} → {column}")
        for row in examples["rows"]:
            table.add_row(*(f"{before or '∅'}\n→ {after or '∅'}" for before, after in row))
        console.print(table)
    if summary.get("identity"):
        console.print(t("demo.identity", **summary["identity"]))
    profiles = summary.get("profiles")
    if profiles:
        from huaxiang.cli import render_profiles

        console.print(t("demo.profiles", customers=profiles["customers"], traits=profiles["traits"],
                        tags=len(profiles["tags"]), segments=len(profiles["segments"]), seconds=profiles["seconds"]))
        if profiles.get("example") is not None:
            render_profiles.cards([profiles["example"]], "")
    console.print(t("demo.next", path=summary["path"]))
