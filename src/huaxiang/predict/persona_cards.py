"""Persona cards: a name, key statistics against the whole base, goals, pain points, a narrative.

Distinguishing traits are ranked by an effect size ``z``, comparable across kinds: for a numeric
trait the members' centre in standard deviations of the base (after the encoder's log1p, so one
whale does not make a group "high spend"); for a category value ``(p_member - p_base) /
sqrt(p_base (1 - p_base))``, the share difference in standard deviations of the value's indicator
(values held by under 1% of the base are left out, and only over-represented values count).
A name joins the phrases (``data/persona_phrases.yml``) of the strongest traits with ``|z| >=
0.3``, three at most, one per trait and per topic ("Tech enthusiast" and "Tech lifestyle" say one
thing); when that name is taken in the same discovery the next phrase is added, and the id as a
last resort. A trait with no phrase falls back to "High <label>" / "高<label>". Goals and pain
points are the values of the caller's string or list columns most held by members, among those
members hold at least 1.2 times as often as the base. Typical members are the first members in
the caller's order of closeness (``personas``: the most complete profiles nearest the centre).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import yaml

if TYPE_CHECKING:
    from huaxiang.predict.personas import FeatureSpec

NAME_PARTS = 3
NAME_MIN_Z = 0.3
KEY_STATS = 5
MIN_BASE_SHARE = 0.01
MENTIONS = 3
MIN_LIFT = 1.2  # a goal or pain point members hold at least this many times as often as the base
NARRATIVE_STATS = 3
SUFFIXES = {"years": {"zh": " 岁", "en": " years"}, "days": {"zh": " 天", "en": " days"}}


@dataclass(frozen=True)
class Slot:
    """A persona to describe: its id, where it comes from, and the name a rule gives it."""

    id: str
    origin: str  # "cluster" | "rule"
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class PersonaOverride:
    """A user's edit of a persona, by id: every field given replaces the generated one."""

    name_zh: str | None = None
    name_en: str | None = None
    narrative_zh: str | None = None
    narrative_en: str | None = None
    description_zh: str | None = None
    description_en: str | None = None

    @classmethod
    def parse(cls, value: PersonaOverride | Mapping, persona_id: str) -> PersonaOverride:
        if isinstance(value, cls):
            return value
        known = [f.name for f in fields(cls)]
        if not isinstance(value, Mapping) or set(value) - set(known):
            raise ValueError(f"override of persona {persona_id!r}: expected a mapping of {', '.join(known)}, "
                             f"got {value!r}")
        return cls(**value)


@dataclass
class KeyStat:
    trait: str
    label_zh: str
    label_en: str
    kind: str  # numeric | category
    direction: str  # high | low | value
    value: str | None  # the category value
    member: float  # members' mean, or their share holding the value
    base: float  # everyone's mean or share
    lift: float | None  # member / base
    z: float
    unit: str
    phrase_zh: str
    phrase_en: str


@dataclass
class Mention:
    """A goal or pain point: a value of one of the caller's columns."""

    column: str
    value: str
    label_zh: str
    label_en: str
    member_share: float
    base_share: float
    lift: float | None


@dataclass
class PersonaCard:
    id: str
    origin: str
    name_zh: str
    name_en: str
    size: int
    share: float
    key_stats: list[KeyStat]
    goals: list[Mention]
    pain_points: list[Mention]
    narrative_zh: str
    narrative_en: str
    typical_members: list[str]
    description_zh: str = ""
    description_en: str = ""
    overridden: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class Phrases:
    """Name phrases per trait (high / low, or per category value) and the narrative templates."""

    def __init__(self, data: Mapping):
        self.traits: Mapping = data.get("traits") or {}
        self.fallback: Mapping = data["fallback"]
        self.narrative: Mapping = data["narrative"]
        self._values = {(t, v): p for t, entry in self.traits.items()
                        for v, p in (entry.get("values") or {}).items()}
        self._values |= {(t, a): p for t, entry in self.traits.items()
                         for p in (entry.get("values") or {}).values() for a in p.get("also") or ()}

    @classmethod
    @cache
    def load(cls) -> Phrases:
        file = resources.files("huaxiang.predict").joinpath("data", "persona_phrases.yml")
        return cls(yaml.safe_load(file.read_text(encoding="utf-8")))

    def numeric(self, spec: FeatureSpec, direction: str) -> tuple[str, str]:
        found = (self.traits.get(spec.name) or {}).get(direction)
        return _pair(found) if found else self._fill(self.fallback[direction], spec, "")

    def value(self, spec: FeatureSpec, value: str) -> tuple[str, str]:
        found = self._values.get((spec.name, value))
        return _pair(found) if found else self._fill(self.fallback["value"], spec, value)

    def topic(self, stat: KeyStat) -> str:
        """What a stat's phrase is about: a name says each topic once."""
        entry = (self._values.get((stat.trait, stat.value)) if stat.kind == "category"
                 else (self.traits.get(stat.trait) or {}).get(stat.direction))
        return str((entry or {}).get("topic") or stat.phrase_zh)

    def mention(self, column: str, value: str) -> tuple[str, str]:
        found = self._values.get((column, value))
        return _pair(found) if found else (value, value)

    def text(self, key: str, lang: str, **values: object) -> str:
        return self.narrative[key][lang].format(**values)

    @staticmethod
    def _fill(template: Mapping, spec: FeatureSpec, value: str) -> tuple[str, str]:
        return (template["zh"].format(label=spec.label_zh or spec.name, value=value),
                template["en"].format(label=_lower(spec.label_en or spec.name), value=value))


def build_cards(profiles: pd.DataFrame, table: pd.DataFrame, features: Sequence[FeatureSpec], slots: Sequence[Slot],
                labels: np.ndarray, z: pd.DataFrame, closeness: tuple[np.ndarray, ...], *, goals: Sequence[str] = (),
                pain_points: Sequence[str] = (), typical: int = 5, phrases: Phrases | None = None) -> list[PersonaCard]:
    """One card per slot; ``labels`` index ``slots``, ``z`` holds each persona's numeric centre (rows).

    ``closeness`` orders the members to pick the typical ones: sort keys per row, the first most important.
    """
    phrases = phrases or Phrases.load()
    sizes = np.bincount(labels, minlength=len(slots))
    stats = [*_numeric_stats(table, features, labels, z, phrases), *_category_stats(table, features, labels, sizes,
                                                                                    phrases)]
    ranked = [sorted((s for q, s in stats if q == p), key=lambda s: -abs(s.z)) for p in range(len(slots))]
    names = _names(slots, ranked, phrases)
    members = _typical(profiles["customer_id"].to_numpy(), labels, closeness, typical, len(slots))
    goal = _mentions(profiles, goals, labels, sizes, phrases)
    pain = _mentions(profiles, pain_points, labels, sizes, phrases)
    cards = []
    for p, slot in enumerate(slots):
        card = PersonaCard(slot.id, slot.origin, *names[p], int(sizes[p]), float(sizes[p] / len(labels)),
                           ranked[p][:KEY_STATS], goal[p], pain[p], "", "", members[p])
        cards.append(replace(card, narrative_zh=_narrative(card, phrases, "zh"),
                             narrative_en=_narrative(card, phrases, "en")))
    return cards


def apply_overrides(cards: Sequence[PersonaCard],
                    overrides: Mapping[str, PersonaOverride | Mapping]) -> list[PersonaCard]:
    """Cards with the user's edits applied; an override of a persona that is gone is ignored."""
    parsed = {pid: PersonaOverride.parse(o, pid) for pid, o in overrides.items()}
    out = []
    for card in cards:
        edit = parsed.get(card.id)
        changed = {f.name: getattr(edit, f.name) for f in fields(PersonaOverride)
                   if edit is not None and getattr(edit, f.name) is not None}
        out.append(replace(card, **changed, overridden=sorted(changed)) if changed else card)
    return out


def _numeric_stats(table: pd.DataFrame, features: Sequence[FeatureSpec], labels: np.ndarray, z: pd.DataFrame,
                   phrases: Phrases) -> list[tuple[int, KeyStat]]:
    specs = [f for f in features if f.kind == "numeric"]
    member = table[[f.name for f in specs]].groupby(labels).mean().reindex(range(len(z)))
    base = table[[f.name for f in specs]].mean()
    out = []
    for f in specs:
        for p in range(len(z)):
            effect = float(z.at[p, f.name])
            direction = "high" if effect >= 0 else "low"
            m, b = _number(member.at[p, f.name]), _number(base[f.name])
            out.append((p, KeyStat(f.name, f.label_zh, f.label_en, "numeric", direction, None, m, b, _ratio(m, b),
                                   effect, f.unit, *phrases.numeric(f, direction))))
    return out


def _category_stats(table: pd.DataFrame, features: Sequence[FeatureSpec], labels: np.ndarray, sizes: np.ndarray,
                    phrases: Phrases) -> list[tuple[int, KeyStat]]:
    """Each persona's most over-represented value of every category trait."""
    out = []
    for f in (f for f in features if f.kind == "category"):
        member, base, uniques = _shares(table[f.name], labels, sizes, len(labels))
        spread = np.sqrt(base * (1 - base))
        usable = (base >= MIN_BASE_SHARE) & (spread > 0)
        effect = np.where(usable, (member - base) / np.where(usable, spread, 1.0), -np.inf)
        for p, j in enumerate(effect.argmax(axis=1)):
            if effect[p, j] > 0:
                value = str(uniques[j])
                m, b = float(member[p, j]), float(base[j])
                out.append((p, KeyStat(f.name, f.label_zh, f.label_en, "category", "value", value, m, b, m / b,
                                       float(effect[p, j]), "%", *phrases.value(f, value))))
    return out


def _shares(values: pd.Series, labels: np.ndarray, sizes: np.ndarray,
            total: int) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Share of each persona's members (rows) holding each value (columns), the base's shares, the values.

    ``values`` and ``labels`` go together (one row per customer, or per customer and value).
    """
    codes, uniques = pd.factorize(values)
    held = codes >= 0
    width = max(len(uniques), 1)
    counts = np.bincount(labels[held] * width + codes[held], minlength=len(sizes) * width).reshape(len(sizes), width)
    return counts / np.maximum(sizes, 1)[:, None], counts.sum(axis=0) / total, pd.Index(uniques)


def _names(slots: Sequence[Slot], ranked: Sequence[Sequence[KeyStat]], phrases: Phrases) -> list[tuple[str, str]]:
    """Rule personas keep their names; a clustered persona's name is unique within the discovery."""
    used_zh = {s.name_zh for s in slots if s.origin == "rule"}
    used_en = {s.name_en for s in slots if s.origin == "rule"}
    names = []
    for slot, stats in zip(slots, ranked):
        if slot.origin == "rule":
            names.append((slot.name_zh, slot.name_en))
            continue
        strong = [s for s in stats if abs(s.z) >= NAME_MIN_Z] or list(stats[:1])
        parts = _parts(strong, phrases)
        take = min(NAME_PARTS, len(parts))
        while take < len(parts) and ("·".join(p[0] for p in parts[:take]) in used_zh
                                     or " · ".join(p[1] for p in parts[:take]) in used_en):
            take += 1
        zh, en = "·".join(p[0] for p in parts[:take]), " · ".join(p[1] for p in parts[:take])
        if not parts or zh in used_zh or en in used_en:
            zh, en = (f"{zh}（{slot.id}）", f"{en} ({slot.id})") if parts else (f"画像{slot.id}", f"Persona {slot.id}")
        used_zh.add(zh)
        used_en.add(en)
        names.append((zh, en))
    return names


def _parts(stats: Sequence[KeyStat], phrases: Phrases) -> list[tuple[str, str]]:
    """The phrases of ``stats`` in order, one per topic, each once."""
    parts, topics = [], set()
    for stat in stats:
        topic = phrases.topic(stat)
        if topic not in topics:
            topics.add(topic)
            parts.append((stat.phrase_zh, _capital(stat.phrase_en)))
    return list(dict.fromkeys(parts))


def _typical(ids: np.ndarray, labels: np.ndarray, closeness: tuple[np.ndarray, ...], typical: int,
             count: int) -> list[list[str]]:
    """The ``typical`` members first in ``closeness`` order within each persona."""
    order = np.lexsort((*closeness[::-1], labels))
    first = np.searchsorted(labels[order], np.arange(count))
    pick = order[np.arange(len(order)) - first[labels[order]] < typical]
    per = np.bincount(labels[pick], minlength=count)
    return [[str(i) for i in chunk] for chunk in np.split(ids[pick], np.cumsum(per)[:-1])]


def _mentions(profiles: pd.DataFrame, columns: Sequence[str], labels: np.ndarray, sizes: np.ndarray,
              phrases: Phrases) -> list[list[Mention]]:
    """Per persona, per column: the values members hold more often than the base, most held first."""
    out: list[list[Mention]] = [[] for _ in sizes]
    for column in columns:
        values = pd.Series(profiles[column].to_numpy(), index=np.arange(len(labels))).explode().dropna().astype(str)
        values = values[values.str.strip() != ""]
        pairs = pd.DataFrame({"row": values.index.to_numpy(dtype=int), "value": values.to_numpy()}).drop_duplicates()
        member, base, uniques = _shares(pd.Series(pairs["value"].to_numpy()), labels[pairs["row"].to_numpy()],
                                        sizes, len(labels))
        lift = np.divide(member, base, out=np.zeros_like(member), where=base > 0)
        for p in range(len(sizes)):
            over = np.flatnonzero(lift[p] >= MIN_LIFT)
            for j in over[np.argsort(-member[p, over], kind="stable")][:MENTIONS]:
                out[p].append(Mention(column, str(uniques[j]), *phrases.mention(column, str(uniques[j])),
                                      float(member[p, j]), float(base[j]), float(lift[p, j])))
    return out


def _narrative(card: PersonaCard, phrases: Phrases, lang: str) -> str:
    """Two or three sentences from the templates: size, the strongest traits, goals and pain points."""
    name = card.name_zh if lang == "zh" else card.name_en
    sentences = [phrases.text("size", lang, name=name, size=f"{card.size:,}", share=_format(card.share, "%", lang))]
    stats = [_stat_text(s, phrases, lang) for s in card.key_stats[:NARRATIVE_STATS]]
    if stats:
        sentences.append(phrases.text("traits", lang, stats=phrases.narrative["joiner"][lang].join(stats)))
    goals, pains = (phrases.narrative["list_joiner"][lang].join(m.label_zh if lang == "zh" else m.label_en
                                                                 for m in mentions[:2])
                    for mentions in (card.goals, card.pain_points))
    if goals or pains:
        key = "goals_pains" if goals and pains else "goals" if goals else "pains"
        sentences.append(phrases.text(key, lang, goals=goals, pains=pains))
    return ("" if lang == "zh" else " ").join(sentences)


def _stat_text(stat: KeyStat, phrases: Phrases, lang: str) -> str:
    member, base = _format(stat.member, stat.unit, lang), _format(stat.base, stat.unit, lang)
    if stat.kind == "category":
        return phrases.text("value", lang, phrase=stat.phrase_zh if lang == "zh" else stat.phrase_en,
                            member=member, base=base)
    label = stat.label_zh if lang == "zh" else _lower(stat.label_en)
    return phrases.text(stat.direction, lang, label=label, member=member, base=base)


def _format(value: float | None, unit: str, lang: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.0%}" if abs(value) >= 0.1 else f"{value:.1%}"
    if unit == "CNY":
        return f"{value:,.0f} 元" if lang == "zh" else f"¥{value:,.0f}"
    number = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return number + SUFFIXES.get(unit, {}).get(lang, "")


def _number(value: object) -> float | None:
    return None if pd.isna(value) else float(value)


def _ratio(member: float | None, base: float | None) -> float | None:
    return member / base if member is not None and base else None


def _pair(found: Mapping) -> tuple[str, str]:
    return str(found["zh"]), str(found["en"])


def _capital(text: str) -> str:
    """"value for money" → "Value for money" at the start of a name part; "iPhone user" stays."""
    return text if text[1:2].isupper() else text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    """"Average item price" → "average item price" inside a sentence; "NPS score" stays."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]
