"""Training and scoring runs: what every kind of prediction gets, and the registry of kinds.

A kind registers a ``train`` (context, prediction -> model card, fitted model) and a ``score``
(context, prediction, fitted model -> a frame of ``customer_id`` + outputs). Training happens on
snapshots as of past cutoffs (built once per run and shared by every prediction of the run): with a
horizon ``h`` and the data's end ``E``, a model is fitted on features at ``E - 2h`` with labels from
``(E - 2h, E - h]``, evaluated on features at ``E - h`` with labels from ``(E - h, E]`` (the backtest in
the card), then fitted again on the latest complete window for scoring the live profiles as of ``E``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

import ibis.expr.types as ir
import pandas as pd

from huaxiang.predict.definitions import PredictDefinitions
from huaxiang.predict.frames import fact_rows, feature_traits, read_features, snapshot_name
from huaxiang.profiles.build import PROFILES


@dataclass
class RunContext:
    """What a run reads: the workspace, the checked definitions, the data's end and a snapshot cache."""

    ws: Any
    defs: PredictDefinitions
    end: datetime
    progress: Callable[[str], None] = lambda _msg: None
    cache: dict[Any, Any] = field(default_factory=dict)  # frames shared by the predictions of one run
    _snapshots: dict[datetime, str] = field(default_factory=dict)
    _rows: dict[str, ir.Table] | None = None

    @property
    def wh(self) -> Any:
        return self.ws.warehouse

    @property
    def rows(self) -> dict[str, ir.Table]:
        if self._rows is None:
            self._rows = fact_rows(self.wh, self.ws.identity.rules())
        return self._rows

    def cutoffs(self, horizon_days: int) -> tuple[datetime, datetime]:
        """(training cutoff, test cutoff): ``E - 2h`` and ``E - h``."""
        h = timedelta(days=horizon_days)
        return self.end - 2 * h, self.end - h

    def snapshot(self, as_of: datetime) -> str:
        """The profile table as of ``as_of`` (a snapshot build, once per run)."""
        if as_of not in self._snapshots:
            self.progress(f"snapshot {as_of:%Y-%m-%d}")
            self.ws.profiles.build(as_of=as_of)
            self._snapshots[as_of] = snapshot_name(as_of)
        return self._snapshots[as_of]

    def table(self, as_of: datetime | None) -> ir.Table:
        return self.wh.ibis.table(PROFILES if as_of is None else self.snapshot(as_of))

    def features(self, names: list[str], as_of: datetime | None, customers: ir.Table | None = None) -> pd.DataFrame:
        """Trait features as of a cutoff (a snapshot), or of the live profiles when ``as_of`` is None."""
        traits = feature_traits(self.defs.profile.traits, names)
        table = PROFILES if as_of is None else self.snapshot(as_of)
        return read_features(self.wh, table, traits, as_of or self.end, customers)


Train = Callable[[RunContext, Any], tuple[dict[str, Any], Any]]
Score = Callable[[RunContext, Any, Any], pd.DataFrame]
#: prediction kind -> (train, score)
KINDS: dict[str, tuple[Train, Score]] = {}


def register(kind: str, train: Train, score: Score) -> None:
    KINDS[kind] = (train, score)


def window(start: datetime, end: datetime) -> dict[str, str]:
    return {"from": start.isoformat(sep=" "), "to": end.isoformat(sep=" ")}


__all__ = ["RunContext", "KINDS", "register", "window"]
