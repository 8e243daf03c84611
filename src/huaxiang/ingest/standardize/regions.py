"""China's administrative divisions as shipped in ``data/regions.csv``, and what people type for them.

Pure Python, no database: it builds the small tables and the prefix regex that ``address.py``
turns into Ibis expressions. The unit of matching is a *chain*: the way an address starts, made of
an optional province, an optional city and an optional district, each written in full
(``广东省深圳市``) or, for provinces and cities, short (``广东深圳``). District short names are not
used ("朝阳路" is not 朝阳区, "南山" is a mountain more often than 南山区).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    adcode: str
    level: str  # 'province' | 'city' | 'district'
    province: str
    city: str
    district: str
    province_short: str
    city_short: str


@dataclass(frozen=True)
class Place:
    """What a chain resolves to; a level is None when the chain does not say or is ambiguous."""

    province: str | None
    city: str | None
    district: str | None
    ambiguous: bool = False


@cache
def regions() -> tuple[Region, ...]:
    source = resources.files(__package__).joinpath("data", "regions.csv")
    with source.open(encoding="utf-8") as f:
        return tuple(Region(**row) for row in csv.DictReader(f))


def _spellings(full: str, short: str) -> list[tuple[str, int]]:
    """(text, number of short names used) for one level."""
    return [(full, 0)] + ([(short, 1)] if short and short != full else [])


def _readings(region: Region, municipal: set[str]) -> Iterator[tuple[str, int, int, Place]]:
    """(chain, short names used, level rank, place) for every way to write ``region``."""
    provinces = [("", 0), *_spellings(region.province, region.province_short)]
    if region.level == "province":
        city = region.province if region.province in municipal else None
        for text, shorts in provinces[1:]:
            yield text, shorts, 0, Place(region.province, city, None)
        return
    cities = _spellings(region.city, region.city_short)
    if region.level == "city":
        for (p, ps), (c, cs) in ((p, c) for p in provinces for c in cities):
            yield p + c, ps + cs, 1, Place(region.province, region.city, None)
        return
    for (p, ps), (c, cs) in ((p, c) for p in provinces for c in [("", 0), *cities]):
        yield p + c + region.district, ps + cs, 2, Place(region.province, region.city, region.district)


def _resolve(readings: list[tuple[int, int, Place]]) -> Place:
    """Prefer full names, then the broader reading; keep only the levels all survivors agree on."""
    best = min((shorts, rank) for shorts, rank, _ in readings)
    places = {place for shorts, rank, place in readings if (shorts, rank) == best}
    if len(places) == 1:
        return places.pop()
    province = {p.province for p in places}
    city = {(p.province, p.city) for p in places}
    district = {(p.province, p.city, p.district) for p in places}
    return Place(
        province=province.pop() if len(province) == 1 else None,
        city=city.pop()[1] if len(city) == 1 else None,
        district=district.pop()[2] if len(district) == 1 else None,
        ambiguous=True,
    )


@cache
def chains() -> dict[str, Place]:
    """Every chain → the place it denotes (``'深圳南山区'`` → 广东省/深圳市/南山区)."""
    municipal = {r.province for r in regions() if r.level == "city" and r.city == r.province}
    readings: dict[str, list[tuple[int, int, Place]]] = defaultdict(list)
    for region in regions():
        for text, shorts, rank, place in _readings(region, municipal):
            readings[text].append((shorts, rank, place))
    return {text: _resolve(found) for text, found in readings.items()}


@cache
def level_names(level: str) -> dict[str, str]:
    """Spelling → full name for one level; spellings that name two different places are left out."""
    found: dict[str, set[str]] = defaultdict(set)
    for r in regions():
        full = getattr(r, level)
        if not full:
            continue
        short = {"province": r.province_short, "city": r.city_short}.get(level, "")
        for text, _ in _spellings(full, short):
            found[text].add(full)
    return {text: names.pop() for text, names in found.items() if len(names) == 1}


def spellings(*levels: str) -> list[str]:
    """Every way to write a unit of the given levels (full and short; districts in full only)."""
    found: set[str] = set()
    for r in regions():
        if "province" in levels:
            found.update((r.province, r.province_short))
        if "city" in levels and r.level != "province":
            found.update((r.city, r.city_short))
        if "district" in levels:
            found.add(r.district)
    return sorted(found - {""})


_REGEX_SPECIAL = set(r"\.^$|?*+()[]{}")


def prefix_pattern(words: list[str]) -> str:
    """A regex matching the longest of ``words`` at the current position.

    The words are folded into a trie, so the pattern stays compact and RE2 (whose alternation is
    leftmost-first, not longest) still prefers the longest word: at each character at most one
    branch can continue, and a greedy optional group only gives up a longer match if it fails.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict) -> str:
    branches = [("\\" + ch if ch in _REGEX_SPECIAL else ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body
