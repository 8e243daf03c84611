"""The real people behind the demo: one row per true person, before any system records them.

Everything planted is decided here (type, churn date, family phone sharing, which systems
know the person), and every data file is derived from it, so the truth files are exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from huaxiang.demo import archetypes as A
from huaxiang.demo import geography as G
from huaxiang.demo import names as N
from huaxiang.demo.messy import emails
from huaxiang.demo.sampling import choice_by_group, unique_draw
from huaxiang.demo.strs import S, digits, join, labels
from huaxiang.demo.timeline import DAY, FIRST_REGISTRATION, HISTORY_START, NOW, YEAR

NEVER = NOW + 100 * int(YEAR)  # churn time of people who do not churn
CHURN_SHARE = 0.2
FAMILY_SHARE = 0.03  # people who give their spouse's phone number
CN_MOBILE_PREFIXES = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159,
                               166, 176, 177, 178, 180, 181, 182, 183, 185, 186, 187, 188, 189, 198, 199])


@dataclass
class People:
    """Columns of the true population (numpy arrays, one entry per person)."""

    person_id: np.ndarray  # P0000001
    type: np.ndarray
    female: np.ndarray
    born: np.ndarray  # days since 1970
    name: np.ndarray
    name_parts: tuple[np.ndarray, ...]  # zh: surname, c1, c2; en: first, last
    phone: np.ndarray  # int64: current mobile
    old_phone: np.ndarray  # int64: a previous number (everyone has one; used when they changed it)
    email: np.ndarray
    city: np.ndarray
    district: np.ndarray
    street: np.ndarray
    registered: np.ndarray  # seconds: first known to the retailer
    start: np.ndarray  # seconds: start of observed activity
    churn: np.ndarray  # seconds; NEVER if they stay
    intensity: np.ndarray  # personal activity multiplier
    married: np.ndarray
    spouse: np.ndarray  # index of the person whose phone they use, -1 if their own
    job: np.ndarray  # index into the type's jobs
    income: np.ndarray
    education: np.ndarray

    def __len__(self) -> int:
        return len(self.type)

    @property
    def churned(self) -> np.ndarray:
        return self.churn < NEVER


def build_people(rng: np.random.Generator, n: int, locale: str) -> People:
    types = rng.choice(len(A.ARCHETYPES), n, p=A.vector("share") / A.vector("share").sum())
    female = rng.random(n) < A.vector("female")[types]
    born = _birth_days(rng, types)
    name, parts = _names(rng, locale, female, born)
    where = G.places(locale)
    city = G.pick_cities(rng, where, types, A.matrix("tiers"))
    registered = FIRST_REGISTRATION + (rng.beta(1.6, 1.0, n) * (NOW - 10 * DAY - FIRST_REGISTRATION)).astype(np.int64)
    adult = (born + int(16 * 365.25)) * DAY
    registered = np.where(registered < adult, adult + (registered - FIRST_REGISTRATION) // 4, registered)
    registered = np.minimum(registered, NOW - 10 * DAY)
    start = np.maximum(registered, HISTORY_START)
    district = G.pick_districts(rng, where, city)
    phones = _phones(rng, np.concatenate([district, district]), locale)
    year = born.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    mail_parts = (join(N.pinyin(parts[1]), N.pinyin(parts[2])), N.pinyin(parts[0])) if locale == "zh" else parts
    people = People(
        person_id=join("P", digits(np.arange(1, n + 1), 7)), type=types, female=female, born=born, name=name,
        name_parts=parts, phone=phones[:n], old_phone=phones[n:],
        email=emails(rng, mail_parts[0], mail_parts[1], year, locale),
        city=city, district=district, street=G.street_address(rng, locale, n),
        registered=registered, start=start, churn=_churn(rng, types, start),
        intensity=rng.lognormal(-0.18, 0.6, n), married=rng.random(n) < A.vector("married")[types],
        spouse=np.full(n, -1), job=_jobs(rng, types), income=choice_by_group(rng, types, A.matrix("income")),
        education=choice_by_group(rng, types, A.matrix("education")),
    )
    _share_family_phones(rng, people)
    return people


def _birth_days(rng: np.random.Generator, types: np.ndarray) -> np.ndarray:
    lo, hi = np.array([a.ages for a in A.ARCHETYPES]).T
    age_years = lo[types] + rng.random(len(types)) * (hi[types] - lo[types] + 1)
    return (NOW // DAY - age_years * 365.25).astype(np.int64)


def _names(rng, locale, female, born) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    if locale == "zh":
        parts = N.chinese_names(rng, female, born)
        return N.join(*parts), parts
    parts = N.english_names(rng, female)
    return N.join(parts[0], " ", parts[1]), parts


def _phones(rng: np.random.Generator, district: np.ndarray, locale: str) -> np.ndarray:
    """Distinct, valid-looking mobile numbers: CN 1xx xxxx xxxx; US the home city's area code.

    (For en the "district" of a person is their area code.)
    """
    if locale == "zh":
        base = CN_MOBILE_PREFIXES[rng.integers(0, len(CN_MOBILE_PREFIXES), len(district))] * 10**8
        return unique_draw(rng, len(district), 0, 10**8, base)
    return unique_draw(rng, len(district), 2 * 10**6, 10**7, district.astype(np.int64) * 10**7)  # exchange 200-999


def _churn(rng: np.random.Generator, types: np.ndarray, start: np.ndarray) -> np.ndarray:
    """About 20% stop buying at a date in the last two years (after at least 90 active days)."""
    lo = np.maximum(start + 90 * DAY, NOW - 730 * DAY)
    hi = NOW - 30 * DAY
    eligible = lo < hi
    weight = A.vector("churn")[types] * eligible
    p = np.clip(CHURN_SHARE * len(types) * weight / max(weight.sum(), 1e-9), 0, 1)
    churns = rng.random(len(types)) < p
    when = lo + (rng.random(len(types)) * np.maximum(hi - lo, 0)).astype(np.int64)
    return np.where(churns, when, NEVER)


def _jobs(rng: np.random.Generator, types: np.ndarray) -> np.ndarray:
    sizes = np.array([len(a.jobs) for a in A.ARCHETYPES])
    return (rng.random(len(types)) * sizes[types]).astype(np.int64)


def _share_family_phones(rng: np.random.Generator, people: People) -> None:
    """Pair married men and women of similar age: the second one gives the first one's phone.

    They also share the home address; names and birth dates differ, so they must not merge.
    """
    k = int(len(people) * FAMILY_SHARE / 2)
    men = rng.permutation(np.flatnonzero(people.married & ~people.female))
    women = rng.permutation(np.flatnonzero(people.married & people.female))
    k = min(k, len(men), len(women))
    if k == 0:
        return
    men, women = men[:k], women[:k]
    men, women = men[np.argsort(people.born[men], kind="stable")], women[np.argsort(people.born[women], kind="stable")]
    flip = rng.random(k) < 0.5
    owner, user = np.where(flip, men, women), np.where(flip, women, men)
    people.spouse[user] = owner
    people.phone[user] = people.phone[owner]
    people.city[user], people.district[user], people.street[user] = people.city[owner], people.district[owner], people.street[owner]


def job_labels(people: People, locale: str) -> tuple[np.ndarray, np.ndarray]:
    """(occupation, industry) text per person."""
    col = (0, 2) if locale == "zh" else (1, 3)
    occupation, industry = np.empty(len(people), dtype=S), np.empty(len(people), dtype=S)
    for t, arche in enumerate(A.ARCHETYPES):
        rows = np.flatnonzero(people.type == t)
        occupation[rows] = labels([j[col[0]] for j in arche.jobs], people.job[rows])
        industry[rows] = labels([j[col[1]] for j in arche.jobs], people.job[rows])
    return occupation, industry
