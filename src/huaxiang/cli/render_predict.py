"""Rich rendering of predictions, model cards, persona cards and a customer's insight, in the chosen language."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from rich.panel import Panel
from rich.table import Table

from huaxiang.cli.render import console, err_console
from huaxiang.i18n import language, t


@contextmanager
def progress(key: str) -> Iterator[Callable[[str], None]]:
    """A spinner whose text follows the run's steps (snapshots, fits)."""
    with err_console.status(t(key)) as status:
        yield lambda step: status.update(f"{t(key)} {step}")


def _lang() -> str:
    return "zh" if language().startswith("zh") else "en"


def main_metric(kind: str, metrics: dict[str, Any]) -> str:
    if kind == "clv" and metrics.get("ratio") is not None:
        return t("predict.metric.clv", ratio=metrics["ratio"], corr=metrics.get("correlation") or 0)
    if kind == "personas":
        return t("predict.metric.personas", k=metrics.get("k", 0), silhouette=metrics.get("silhouette") or 0)
    if metrics.get("auc") is not None:
        return t("predict.metric.auc", auc=metrics["auc"], top=metrics.get("top_decile_precision") or 0)
    return "–"


def baseline(card: dict[str, Any]) -> str:
    b = card.get("baseline")
    if not b:
        return "–"
    return t("predict.baseline.alive", alive=b["probability_alive"]["auc"], expected=b["expected_purchases"]["auc"])


def trained(rows: list[Any]) -> None:
    table = Table(title=t("predict.trained_title"))
    for key in ("prediction", "kind", "model", "metric", "baseline", "seconds"):
        table.add_column(t(f"predict.col.{key}"))
    for r in rows:
        table.add_row(r.prediction, r.kind, str(r.model_id), main_metric(r.kind, r.card.get("metrics", {})),
                      baseline(r.card), f"{r.seconds:.1f}")
    console.print(table)


def scored(rows: list[Any]) -> None:
    table = Table(title=t("predict.scored_title"))
    for key in ("prediction", "model", "customers", "seconds"):
        table.add_column(t(f"predict.col.{key}"))
    for r in rows:
        table.add_row(r.prediction, str(r.model_id or "–"), f"{r.customers:,}", f"{r.seconds:.1f}")
    console.print(table)


def models(rows: list[dict[str, Any]]) -> None:
    table = Table(title=t("predict.list.title"))
    for key in ("model", "prediction", "kind", "trained_at", "metric"):
        table.add_column(t(f"predict.col.{key}"))
    for r in rows:
        table.add_row(str(r["id"]), r["prediction"], r["kind"], f"{r['at']:%Y-%m-%d %H:%M}",
                      main_metric(r["kind"], r["card"].get("metrics", {})))
    console.print(table)


def report(card: dict[str, Any]) -> None:
    console.print(Panel(t("predict.report.trained", at=card.get("trained_at", "–"), who=card.get("trained_by", "–"),
                          end=card.get("data_end", "–"), horizon=card.get("horizon", "–")),
                        title=t("predict.report.title", name=card["prediction"], model_id=card["model_id"],
                                kind=card["kind"])))
    if card.get("windows"):
        console.print(f"[bold]{t('predict.report.windows')}[/]: " + "; ".join(
            f"{k} {v['from']} → {v['to']}" if isinstance(v, dict) else f"{k} {v}" for k, v in card["windows"].items()))
    features = card.get("features", [])
    console.print(f"[bold]{t('predict.report.features', n=len(features))}[/]: " + ", ".join(features[:40])
                  + (" …" if len(features) > 40 else ""))
    metrics = dict(card.get("metrics", {}))
    console.print(f"[bold]{t('predict.report.metrics')}[/]: {main_metric(card['kind'], metrics)}")
    scalars = {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and v is not None}
    console.print("  " + ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in scalars.items()))
    if card.get("baseline"):
        console.print(f"[bold]{t('predict.report.baseline')}[/]: {baseline(card)}")
    _calibration(metrics)
    _by_repeat(metrics)
    if card.get("weights"):
        console.print(f"[bold]{t('predict.report.weights')}[/]: " + ", ".join(
            f"{w['trait']} {w['weight']:+.3f}" for w in card["weights"][:10]))
    if card.get("parameters"):
        console.print(f"[bold]{t('predict.report.parameters')}[/]: {card['parameters']}")


def _calibration(metrics: dict[str, Any]) -> None:
    _bins(t("predict.report.calibration"), metrics.get("calibration"), "bin", "observed")


def _by_repeat(metrics: dict[str, Any]) -> None:
    _bins(t("predict.report.by_repeat"), metrics.get("by_repeat_purchases"), "repeat_purchases", "actual")


def _bins(title: str, rows: list[dict[str, Any]] | None, key: str, observed: str) -> None:
    """Predicted against observed, one row per bin (calibration, purchases by history)."""
    if not rows:
        return
    table = Table(title=title)
    for col in ("bin", "n", "predicted", "observed"):
        table.add_column(t(f"predict.report.{col}"), justify="right")
    for r in rows:
        table.add_row(str(r[key]), f"{r['n']:,}", f"{r['predicted']:.3f}", f"{r[observed]:.3f}")
    console.print(table)


def plots(paths: list[Path]) -> None:
    if paths:
        console.print(t("predict.report.plots", paths=", ".join(str(p) for p in paths)))


def persona_list(cards: list[dict[str, Any]]) -> None:
    lang = _lang()
    table = Table(title=t("personas.title", n=len(cards)))
    for key in ("id", "name", "size", "share", "traits"):
        table.add_column(t(f"personas.col.{key}"))
    for c in cards:
        table.add_row(c["id"], c[f"name_{lang}"], f"{c['size']:,}", f"{c['share']:.1%}",
                      "、".join(s[f"phrase_{lang}"] for s in c["key_stats"][:3]) if lang == "zh"
                      else ", ".join(s[f"phrase_{lang}"] for s in c["key_stats"][:3]))
    console.print(table)


def persona_card(c: dict[str, Any]) -> None:
    lang = _lang()
    stats = Table(title=t("personas.key_stats"), show_header=False, box=None)
    for s in c["key_stats"]:
        what = s[f"label_{lang}"] + (f" = {s['value']}" if s.get("value") else "")
        stats.add_row(what, _num(s["member"], s["kind"]), _num(s["base"], s["kind"]),
                      f"×{s['lift']:.2f}" if s.get("lift") else "")
    body = [c[f"narrative_{lang}"], ""]
    for key, items in (("personas.goals", c["goals"]), ("personas.pain_points", c["pain_points"])):
        if items:
            body.append(f"{t(key)}: " + ", ".join(f"{m[f'label_{lang}']} {m['member_share']:.0%}" for m in items))
    body.append(f"{t('personas.typical')}: " + ", ".join(c["typical_members"]))
    console.print(Panel("\n".join(body), title=f"{c['id']} · {c[f'name_{lang}']} · {c['size']:,} ({c['share']:.1%})"))
    console.print(stats)


def _num(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    return f"{value:.0%}" if kind == "category" else f"{value:,.2f}"


def renamed(persona: Any) -> None:
    console.print(t("personas.renamed", id=persona.name, zh=persona.label.zh or "–", en=persona.label.en or "–"))


def insight(found: dict[str, Any]) -> None:
    """The predictions panel under a profile card."""
    lines = []
    if found.get("action"):
        a = found["action"]
        lines.append(f"[bold green]{t('insight.action')}[/]: {a['label']} — {a['reason']}")
    if found.get("churn"):
        c = found["churn"]
        reasons = "、".join(c["reasons"]) if _lang() == "zh" else ", ".join(c["reasons"])
        lines.append(f"{t('insight.churn')}: {c['probability']:.0%} ({c['band']})"
                     + (f"; {t('insight.reasons')}: {reasons}" if reasons else ""))
    if found.get("persona"):
        p = found["persona"]
        lines.append(f"{t('insight.persona')}: {p['name']} ({p['id']}, {t('insight.fit')} {p['fit'] or 0:.0%})")
    if found.get("clv") and found["clv"].get("clv_12m") is not None:
        lines.append(f"{t('insight.clv')}: {found['clv']['clv_12m']:,.0f}")
    for r in found.get("recommendations", [])[:5]:
        lines.append(f"  · {r['product']} ({r['category']}) — {r['reason']}")
    if found.get("recommendations"):
        lines.insert(len(lines) - min(5, len(found["recommendations"])), f"{t('insight.recommendations')}:")
    console.print(Panel("\n".join(lines) or t("insight.none"), title=t("insight.title")))
