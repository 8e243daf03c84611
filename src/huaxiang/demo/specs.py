"""The demo's source definitions: file headers per locale and the canonical column each maps to.

One declaration drives both sides, so they cannot drift apart: the writers name the file
columns from it, and ``render`` turns it into the ``sources/<name>.yml`` that the ordinary
ingest pipeline reads (validated by ``huaxiang.domain.sources.Source``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from huaxiang.demo import vocab as V


@dataclass(frozen=True)
class Field:
    column: str  # the generator's column name, which is the canonical column unless ``to`` says otherwise
    zh: str  # header in the zh files
    en: str
    to: str | None = ""  # canonical column; "" = same as column; None = not mapped (kept in the raw JSON only)
    values: str | None = None  # vocab domain whose labels map to canonical codes
    formats: dict[str, list[str]] | None = None  # strptime formats per locale

    @property
    def target(self) -> str | None:
        return self.column if self.to == "" else self.to

    def header(self, locale: str) -> str:
        return self.zh if locale == "zh" else self.en


@dataclass(frozen=True)
class SourceSpec:
    name: str
    kind: str
    format: str
    file: str  # under data/; "{ext}" never varies by locale
    fields: tuple[Field, ...]
    description: tuple[str, str]
    notes: tuple[str, ...] = ()  # YAML comments: what is messy on purpose
    encoding: dict[str, str] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    on_error: str = "reject"
    sheet: dict[str, str] | None = None
    extra_values: dict[str, dict[str, str]] = field(default_factory=dict)

    def headers(self, locale: str) -> list[str]:
        return [f.header(locale) for f in self.fields]

    @property
    def path(self) -> str:
        return f"data/{self.file}"


def render(spec: SourceSpec, locale: str) -> str:
    """The source YAML text: a comment block with the planted noise, then the definition."""
    zone, region = ("Asia/Shanghai", "CN") if locale == "zh" else ("America/New_York", "US")
    doc: dict = {
        "name": spec.name, "kind": spec.kind, "format": spec.format,
        "description": {"zh": spec.description[0], "en": spec.description[1]},
        "owner": "demo", "path": spec.path,
    }
    if spec.encoding:
        doc["encoding"] = spec.encoding[locale]
    if spec.sheet:
        doc["sheet"] = spec.sheet[locale]
    doc.update(timezone=zone, country=region)
    if spec.key:
        doc["key"] = list(spec.key)
    doc["on_error"] = spec.on_error
    doc["columns"] = {f.header(locale): _column(f, locale) for f in spec.fields if f.target}
    values = _values(spec, locale)
    if values:
        doc["values"] = values
    if spec.required:
        doc["required"] = list(spec.required)
    comments = "".join(f"# {line}\n" for line in (f"Demo source {spec.name}, written by `huaxiang demo`.", *spec.notes))
    return comments + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


def _column(f: Field, locale: str):
    if f.formats:
        return {"to": f.target, "formats": f.formats[locale]}
    return f.target


def _values(spec: SourceSpec, locale: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for f in spec.fields:
        if f.values and V.value_map(f.values, locale):
            out[f.target] = V.value_map(f.values, locale)
    for target, extra in spec.extra_values.items():
        out.setdefault(target, {}).update(extra)
    return out
