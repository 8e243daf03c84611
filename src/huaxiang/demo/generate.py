"""Generate the whole demo workspace data: files, source definitions and the planted truth.

Steps run in a fixed order, each with its own random stream (``sampling.step_rng``), so a seed
always yields the same bytes. Orders and events are generated per chunk of people and streamed
to disk, which keeps a million customers (about 20 million events) within a few GB of memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from huaxiang.demo import sources as SRC
from huaxiang.demo.catalog import build_catalog
from huaxiang.demo.consents import consent_table, decide_consents
from huaxiang.demo.customers import build_records
from huaxiang.demo.events import make_events
from huaxiang.demo.events_json import EventWriter
from huaxiang.demo.geography import places, stores
from huaxiang.demo.interactions import social_table, ticket_table
from huaxiang.demo.orders import make_orders
from huaxiang.demo.people import build_people
from huaxiang.demo.referrals import referral_table
from huaxiang.demo.sampling import step_rng
from huaxiang.demo.specs import SourceSpec, render
from huaxiang.demo.surveys import survey_table
from huaxiang.demo.truth import write_truth
from huaxiang.demo.writers import ParquetAppender, with_headers, write_csv, write_json_array, write_members_xlsx

CHUNK = 100_000  # people per orders/events chunk; fixed, so output never depends on the machine
LOCALES = ("zh", "en")
Progress = Callable[[str, int, int], None]


@dataclass
class DemoManifest:
    sources: list[Path] = field(default_factory=list)  # the source YAML files written
    files: dict[str, Path] = field(default_factory=dict)  # source name -> data file
    truth_dir: Path = Path()
    counts: dict[str, int] = field(default_factory=dict)  # source name -> rows written


class _Steps:
    """Calls ``progress(label, done, total)`` as steps complete."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, label: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(label, self.done, self.total)


def generate(out_dir: Path, *, customers: int = 5000, seed: int = 42, locale: str = "zh",
             progress: Progress | None = None) -> DemoManifest:
    """Write the demo data of ``customers`` people into the workspace folder ``out_dir``."""
    if locale not in LOCALES:
        raise ValueError(f"locale must be one of {', '.join(LOCALES)}, not {locale!r}")
    if customers < 1:
        raise ValueError("customers must be at least 1")
    out_dir = Path(out_dir)
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    chunks = [slice(i, min(i + CHUNK, customers)) for i in range(0, customers, CHUNK)]
    step = _Steps(progress, 9 + len(chunks))
    manifest = DemoManifest(truth_dir=out_dir / "demo_truth")
    ctx = _Context(out_dir, seed, locale, manifest)
    people = build_people(step_rng(seed, 1), customers, locale)
    shops = stores(places(locale))
    records = build_records(step_rng(seed, 2), people, locale, shops)
    consents = decide_consents(step_rng(seed, 3), people)
    step("people")
    _customer_files(ctx, records, step)
    catalog = build_catalog(locale)
    first_90_days = _orders_and_events(ctx, people, records, consents, shops, catalog, chunks, step)
    _service_and_feedback(ctx, people, records, consents, catalog, first_90_days, step)
    write_truth(manifest.truth_dir, people, records, locale)
    step("demo_truth")
    ctx.definitions()
    step("sources")
    return manifest


def _customer_files(ctx: "_Context", records, step) -> None:
    ctx.csv(SRC.CRM, records.crm)
    step("crm_contacts")
    path = ctx.file(SRC.STORE)
    rows = write_members_xlsx(records.store, SRC.STORE, path, ctx.locale, SRC.STORE.sheet[ctx.locale])
    ctx.count(SRC.STORE, rows)
    step("store_members")


def _service_and_feedback(ctx: "_Context", people, records, consents, catalog, first_90_days, step) -> None:
    seed, locale = ctx.seed, ctx.locale
    tickets = ticket_table(step_rng(seed, 6), people, records, catalog, locale)
    ctx.csv(SRC.TICKETS, tickets.table)
    step("service_tickets")
    social = with_headers(social_table(step_rng(seed, 7), people, records, catalog, locale), SRC.SOCIAL, locale)
    ctx.count(SRC.SOCIAL, write_json_array(social, ctx.file(SRC.SOCIAL)))
    step("social")
    ctx.csv(SRC.REFERRALS, referral_table(step_rng(seed, 8), people, records, first_90_days, locale))
    ctx.csv(SRC.SURVEYS, survey_table(step_rng(seed, 9), people, records, tickets, catalog, locale))
    step("referrals & surveys")
    ctx.csv(SRC.CONSENTS, consent_table(step_rng(seed, 10), consents, people, records, locale))
    step("consents")


def _orders_and_events(ctx: "_Context", people, records, consents, shops, catalog, chunks, step) -> np.ndarray:
    """Orders, order lines and events, chunk by chunk; returns each person's first-90-day revenue."""
    orders, items = ParquetAppender(ctx.file(SRC.ORDERS)), ParquetAppender(ctx.file(SRC.ORDER_ITEMS))
    events = EventWriter(ctx.file(SRC.EVENTS), catalog, ctx.locale, ctx.seed)
    first_90_days = np.zeros(len(people))
    seq = devices = sessions = 0
    for i, chunk in enumerate(chunks):
        batch = make_orders(step_rng(ctx.seed, 4, i), people, records, shops, catalog, chunk, seq, ctx.locale)
        orders.append(with_headers(batch.orders, SRC.ORDERS, ctx.locale))
        items.append(with_headers(batch.items, SRC.ORDER_ITEMS, ctx.locale))
        first_90_days[chunk] = batch.first_90_days
        seq += batch.orders.num_rows
        coded = make_events(step_rng(ctx.seed, 5, i), people, records, consents, chunk, batch.online, devices, sessions)
        events.append(coded.columns, coded.users, batch.online)
        devices, sessions = devices + coded.devices, sessions + coded.sessions
        step(f"orders & events {i + 1}/{len(chunks)}")
    orders.close()
    items.close()
    events.close()
    ctx.count(SRC.ORDERS, orders.rows)
    ctx.count(SRC.ORDER_ITEMS, items.rows)
    ctx.count(SRC.EVENTS, events.rows)
    return first_90_days


@dataclass
class _Context:
    out_dir: Path
    seed: int
    locale: str
    manifest: DemoManifest

    def file(self, spec: SourceSpec) -> Path:
        path = self.out_dir / spec.path
        self.manifest.files[spec.name] = path
        return path

    def count(self, spec: SourceSpec, rows: int) -> None:
        self.manifest.counts[spec.name] = rows

    def csv(self, spec: SourceSpec, table) -> None:
        encoding = spec.encoding.get(self.locale, "utf-8")
        self.count(spec, write_csv(with_headers(table, spec, self.locale), self.file(spec), encoding))

    def definitions(self) -> None:
        folder = self.out_dir / "sources"
        folder.mkdir(parents=True, exist_ok=True)
        for spec in SRC.ALL:
            path = folder / f"{spec.name}.yml"
            path.write_text(render(spec, self.locale), encoding="utf-8")
            self.manifest.sources.append(path)
