"""Rich rendering of identity results."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.table import Table
from rich.text import Text

from huaxiang.cli.render import _counts_table, console, err_console, error
from huaxiang.i18n import t
from huaxiang.identity import BuildResult, Explanation, GoldenRecord, Match, TrainedModel


@contextlib.contextmanager
def spinner() -> Iterator[None]:
    with err_console.status(t("identity.building")):
        yield


@contextlib.contextmanager
def training() -> Iterator[None]:
    with err_console.status(t("match.training")):
        yield


def model(trained: TrainedModel | None) -> None:
    """Per comparison and level: m, u and the weight it adds (what EM learned from the data)."""
    if trained is None:
        console.print(t("match.no_model"))
        return
    console.print(t("match.model", id=trained.id, records=trained.records,
                    prior=trained.summary.get("prior_match_probability") or 0.0))
    table = Table()
    for key in ("match.comparison", "match.level", "match.m", "match.u", "match.weight"):
        table.add_column(t(key))
    for name, levels in trained.summary.items():
        if not isinstance(levels, list):
            continue
        for lv in levels:
            table.add_row(t(f"match.comparison.{name}"), t(f"match.level.{lv['level']}"),
                          _num(lv["m"]), _num(lv["u"]), "" if lv["weight"] is None else f"{lv['weight']:+.1f}")
    console.print(table)


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.3g}"


def build_result(result: BuildResult) -> None:
    console.print(t(f"identity.built.{result.step}", build=result.build, seconds=result.seconds))
    console.print(_counts_table(result.counts))


def scored(weight: float | None, evidence: dict[str, str]) -> str:
    """A scored pair: its match weight and the level of each comparison, in the user's language."""
    levels = ", ".join(f"{t('match.comparison.' + name)} {t('match.level.' + level)}" for name, level in evidence.items())
    return t("match.scored", weight=weight if weight is not None else float("nan"), levels=levels)


def _records_table(records: tuple | list, title: str = "") -> Table:
    table = Table(title=title or None)
    for key in ("load.source", "identity.key", "identity.name", "identity.phone", "identity.email",
                "identity.member_id"):
        table.add_column(t(key))
    for r in records:
        table.add_row(r.source, r.source_key, r.name or "", r.phone or "", r.email or "", r.member_id or "")
    return table


def matches(query: str, found: list[Match]) -> None:
    if not found:
        error(t("identity.not_found", query=query))
        return
    for m in found:
        console.print(t("identity.match", customer_id=m.customer_id, via=m.via, value=m.value))
        console.print(_records_table(m.records))


def explanations(query: str, found: list[Explanation]) -> None:
    if not found:
        error(t("identity.not_found", query=query))
        return
    for e in found:
        console.print(t("identity.customer", customer_id=e.customer_id, n=len(e.records)))
        if e.aliases:
            console.print(t("identity.aliases", aliases=", ".join(e.aliases)))
        console.print(_records_table(e.records))
        table = Table(title=t("identity.edges"))
        for key in ("identity.record_a", "identity.record_b", "identity.type", "identity.evidence"):
            table.add_column(t(key))
        for edge in e.edges:
            table.add_row("/".join(edge.a), "/".join(edge.b), edge.identifier_type,
                          Text(scored(edge.match_weight, edge.evidence) if edge.rule == "probabilistic" else edge.value))
        console.print(table)
        for source, key, kind, value in e.blocked:
            console.print(t("identity.blocked", record=f"{source}/{key}", type=kind, value=value), markup=False)
        for c in e.conflicts:
            key = "identity.conflict_decision" if c.check_name.startswith("decision:") else "identity.conflict"
            console.print(t(key, type=c.identifier_type, value=c.value, check=c.check_name, limit=c.max_allowed,
                            decision=c.check_name.removeprefix("decision:"), values=", ".join(c.found_values)),
                          markup=False)


def golden_records(query: str, found: list[GoldenRecord]) -> None:
    if not found:
        error(t("identity.not_found", query=query))
        return
    for record in found:
        table = Table(title=t("identity.golden", customer_id=record.customer_id))
        for key in ("identity.field", "identity.value", "identity.source_record", "identity.rule"):
            table.add_column(t(key))
        for f in record.fields.values():
            if f.source is not None:  # fields no record has a value for are left out
                table.add_row(f.field, Text(str(f.value)), Text(f"{f.source}/{f.source_key}"),
                              t(f"identity.rule.{f.rule}"))
        console.print(table)
