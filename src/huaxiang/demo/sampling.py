"""Random draws shared by every generator step.

Each step gets its own generator derived from (seed, step, chunk) so that adding a step or
changing one step's number of draws never shifts the random stream of another: the files stay
byte-identical for a seed, and a change in one table does not reshuffle the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def step_rng(seed: int, step: int, chunk: int = 0) -> np.random.Generator:
    """A generator private to one step (and chunk) of the demo."""
    return np.random.default_rng([int(seed), int(step), int(chunk)])


def normalized(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def choice_by_group(rng: np.random.Generator, groups: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """For each row pick an index from the row's group's distribution ``probs[group]``.

    A loop over groups (a handful of customer types), never over rows.
    """
    probs = np.asarray(probs, dtype=float)
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(groups))
    out = np.zeros(len(groups), dtype=np.int64)
    for g in range(len(probs)):
        mask = groups == g
        if mask.any():
            out[mask] = np.searchsorted(cdf[g], u[mask], side="right")
    return np.minimum(out, probs.shape[1] - 1)


def unique_draw(rng: np.random.Generator, n: int, low: int, high: int, base: np.ndarray | None = None) -> np.ndarray:
    """``n`` distinct integers ``base + x`` with x drawn from [low, high).

    ``base`` (per row, e.g. an area code times 10**7) puts each draw in its own range.
    Collisions are redrawn until none are left; with a large range that is one or two rounds.
    """
    base = np.zeros(n, dtype=np.int64) if base is None else np.asarray(base, dtype=np.int64)
    out = base + rng.integers(low, high, n, dtype=np.int64)
    while True:
        clash = _clashes(out)
        if not clash.any():
            return out
        out[clash] = base[clash] + rng.integers(low, high, int(clash.sum()), dtype=np.int64)


def _clashes(values: np.ndarray) -> np.ndarray:
    """Rows whose value repeats an earlier row's."""
    order = np.argsort(values, kind="stable")
    s = values[order]
    repeat = np.zeros(len(values), dtype=bool)
    repeat[order[1:]] = s[1:] == s[:-1]
    return repeat


def pick_rows(rng: np.random.Generator, mask: np.ndarray, share: float) -> np.ndarray:
    """A random subset (about ``share``) of the rows where ``mask`` holds."""
    return mask & (rng.random(len(mask)) < share)


def scramble(values: np.ndarray, salt: int) -> np.ndarray:
    """A fixed 64-bit mix (splitmix64) of integers: random-looking, reproducible ids."""
    with np.errstate(over="ignore"):
        z = np.asarray(values, dtype=np.uint64) + np.uint64((salt * 0x9E3779B97F4A7C15) % 2**64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))
