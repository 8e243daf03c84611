"""Referrals: who brought whom, through which channel, and what the referred customer spent.

About one new customer in ten arrives by referral; their referrer is an earlier customer,
chosen more often among sociable types (moms, students, outdoor fans). Referrals that did not
convert point at people who never became customers. Revenue is the referred customer's net
spend in their first 90 days, taken from the generated orders.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from huaxiang.demo import archetypes as A
from huaxiang.demo import names as N
from huaxiang.demo import vocab as V
from huaxiang.demo.customers import Records
from huaxiang.demo.messy import phone_text
from huaxiang.demo.people import People
from huaxiang.demo.sampling import normalized
from huaxiang.demo.strs import S, digits, iso_datetime, join, labels
from huaxiang.demo.timeline import DAY, HISTORY_START, NOW, spread

REFERRED_SHARE = 0.1
ROUNDS = 8
CHANNEL_WEIGHTS = (0.45, 0.25, 0.2, 0.1)


def referral_table(rng, people: People, records: Records, first_90_days: np.ndarray, locale: str) -> pa.Table:
    converted = _converted(rng, people)
    lost = _not_converted(rng, people)
    return _table(rng, people, records, first_90_days, converted, lost, locale)


def _converted(rng, people: People) -> dict[str, np.ndarray]:
    """(referrer, referred, time) for referred customers: an earlier, still active customer referred them."""
    new = np.flatnonzero((people.registered > HISTORY_START + 30 * DAY) & (rng.random(len(people)) < REFERRED_SHARE))
    when = people.registered[new] - rng.integers(DAY, 14 * DAY, len(new))
    by_registration = np.argsort(people.registered, kind="stable")
    earlier = np.searchsorted(people.registered[by_registration], when - 7 * DAY)
    propensity = A.vector("referrals") / A.vector("referrals").max()
    referrer = np.full(len(new), -1)
    for _ in range(ROUNDS):  # rejection sampling, a fixed number of vectorized rounds
        open_ = np.flatnonzero((referrer < 0) & (earlier > 0))
        pick = by_registration[(rng.random(len(open_)) * earlier[open_]).astype(np.int64)]
        ok = (rng.random(len(open_)) < propensity[people.type[pick]]) & (people.churn[pick] > when[open_])
        referrer[open_[ok]] = pick[ok]
    found = referrer >= 0
    return {"referrer": referrer[found], "referred": new[found], "time": when[found]}


def _not_converted(rng, people: People) -> dict[str, np.ndarray]:
    """Invitations that went nowhere, at each type's referral rate."""
    end = np.minimum(people.churn, NOW)
    rate = A.vector("referrals")[people.type] * people.intensity * 1.5
    who, t = spread(rng, people.start, end, people.churn, rate)
    return {"referrer": who, "referred": np.full(len(who), -1), "time": t}


def _table(rng, people: People, records: Records, first_90_days, converted, lost, locale: str) -> pa.Table:
    referrer = np.concatenate([converted["referrer"], lost["referrer"]])
    referred = np.concatenate([converted["referred"], lost["referred"]])
    when = np.concatenate([converted["time"], lost["time"]])
    order = np.argsort(when, kind="stable")
    referrer, referred, when = referrer[order], referred[order], when[order]
    n, hit = len(referrer), referred >= 0
    name, phone = _strangers(rng, people, n, locale)
    name[hit], phone[hit] = people.name[referred[hit]], people.phone[referred[hit]]
    crm = records.crm_id[referrer]
    target = np.where(records.crm_id[np.maximum(referred, 0)] != "", records.crm_id[np.maximum(referred, 0)],
                      records.member_id[np.maximum(referred, 0)]).astype(S)
    channel = rng.choice(len(CHANNEL_WEIGHTS), n, p=normalized(CHANNEL_WEIGHTS))
    revenue = np.round(first_90_days[np.maximum(referred, 0)], 2)
    return pa.table({
        "referral_id": join("RF", digits(np.arange(1, n + 1), 8)),
        "customer_key": pa.array(crm, mask=crm == ""),
        "phone": pa.array(phone_text(rng, people.phone[referrer], locale, (1, 0, 0, 0, 0, 0, 0)), mask=crm != ""),
        "referred_name": name,
        "referred_phone": phone_text(rng, phone, locale, (0.7, 0.1, 0, 0, 0.1, 0.1, 0)),
        "channel": labels(V.labels("referral_channel", locale), channel),
        "referred_at": iso_datetime(when),
        "converted": labels(V.labels("yes_no", locale), np.where(hit, 0, 1)),
        "converted_at": pa.array(iso_datetime(np.where(hit, people.registered[np.maximum(referred, 0)], 0)), mask=~hit),
        "converted_customer_key": pa.array(target, mask=~hit),
        "revenue": pa.array(revenue, mask=~hit),
    })


def _strangers(rng, people: People, n: int, locale: str) -> tuple[np.ndarray, np.ndarray]:
    """Names and phone numbers of invited people who never became customers."""
    female = rng.random(n) < 0.5
    born = rng.integers(-9000, 12000, n)
    if locale == "zh":
        name = N.join(*N.chinese_names(rng, female, born))
        phone = 17 * 10**9 + rng.integers(0, 10**9, n)
    else:
        first, last = N.english_names(rng, female)
        name = join(first, " ", last)
        phone = 646 * 10**7 + rng.integers(2 * 10**6, 10**7, n)
    customers = np.concatenate([people.phone, people.old_phone])
    while (taken := np.isin(phone, customers)).any():  # a stranger never shares a customer's number
        phone[taken] += 7
    return name.astype(S), phone
