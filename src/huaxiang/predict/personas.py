"""Persona discovery (画像): customers grouped by their standardized traits, each group named and described.

A pure computation over the profile table (one row per customer, a column per trait); the caller
reads the table, persists :attr:`PersonaResult.state` and hands it back at the next rebuild.

1. **Encode** (:class:`Encoder`, fitted on a random sample): a numeric trait is imputed with its
   median, log1p-transformed when heavy-tailed (skew above ``skew_threshold`` on non-negative
   values: counts and amounts), standardized and clipped at ±5 standard deviations so one whale
   cannot make a group of its own; a category trait becomes indicators of its ``top_values`` most
   frequent values, scaled so that two customers with different values are ``category_weight``
   apart (a numeric trait's standard deviation is 1): a category counts like one numeric trait, not
   like as many as it has values. A feature's ``weight`` multiplies its columns. A constant feature
   (one value, or only nulls) is dropped with a :class:`PersonaWarning` and listed in ``dropped``.
2. **Choose k**: KMeans (``n_init`` starts, fixed ``random_state``; MiniBatchKMeans only when
   ``fit_sample`` is raised above 200,000 rows) for every k in ``[k_min, k_max]`` on a random sample
   of at most ``fit_sample`` rows; each is scored by the silhouette on a fixed random subset of
   ``silhouette_sample`` rows of that sample. The rule: the highest silhouette wins, and the
   smallest k whose score is within ``tolerance`` (0.005) of it is preferred.
3. **Assign** every customer to the nearest centre (one matrix product); the fit score is
   ``1 - d_own / d_second`` (Euclidean distances to the own and to the next nearest centre): 1 at the
   centre, 0 on the border with the next persona.
4. **Rules first**: customers matching a :class:`PersonaRule` (first rule wins) get its persona with
   fit 1.0 and are left out of the clustering; the rest are clustered.
5. **Ids** stay stable across rebuilds (``persona_ids``), **cards** describe each persona
   (``persona_cards``), and user overrides are applied last.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score

from huaxiang.domain.traits import Trait
from huaxiang.predict import persona_cards, persona_ids
from huaxiang.predict.persona_cards import PersonaCard, PersonaOverride, Slot

__all__ = ["DEFAULT_FEATURES", "DiscoverySettings", "Encoder", "FeatureSpec", "PersonaCard", "PersonaOverride",
           "PersonaResult", "PersonaRule", "PersonaWarning", "discover_personas", "feature_specs"]

#: library traits the demo's planted customer types differ in: who they are, what and at which price
#: level they buy, how they use coupons, when and on which device they shop, service and social life
DEFAULT_FEATURES: tuple[str, ...] = ()

MINIBATCH_ABOVE = 200_000
CLIP = 5.0


class PersonaWarning(UserWarning):
    """Something left out of a discovery: a constant feature, a rule that matches nobody."""


@dataclass(frozen=True)
class FeatureSpec:
    """One trait used for clustering: ``numeric`` (numbers, booleans) or ``category`` (strings)."""

    name: str
    kind: Literal["numeric", "category"]
    label_zh: str = ""
    label_en: str = ""
    unit: str = ""
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in ("numeric", "category"):
            raise ValueError(f"feature {self.name!r}: kind must be 'numeric' or 'category', not {self.kind!r}")
        if not self.weight > 0:
            raise ValueError(f"feature {self.name!r}: weight must be positive, not {self.weight!r}")


@dataclass(frozen=True)
class PersonaRule:
    """A persona given by a condition: ``mask`` is one boolean per profile row, in the frame's order."""

    id: str
    name_zh: str
    name_en: str
    mask: np.ndarray


@dataclass(frozen=True)
class DiscoverySettings:
    k_min: int = 3
    k_max: int = 10
    tolerance: float = 0.005
    fit_sample: int = 50_000
    silhouette_sample: int = 5_000
    n_init: int = 4
    random_state: int = 0
    category_weight: float = 1.0
    top_values: int = 10
    skew_threshold: float = 1.0
    match_threshold: float = 0.5  # RMS distance between centres, in standard deviations (persona_ids)
    typical_members: int = 5

    def __post_init__(self) -> None:
        if self.k_min < 2:
            raise ValueError(f"k_min must be at least 2, not {self.k_min}")
        if self.k_max < self.k_min:
            raise ValueError(f"k_max ({self.k_max}) is below k_min ({self.k_min})")
        for name in ("fit_sample", "silhouette_sample", "n_init", "top_values"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")


@dataclass
class PersonaResult:
    assignments: pd.DataFrame  # customer_id, persona, fit: one row per customer
    cards: list[PersonaCard]
    state: dict  # JSON-able, for the next rebuild's ``previous``
    k: int  # clustered personas (rule personas not counted)
    silhouette: dict[int, float]  # score of every k tried
    changes: dict[str, list[str]]  # new / kept / gone persona ids
    dropped: list[str] = field(default_factory=list)  # constant features left out

    def to_dict(self) -> dict:
        """Everything but the assignments (a table the caller stores as such)."""
        return {"cards": [c.to_dict() for c in self.cards], "state": self.state, "k": self.k,
                "silhouette": {str(k): s for k, s in self.silhouette.items()}, "changes": self.changes,
                "dropped": self.dropped}


def feature_specs(traits: Iterable[Trait], names: Sequence[str] = DEFAULT_FEATURES) -> list[FeatureSpec]:
    """Specs for trait definitions by name (the library's or a workspace's): kind from the dtype."""
    by_name = {t.name: t for t in traits}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"unknown traits for personas: {', '.join(unknown)}")
    specs = []
    for name in names:
        trait = by_name[name]
        if trait.dtype not in ("int64", "float64", "boolean", "string"):
            raise ValueError(f"trait {name!r} is a {trait.dtype}: personas use numbers, booleans and strings")
        kind = "category" if trait.dtype == "string" else "numeric"
        specs.append(FeatureSpec(name, kind, trait.label.zh or name, trait.label.en or name, trait.unit))
    return specs


def discover_personas(profiles: pd.DataFrame, features: Sequence[FeatureSpec], *, rules: Sequence[PersonaRule] = (),
                      previous: Mapping | None = None, overrides: Mapping[str, PersonaOverride | Mapping] | None = None,
                      goals: Sequence[str] = (), pain_points: Sequence[str] = (),
                      settings: DiscoverySettings | None = None) -> PersonaResult:
    """Personas of the customers in ``profiles``; ``previous`` is the state of the last discovery.

    ``goals`` and ``pain_points`` name string or list columns whose most over-represented values a
    card shows; ``overrides`` (by persona id) replace a card's name, narrative or description.
    """
    settings = settings or DiscoverySettings()
    _check_input(profiles, features, [*goals, *pain_points])
    table = tidy(profiles, features)
    rng = np.random.default_rng(settings.random_state)
    encoder, kept = Encoder.fit(table.iloc[_sample(len(table), settings.fit_sample, rng)], features, settings)
    x = encoder.transform(table)
    rules, rule_of = _rule_index(rules, len(table))
    labels, fit, scores = _cluster(x, rule_of, len(rules), settings, rng)
    centres = pd.DataFrame(x).groupby(labels).mean().to_numpy()
    own = np.take_along_axis(_sq_distances(x, centres), labels[:, None], axis=1)[:, 0]
    ids, changes, state = persona_ids.assign_ids(previous, encoder, centres, np.bincount(labels),
                                                 [r.id for r in rules], settings.match_threshold)
    slots = [Slot(i, "rule", r.name_zh, r.name_en) for i, r in zip(ids, rules)]
    slots += [Slot(i, "cluster") for i in ids[len(rules):]]
    z = pd.DataFrame(encoder.standardized(centres), columns=encoder.numeric_names)
    cards = persona_cards.build_cards(profiles, table, kept, slots, labels, z, own, goals=goals,
                                      pain_points=pain_points, typical=settings.typical_members)
    assignments = pd.DataFrame({"customer_id": profiles["customer_id"].to_numpy(),
                                "persona": np.asarray(ids, dtype=object)[labels], "fit": fit})
    return PersonaResult(assignments, persona_cards.apply_overrides(cards, overrides or {}), state,
                         len(ids) - len(rules), scores, changes, [f.name for f in features if f not in kept])


def tidy(frame: pd.DataFrame, features: Sequence[FeatureSpec]) -> pd.DataFrame:
    """The features as floats (numeric; booleans as 0/1) and strings (category), nulls as NaN / NA."""
    return pd.DataFrame({f.name: _numbers(frame[f.name], f.name) if f.kind == "numeric"
                         else _strings(frame[f.name], f.name) for f in features}).reset_index(drop=True)


def _numbers(col: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(col):
        raise ValueError(f"feature {name!r} holds dates: use a number such as days since, or declare it a category")
    try:
        return pd.to_numeric(col, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise ValueError(f"feature {name!r} is numeric but holds {col.dtype} values such as "
                         f"{col.dropna().iloc[0]!r}: declare it as a category") from None


def _strings(col: pd.Series, name: str) -> pd.Series:
    present = col.dropna()
    if len(present) and isinstance(present.iloc[0], (list, tuple, set, np.ndarray)):
        raise ValueError(f"feature {name!r} holds lists: name it among goals or pain points instead")
    return col.astype("string")


def _check_input(profiles: pd.DataFrame, features: Sequence[FeatureSpec], extra: Sequence[str]) -> None:
    if "customer_id" not in profiles.columns:
        raise ValueError("the profile table has no customer_id column")
    if profiles.empty:
        raise ValueError("the profile table has no rows: no customers to find personas in")
    if not features:
        raise ValueError("no features: name at least one trait to cluster on")
    names = [f.name for f in features]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"feature(s) named twice: {', '.join(twice)}")
    missing = [n for n in [*names, *extra] if n not in profiles.columns]
    if missing:
        raise ValueError(f"unknown column(s), not in the profile table: {', '.join(missing)}")
    ids = profiles["customer_id"]
    if ids.isna().any() or ids.duplicated().any():
        raise ValueError("customer_id must be present and unique: one profile row per customer")


@dataclass(frozen=True)
class _Numeric:
    name: str
    weight: float
    median: float
    log: bool
    mean: float
    std: float


@dataclass(frozen=True)
class _Category:
    name: str
    values: tuple[str, ...]
    scale: float  # of each indicator: two different values are category_weight * weight apart


class Encoder:
    """Traits → the standardized matrix the clustering sees, and centres back to trait units."""

    def __init__(self, numerics: Sequence[_Numeric], categories: Sequence[_Category]):
        self.numerics, self.categories = list(numerics), list(categories)
        self.numeric_names = [n.name for n in self.numerics]

    @classmethod
    def fit(cls, table: pd.DataFrame, features: Sequence[FeatureSpec],
            settings: DiscoverySettings) -> tuple[Encoder, list[FeatureSpec]]:
        """Fitted on ``table`` (a sample of :func:`tidy`'s output); also returns the features kept."""
        parts = {f.name: _fit_numeric(table[f.name].to_numpy(), f, settings) if f.kind == "numeric"
                 else _fit_category(table[f.name], f, settings) for f in features}
        constant = [name for name, part in parts.items() if part is None]
        if len(constant) == len(features):
            raise ValueError(f"every feature is constant (one value, or no value held by 1% of the customers), "
                             f"nothing to cluster on: {', '.join(constant)}")
        if constant:
            warnings.warn(PersonaWarning(f"constant feature(s) left out of the personas (one value, or no value "
                                         f"held by 1% of the customers): {', '.join(constant)}"),
                          stacklevel=3)
        kept = [f for f in features if parts[f.name] is not None]
        return (cls([p for p in parts.values() if isinstance(p, _Numeric)],
                     [p for p in parts.values() if isinstance(p, _Category)]), kept)

    @property
    def width(self) -> int:
        return len(self.numerics) + sum(len(c.values) for c in self.categories)

    def transform(self, table: pd.DataFrame) -> np.ndarray:
        blocks = [self._numeric_block(table[self.numeric_names].to_numpy(dtype=float))]
        for cat in self.categories:
            codes = pd.Categorical(table[cat.name], categories=list(cat.values)).codes
            blocks.append(np.vstack([np.eye(len(cat.values)), np.zeros(len(cat.values))])[codes] * cat.scale)
        return np.hstack(blocks)

    def _numeric_block(self, values: np.ndarray) -> np.ndarray:
        values = np.where(np.isnan(values), self._attr("median"), values)
        log = self._attr("log").astype(bool)
        values[:, log] = np.log1p(np.clip(values[:, log], 0.0, None))
        z = np.clip((values - self._attr("mean")) / self._attr("std"), -CLIP, CLIP)
        return z * self._attr("weight")

    def standardized(self, centres: np.ndarray) -> np.ndarray:
        """The numeric coordinates of encoded rows in standard deviations (the features' weights undone)."""
        return centres[:, :len(self.numerics)] / self._attr("weight")

    def to_raw(self, centres: np.ndarray) -> list[dict]:
        """Encoded centres in trait units: a number per numeric trait, value shares per category."""
        t = self.standardized(centres) * self._attr("std") + self._attr("mean")
        raw = np.where(self._attr("log").astype(bool), np.expm1(t), t)
        out = [{n: float(v) for n, v in zip(self.numeric_names, row)} for row in raw]
        start = len(self.numerics)
        for cat in self.categories:
            shares = centres[:, start:start + len(cat.values)] / cat.scale
            start += len(cat.values)
            for row, share in zip(out, shares):
                row[cat.name] = {v: float(s) for v, s in zip(cat.values, share)}
        return out

    def from_raw(self, raws: Sequence[Mapping]) -> np.ndarray:
        """Centres in trait units (:meth:`to_raw`, maybe of another encoder) encoded; NaN for unknown traits."""
        nums = np.array([[float(r.get(n, np.nan)) for n in self.numeric_names] for r in raws], dtype=float)
        nums = nums.reshape(len(raws), len(self.numerics))
        log = self._attr("log").astype(bool)
        nums[:, log] = np.log1p(np.clip(nums[:, log], 0.0, None))
        blocks = [(nums - self._attr("mean")) / self._attr("std") * self._attr("weight")]
        for cat in self.categories:
            blocks.append(np.array([[r[cat.name].get(v, 0.0) if isinstance(r.get(cat.name), Mapping) else np.nan
                                     for v in cat.values] for r in raws], dtype=float).reshape(len(raws), -1)
                          * cat.scale)
        return np.hstack(blocks)

    def _attr(self, name: str) -> np.ndarray:
        return np.array([getattr(n, name) for n in self.numerics], dtype=float)


def _fit_numeric(values: np.ndarray, spec: FeatureSpec, settings: DiscoverySettings) -> _Numeric | None:
    present = values[~np.isnan(values)]
    if present.size == 0 or present.min() == present.max():
        return None
    log = bool(present.min() >= 0 and pd.Series(present).skew() > settings.skew_threshold)
    filled = np.where(np.isnan(values), np.median(present), values)
    filled = np.log1p(filled) if log else filled
    return _Numeric(spec.name, spec.weight, float(np.median(present)), log, float(filled.mean()),
                    float(filled.std()))


def _fit_category(values: pd.Series, spec: FeatureSpec, settings: DiscoverySettings) -> _Category | None:
    counts = values.value_counts(dropna=False)
    if len(counts) < 2:
        return None
    top = counts[counts.index.notna()].head(settings.top_values)
    top = top[top >= max(1, 0.01 * len(values))]
    scale = settings.category_weight * spec.weight / np.sqrt(2.0)
    return _Category(spec.name, tuple(str(v) for v in top.index), scale) if len(top) else None


def _rule_index(rules: Sequence[PersonaRule], n: int) -> tuple[list[PersonaRule], np.ndarray]:
    """Each row's rule (first match wins) or -1; rules that match nobody are left out with a warning."""
    ids = [r.id for r in rules]
    for rule in rules:
        mask = np.asarray(rule.mask)
        if not rule.id or ids.count(rule.id) > 1:
            raise ValueError(f"rule persona id {rule.id!r} is empty or given twice")
        if mask.dtype != bool or mask.shape != (n,):
            raise ValueError(f"rule persona {rule.id!r}: the mask must hold one boolean per profile row ({n}), "
                             f"not {mask.dtype} values of shape {mask.shape}")
    index = np.full(n, -1)
    for i in reversed(range(len(rules))):
        index[np.asarray(rules[i].mask)] = i
    used = np.bincount(index[index >= 0], minlength=len(rules)) > 0
    if not used.all():
        empty = [r.id for r, u in zip(rules, used) if not u]
        warnings.warn(PersonaWarning(f"rule persona(s) matching nobody left out: {', '.join(empty)}"), stacklevel=3)
        index = np.where(index >= 0, (np.cumsum(used) - 1)[index], -1)
    return [r for r, u in zip(rules, used) if u], index


def _cluster(x: np.ndarray, rule_of: np.ndarray, n_rules: int, settings: DiscoverySettings,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
    """Persona index per row (rules first, then clusters by size, largest first), fit, silhouettes."""
    labels, fit, free = rule_of.copy(), np.ones(len(x)), rule_of < 0
    if not free.any():
        return labels, fit, {}
    centres, scores = _choose_k(x[free], settings, rng)
    own, fit[free] = _assign(x[free], centres)
    sizes = np.bincount(own)
    rank = np.empty(len(sizes), dtype=int)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
    labels[free] = n_rules + rank[own]
    return labels, fit, scores


def _choose_k(x: np.ndarray, settings: DiscoverySettings,
              rng: np.random.Generator) -> tuple[np.ndarray, dict[int, float]]:
    """The centres of the k with the best silhouette (the smallest k within ``tolerance`` of it)."""
    sample = x[_sample(len(x), settings.fit_sample, rng)]
    scored = _sample(len(sample), settings.silhouette_sample, rng)
    k_max = min(settings.k_max, len(sample) - 1)
    if k_max < settings.k_min:
        raise ValueError(f"{len(x)} customers to cluster: too few for k_min={settings.k_min}")
    centres, scores = {}, {}
    for k in range(settings.k_min, k_max + 1):
        kind = MiniBatchKMeans if len(sample) > MINIBATCH_ABOVE else KMeans
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # fewer distinct points than k: scored as found
            model = kind(n_clusters=k, n_init=settings.n_init, random_state=settings.random_state).fit(sample)
        labels = model.labels_[scored]
        distinct = np.unique(labels).size
        scores[k] = float(silhouette_score(sample[scored], labels)) if 1 < distinct < len(scored) else -1.0
        centres[k] = model.cluster_centers_
    best = max(scores.values())
    return centres[min(k for k, s in scores.items() if s >= best - settings.tolerance)], scores


def _assign(x: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre and fit ``1 - d_own / d_second``; a centre nobody is nearest to (a twin) is dropped."""
    d2 = _sq_distances(x, centres)
    own = d2.argmin(axis=1)
    used = np.bincount(own, minlength=len(centres)) > 0
    if not used.all():
        return _assign(x, centres[used])
    rows = np.arange(len(x))
    d_own = np.sqrt(d2[rows, own])
    d2[rows, own] = np.inf
    d_second = np.sqrt(d2.min(axis=1))
    fit = 1.0 - np.divide(d_own, d_second, out=np.ones_like(d_own), where=d_second > 0)
    return own, np.clip(fit, 0.0, 1.0)


def _sq_distances(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    d2 = np.einsum("ij,ij->i", x, x)[:, None] - 2.0 * (x @ centres.T) + np.einsum("ij,ij->i", centres, centres)
    return np.maximum(d2, 0.0)


def _sample(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted row positions of a random sample (all rows when there are no more than ``size``)."""
    return np.arange(n) if n <= size else np.sort(rng.choice(n, size, replace=False))
