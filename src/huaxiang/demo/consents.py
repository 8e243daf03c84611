"""Consent per purpose: decided once per person, then obeyed by the engagement events.

Marketing e-mail, SMS and WeChat events only happen while the person's consent for that
purpose stands, so a privacy check on the imported data finds no message sent without it.
Churners withdraw more often, shortly before they leave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from huaxiang.demo import vocab as V
from huaxiang.demo.customers import Records
from huaxiang.demo.people import NEVER, People
from huaxiang.demo.strs import S, digits, iso_datetime, join, labels
from huaxiang.demo.timeline import DAY, NOW

EMAIL, SMS, WECHAT, PROFILING, THIRD_PARTY = range(5)
GRANT_RATE = np.array([0.55, 0.5, 0.65, 0.7, 0.2])
ASKED = 0.85


@dataclass
class ConsentState:
    """people x purposes."""

    asked: np.ndarray
    granted: np.ndarray
    recorded: np.ndarray
    withdrawn: np.ndarray

    def allows(self, person: np.ndarray, purpose: int, t: np.ndarray) -> np.ndarray:
        p = person
        return self.granted[p, purpose] & (self.recorded[p, purpose] <= t) & (t < self.withdrawn[p, purpose])


def decide_consents(rng: np.random.Generator, people: People) -> ConsentState:
    n, k = len(people), len(GRANT_RATE)
    asked = rng.random((n, k)) < ASKED
    granted = asked & (rng.random((n, k)) < GRANT_RATE)
    recorded = people.registered[:, None] + rng.integers(0, 2 * DAY, (n, k))
    quits = granted & (rng.random((n, k)) < np.where(people.churned, 0.3, 0.06)[:, None])
    until = np.where(people.churned, people.churn, NOW)[:, None]
    lo = np.where(people.churned[:, None], until - 60 * DAY, recorded)
    lo = np.clip(lo, recorded + DAY, until - DAY)
    when = lo + (rng.random((n, k)) * np.maximum(until - lo, 0)).astype(np.int64)
    withdrawn = np.where(quits & (when > recorded), when, NEVER)
    return ConsentState(asked, granted, recorded, withdrawn)


def consent_table(rng: np.random.Generator, state: ConsentState, people: People, records: Records, locale: str) -> pa.Table:
    """One row per decision: the first answer, then any withdrawal."""
    person, purpose = np.nonzero(state.asked)
    later = state.withdrawn[person, purpose] < NEVER
    who = np.concatenate([person, person[later]])
    what = np.concatenate([purpose, purpose[later]])
    status = np.concatenate([np.where(state.granted[person, purpose], 0, 1), np.full(int(later.sum()), 2)])
    when = np.concatenate([state.recorded[person, purpose], state.withdrawn[person, purpose][later]])
    first_via = np.where(records.crm_id[person] != "", 0, 2)
    via = np.concatenate([first_via, rng.choice([1, 3], int(later.sum()), p=(0.7, 0.3))])
    order = np.lexsort((what, when))
    who, what, status, when, via = who[order], what[order], status[order], when[order], via[order]
    crm = records.crm_id[who]
    phone = people.phone[who].astype(S) if locale == "zh" else join("+1", people.phone[who].astype(S))
    return pa.table({
        "consent_id": join("CS", digits(np.arange(1, len(who) + 1), 9)),
        "customer_key": pa.array(crm, mask=crm == ""),
        "phone": pa.array(phone, mask=crm != ""),
        "purpose": labels(V.labels("consent_purpose", locale), what),
        "status": labels(V.labels("consent_status", locale), status),
        "recorded_at": iso_datetime(when),
        "collected_via": labels(V.labels("consent_via", locale), via),
    })
