"""``ws.personas``: the persona cards of the newest discovery, and the user's edits of them.

An edit (rename, narrative, description) is a ``persona`` definition named after the persona's id:
written into ``personas/edits.yml`` in the workspace folder and applied to the catalog at once, so
the folder and the catalog agree and the edit survives every rediscovery (ids are stable).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from huaxiang.definitions.loader import Loaded
from huaxiang.domain.predictions import Persona
from huaxiang.predict import PredictError

if TYPE_CHECKING:
    from huaxiang.workspace import Workspace

EDITS = "edits.yml"


class Personas:
    def __init__(self, ws: "Workspace"):
        self._ws = ws

    def _name(self) -> str:
        found = self._ws.predictions.definitions().of_kind("personas")
        if not found:
            raise PredictError("personas.undefined")
        return found[0].name

    def cards(self) -> list[dict[str, Any]]:
        """The newest discovery's persona cards, largest first (PredictError if none was run)."""
        card = self._ws.predictions.card(self._name())
        return sorted(card.get("personas", []), key=lambda c: -c["size"])

    def card(self, persona_id: str) -> dict[str, Any]:
        found = next((c for c in self.cards() if c["id"] == persona_id), None)
        if found is None:
            raise PredictError("personas.unknown", id=persona_id, known=", ".join(c["id"] for c in self.cards()))
        return found

    def edit(self, persona_id: str, *, name_zh: str | None = None, name_en: str | None = None,
             narrative_zh: str | None = None, narrative_en: str | None = None) -> Persona:
        """Rename a persona or rewrite its narrative; shown at once and kept by every rediscovery."""
        self.card(persona_id)  # it exists
        path = self._ws.root / "personas" / EDITS
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
        items = (data or {}).get("personas") or []
        entry = next((p for p in items if p.get("name") == persona_id), None)
        if entry is None:
            entry = {"name": persona_id}
            items.append(entry)
        for key, lang, value in (("label", "zh", name_zh), ("label", "en", name_en),
                                 ("narrative", "zh", narrative_zh), ("narrative", "en", narrative_en)):
            if value:
                entry.setdefault(key, {})[lang] = value
        persona = Persona.model_validate(entry)
        _write(path, items)
        self._ws.catalog.put_definition("persona", persona_id, Loaded("persona", persona_id, "", persona).body,
                                        origin=f"personas/{EDITS}")
        self._patch_cards(persona)
        return persona

    def _patch_cards(self, persona: Persona) -> None:
        """The stored cards and the customers' persona names take the edit now (no rediscovery needed)."""
        name = self._name()
        wh = self._ws.warehouse
        label = persona.label.get(self._ws.config.locale)
        if label and wh.has_table(f"predicted_{name}"):
            with wh.transaction():
                wh.raw.execute(f"UPDATE predicted_{name} SET persona = ? WHERE persona_id = ?", [label, persona.name])
                if wh.has_table("profiles"):
                    for trait in self._ws.profiles.definitions().traits:
                        if trait.predicted and trait.predicted.prediction == name and trait.predicted.output == "persona":
                            wh.raw.execute(f"UPDATE profiles SET {trait.name} = ? WHERE customer_id IN "
                                           f"(SELECT customer_id FROM predicted_{name} WHERE persona_id = ?)",
                                           [label, persona.name])
        self._ws.catalog.edit_persona_cards(name, persona.name, {
            "name_zh": persona.label.zh, "name_en": persona.label.en,
            "narrative_zh": persona.narrative.zh, "narrative_en": persona.narrative.en})


def _write(path: Path, items: list[dict[str, Any]]) -> None:
    head = "# Edits of discovered personas, by id (huaxiang personas rename …); kept by every rediscovery.\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + yaml.safe_dump({"personas": items}, allow_unicode=True, sort_keys=False), encoding="utf-8")
