"""Persona discovery (画像): customers grouped by their standardized traits, each group named and described.

A pure computation over the profile table (one row per customer, a column per trait); the caller
reads the table, persists :attr:`PersonaResult.state` and hands it back at the next rebuild.

1. **Rules first**: customers matching a :class:`PersonaRule` (the first rule that matches wins)
   get its persona with fit 1.0; the others are clustered.
2. **Encode** (``persona_space.Encoder``, fitted on a random sample): numeric traits log1p-transformed
   when heavy-tailed, standardized and clipped; categories as weighted indicators of their most
   frequent values; a constant feature is dropped with a :class:`PersonaWarning` (``dropped``).
3. **Choose k** in ``[k_min, k_max]`` (default 3..10): each k is clustered (k-means that counts only
   the traits a customer has, ``persona_space.kmeans``) on one random sample of at most
   ``fit_sample`` rows and scored by the silhouette on a fixed random subset of
   ``silhouette_sample`` (5,000) of them. The rule: the highest silhouette wins, and the smallest k
   whose score is within ``tolerance`` (0.005) of it is preferred.
4. **Assign** every customer to the nearest centre, vectorized in blocks; the fit score is
   ``1 - d_own / d_second`` (distances to the own and the next nearest centre): 1 at the centre,
   0 on the border with the next persona.
5. **Ids** stay stable across rebuilds (:func:`assign_ids`), **cards** describe each persona
   (``persona_cards``), and the user's overrides are applied last.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from huaxiang.domain.traits import Trait
from huaxiang.predict import persona_cards, persona_space
from huaxiang.predict.persona_cards import PersonaCard, PersonaOverride, Slot
from huaxiang.predict.persona_space import Encoder

__all__ = ["DEFAULT_FEATURES", "DiscoverySettings", "FeatureSpec", "PersonaCard", "PersonaOverride", "PersonaResult",
           "PersonaRule", "PersonaWarning", "assign_ids", "discover_personas", "feature_specs"]

#: library traits to cluster on by default: who customers are, what and at which price level they
#: buy, how they use discounts, when, where and on which device they shop, service and social life.
#: Tuned on the demo's planted customer types: shares, rates and habits, not volumes (order and
#: visit counts group customers by how long they have been around rather than by who they are).
DEFAULT_FEATURES: tuple[str, ...] = (
    "age", "gender", "city_tier", "income_level",
    "avg_item_price", "aov_lifetime", "coupon_order_share", "avg_discount_rate", "online_order_share",
    "preferred_order_channel", "preferred_payment_method",
    "price_sensitivity", "brand_loyalty", "category_affinity", "lifestyle", "digital_affinity", "outdoor_affinity",
    "family_affinity", "beauty_affinity", "home_health_affinity",
    "time_of_day_habit", "night_event_share", "preferred_device",
    "preferred_service_channel", "nps_last", "main_social_platform", "influence_score",
)

STATE_VERSION = 1
_NUMBERED = re.compile(r"^P(\d+)$")


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
    tolerance: float = 0.005  # prefer the smallest k whose silhouette is this close to the best
    fit_sample: int = 20_000
    silhouette_sample: int = 5_000
    n_init: int = 4
    random_state: int = 0
    category_weight: float = 1.0  # how far apart two different values of a category are, in std
    top_values: int = 15  # indicator columns per category at most
    skew_threshold: float = 1.0  # log1p a non-negative numeric trait more skewed than this
    # RMS distance (std) within which a new centre is an old persona; on the demo a rebuild on 90%
    # of the customers moves centres by 0.01-0.02, distinct personas are 0.43-0.64 apart
    match_threshold: float = 0.2
    typical_members: int = 5
    threads: int = 1  # for scikit-learn and BLAS: their threads busy-wait on a shared machine (5x slower)

    def __post_init__(self) -> None:
        if self.k_min < 2:
            raise ValueError(f"k_min must be at least 2, not {self.k_min}")
        if self.k_max < self.k_min:
            raise ValueError(f"k_max ({self.k_max}) is below k_min ({self.k_min})")
        for name in ("fit_sample", "silhouette_sample", "n_init", "top_values", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.fit_sample < self.silhouette_sample:
            raise ValueError(f"fit_sample ({self.fit_sample}) is below silhouette_sample ({self.silhouette_sample})")


@dataclass
class PersonaResult:
    assignments: pd.DataFrame  # customer_id, persona, fit: one row per customer
    cards: list[PersonaCard]  # rule personas first, then clustered ones by size
    state: dict  # JSON-able, the next discovery's ``previous``
    k: int  # clustered personas (rule personas not counted)
    silhouette: dict[int, float]  # the score of every k tried
    changes: dict[str, list[str]]  # persona ids: new, kept, gone
    dropped: list[str] = field(default_factory=list)  # constant features left out

    def to_dict(self) -> dict:
        """Everything but the assignments (a table the caller stores as such)."""
        return {"cards": [c.to_dict() for c in self.cards], "state": self.state, "k": self.k,
                "silhouette": {str(k): s for k, s in self.silhouette.items()}, "changes": self.changes,
                "dropped": self.dropped}


def feature_specs(traits: Iterable[Trait], names: Sequence[str] = DEFAULT_FEATURES) -> list[FeatureSpec]:
    """Specs of trait definitions by name (the library's or a workspace's): kind and unit from the dtype."""
    by_name = {t.name: t for t in traits}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"unknown trait(s) for personas: {', '.join(unknown)}")
    specs = []
    for name in names:
        trait = by_name[name]
        if trait.dtype not in ("int64", "float64", "boolean", "string"):
            raise ValueError(f"trait {name!r} is a {trait.dtype}: personas use numbers, booleans and strings")
        kind = "category" if trait.dtype == "string" else "numeric"
        unit = "%" if trait.dtype == "boolean" else trait.unit
        specs.append(FeatureSpec(name, kind, trait.label.zh or name, trait.label.en or name, unit))
    return specs


def discover_personas(profiles: pd.DataFrame, features: Sequence[FeatureSpec], *, rules: Sequence[PersonaRule] = (),
                      previous: Mapping | None = None, overrides: Mapping[str, PersonaOverride | Mapping] | None = None,
                      goals: Sequence[str] = (), pain_points: Sequence[str] = (),
                      settings: DiscoverySettings | None = None) -> PersonaResult:
    """Personas of the customers in ``profiles``; ``previous`` is the state of the last discovery.

    ``goals`` and ``pain_points`` name string or list columns whose over-represented values a card
    shows; ``overrides`` (by persona id) replace a card's name, narrative or description.
    """
    settings = settings or DiscoverySettings()
    _check_input(profiles, features, [*goals, *pain_points])
    edits = {pid: PersonaOverride.parse(o, pid) for pid, o in (overrides or {}).items()}
    table = tidy(profiles, features)
    rng = np.random.default_rng(settings.random_state)
    encoder = Encoder.fit(table.iloc[persona_space.draw(len(table), settings.fit_sample, rng)], features, settings)
    dropped = _dropped(encoder, features)
    x = encoder.transform(table)
    rules, rule_of = _rule_index(rules, len(table))
    with threadpool_limits(settings.threads):
        labels, fit, scores = _cluster(x, encoder.start(), rule_of, len(rules), settings, rng)
    centres = persona_space.group_means(x, labels, np.tile(encoder.start(), (labels.max() + 1, 1)))
    own = np.take_along_axis(persona_space.sq_distances(x, centres), labels[:, None], axis=1)[:, 0]
    ids, changes, state = assign_ids(previous, encoder, centres, np.bincount(labels), [r.id for r in rules],
                                     settings.match_threshold)
    slots = [Slot(i, "rule", r.name_zh, r.name_en) for i, r in zip(ids, rules)]
    slots += [Slot(i, "cluster") for i in ids[len(rules):]]
    z = pd.DataFrame(encoder.standardized(centres), columns=encoder.numeric_names)
    # typical members: the most complete profiles first, then the nearest to the centre per trait they have
    seen = (~np.isnan(x)).sum(axis=1)
    cards = persona_cards.build_cards(profiles, table, [f for f in features if f.name not in dropped], slots, labels,
                                      z, (x.shape[1] - seen, own / np.maximum(seen, 1)), goals=goals,
                                      pain_points=pain_points, typical=settings.typical_members)
    assignments = pd.DataFrame({"customer_id": profiles["customer_id"].to_numpy(),
                                "persona": np.asarray(ids, dtype=object)[labels], "fit": fit})
    return PersonaResult(assignments, persona_cards.apply_overrides(cards, edits), state,
                         len(ids) - len(rules), scores, changes, dropped)


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


def _dropped(encoder: Encoder, features: Sequence[FeatureSpec]) -> list[str]:
    constant = encoder.constant(features)
    if len(constant) == len(features):
        raise ValueError(f"every feature is constant (one value, or no value held by 1% of the customers), "
                         f"nothing to cluster on: {', '.join(constant)}")
    if constant:
        warnings.warn(PersonaWarning(f"constant feature(s) left out of the personas (one value, or no value held by "
                                     f"1% of the customers): {', '.join(constant)}"), stacklevel=3)
    return constant


def _rule_index(rules: Sequence[PersonaRule], n: int) -> tuple[list[PersonaRule], np.ndarray]:
    """Each row's rule (the first that matches) or -1; rules matching nobody are left out with a warning."""
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
        index = np.where(index >= 0, (np.cumsum(used) - 1)[np.maximum(index, 0)], -1)
    return [r for r, u in zip(rules, used) if u], index


def _cluster(x: np.ndarray, start: np.ndarray, rule_of: np.ndarray, n_rules: int, settings: DiscoverySettings,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
    """Persona index per row (rules first, then clusters by size, largest first), fit, silhouettes."""
    labels, fit, free = rule_of.copy(), np.ones(len(x)), rule_of < 0
    if not free.any():
        return labels, fit, {}
    centres, scores = persona_space.choose_k(x[free], start, settings, rng)
    own, fit[free] = persona_space.assign(x[free], centres)
    sizes = np.bincount(own)
    rank = np.empty(len(sizes), dtype=int)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
    labels[free] = n_rules + rank[own]
    return labels, fit, scores


def assign_ids(previous: Mapping | None, encoder: Encoder, centres: np.ndarray, sizes: np.ndarray,
               rule_ids: Sequence[str], threshold: float) -> tuple[list[str], dict[str, list[str]], dict]:
    """Ids for ``centres`` (rule personas first, then clustered ones by size), the changes, the new state.

    The state is plain JSON: ``{"version": 1, "issued": [every id ever given, never reused],
    "personas": [{"id", "origin", "size", "centre"}]}``. A centre is kept in trait units (a number
    per numeric trait, value shares per category) because the standardized space moves with every
    rebuild: today's encoder encodes the old centres again, ``persona_space.match`` pairs old and
    new clustered personas, and an unmatched new one gets the next ``P<nn>`` never issued. Rule
    personas keep their rules' ids; an old clustered persona whose id a rule now takes is replaced.
    """
    state = read_state(previous)
    rules = len(rule_ids)
    old = [p for p in state["personas"] if p["origin"] == "cluster" and p["id"] not in rule_ids]
    pairs = persona_space.match(encoder.from_raw([p["centre"] for p in old]), centres[rules:], threshold) if old else {}
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
                for j, (pid, size, raw) in enumerate(zip(ids, sizes, encoder.to_raw(centres)))]
    return ids, changes, {"version": STATE_VERSION, "issued": list(dict.fromkeys([*issued, *ids])),
                          "personas": personas}


def read_state(previous: Mapping | None) -> dict:
    """``previous`` checked (an empty state for a first discovery); a ValueError says what is wrong."""
    if previous is None:
        return {"version": STATE_VERSION, "issued": [], "personas": []}
    if not isinstance(previous, Mapping) or previous.get("version") != STATE_VERSION:
        raise ValueError(f"previous persona state: expected a mapping with version {STATE_VERSION}")
    personas, issued = previous.get("personas"), previous.get("issued")
    if not isinstance(personas, list) or not isinstance(issued, list):
        raise ValueError("previous persona state: 'personas' and 'issued' must be lists")
    for i, p in enumerate(personas):
        if not (isinstance(p, Mapping) and {"id", "origin", "centre"} <= set(p) and isinstance(p["centre"], Mapping)):
            raise ValueError(f"previous persona state: personas[{i}] needs an id, an origin and a centre mapping")
    return {"version": STATE_VERSION, "issued": [str(i) for i in issued], "personas": personas}
