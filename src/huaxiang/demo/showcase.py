"""`huaxiang demo`: generate the retailer's files, then run them through the ordinary path.

The demo does nothing a user could not: it scaffolds a workspace, writes source files and source
definitions, applies them, imports each source with the same loader as `huaxiang import` and
resolves identities as `huaxiang identity build` does.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from huaxiang.domain.schema import TABLES
from huaxiang.i18n import t
from huaxiang.workspace import WorkspaceError, init_workspace, open_workspace

Step = Callable[[str, int, int | None], None]

#: import order: customers first, then what refers to them
_ORDER = ("customers", "orders", "order_items", "events", "interactions", "referrals", "surveys", "consents")


def _prepare(path: Path, force: bool) -> None:
    if path.exists() and any(path.iterdir()):
        if not force:
            raise WorkspaceError(f"{path} exists and is not empty; use --force to replace it or choose another folder")
        if not (path / "huaxiang.yml").exists():
            raise WorkspaceError(f"{path} is not a huaxiang workspace; refusing to delete it")
        shutil.rmtree(path)


def run_demo(path: str | Path, *, customers: int = 5000, locale: str = "zh", seed: int = 42, force: bool = False,
             progress: Step | None = None, predict: bool = True) -> dict[str, Any]:
    from huaxiang.demo import generate

    progress = progress or (lambda *_: None)
    root = Path(path)
    started = time.perf_counter()
    _prepare(root, force)
    ws = init_workspace(root, name="huaxiang-demo", locale=locale)
    ws = _freeze_clock(ws)
    try:
        progress(t("demo.step.generate"), 0, None)
        generate(root, customers=customers, seed=seed, locale=locale,
                 progress=lambda label, done, total: progress(f"{t('demo.step.generate')}: {label}", done, total))
        progress(t("demo.step.apply"), 0, None)
        ws.apply()
        names = sorted(ws.sources.list(), key=lambda n: _ORDER.index(ws.sources.get(n)[0].kind))
        loads = []
        for i, name in enumerate(names):
            progress(t("demo.step.import", source=name), i, len(names))
            result = ws.ingest.load(name)
            invalid = sum(c["invalid"] for c in result.report.get("columns", []))
            loads.append({"source": name, "read": result.counts["read"], "stored": result.counts["stored"],
                          "quarantined": result.counts.get("quarantined", 0), "invalid": invalid})
        progress(t("demo.step.identity"), len(names), len(names))
        built = ws.identity.build().counts
        identity = {"records": built["records"], "customers": built["customers"], "conflicts": built["conflicts"],
                    "scored_links": built.get("scored_links", 0), "scored_reviews": built.get("scored_reviews", 0)}
        progress(t("demo.step.profiles"), len(names), len(names))
        profiles = ws.profiles.build(full=True)
        predictions = {}
        if predict:  # CLV, churn, propensity, personas…, then the next best actions (and tags that read them)
            progress(t("demo.step.predict"), len(names), len(names))
            trained = ws.predictions.train()
            ws.predictions.score()
            predictions = {r.prediction: r.card.get("metrics", {}) for r in trained}
        progress(t("demo.step.done"), len(names), len(names))
        tables = {tb.name: ws.warehouse.count(tb.name) for tb in TABLES.values()}
        example = _example_card(ws)
        examples = cleaning_examples(ws, "crm_contacts")
    finally:
        ws.close()
    return {"path": str(root), "customers": customers, "seconds": time.perf_counter() - started,
            "tables": tables, "loads": loads, "examples": examples, "identity": identity,
            "profiles": {"customers": profiles.customers, "traits": profiles.traits, "seconds": profiles.seconds,
                         "tags": profiles.counts.get("tags", {}), "segments": profiles.counts.get("segments", {}),
                         "example": example},
            "predictions": predictions}


def _example_card(ws: Any) -> Any:
    """The profile card of the customer with the most tags (ties: the smallest id): a full card to show."""
    row = ws.warehouse.raw.execute("SELECT customer_id FROM tag_members GROUP BY 1 "
                                   "ORDER BY count(*) DESC, customer_id LIMIT 1").fetchone()
    return ws.profiles.get(row[0])[0] if row else None


#: the demo's "today" in UTC (the generator's export moment, 2026-06-30 20:00 in Shanghai): profile
#: windows such as "the last 30 days" end there, not at the real time, long after the data stop
DEMO_CLOCK = "2026-06-30T12:00:00"


def _freeze_clock(ws: Any) -> Any:
    """Write the demo's clock into its huaxiang.yml (a user sees and can remove it) and reopen."""
    config = ws.root / "huaxiang.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.rstrip("\n") + "\n# the demo's data end on 2026-06-30: builds compute as of then (UTC)\n"
                      f"clock: {DEMO_CLOCK}\n", encoding="utf-8")
    ws.close()
    return open_workspace(ws.root)


_SHOWN = ("phone", "birth_date", "gender", "address")


def cleaning_examples(ws: Any, source: str, limit: int = 5) -> dict[str, Any]:
    """A few stored records next to what the file said: the cleaning, made visible.

    Picks records whose phone and birth date were both rewritten (the interesting ones).
    """
    definition, _ = ws.sources.get(source)
    header = {m.to: name for name, m in definition.mapping().items()}
    shown = [c for c in _SHOWN if c in header]
    if not {"phone", "birth_date"} <= set(shown):
        return {"source": source, "columns": [], "rows": []}
    raw = {c: f"json_extract_string(raw, {_lit('$.' + json.dumps(header[c], ensure_ascii=False))})" for c in shown}
    stored = {c: f"CAST({c} AS VARCHAR)" for c in shown}
    if "address" in shown:
        stored["address"] = "concat_ws(' ', province, city, district)"
    cells = ", ".join(f"{raw[c]}, {stored[c]}" for c in shown)
    rows = ws.warehouse.raw.execute(f"""
        SELECT {cells} FROM source_records
        WHERE source = ? AND {raw['phone']} <> phone AND {raw['birth_date']} <> CAST(birth_date AS VARCHAR)
        ORDER BY source_key LIMIT {int(limit)}""", [source]).fetchall()
    labels = {"address": "province / city / district"}
    return {"source": source, "columns": [(header[c], labels.get(c, c)) for c in shown],
            "rows": [[(r[2 * i], r[2 * i + 1]) for i in range(len(shown))] for r in rows]}


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
