"""Survey answers: quarterly NPS, CSAT after service contacts, and a one-off profile survey.

NPS follows the customer type and drops in the half year before a churn; CSAT follows the
rating of the ticket it asks about; the profile survey states the type's purchase motivation.
One row per answered question, as survey tools export them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from huaxiang.demo import archetypes as A
from huaxiang.demo import vocab as V
from huaxiang.demo.catalog import Catalog
from huaxiang.demo.customers import Records
from huaxiang.demo.interactions import Tickets
from huaxiang.demo.people import People
from huaxiang.demo.sampling import choice_by_group
from huaxiang.demo.strs import S, digits, iso_datetime, join, labels
from huaxiang.demo.texts import CSAT_COMMENTS, NPS_REASONS, SURVEY_QUESTIONS
from huaxiang.demo.timeline import DAY, HISTORY_START, NOW, seconds

NPS_RESPONSE = 0.06  # per active customer and quarter
PROFILE_RESPONSE = 0.15
QUESTIONS = ("nps", "nps_reason", "csat", "motivation", "favorite")


def survey_table(rng, people: People, records: Records, tickets: Tickets, catalog: Catalog, locale: str) -> pa.Table:
    parts = [*_nps(rng, people, locale), *_csat(rng, tickets, locale), *_profile(rng, people, catalog, locale)]
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((cols["question"], cols["time"]))
    cols = {k: v[order] for k, v in cols.items()}
    who = cols["person"]
    crm = records.crm_id[who]
    phone = people.phone[who].astype(S) if locale == "zh" else join("+1", people.phone[who].astype(S))
    return pa.table({
        "response_id": join("R", digits(np.arange(1, len(who) + 1), 9)),
        "survey_id": cols["survey"],
        "survey_type": labels(V.labels("survey_type", locale), cols["kind"]),
        "customer_key": pa.array(crm, mask=crm == ""),
        "phone": pa.array(phone, mask=crm != ""),
        "responded_at": iso_datetime(cols["time"]),
        "question": labels([SURVEY_QUESTIONS[locale][q] for q in QUESTIONS], cols["question"]),
        "answer": pa.array(cols["answer"], mask=cols["answer"] == ""),
        "score": pa.array(cols["score"], mask=cols["score"] < 0),
    })


def _part(person, time, survey, kind, question, answer, score) -> dict[str, np.ndarray]:
    n = len(person)
    return {"person": person, "time": time, "survey": np.broadcast_to(np.asarray(survey, dtype=S), (n,)),
            "kind": np.full(n, kind), "question": np.full(n, question),
            "answer": np.broadcast_to(np.asarray(answer, dtype=S), (n,)), "score": np.broadcast_to(score, (n,))}


def _nps(rng, people: People, locale: str) -> list[dict]:
    """Each quarter a few active customers answer; scores sink before a churn."""
    parts = []
    for q in range(12):
        year, quarter = 2023 + (q + 2) // 4, (q + 2) % 4 + 1
        start = seconds(f"{year}-{3 * quarter - 2:02d}-01T00:00:00")
        t = start + rng.integers(0, 30 * DAY, len(people))
        active = (people.start <= t) & (t < np.minimum(people.churn, NOW))
        who = np.flatnonzero(active & (rng.random(len(people)) < NPS_RESPONSE))
        t = t[who]
        score = A.vector("nps")[people.type[who]] + rng.normal(0, 1.8, len(who))
        score -= 3.5 * (people.churn[who] - t < 180 * DAY)
        score = np.clip(np.round(score), 0, 10).astype(np.int64)
        survey = f"NPS-{year}Q{quarter}"
        parts.append(_part(who, t, survey, 0, 0, "", score))
        said = rng.random(len(who)) < 0.6
        parts.append(_part(who[said], t[said] + 20, survey, 0, 1, _reasons(rng, score[said], locale), -1))
    return parts


def _reasons(rng, score: np.ndarray, locale: str) -> np.ndarray:
    group = np.where(score <= 6, 0, np.where(score <= 8, 1, 2))
    out = np.empty(len(score), dtype=S)
    for g, options in enumerate(NPS_REASONS[locale]):
        rows = np.flatnonzero(group == g)
        out[rows] = labels(options, rng.integers(0, len(options), len(rows)))
    return out


def _csat(rng, tickets: Tickets, locale: str) -> list[dict]:
    """After a resolved contact, 40% rate the service: close to the ticket's own rating."""
    asked = np.flatnonzero(tickets.resolved & (rng.random(len(tickets.person)) < 0.4))
    t = tickets.time[asked] + rng.integers(3600, 2 * DAY, len(asked))
    keep = t < NOW
    asked, t = asked[keep], t[keep]
    rating = tickets.rating[asked]
    score = np.where(rating > 0, rating, rng.integers(2, 6, len(asked)))
    score = np.clip(score + rng.choice([-1, 0, 0, 0, 1], len(asked)), 1, 5)
    who = tickets.person[asked]
    group = np.where(score <= 2, 0, np.where(score == 3, 1, 2))
    comment = np.empty(len(asked), dtype=S)
    for g, options in enumerate(CSAT_COMMENTS[locale]):
        rows = np.flatnonzero(group == g)
        comment[rows] = labels(options, rng.integers(0, len(options), len(rows)))
    comment[rng.random(len(asked)) < 0.6] = ""
    return [_part(who, t, "CSAT", 1, 2, comment, score)]


def _profile(rng, people: People, catalog: Catalog, locale: str) -> list[dict]:
    """A one-off profile survey: purchase motivation and favourite category."""
    who = np.flatnonzero(rng.random(len(people)) < PROFILE_RESPONSE)
    end = np.minimum(people.churn[who], NOW)
    start = np.maximum(people.start[who], HISTORY_START)
    t = start + (rng.random(len(who)) * np.maximum(end - start, 0)).astype(np.int64)
    motive = choice_by_group(rng, people.type[who], A.matrix("motivation"))
    favorite = choice_by_group(rng, people.type[who], A.category_weights() ** 2)
    survey = "PROFILE-2025"
    return [_part(who, t, survey, 2, 3, labels(V.labels("motivation", locale), motive), -1),
            _part(who, t + 45, survey, 2, 4, labels(catalog.category_names, favorite), -1)]
