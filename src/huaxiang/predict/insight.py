"""One customer's predictions as staff read them: the next best action and why, churn risk and its
reasons, persona and fit, value, recommended products with their reasons, in the reader's language."""

from __future__ import annotations

from typing import Any

from huaxiang.predict.actions import render_reason
from huaxiang.predict.definitions import PredictDefinitions
from huaxiang.predict.recommend import REASONS


def _row(wh: Any, table: str, customer_id: str) -> dict[str, Any]:
    if not wh.has_table(table):
        return {}
    cur = wh.raw.execute(f"SELECT * FROM {table} WHERE customer_id = ?", [customer_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else {}


def insight(ws: Any, defs: PredictDefinitions, customer_id: str, lang: str) -> dict[str, Any]:
    wh = ws.warehouse
    profile = _row(wh, "profiles", customer_id)
    traits = {t.name: t for t in defs.profile.traits}
    label = lambda name: traits[name].label.get(lang) if name in traits else name  # noqa: E731
    out: dict[str, Any] = {}
    nba = _row(wh, "predicted_next_best_action", customer_id)
    actions = {a.name: a for a in defs.actions}
    if nba.get("action") in actions:
        action = actions[nba["action"]]
        out["action"] = {"name": action.name, "label": action.label.get(lang) or action.name,
                         "reason": render_reason(action, profile, lang),
                         "others": [actions[a].label.get(lang) or a for a in (nba.get("actions") or [])[1:] if a in actions]}
    for pred in defs.of_kind("churn")[:1]:
        churn = _row(wh, f"predicted_{pred.name}", customer_id)
        if churn.get("probability") is not None:
            out["churn"] = {"probability": churn["probability"], "band": churn.get("band"),
                            "reasons": [label(r) for r in churn.get("reasons") or []]}
    for pred in defs.of_kind("personas")[:1]:
        persona = _row(wh, f"predicted_{pred.name}", customer_id)
        if persona.get("persona_id"):
            names = {c["id"]: c for c in _cards(ws, pred.name)}
            card = names.get(persona["persona_id"], {})
            out["persona"] = {"id": persona["persona_id"], "fit": persona.get("fit"),
                              "name": card.get(f"name_{lang[:2]}") or persona.get("persona")}
    for pred in defs.of_kind("clv")[:1]:
        clv = _row(wh, f"predicted_{pred.name}", customer_id)
        if clv:
            out["clv"] = {k: clv.get(k) for k in ("clv_12m", "expected_orders_12m", "probability_alive", "next_purchase_at")}
    out["recommendations"] = _recommendations(wh, customer_id, lang)
    return out


def _cards(ws: Any, name: str) -> list[dict[str, Any]]:
    rows = ws.catalog.prediction_models(name, 1)
    return rows[0]["card"].get("personas", []) if rows else []


def _recommendations(wh: Any, customer_id: str, lang: str) -> list[dict[str, Any]]:
    if not wh.has_table("recommendations"):
        return []
    cur = wh.raw.execute("SELECT product_name, category, score, reason_code, because_name FROM recommendations "
                         "WHERE customer_id = ? ORDER BY rank", [customer_id])
    key = "zh" if lang.startswith("zh") else "en"
    return [{"product": name, "category": cat, "score": score,
             "reason": REASONS[code][key].format(because=because or "")}
            for name, cat, score, code, because in cur.fetchall()]
