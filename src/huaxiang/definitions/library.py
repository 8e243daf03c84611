"""The built-in definition library: the traits, tags and segments every new workspace starts with.

The YAML files live in ``templates/traits``, ``templates/tags`` and ``templates/segments``;
``init_workspace`` copies them into a new workspace, where they are ordinary definitions that
users edit. Here they are read back as models (for tests and for ``docs/traits.md``, which
:func:`markdown` renders; a test keeps that file equal to it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable

import yaml

from huaxiang.domain.predictions import Action, Persona, Prediction
from huaxiang.domain.tags import Segment, Tag, TagCategory
from huaxiang.domain.traits import DIMENSIONS, Trait, TraitFile

#: workspace folders that get library files
FOLDERS = ("traits", "tags", "segments", "predictions", "personas")


@dataclass
class Library:
    traits: list[Trait] = field(default_factory=list)
    categories: list[TagCategory] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    predictions: list[Prediction] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    personas: list[Persona] = field(default_factory=list)


def files(folder: str) -> list[Traversable]:
    """The library's YAML files of one workspace folder, by name."""
    root = resources.files("huaxiang.definitions").joinpath("templates", folder)
    return sorted((f for f in root.iterdir() if f.name.endswith(".yml")), key=lambda f: f.name)


def _read(file: Traversable) -> dict:
    return yaml.safe_load(file.read_text(encoding="utf-8")) or {}


def load() -> Library:
    """Every library definition, validated (file order, then order within the file)."""
    lib = Library()
    for file in files("traits"):
        lib.traits += TraitFile.model_validate(_read(file)).traits
    for file in files("tags"):
        data = _read(file)
        lib.categories += [TagCategory.model_validate(c) for c in data.get("categories") or []]
        lib.tags += [Tag.model_validate(t) for t in data.get("tags") or []]
    for file in files("segments"):
        lib.segments += [Segment.model_validate(s) for s in _read(file).get("segments") or []]
    for file in files("predictions"):
        data = _read(file)
        lib.predictions += [Prediction.model_validate(p) for p in data.get("predictions") or []]
        lib.actions += [Action.model_validate(a) for a in data.get("actions") or []]
    for file in files("personas"):
        lib.personas += [Persona.model_validate(p) for p in _read(file).get("personas") or []]
    return lib


def definition(trait: Trait) -> str:
    """A trait's definition in one line: the column it maps, its aggregate, expression or model."""
    if trait.mapped:
        return f"golden record `{trait.mapped}`"
    if trait.derive:
        return f"`{_one_line(trait.derive)}`"
    if trait.predicted:
        return f"prediction `{trait.predicted.prediction}` → `{trait.predicted.output}`"
    agg = trait.aggregate
    assert agg is not None
    arg = f", {_one_line(agg.column)}" if agg.column else ""
    text = f"`{agg.function}({agg.table}{arg})`"
    parts = []
    if agg.function == "top_k":
        parts.append(f"k {agg.k}")
    if agg.of:
        parts.append(f"of `{_one_line(agg.of)}`")
    if agg.weight:
        parts.append(f"weight `{_one_line(agg.weight)}`")
    if agg.half_life:
        parts.append(f"half-life {agg.half_life}")
    if agg.where:
        parts.append(f"where `{_one_line(agg.where)}`")
    if agg.window:
        span = f"last {agg.window.from_}" if agg.window.end.total_seconds() == 0 else \
            f"{agg.window.from_} to {agg.window.to} ago"
        parts.append(span)
    return "; ".join([text, *parts])


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().replace("|", "\\|")


def _cell(text: str) -> str:
    return _one_line(text or "")


def markdown() -> str:
    """``docs/traits.md``: the library by dimension, then tags and segments."""
    lib = load()
    out = ["# Built-in definition library", "",
           "Generated from `src/huaxiang/definitions/templates/`; do not edit by hand:",
           "`python -c \"from huaxiang.definitions.library import markdown; print(markdown(), end='')\" > docs/traits.md`.",
           "",
           "`huaxiang init` (and the demo) copy these files into a new workspace's `traits/`, `tags/` and",
           "`segments/`, where they are ordinary definitions: edit, delete or add, then `huaxiang plan` and",
           "`huaxiang apply`. Expressions are in the condition language (docs/conditions.md). Windows end at",
           "the build time; scores use fixed thresholds, so one customer's values never depend on other",
           "customers and incremental builds equal full builds. Each definition's description (zh and en) in",
           "the YAML says why its thresholds are what they are.", "",
           f"{len(lib.traits)} traits, {len(lib.tags)} tags, {len(lib.segments)} segments.", ""]
    for dim in DIMENSIONS:
        traits = [t for t in lib.traits if t.dimension == dim]
        if not traits:
            continue
        out += [f"## Traits: {dim} ({len(traits)})", "",
                "| name | 中文 | English | type | unit | kind | definition |", "|---|---|---|---|---|---|---|"]
        out += [f"| `{t.name}` | {_cell(t.label.zh)} | {_cell(t.label.en)} | {t.dtype} | {t.unit} | {t.kind} "
                f"| {definition(t)} |" for t in traits]
        out.append("")
    out += ["## Tag categories", "", "| name | 中文 | English |", "|---|---|---|"]
    out += [f"| `{c.name}` | {_cell(c.label.zh)} | {_cell(c.label.en)} |" for c in lib.categories]
    out += ["", "## Tags", "", "| name | 中文 | English | category | rule |", "|---|---|---|---|---|"]
    out += [f"| `{t.name}` | {_cell(t.label.zh)} | {_cell(t.label.en)} | {t.category} "
            f"| {f'`{_one_line(t.rule)}`' if t.rule else '(manual)'} |" for t in lib.tags]
    out += ["", "## Segments", "", "| name | 中文 | English | kind | condition |", "|---|---|---|---|---|"]
    out += [f"| `{s.name}` | {_cell(s.label.zh)} | {_cell(s.label.en)} | {s.kind} | `{_one_line(s.condition)}` |"
            for s in lib.segments]
    return "\n".join(out) + "\n"
