"""Plan, then apply: compare the workspace folder with the catalog and write new versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huaxiang.definitions.loader import Folder, load_folder
from huaxiang.engine.catalog import Catalog, body_hash


@dataclass
class Change:
    kind: str
    name: str
    action: str  # create | update | delete | unchanged
    file: str = ""
    version: int | None = None  # the version that apply writes (or the current one if unchanged)
    changed_keys: list[str] = field(default_factory=list)


@dataclass
class Plan:
    changes: list[Change]

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != "unchanged"]

    def summary(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "delete": 0, "unchanged": 0}
        for c in self.changes:
            out[c.action] += 1
        return out


def _changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def make_plan(root: Path, catalog: Catalog, folder: Folder | None = None) -> Plan:
    folder = folder or load_folder(root)
    changes: list[Change] = []
    for kind, items in folder.definitions.items():
        current = catalog.latest(kind)
        newest = catalog.versions(kind)  # a name deleted earlier continues its version history
        for name, item in sorted(items.items()):
            old = current.get(name)
            body = item.body
            if old is None:
                changes.append(Change(kind, name, "create", item.file, newest.get(name, 0) + 1))
            elif old["hash"] != body_hash(body):
                changes.append(Change(kind, name, "update", item.file, old["version"] + 1,
                                      _changed_keys(old["body"], body)))
            else:
                changes.append(Change(kind, name, "unchanged", item.file, old["version"]))
        for name, old in sorted(current.items()):
            if name not in items:
                changes.append(Change(kind, name, "delete", old["origin"] or "", old["version"] + 1))
    return Plan(changes)


def apply_plan(root: Path, catalog: Catalog) -> Plan:
    folder = load_folder(root)
    plan = make_plan(root, catalog, folder)
    for change in plan.pending:
        body = None if change.action == "delete" else folder.definitions[change.kind][change.name].body
        change.version = catalog.put_definition(change.kind, change.name, body, origin=change.file)
    return plan
