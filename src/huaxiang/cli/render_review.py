"""Rich rendering of the identity review queue and of manual decisions."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from huaxiang.cli.render import console
from huaxiang.cli.render_identity import build_result, scored
from huaxiang.i18n import t
from huaxiang.identity import BuildResult, Decision, ReviewItem


def _reason(c) -> str:
    return t("review.reason", stage=t(f"review.stage.{c.stage}"), check=c.check_name, limit=c.max_allowed,
             values=", ".join(c.found_values))


def items(found: list[ReviewItem]) -> None:
    if not found:
        console.print(t("review.empty"))
        return
    table = Table(title=t("review.title", n=len(found)), show_lines=True)
    for key in ("review.item", "identity.type", "identity.evidence", "review.why", "review.customers"):
        table.add_column(t(key))
    for item in found:
        who = "\n".join(f"{c.customer_id}: " + ", ".join(f"{r.source}/{r.source_key}" + (f" {r.name}" if r.name else "")
                                                         for r in c.records) for c in item.customers)
        why = [_reason(c) for c in item.reasons]
        if item.match_weight is not None:
            why.insert(0, scored(item.match_weight, item.evidence))
        table.add_row(item.item_id, item.identifier_type, Text(item.value), Text("\n".join(why)), Text(who))
    console.print(table)
    console.print(t("review.hint"))


def decided(decision: Decision, result: BuildResult | None) -> None:
    groups = " | ".join(", ".join(f"{s}/{k}" for s, k in g) for g in decision.records)
    console.print(t(f"review.decided.{decision.kind}", id=decision.id, item=decision.item_id or "",
                    customer=decision.customer_id or ""))
    console.print(Text(groups))
    if result is not None:
        build_result(result)
    else:
        console.print(t("review.not_built"))
