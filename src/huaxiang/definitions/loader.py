"""Read a workspace folder's YAML definitions and validate them, naming file and key on error."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from huaxiang.domain.identity import IdentityRules
from huaxiang.domain.predictions import Action, Persona, Prediction
from huaxiang.domain.sources import InvalidKey, Source
from huaxiang.domain.tags import Segment, Tag, TagCategory
from huaxiang.domain.traits import Trait
from huaxiang.domain.workspace import WorkspaceConfig

CONFIG_FILE = "huaxiang.yml"

#: definition kind -> (folder in the workspace, model). Later issues register traits, tags…
KINDS: dict[str, tuple[str, type[BaseModel]]] = {}
#: definition kind -> (one file at the workspace root, model); the definition is named after its kind.
FILES: dict[str, tuple[str, type[BaseModel]]] = {}


def register_kind(kind: str, folder: str, model: type[BaseModel]) -> None:
    KINDS[kind] = (folder, model)


def register_file(kind: str, file: str, model: type[BaseModel]) -> None:
    FILES[kind] = (file, model)


#: folder -> list key in its files -> (definition kind, model of one item). A file such as
#: ``traits/transactional.yml`` holds ``traits: [...]``; each item is its own definition.
COLLECTIONS: dict[str, dict[str, tuple[str, type[BaseModel]]]] = {}


def register_collection(kind: str, folder: str, key: str, model: type[BaseModel]) -> None:
    COLLECTIONS.setdefault(folder, {})[key] = (kind, model)


register_kind("source", "sources", Source)
register_file("identity", "identity.yml", IdentityRules)
register_collection("trait", "traits", "traits", Trait)
register_collection("tag_category", "tags", "categories", TagCategory)
register_collection("tag", "tags", "tags", Tag)
register_collection("segment", "segments", "segments", Segment)
register_collection("prediction", "predictions", "predictions", Prediction)
register_collection("action", "predictions", "actions", Action)
register_collection("persona", "personas", "personas", Persona)


@dataclass
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}" if self.key else f"{self.file}: {self.message}"


class DefinitionError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Loaded:
    kind: str
    name: str
    file: str
    model: BaseModel

    @property
    def body(self) -> dict[str, Any]:
        return self.model.model_dump(mode="json", exclude_defaults=False)


@dataclass
class Folder:
    config: WorkspaceConfig
    definitions: dict[str, dict[str, Loaded]] = field(default_factory=dict)


def read_yaml(path: Path, root: Path) -> Any:
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DefinitionError([Problem(rel, "", "definitions must be UTF-8 text")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DefinitionError([Problem(rel, "", f"{where}invalid YAML ({getattr(exc, 'problem', exc)})")]) from None


def _validation_problems(rel: str, exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, InvalidKey):  # a model-level check names the key itself
            loc.append(cause.key)
        msg = err["msg"].removeprefix("Value error, ")
        out.append(Problem(rel, ".".join(loc), msg))
    return out


def validate(model: type[BaseModel], data: Any, rel: str) -> BaseModel:
    if not isinstance(data, dict):
        raise DefinitionError([Problem(rel, "", "expected a mapping of keys to values")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(_validation_problems(rel, exc)) from None


def load_folder(root: Path) -> Folder:
    """Validate everything; collect every problem before raising, so users fix them in one go."""
    root = Path(root)
    problems: list[Problem] = []
    config = None
    try:
        config = validate(WorkspaceConfig, read_yaml(root / CONFIG_FILE, root), CONFIG_FILE)
    except DefinitionError as exc:
        problems += exc.problems
    folder = Folder(config=config)  # type: ignore[arg-type]
    for kind, (sub, model) in KINDS.items():
        found: dict[str, Loaded] = {}
        for path in sorted((root / sub).glob("*.y*ml")):
            rel = str(path.relative_to(root))
            try:
                data = read_yaml(path, root)
                if data is None:  # an all-comment example file
                    continue
                item = validate(model, data, rel)
            except DefinitionError as exc:
                problems += exc.problems
                continue
            name = item.name  # type: ignore[attr-defined]
            if name in found:
                problems.append(Problem(rel, "name", f"{name!r} is already defined in {found[name].file}"))
                continue
            found[name] = Loaded(kind, name, rel, item)
        folder.definitions[kind] = found
    for sub, keys in COLLECTIONS.items():
        problems += _load_collections(root, sub, keys, folder)
    for kind, (file, model) in FILES.items():
        folder.definitions[kind] = {}
        try:
            data = read_yaml(root / file, root) if (root / file).exists() else None
            if data is not None:  # absent or all comments: the built-in rules apply
                folder.definitions[kind][kind] = Loaded(kind, kind, file, validate(model, data, file))
        except DefinitionError as exc:
            problems += exc.problems
    if problems:
        raise DefinitionError(problems)
    return folder


def _load_collections(root: Path, sub: str, keys: dict[str, tuple[str, type[BaseModel]]], folder: Folder) -> list[Problem]:
    """Every item of every list in ``sub/*.yml``, one definition each, named by its ``name``."""
    problems: list[Problem] = []
    for kind, _ in keys.values():
        folder.definitions.setdefault(kind, {})
    for path in sorted((root / sub).glob("*.y*ml")):
        rel = str(path.relative_to(root))
        try:
            data = read_yaml(path, root)
        except DefinitionError as exc:
            problems += exc.problems
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(rel, "", f"expected a mapping with {' / '.join(keys)}: a list each"))
            continue
        for key in data:
            if key not in keys:
                problems.append(Problem(rel, str(key), f"unknown key; expected {', '.join(keys)}"))
        for key, (kind, model) in keys.items():
            items = data.get(key) or []
            if not isinstance(items, list):
                problems.append(Problem(rel, key, "expected a list"))
                continue
            found = folder.definitions[kind]
            for i, raw in enumerate(items):
                where = f"{key}[{i}]"
                try:
                    item = validate(model, raw, rel)
                except DefinitionError as exc:
                    problems += [Problem(p.file, f"{where}.{p.key}" if p.key else where, p.message) for p in exc.problems]
                    continue
                name = item.name  # type: ignore[attr-defined]
                if name in found:
                    problems.append(Problem(rel, f"{where}.name", f"{name!r} is already defined in {found[name].file}"))
                    continue
                found[name] = Loaded(kind, name, rel, item)
    return problems
