"""Service tickets and social media interactions.

Service: each type contacts the retailer at its own rate and through its own channel (seniors
phone, students chat); people who are about to churn file extra complaints in their last four
months, the pattern a churn model should learn. Social: platform by type, posts and comments
from templates, negative in the weeks before churning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from huaxiang.demo import archetypes as A
from huaxiang.demo import vocab as V
from huaxiang.demo.catalog import Catalog, pick_products
from huaxiang.demo.customers import Records
from huaxiang.demo.people import People
from huaxiang.demo.sampling import choice_by_group
from huaxiang.demo.strs import S, digits, fill, iso_datetime, join, labels, local_iso, text
from huaxiang.demo.texts import SOCIAL, SOCIAL_NEGATIVE, TICKETS
from huaxiang.demo.timeline import DAY, NOW, spread

COMPLAINTS = (0, 1, 2)
RATING_RANGE = ((1, 2), (1, 2), (1, 2), (3, 5), (4, 5), (2, 4), (3, 4))  # per topic, inclusive


@dataclass
class Tickets:
    table: pa.Table
    person: np.ndarray
    time: np.ndarray
    rating: np.ndarray  # 0 = none given
    resolved: np.ndarray


def ticket_table(rng, people: People, records: Records, catalog: Catalog, locale: str) -> Tickets:
    who, t, topic = _ticket_times(rng, people)
    types = people.type[who]
    channel = choice_by_group(rng, types, A.matrix("ticket_channels"))
    kind = np.where(channel == 0, 0, np.where(channel == 1, 1, 2))
    category = choice_by_group(rng, types, A.category_weights())
    product = pick_products(rng, category, A.vector("price_alpha")[types])
    body = _ticket_text(rng, topic, category, product, catalog, locale)
    lo, hi = np.array(RATING_RANGE).T
    rating = np.where(rng.random(len(who)) < 0.75, rng.integers(lo[topic], hi[topic] + 1), 0)
    recent = t > NOW - 7 * DAY
    status = np.where(recent, rng.integers(0, 2, len(who)), np.where(rng.random(len(who)) < 0.6, 2, 3))
    crm = records.crm_id[who]
    by_phone = (channel == 0) | (channel == 4) | (crm == "")
    phone = people.phone[who].astype(S) if locale == "zh" else join("+1", people.phone[who].astype(S))
    table = pa.table({
        "interaction_id": join("GD" if locale == "zh" else "TK", digits(np.arange(1, len(who) + 1), 9)),
        "customer_key": pa.array(crm, mask=by_phone),
        "phone": pa.array(phone, mask=~by_phone),
        "occurred_at": iso_datetime(t),
        "channel": labels(V.labels("ticket_channel", locale), channel),
        "kind": labels(V.labels("ticket_kind", locale), kind),
        "subject": labels(V.labels("ticket_topic", locale), topic),
        "text": body,
        "rating": pa.array(rating, mask=rating == 0),
        "status": labels(V.labels("ticket_status", locale), status),
        "agent": join("KF" if locale == "zh" else "AG", digits(rng.integers(1, 120, len(who)), 3)),
    })
    return Tickets(table, who, t, rating, status >= 2)


def _ticket_times(rng, people: People) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ordinary contacts by type, plus complaints in the four months before a churn."""
    end = np.minimum(people.churn, NOW)
    rate = A.vector("tickets")[people.type] * people.intensity
    who, t = spread(rng, people.start, end, people.churn, rate, A.hours(), people.type)
    topic = choice_by_group(rng, people.type[who], A.matrix("topics"))
    churners = np.flatnonzero(people.churned)
    count = rng.poisson(1.2, len(churners))
    extra = np.repeat(churners, count)
    lo = np.maximum(people.start[extra], people.churn[extra] - 120 * DAY)
    extra_t = lo + (rng.random(len(extra)) * (people.churn[extra] - lo)).astype(np.int64)
    who, t = np.concatenate([who, extra]), np.concatenate([t, extra_t])
    topic = np.concatenate([topic, rng.choice(COMPLAINTS, len(extra))])
    order = np.argsort(t, kind="stable")
    return who[order], t[order], topic[order]


def _ticket_text(rng, topic, category, product, catalog: Catalog, locale: str) -> np.ndarray:
    groups = TICKETS[locale]
    flat = [tpl for group in groups for tpl in group]
    sizes = np.array([len(g) for g in groups])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    which = first[topic] + (rng.random(len(topic)) * sizes[topic]).astype(np.int64)
    slots = {"cat": labels(catalog.category_names, category), "prod": catalog.name[product].astype(S),
             "days": text(rng.integers(3, 16, len(topic)))}
    return fill(flat, which, slots)


def social_table(rng, people: People, records: Records, catalog: Catalog, locale: str) -> pa.Table:
    """Likes, comments, shares, posts and follows of people whose social account is bound."""
    bound = rng.random(len(people)) < 0.35
    end = np.where(bound, np.minimum(people.churn, NOW), people.start)
    rate = A.vector("social")[people.type] * people.intensity * 0.5
    who, t = spread(rng, people.start, end, people.churn, rate, A.hours(), people.type)
    types = people.type[who]
    home = choice_by_group(rng, people.type, A.matrix("platforms"))
    platform = np.where(rng.random(len(who)) < 0.8, home[who], choice_by_group(rng, types, A.matrix("platforms")))
    action = rng.choice(5, len(who), p=(0.15, 0.3, 0.15, 0.3, 0.1))
    category = choice_by_group(rng, types, A.category_weights())
    product = pick_products(rng, category, A.vector("price_alpha")[types])
    body = _social_text(rng, types, category, product, catalog, locale)
    sour = (t > people.churn[who] - 90 * DAY) & (rng.random(len(who)) < 0.5)
    negative = labels(SOCIAL_NEGATIVE[locale], rng.integers(0, len(SOCIAL_NEGATIVE[locale]), len(who)))
    body = np.where(sour, negative, body).astype(S)
    followers = _followers(rng, people)[who]
    member = records.member_id[who]
    phone = people.phone[who].astype(S) if locale == "zh" else join("+1", people.phone[who].astype(S))
    order = np.argsort(t, kind="stable")
    columns = {
        "id": join("SN", digits(np.arange(1, len(who) + 1), 9)),
        "platform": labels(V.labels("social_platform", locale), platform)[order],
        "action": labels(V.labels("social_action", locale), action)[order],
        "memberId": pa.array(member[order], mask=(member == "")[order]),
        "phone": pa.array(phone[order], mask=(member != "")[order]),
        "time": local_iso(t, locale)[order],
        "text": pa.array(body[order], mask=(action >= 2)[order]),
        "followers": followers[order],
    }
    return pa.table(columns)


def _social_text(rng, types, category, product, catalog: Catalog, locale: str) -> np.ndarray:
    groups = SOCIAL[locale]
    flat = [tpl for group in groups for tpl in group]
    sizes = np.array([len(g) for g in groups])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    which = first[types] + (rng.random(len(types)) * sizes[types]).astype(np.int64)
    slots = {"cat": labels(catalog.category_names, category), "prod": catalog.name[product].astype(S),
             "brand": catalog.brand[product].astype(S), "price": text(np.round(catalog.price[product] * 0.8).astype(np.int64))}
    return fill(flat, which, slots)


def _followers(rng, people: People) -> np.ndarray:
    """Follower counts: mostly small, a few influencers (tech and moms more often)."""
    scale = np.array([6.0, 6.5, 5.0, 4.5, 5.5, 3.5])[people.type]
    base = rng.lognormal(scale, 1.2)
    influencer = rng.random(len(people)) < np.where(np.isin(people.type, (0, 1)), 0.02, 0.005)
    return np.round(base * np.where(influencer, 80, 1)).astype(np.int64)
