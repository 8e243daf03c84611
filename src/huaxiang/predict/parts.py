"""``ws.predictions``: train, score and report the workspace's predictions (thin: the work is in the kinds).

Training builds the snapshots it needs, fits, and stores the model with its card in the catalog.
Scoring reads the newest model of each prediction, writes ``predicted_<name>`` and the predicted
traits (``store``), evaluates the next best actions, and runs an (incremental) profile build so that
tags and segments see the new scores.
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from huaxiang.predict import PredictError
from huaxiang.predict.definitions import PredictDefinitions, from_catalog
from huaxiang.predict.runs import KINDS, RunContext

if TYPE_CHECKING:
    from huaxiang.workspace import Workspace


@dataclass
class Trained:
    prediction: str
    kind: str
    model_id: int
    card: dict[str, Any]
    seconds: float


@dataclass
class Scored:
    prediction: str
    model_id: int | None
    customers: int
    seconds: float


def _kinds() -> dict:
    # the kinds register themselves on import
    from huaxiang.predict import classifications, personas_run, value  # noqa: F401

    return KINDS


class Predictions:
    def __init__(self, ws: "Workspace"):
        self._ws = ws

    def definitions(self) -> PredictDefinitions:
        return from_catalog(self._ws.catalog, self._ws.profiles.definitions())

    def _context(self, progress: Callable[[str], None] | None) -> RunContext:
        ws = self._ws
        if not ws.warehouse.has_table("profiles"):
            raise PredictError("predict.no_profiles", table="profiles")
        end = ws.warehouse.raw.execute("SELECT max(as_of) FROM profiles").fetchone()[0]
        if end is None:
            raise PredictError("predict.no_profiles", table="profiles")
        return RunContext(ws, self.definitions(), end, progress or (lambda _m: None))

    def _selected(self, defs: PredictDefinitions, names: list[str] | None) -> list[Any]:
        return [defs.prediction(n) for n in names] if names else list(defs.predictions)

    def train(self, names: list[str] | None = None, *, progress: Callable[[str], None] | None = None) -> list[Trained]:
        """Fit each prediction (all when ``names`` is empty) on snapshots; store models and cards."""
        ctx = self._context(progress)
        kinds = _kinds()
        out = []
        for pred in self._selected(ctx.defs, names):
            started = time.perf_counter()
            card, model = kinds[pred.kind][0](ctx, pred)
            card = {**card, "prediction": pred.name, "kind": pred.kind, "horizon": pred.horizon,
                    "trained_at": datetime.now().isoformat(timespec="seconds"), "data_end": str(ctx.end),
                    "seconds": round(time.perf_counter() - started, 2)}
            version = self._ws.catalog.latest("prediction", pred.name).get(pred.name, {}).get("version")
            model_id = self._ws.catalog.add_prediction_model(pred.name, pred.kind, card, pickle.dumps(model),
                                                             definition_version=version)
            out.append(Trained(pred.name, pred.kind, model_id, card, card["seconds"]))
        return out

    def score(self, names: list[str] | None = None, *, progress: Callable[[str], None] | None = None,
              build: bool = True) -> list[Scored]:
        """Score the live profiles with each prediction's newest model, then the next best actions."""
        from huaxiang.predict import actions
        from huaxiang.predict.store import to_arrow, write_scores

        ctx = self._context(progress)
        kinds, catalog, traits = _kinds(), self._ws.catalog, ctx.defs.profile.traits
        out = []
        for pred in self._selected(ctx.defs, names):
            row = next(iter(catalog.prediction_models(pred.name, 1, with_model=True)), None)
            if row is None:
                raise PredictError("predict.untrained", name=pred.name)
            started = time.perf_counter()
            frame = kinds[pred.kind][1](ctx, pred, pickle.loads(row["model"]))
            n = write_scores(ctx.wh, pred.name, to_arrow(frame, pred.kind), traits)
            catalog.add_prediction_run(pred.name, row["id"], n)
            out.append(Scored(pred.name, row["id"], n, time.perf_counter() - started))
        started = time.perf_counter()
        n = recommendations(ctx)
        out.append(Scored("recommendations", None, n, time.perf_counter() - started))
        started = time.perf_counter()
        n = actions.score(ctx)
        catalog.add_prediction_run("next_best_action", None, n)
        out.append(Scored("next_best_action", None, n, time.perf_counter() - started))
        if build:
            self._ws.profiles.build()
        return out

    def insight(self, customer_id: str, lang: str) -> dict[str, Any]:
        """One customer's predictions for a card: next best action with its reason in ``lang``, churn risk
        with reasons (trait labels), persona and fit, 12-month value, recommended products with reasons."""
        from huaxiang.predict.insight import insight

        return insight(self._ws, self.definitions(), customer_id, lang)

    def models(self, name: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        return self._ws.catalog.prediction_models(name, limit)

    def card(self, name: str) -> dict[str, Any]:
        """The newest model card of a prediction (PredictError if it is unknown or was never trained)."""
        self.definitions().prediction(name)
        row = next(iter(self._ws.catalog.prediction_models(name, 1)), None)
        if row is None:
            raise PredictError("predict.untrained", name=name)
        return {**row["card"], "model_id": row["id"], "trained_by": row["actor"]}


def recommendations(ctx: RunContext) -> int:
    """Next best products for every buyer (``recommend``), into the warehouse table ``recommendations``."""
    from huaxiang.predict import recommend

    if "order_items" not in ctx.rows:
        return 0
    items = ctx.rows["order_items"]
    items = items.filter(items.customer_id.notnull() & ~items.returned.fill_null(False)
                         & (items.order_status.fill_null("") != "cancelled"))
    rules = recommend.association_rules(items)
    recs = recommend.recommend(items, rules, affinity=recommend.spend_affinity(items, as_of=ctx.end), as_of=ctx.end)
    from huaxiang.predict.store import replace_table

    return replace_table(ctx.wh, "recommendations", recs.order_by(["customer_id", "rank"]).to_pyarrow())


__all__ = ["Predictions", "Trained", "Scored"]
