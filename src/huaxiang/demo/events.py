"""Web, app and mini-program behaviour plus message engagement, in the Segment spec's terms.

Per chunk of people: their devices (each an anonymousId that browses anonymously until the
person signs in, then an ``identify`` call ties it to the userId), their sessions (browse,
search, cart, sign-in templates), the checkout of their own-channel orders, and e-mail / SMS /
WeChat engagement allowed by their consents. Anonymous visitors who never sign in are mixed in.
Output is integer-coded columns; ``events_json`` turns them into JSON lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from huaxiang.demo import archetypes as A
from huaxiang.demo import event_parts as P
from huaxiang.demo.consents import ConsentState
from huaxiang.demo.customers import Records
from huaxiang.demo.people import NEVER, People
from huaxiang.demo.sampling import choice_by_group
from huaxiang.demo.strs import S
from huaxiang.demo.timeline import DAY, HISTORY_START, NOW

@dataclass
class Actors:
    """Who acts in a chunk: its people, then anonymous visitors (user '' and no person)."""

    type: np.ndarray
    registered: np.ndarray
    start: np.ndarray
    end: np.ndarray
    churn: np.ndarray
    intensity: np.ndarray
    user: np.ndarray
    person: np.ndarray  # global person index, -1 for visitors

    def __len__(self) -> int:
        return len(self.type)


@dataclass
class EventBatch:
    columns: dict[str, np.ndarray]  # one entry per event, sorted by time
    users: np.ndarray  # userId per actor
    devices: int
    sessions: int


def make_events(rng, people: People, records: Records, consents: ConsentState, chunk: slice,
                online: dict[str, np.ndarray], device_base: int, session_base: int) -> EventBatch:
    actors = _actors(rng, people, records, chunk)
    devices = _devices(rng, actors)
    parts = [
        P.sessions(rng, actors, devices, session_base),
        P.identifies(rng, actors, devices),
        P.checkouts(rng, devices, online, chunk.start),
        P.engagement(rng, actors, devices, consents),
    ]
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((columns["code"], columns["t_ms"]))
    columns = {k: v[order] for k, v in columns.items()}
    columns["device"] = np.where(columns["device"] >= 0, columns["device"] + device_base, -1)
    n_sessions = int(parts[0]["session"].max(initial=session_base - 1) - session_base + 1)
    return EventBatch(columns, actors.user, len(devices["owner"]), n_sessions)


def _actors(rng, people: People, records: Records, chunk: slice) -> Actors:
    idx = np.arange(len(people))[chunk]
    k = int(round(len(idx) * P.VISITORS))
    user = np.where(records.crm_id[idx] != "", records.crm_id[idx], records.member_id[idx]).astype(S)
    return Actors(
        type=np.concatenate([people.type[idx], rng.integers(0, len(A.ARCHETYPES), k)]),
        registered=np.concatenate([people.registered[idx], np.full(k, HISTORY_START)]),
        start=np.concatenate([people.start[idx], np.full(k, HISTORY_START)]),
        end=np.concatenate([np.minimum(people.churn[idx], NOW), np.full(k, NOW)]),
        churn=np.concatenate([people.churn[idx], np.full(k, NEVER)]),
        intensity=np.concatenate([people.intensity[idx], rng.lognormal(-1.0, 0.8, k)]),
        user=np.concatenate([user, np.full(k, "", dtype=S)]),
        person=np.concatenate([idx, np.full(k, -1)]),
    )


def _devices(rng, actors: Actors) -> dict[str, np.ndarray]:
    """1-3 devices per actor; each is anonymous until its identify call (visitors: never).

    The first device signs in soon after registering (often before the history starts, so no
    identify event is seen); later devices appear during the person's active time.
    """
    count = 1 + rng.binomial(2, 0.3, len(actors))
    owner = np.repeat(np.arange(len(actors)), count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    rank = np.arange(len(owner)) - first[owner]
    channel = choice_by_group(rng, actors.type[owner], A.matrix("devices"))
    phone_os = 2 + (rng.random(len(owner)) < 0.5)
    kind = np.where(channel == 0, (rng.random(len(owner)) < 0.4).astype(np.int64), phone_os)
    span = actors.end[owner] - actors.start[owner]
    base = np.where(rank > 0, actors.start[owner] + (rng.random(len(owner)) * span).astype(np.int64), actors.registered[owner])
    identify = base + rng.exponential(15 * DAY, len(owner)).astype(np.int64)
    identify = np.where(actors.user[owner] == "", NEVER, identify)
    return {"owner": owner, "first": first, "count": count, "channel": channel, "kind": kind, "identify": identify}
