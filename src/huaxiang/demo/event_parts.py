"""The kinds of events one chunk produces: sessions, identify/alias calls, checkouts, engagement.

Each function returns integer-coded columns of equal length (see ``rows``); ``events`` merges
them and ``events_json`` renders them. Codes index ``EVENT_NAMES``, ``CHANNELS``, ``DEVICE_TYPES``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from huaxiang.demo import archetypes as A
from huaxiang.demo.catalog import pick_products
from huaxiang.demo.consents import EMAIL, SMS, WECHAT, ConsentState
from huaxiang.demo.orders import COUPONS
from huaxiang.demo.sampling import choice_by_group
from huaxiang.demo.strs import date_parts
from huaxiang.demo.timeline import DAY, spread, to_days

if TYPE_CHECKING:
    from huaxiang.demo.events import Actors

EVENT_NAMES = (
    "page", "screen", "Product Viewed", "Products Searched", "Product Added", "Cart Viewed", "Checkout Started",
    "Order Completed", "Signed In", "Email Opened", "Email Link Clicked", "SMS Clicked", "WeChat Message Read",
    "Coupon Redeemed", "identify", "alias",
)
PAGE, SCREEN, VIEWED, SEARCHED, ADDED, CART, CHECKOUT, ORDERED, SIGNED_IN = range(9)
EMAIL_OPENED, EMAIL_CLICKED, SMS_CLICKED, WECHAT_READ, COUPON, IDENTIFY, ALIAS = range(9, 16)
CHANNELS = ("web", "app", "mini_program", "email", "sms", "wechat")
DEVICE_TYPES = ("desktop", "mobile", "ios", "android")
# session kinds (archetypes.SESSION_KINDS): browse, search, cart, sign-in; a session is a prefix of its row
TEMPLATES = np.array([[0, 2, 2, 2, 0, 2], [3, 2, 2, 3, 2, 2], [0, 2, 4, 5, 6, 6], [8, 0, 2, 2, 2, 2]])
LENGTHS = np.array([[2, 6], [2, 6], [3, 5], [1, 3]])
QUERIES_PER_CATEGORY = 6
SESSION_SCALE = 0.13  # with ENGAGE_SCALE: about 20 events per customer
ENGAGE_SCALE = 0.5
VISITORS = 0.06  # anonymous visitors per customer of the chunk, never identified
ALIAS_SHARE = 0.05
# campaigns (events_json.CAMPAIGNS): 0 618, 1 Double 11, 2 New Year, 3 back to school, 4-7 all year round
_SEASONAL = {6: 0, 11: 1, 1: 2, 2: 2, 9: 3}


def rows(n: int, **columns) -> dict[str, np.ndarray]:
    """An event part with every column present (-1 / False where it does not apply)."""
    out = {name: np.full(n, -1, dtype=np.int64) for name in
           ("t_ms", "code", "actor", "device", "session", "channel", "device_type", "product", "query",
            "category", "order", "campaign", "utm", "coupon")}
    out["identified"] = np.zeros(n, dtype=bool)
    for name, values in columns.items():
        out[name] = np.broadcast_to(np.asarray(values, dtype=out[name].dtype), (n,))
    return out


def pick_device(rng, devices: dict, owner: np.ndarray) -> np.ndarray:
    return devices["first"][owner] + (rng.random(len(owner)) * devices["count"][owner]).astype(np.int64)


def campaigns(rng, t: np.ndarray) -> np.ndarray:
    """The campaign running at ``t``: seasonal ones in their month, else one of the regular four."""
    _, month, _ = date_parts(to_days(t))
    out = rng.integers(4, 8, len(t))
    for m, campaign in _SEASONAL.items():
        out[(month == m) & (rng.random(len(t)) < 0.7)] = campaign
    return out


def sessions(rng, actors: Actors, devices: dict, session_base: int) -> dict[str, np.ndarray]:
    rate = A.vector("sessions")[actors.type] * actors.intensity * SESSION_SCALE
    owner, t = spread(rng, actors.start, actors.end, actors.churn, rate, A.hours(), actors.type)
    types = actors.type[owner]
    device = pick_device(rng, devices, owner)
    kind = choice_by_group(rng, types, A.matrix("session_kinds"))
    length = rng.integers(LENGTHS[kind, 0], LENGTHS[kind, 1] + 1)
    category = choice_by_group(rng, types, A.category_weights())
    utm = np.where(rng.random(len(owner)) < 0.25, choice_by_group(rng, types, _utm_weights()), -1)
    campaign = np.where(utm >= 0, campaigns(rng, t), -1)
    s = np.repeat(np.arange(len(owner)), length)
    first = np.concatenate([[0], np.cumsum(length)[:-1]])
    pos = np.arange(len(s)) - first[s]
    channel = devices["channel"][device[s]]
    code = TEMPLATES[kind[s], pos]
    code = np.where((code == PAGE) & (channel != 0), SCREEN, code)
    gap = np.where(pos == 0, 0, rng.integers(10_000, 180_000, len(s)))
    elapsed = np.cumsum(gap)
    t_ms = t[s] * 1000 + rng.integers(0, 1000, len(owner))[s] + elapsed - elapsed[first[s]]
    keep = t_ms < actors.end[owner[s]] * 1000
    out = rows(len(s), t_ms=t_ms, code=code, actor=owner[s], device=device[s], session=session_base + s,
               channel=channel, device_type=devices["kind"][device[s]],
               product=pick_products(rng, category[s], A.vector("price_alpha")[types[s]]),
               query=category[s] * QUERIES_PER_CATEGORY + rng.integers(0, QUERIES_PER_CATEGORY, len(s)),
               category=category[s], campaign=campaign[s], utm=utm[s],
               identified=t_ms >= devices["identify"][device[s]] * 1000)
    return {k: v[keep] for k, v in out.items()}


def _utm_weights() -> np.ndarray:
    """Types x traffic sources (events_json.UTM_SOURCES): a search engine, then the type's social apps."""
    return np.hstack([np.full((len(A.ARCHETYPES), 1), 0.3), 0.7 * A.matrix("platforms")])


def identifies(rng, actors: Actors, devices: dict) -> dict[str, np.ndarray]:
    """An identify call when a device first signs in; a few people also get an alias call."""
    owner = devices["owner"]
    seen = devices["identify"]
    d = np.flatnonzero((seen >= actors.start[owner]) & (seen < actors.end[owner]))
    alias = devices["first"][owner[d]] == d
    alias &= rng.random(len(d)) < ALIAS_SHARE
    a = d[alias]
    t_ms = np.concatenate([devices["identify"][d], devices["identify"][a] + 1]) * 1000
    both = np.concatenate([d, a])
    code = np.concatenate([np.full(len(d), IDENTIFY), np.full(len(a), ALIAS)])
    return rows(len(both), t_ms=t_ms, code=code, actor=owner[both], device=both,
                channel=devices["channel"][both], device_type=devices["kind"][both], identified=True)


def checkouts(rng, devices: dict, online: dict[str, np.ndarray], first_person: int) -> dict[str, np.ndarray]:
    """Checkout Started and Order Completed for every own-channel order, at the order's time."""
    n = len(online["person"])
    actor = online["person"] - first_person
    device = pick_device(rng, devices, actor)
    kind = devices["kind"][device]
    phone = np.where(kind >= 2, kind, 2 + (rng.random(n) < 0.5))
    kind = np.where(online["channel"] == 0, np.where(kind < 2, kind, 1), phone)  # web: desktop/mobile, else ios/android
    placed = online["time"] * 1000
    started = placed - rng.integers(60_000, 900_000, n)
    twice = lambda v: np.concatenate([v, v])  # noqa: E731 - both rows share these columns
    return rows(2 * n, t_ms=np.concatenate([started, placed]),
                code=np.concatenate([np.full(n, CHECKOUT), np.full(n, ORDERED)]),
                actor=twice(actor), device=twice(device), channel=twice(online["channel"]),
                device_type=twice(kind), category=twice(online["category"]),
                order=twice(np.arange(n)), identified=True)


def engagement(rng, actors: Actors, devices: dict, consents: ConsentState) -> dict[str, np.ndarray]:
    """E-mail opens (and some clicks), SMS clicks, WeChat reads while consented; coupon redemptions."""
    people = np.flatnonzero(actors.person >= 0)
    rate = A.vector("engage")[actors.type[people]] * actors.intensity[people] * ENGAGE_SCALE
    local, t = spread(rng, actors.start[people], actors.end[people], actors.churn[people], rate,
                      A.hours(), actors.type[people])
    owner = people[local]
    kind = choice_by_group(rng, actors.type[owner], A.matrix("engagements"))
    person = actors.person[owner]
    allowed = np.ones(len(owner), dtype=bool)
    for k, purpose in enumerate((EMAIL, SMS, WECHAT)):
        allowed[kind == k] = consents.allows(person[kind == k], purpose, t[kind == k])
    owner, t, kind = owner[allowed], t[allowed], kind[allowed]
    clicked = (kind == 0) & (rng.random(len(owner)) < 0.3)
    owner, kind = np.concatenate([owner, owner[clicked]]), np.concatenate([kind, np.full(int(clicked.sum()), 4)])
    t = np.concatenate([t, t[clicked] + rng.integers(60, 1800, int(clicked.sum()))])
    code = np.array([EMAIL_OPENED, SMS_CLICKED, WECHAT_READ, COUPON, EMAIL_CLICKED])[kind]
    channel = np.array([3, 4, 5, 1, 3])[kind]
    coupon = kind == 3
    device = np.where(coupon, pick_device(rng, devices, owner), -1)
    return rows(len(owner), t_ms=t * 1000 + rng.integers(0, 1000, len(owner)), code=code, actor=owner,
                device=device, channel=channel, device_type=np.where(coupon, devices["kind"][np.maximum(device, 0)], -1),
                campaign=np.where(coupon, -1, campaigns(rng, t)),
                coupon=np.where(coupon, rng.integers(0, len(COUPONS), len(owner)), -1), identified=True)
