"""The planted truth, written beside (never inside) the customer data: ``demo_truth/*.parquet``.

It is what a demo or a test compares the platform's results with: which records are one
person, which type each person is, who churned and when.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from huaxiang.demo import archetypes as A
from huaxiang.demo import geography as G
from huaxiang.demo.customers import Records
from huaxiang.demo.people import People
from huaxiang.demo.strs import labels
from huaxiang.demo.timeline import to_datetime64


def write_truth(folder: Path, people: People, records: Records, locale: str) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "customer_types": _types(people),
        "churn": _churn(people),
        "identity": _identity(people, records),
        "people": _people(people, locale),
    }
    paths = {}
    for name, table in tables.items():
        paths[name] = folder / f"{name}.parquet"
        pq.write_table(table, paths[name], compression="zstd")
    return paths


def _types(people: People) -> pa.Table:
    return pa.table({
        "true_person_id": people.person_id,
        "type": labels([a.code for a in A.ARCHETYPES], people.type),
        "type_zh": labels([a.zh for a in A.ARCHETYPES], people.type),
        "type_en": labels([a.en for a in A.ARCHETYPES], people.type),
    })


def _churn(people: People) -> pa.Table:
    """churned_at: naive local time after which the person neither buys nor engages; null = stays."""
    churned = people.churned
    return pa.table({
        "true_person_id": people.person_id,
        "churned_at": pa.array(to_datetime64(np.where(churned, people.churn, 0)), pa.timestamp("s"), mask=~churned),
    })


def _identity(people: People, records: Records) -> pa.Table:
    """Every customer record of every customer source, with its person and duplicate scenario."""
    ids = records.identity
    person = ids.person.to_numpy()
    return pa.table({
        "source": pa.array(ids.source.to_numpy(dtype=object), pa.string()),
        "source_key": pa.array(ids.source_key.to_numpy(dtype=object), pa.string()),
        "true_person_id": people.person_id[person],
        "scenario": pa.array(ids.scenario.astype(str).tolist(), pa.string()),
        "variant": pa.array(ids.variant.to_numpy(dtype=object), pa.string()),
        "family_shared_phone": ids.family_shared_phone.to_numpy(dtype=bool),
        "junk_phone": ids.junk_phone.to_numpy(dtype=bool),
    })


def _people(people: People, locale: str) -> pa.Table:
    """The true attributes, to score golden records and profile traits against."""
    where = G.places(locale)
    return pa.table({
        "true_person_id": people.person_id,
        "name": people.name,
        "gender": labels(("M", "F"), people.female.astype(int)),
        "birth_date": pa.array(people.born.astype("datetime64[D]")),
        "phone": people.phone.astype(str),
        "email": people.email,
        "province": labels(where.province, people.city),
        "city": labels(where.city, people.city),
        "city_tier": where.tier[people.city],
        "registered_at": pa.array(to_datetime64(people.registered), pa.timestamp("s")),
        "shares_phone_of": pa.array(people.person_id[np.maximum(people.spouse, 0)], mask=people.spouse < 0),
    })
