"""Persona ids that survive rebuilds: the same group keeps its id, a new group gets one never used.

The state a discovery returns (and the next one takes as ``previous``) is plain JSON::

    {"version": 1,
     "issued": ["P01", "P02", "P03", "vip"],          # every id ever given, in order: never reused
     "personas": [{"id": "P01", "origin": "cluster", "size": 812,
                   "centre": {"age": 34.2, "city_tier": {"一线": 0.41, "新一线": 0.33}}}, ...]}

A centre is kept in trait units (a number per numeric trait, value shares per category), not in the
standardized space, because that space moves with every rebuild: the current encoder encodes the
old centres again, so old and new centres are compared in today's units. Their distance is the
root mean square difference over the encoded columns both know, in standard deviations; the
Hungarian algorithm pairs old and new clustered personas at the least total distance, and a pair
farther apart than the threshold is no match. Rule personas keep the ids their rules give; an old
clustered persona whose id a rule now uses is replaced by that rule.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
from scipy.optimize import linear_sum_assignment

STATE_VERSION = 1
_NUMBERED = re.compile(r"^P(\d+)$")
_FAR = 1e9


class CentreCodec(Protocol):
    def to_raw(self, centres: np.ndarray) -> list[dict]: ...
    def from_raw(self, raws: Sequence[Mapping]) -> np.ndarray: ...


def assign_ids(previous: Mapping | None, codec: CentreCodec, centres: np.ndarray, sizes: np.ndarray,
               rule_ids: Sequence[str], threshold: float) -> tuple[list[str], dict[str, list[str]], dict]:
    """Ids for ``centres`` (rule personas first, then clustered ones by size), the changes, the new state."""
    state = read_state(previous)
    rules = len(rule_ids)
    old = [p for p in state["personas"] if p["origin"] == "cluster" and p["id"] not in rule_ids]
    pairs = match(codec.from_raw([p["centre"] for p in old]), centres[rules:], threshold) if old else {}
    ids = list(rule_ids) + [old[pairs[j]]["id"] if j in pairs else "" for j in range(len(centres) - rules)]
    before = [p["id"] for p in state["personas"]]
    issued = list(dict.fromkeys([*state["issued"], *before, *rule_ids]))
    number = max((int(m.group(1)) for i in issued if (m := _NUMBERED.match(i))), default=0)
    for j, pid in enumerate(ids):
        if not pid:
            number += 1
            ids[j] = f"P{number:02d}"
    changes = {"new": [i for i in ids if i not in before], "kept": [i for i in ids if i in before],
               "gone": [i for i in before if i not in ids]}
    personas = [{"id": pid, "origin": "rule" if j < rules else "cluster", "size": int(size), "centre": raw}
                for j, (pid, size, raw) in enumerate(zip(ids, sizes, codec.to_raw(centres)))]
    return ids, changes, {"version": STATE_VERSION, "issued": list(dict.fromkeys([*issued, *ids])),
                          "personas": personas}


def match(old: np.ndarray, new: np.ndarray, threshold: float) -> dict[int, int]:
    """New centre → old centre, paired by the Hungarian algorithm, only pairs within ``threshold``."""
    if not len(old) or not len(new):
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a pair with no column in common: no match
        rms = np.sqrt(np.nanmean((new[:, None, :] - old[None, :, :]) ** 2, axis=2))
    cost = np.where(np.isnan(rms), _FAR, rms)
    rows, cols = linear_sum_assignment(cost)
    return {int(r): int(c) for r, c in zip(rows, cols) if cost[r, c] <= threshold}


def read_state(previous: Mapping | None) -> dict:
    """``previous`` checked (an empty state for a first discovery); ValueError says what is wrong."""
    if previous is None:
        return {"version": STATE_VERSION, "issued": [], "personas": []}
    if not isinstance(previous, Mapping) or previous.get("version") != STATE_VERSION:
        raise ValueError(f"previous persona state: expected a mapping with version {STATE_VERSION}")
    personas, issued = previous.get("personas"), previous.get("issued")
    if not isinstance(personas, list) or not isinstance(issued, list):
        raise ValueError("previous persona state: 'personas' and 'issued' must be lists")
    for i, p in enumerate(personas):
        if not isinstance(p, Mapping) or not {"id", "origin", "centre"} <= set(p) or not isinstance(p["centre"], Mapping):
            raise ValueError(f"previous persona state: personas[{i}] needs an id, an origin and a centre mapping")
    return {"version": STATE_VERSION, "issued": [str(i) for i in issued], "personas": personas}
