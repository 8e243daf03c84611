"""Personas as a prediction: discovered on the live profiles, ids kept from the last discovery.

Training discovers the personas (``personas.discover_personas``) with the previous model's state,
so ids stay stable, the user's edits (``personas/*.yml`` entries named after an id) as overrides,
and the rule-based personas (entries with ``rule``) evaluated by the engine first. The cards and
the state are the model; scoring discovers again from that state (same ids for the same groups)
and writes each customer's persona, fit and id.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from huaxiang.predict import personas as P
from huaxiang.predict.runs import RunContext, register
from huaxiang.predict.targets import population

#: list or text traits whose over-represented values a card shows as goals and pain points
GOALS = ("shopping_motivation", "stated_favourite_category")
PAIN_POINTS = ("pain_points", "last_complaint_topic")  # from what complaints say, not every contact reason


def _settings(pred: Any) -> P.DiscoverySettings:
    keys = {f for f in P.DiscoverySettings.__dataclass_fields__}
    return P.DiscoverySettings(**{k: v for k, v in pred.options.items() if k in keys})


def discover(ctx: RunContext, pred: Any, previous: dict | None) -> P.PersonaResult:
    traits = ctx.defs.profile.traits
    names = pred.features or [n for n in P.DEFAULT_FEATURES if any(t.name == n for t in traits)]
    specs = P.feature_specs(traits, names)
    have = {t.name for t in traits}
    goals = [c for c in GOALS if c in have]
    pains = [c for c in PAIN_POINTS if c in have]
    table = ctx.table(None)
    frame = table.select("customer_id", *names, *[c for c in goals + pains if c not in names]).order_by(
        "customer_id").to_pandas()
    rules, overrides = [], {}
    for persona in sorted(ctx.defs.personas, key=lambda p: (p.priority, p.name)):
        if persona.rule:
            who = population(table, persona.rule, ctx.end).to_pandas()["customer_id"]
            rules.append(P.PersonaRule(persona.name, persona.label.zh or persona.name, persona.label.en or persona.name,
                                       frame["customer_id"].isin(who).to_numpy()))
        else:
            overrides[persona.name] = _override(persona)
    return P.discover_personas(frame, specs, rules=rules, previous=previous, overrides=overrides, goals=goals,
                               pain_points=pains, settings=_settings(pred))


def _override(persona: Any) -> dict[str, str]:
    fields = {"name_zh": persona.label.zh, "name_en": persona.label.en, "narrative_zh": persona.narrative.zh,
              "narrative_en": persona.narrative.en, "description_zh": persona.description.zh,
              "description_en": persona.description.en}
    return {k: v for k, v in fields.items() if v}


def _previous(ctx: RunContext, name: str) -> dict | None:
    import pickle

    row = next(iter(ctx.ws.catalog.prediction_models(name, 1, with_model=True)), None)
    return pickle.loads(row["model"])["state"] if row else None


def train_personas(ctx: RunContext, pred: Any) -> tuple[dict[str, Any], Any]:
    ctx.progress(f"{pred.name}: clustering")
    return _card(pred, discover(ctx, pred, _previous(ctx, pred.name)))


def _card(pred: Any, result: P.PersonaResult) -> tuple[dict[str, Any], Any]:
    card = {"metrics": {"k": result.k, "silhouette": result.silhouette[result.k] if result.k in result.silhouette else None,
                        "silhouette_by_k": {str(k): round(v, 4) for k, v in result.silhouette.items()},
                        "customers": int(len(result.assignments))},
            "features": [f for f in (pred.features or list(P.DEFAULT_FEATURES)) if f not in result.dropped],
            "changes": result.changes, "personas": [c.to_dict() for c in result.cards]}
    return card, {"state": result.state, "cards": [c.to_dict() for c in result.cards]}


def score_personas(ctx: RunContext, pred: Any, fitted: Any) -> pd.DataFrame:
    """Discover again from the stored state and keep the new cards as the newest model (same ids for the
    same groups), so that ``huaxiang personas`` shows the cards of the personas customers now have."""
    import pickle

    result = discover(ctx, pred, fitted["state"])
    card, model = _card(pred, result)
    card = {**card, "prediction": pred.name, "kind": pred.kind, "data_end": str(ctx.end), "rediscovered": True}
    ctx.ws.catalog.add_prediction_model(pred.name, pred.kind, card, pickle.dumps(model))
    names = {c.id: (c.name_zh if ctx.ws.config.locale == "zh" else c.name_en) for c in result.cards}
    out = result.assignments.rename(columns={"persona": "persona_id"})
    out["persona"] = out["persona_id"].map(names)
    out["fit"] = np.clip(out["fit"].to_numpy(float), 0.0, 1.0)
    return out


register("personas", train_personas, score_personas)
