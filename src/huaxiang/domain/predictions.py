"""Predictions, next best actions and personas (DESIGN §7 "predicted"), as validated data.

A file under ``predictions/`` holds predictions and actions; a file under ``personas/`` holds
edits of discovered personas and rule-based personas::

    predictions:
      - name: churn
        kind: churn                 # clv | churn | propensity | referral | lead_score | personas
        horizon: 90d                # the label window after a cutoff (and the scoring horizon)
        features: []                # traits the model reads; empty: every numeric trait
    actions:
      - name: win_back
        label: {zh: 挽回优惠, en: Win-back offer}
        priority: 10                # the lowest number wins when several apply
        condition: churn_risk >= 0.6 and monetary_lifetime > 1000
        reason: {zh: "流失风险 {churn_risk:.0%}", en: "Churn risk {churn_risk:.0%}"}
    personas:
      - name: P03                   # a discovered persona's id: renames it, its text survives rebuilds
        label: {zh: 数码达人, en: Digital pro}
      - name: vip_corporate         # a rule-based persona: customers matching the rule, first rule first
        label: {zh: 企业大客户, en: Corporate VIP}
        rule: company is not null and monetary_365d > 50000

A prediction's outputs are traits of kind ``predicted`` (``predicted: {prediction: churn, output:
probability}``); which outputs each kind has is ``OUTPUTS``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from huaxiang.domain.sources import Localized
from huaxiang.domain.traits import NAME, parse_duration

Kind = Literal["clv", "churn", "propensity", "referral", "lead_score", "personas"]

#: prediction kind -> its outputs (what a ``predicted`` trait may name) and their dtypes
OUTPUTS: dict[str, dict[str, str]] = {
    "clv": {"clv_12m": "float64", "expected_orders_12m": "float64", "probability_alive": "float64",
            "expected_spend": "float64", "next_purchase_at": "timestamp"},
    "churn": {"probability": "float64", "band": "string", "reasons": "list<string>"},
    "propensity": {"top_category": "string", "probability": "float64", "categories": "list<string>"},
    "referral": {"probability": "float64", "band": "string", "reasons": "list<string>"},
    "lead_score": {"score": "int64", "probability": "float64", "reasons": "list<string>"},
    "personas": {"persona": "string", "fit": "float64", "persona_id": "string"},
    "next_best_action": {"action": "string", "reason": "string", "actions": "list<string>"},
}
#: the outputs of the next best actions, which every workspace has (``actions`` in ``predictions/``)
ACTIONS = "next_best_action"


class Prediction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME, max_length=63)
    label: Localized = Localized()
    description: Localized = Localized()
    kind: Kind
    horizon: str = "90d"
    features: list[str] = []
    options: dict[str, Any] = {}
    owner: str = ""

    @field_validator("horizon")
    @classmethod
    def _duration(cls, v: str) -> str:
        parse_duration(v)
        return v

    @property
    def horizon_days(self) -> int:
        return max(1, parse_duration(self.horizon).days)


_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?::[^}]*)?\}")


class Action(BaseModel):
    """A next best action for sales and service staff: when it applies and why, in zh and en."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME, max_length=63)
    label: Localized = Localized()
    description: Localized = Localized()
    priority: int = 100
    condition: str
    reason: Localized = Localized()  # a template: ``{trait}`` or ``{trait:.0%}`` are filled per customer
    owner: str = ""

    def placeholders(self) -> set[str]:
        """The traits the reason's templates name."""
        return {m.group(1) for text in (self.reason.zh, self.reason.en) for m in _PLACEHOLDER.finditer(text)}


class Persona(BaseModel):
    """A rule-based persona (with ``rule``), or the user's edit of a discovered one (its id as name)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=63)
    label: Localized = Localized()
    description: Localized = Localized()
    narrative: Localized = Localized()
    rule: str | None = None
    priority: int = 100
    owner: str = ""


class PredictionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    predictions: list[Prediction] = []
    actions: list[Action] = []


class PersonaFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    personas: list[Persona]


__all__ = ["Prediction", "Action", "Persona", "PredictionFile", "PersonaFile", "OUTPUTS", "ACTIONS", "Kind"]
