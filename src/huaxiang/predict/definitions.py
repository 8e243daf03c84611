"""The applied predictions, actions and personas, checked against the traits before anything trains.

Problems name the file and the key, like the profile definitions: a prediction's features must be
numeric, boolean, timestamp or low-cardinality string traits that are not themselves predicted; a
predicted trait must name a prediction and one of its kind's outputs; an action's condition and a
rule persona's rule are checked by the condition language; a reason's placeholders must be traits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huaxiang.definitions.loader import DefinitionError, Problem
from huaxiang.domain.conditions import ConditionError, check_condition, parse
from huaxiang.predict import PredictError
from huaxiang.domain.predictions import ACTIONS, OUTPUTS, Action, Persona, Prediction
from huaxiang.profiles.definitions import Definitions

FEATURE_DTYPES = ("int64", "float64", "boolean", "timestamp", "date", "string")


@dataclass
class PredictDefinitions:
    profile: Definitions
    predictions: list[Prediction] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    personas: list[Persona] = field(default_factory=list)

    def prediction(self, name: str) -> Prediction:
        found = next((p for p in self.predictions if p.name == name), None)
        if found is None:
            raise PredictError("predict.unknown", name=name, known=", ".join(p.name for p in self.predictions) or "-")
        return found

    def of_kind(self, kind: str) -> list[Prediction]:
        return [p for p in self.predictions if p.kind == kind]


def from_catalog(catalog: Any, profile: Definitions) -> PredictDefinitions:
    def load(kind: str, model: Any) -> tuple[list[Any], dict[tuple[str, str], str]]:
        rows = catalog.latest(kind)
        ordered = sorted(rows.items(), key=lambda kv: (kv[1].get("origin") or "", kv[0]))
        return ([model.model_validate(r["body"]) for _, r in ordered],
                {(kind, r["body"]["name"]): r.get("origin") or "" for r in rows.values()})

    predictions, o1 = load("prediction", Prediction)
    actions, o2 = load("action", Action)
    personas, o3 = load("persona", Persona)
    return check(PredictDefinitions(profile, predictions, actions, personas), {**o1, **o2, **o3})


def check(defs: PredictDefinitions, origins: dict[tuple[str, str], str]) -> PredictDefinitions:
    """Raise ``DefinitionError`` with every problem found; return ``defs`` unchanged otherwise."""
    problems: list[Problem] = []
    traits = {t.name: t for t in defs.profile.traits}
    kinds = {p.name: p.kind for p in defs.predictions} | {ACTIONS: ACTIONS}
    for t in defs.profile.traits:
        if t.predicted and t.predicted.prediction in kinds:
            outputs = OUTPUTS[kinds[t.predicted.prediction]]
            if t.predicted.output not in outputs:
                problems.append(Problem(origins.get(("trait", t.name), "") or defs.profile.origins.get(("trait", t.name), ""),
                                        f"{t.name}.predicted.output", f"{t.predicted.output!r} is not an output of "
                                        f"{t.predicted.prediction}; it has: {', '.join(outputs)}"))
    for p in defs.predictions:
        for i, name in enumerate(p.features):
            trait = traits.get(name)
            if trait is None or trait.predicted or trait.dtype not in FEATURE_DTYPES:
                why = "is not a trait" if trait is None else "is predicted" if trait.predicted else f"is {trait.dtype}"
                problems.append(Problem(origins.get(("prediction", p.name), ""), f"{p.name}.features[{i}]",
                                        f"{name!r} {why}: features are non-predicted numeric, boolean, time or text traits"))
    env = defs.profile.customer_env()
    for a in defs.actions:
        _condition(a.condition, env, problems, origins.get(("action", a.name), ""), f"{a.name}.condition")
        for name in sorted(a.placeholders() - set(traits)):
            problems.append(Problem(origins.get(("action", a.name), ""), f"{a.name}.reason",
                                    f"the reason names {{{name}}}, which is not a trait"))
    for persona in defs.personas:
        if persona.rule:
            _condition(persona.rule, env, problems, origins.get(("persona", persona.name), ""), f"{persona.name}.rule")
    if problems:
        raise DefinitionError(problems)
    return defs


def _condition(text: str, env: Any, problems: list[Problem], file: str, key: str) -> None:
    try:
        check_condition(parse(text), env)
    except ConditionError as exc:
        problems.append(Problem(file, key, exc.render(text)))
