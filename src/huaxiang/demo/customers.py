"""Customer records as two systems hold them: the CRM export and the store membership file.

The same person appears in both (and sometimes twice in the CRM) with the differences real
systems accumulate: a mistyped or traditional-character name, an old phone number, a missing
e-mail, different phone formatting. Spouses sharing one phone number are different people.
``identity`` records which person every record belongs to (``demo_truth/identity.parquet``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from huaxiang.demo import archetypes as A
from huaxiang.demo import geography as G
from huaxiang.demo import names as N
from huaxiang.demo import vocab as V
from huaxiang.demo.messy import birth_text, email_text, junk_phones, phone_text, sometimes_blank
from huaxiang.demo.people import People, job_labels
from huaxiang.demo.sampling import choice_by_group
from huaxiang.demo.strs import S, choose, digits, iso_datetime, join, labels
from huaxiang.demo.timeline import DAY, FIRST_REGISTRATION, NOW

STORE_ONLY = 0.3  # of store members, the share the CRM does not know
CRM_DUPLICATE = 0.03  # CRM customers registered twice
MEMBER_ID_IN_CRM = 0.55  # of people in both systems, the CRM row carries the member id
JUNK_PHONE = 0.02


@dataclass
class Records:
    crm: dict[str, np.ndarray]  # column -> values, one row per CRM record
    store: dict[str, np.ndarray]
    identity: pd.DataFrame
    crm_id: np.ndarray  # per person: primary CRM id or ''
    member_id: np.ndarray  # per person: member id or ''
    store_of: np.ndarray  # per person: home store index or -1


def build_records(rng: np.random.Generator, people: People, locale: str, shops: G.Stores) -> Records:
    n = len(people)
    member = rng.random(n) < A.vector("store")[people.type]
    in_crm = ~member | (rng.random(n) >= STORE_ONLY)
    twice = in_crm & (rng.random(n) < CRM_DUPLICATE)
    changed_phone = member & in_crm & (rng.random(n) < 0.18)
    crm, crm_truth, crm_id = _crm(rng, people, locale, in_crm, twice, changed_phone, member)
    store, store_truth, member_id, store_of = _store(rng, people, locale, member, in_crm, changed_phone, shops)
    crm["member_id"] = _member_ids_in_crm(rng, crm, crm_truth, member_id)
    identity = pd.concat([crm_truth, store_truth], ignore_index=True)
    identity["scenario"] = _scenario(identity, people)
    person = identity.person.to_numpy()
    identity["family_shared_phone"] = (people.spouse[person] >= 0) | np.isin(person, people.spouse[people.spouse >= 0])
    return Records(crm, store, identity, crm_id, member_id, store_of)


def _crm(rng, people: People, locale: str, in_crm, twice, changed_phone, member):
    """CRM rows: every CRM person once, the duplicates a second time (registered later)."""
    first, second = np.flatnonzero(in_crm), np.flatnonzero(twice)
    who = np.concatenate([first, second])
    dup = np.arange(len(who)) >= len(first)
    again = people.registered[who] + rng.integers(30, 700, len(who)) * DAY
    registered = np.where(dup, np.minimum(again, NOW - DAY), people.registered[who])
    order = np.argsort(registered, kind="stable")
    who, dup, registered = who[order], dup[order], registered[order]
    ids = join("C", digits(np.arange(1, len(who) + 1), 8))
    variant = np.where(dup, labels(("name_typo", _script(locale), "email_missing", "phone_format", "email_case"),
                                   rng.integers(0, 5, len(who))), "none").astype(S)
    phone = np.where(changed_phone[who] & ~dup, people.old_phone[who], people.phone[who])
    cols, junk = _crm_columns(rng, people, locale, who, variant, phone, registered)
    cols["crm_id"] = ids
    truth = pd.DataFrame({"source": "crm_contacts", "source_key": ids.astype(object), "person": who,
                          "variant": variant.astype(object), "junk_phone": junk})
    primary = np.full(len(people), "", dtype=S)
    primary[who[~dup]] = ids[~dup]
    return cols, truth, primary


def _script(locale: str) -> str:
    return "traditional" if locale == "zh" else "nickname"


def _crm_columns(rng, people: People, locale, who, variant, phone, registered) -> tuple[dict, np.ndarray]:
    n = len(who)
    occupation, industry = job_labels(people, locale)
    email = email_text(rng, people.email[who], missing=0.25)
    email = choose([variant == "email_missing", variant == "email_case"], ["", np.strings.upper(people.email[who])], email)
    shaped = phone_text(rng, phone, locale, (0.5, 0.12, 0.08, 0.06, 0.06, 0.08, 0.04 if locale == "zh" else 0.05))
    junk = rng.random(n) < JUNK_PHONE
    shaped = choose([junk, rng.random(n) < 0.03], [junk_phones(rng, n, locale), ""], shaped)
    province, city, address = _place_text(rng, people, locale, who)
    gender = _gender_text(rng, people.female[who], locale)
    cols = {
        "name": _record_name(rng, people, locale, who, variant),
        "gender": gender,
        "birth_date": birth_text(rng, people.born[who], locale),
        "phone": choose([variant == "phone_format"], [phone_text(rng, phone, locale, (0, 0, 1, 1, 0, 1, 0))], shaped),
        "email": email,
        "province": province, "city": city, "address": address,
        "occupation": sometimes_blank(rng, occupation[who], 0.3),
        "industry": sometimes_blank(rng, industry[who], 0.35),
        "income_level": sometimes_blank(rng, labels(V.labels("income", locale), people.income[who]), 0.4),
        "education": sometimes_blank(rng, labels(V.labels("education", locale), people.education[who]), 0.3),
        "marital_status": sometimes_blank(rng, _marital(rng, people, locale, who), 0.3),
        "registered_at": iso_datetime(registered),
        "acquisition_channel": _acquisition(rng, people, locale, who),
        "updated_at": iso_datetime(registered + (rng.random(n) * (NOW - registered)).astype(np.int64)),
    }
    return cols, junk


def _record_name(rng, people: People, locale, who, variant) -> np.ndarray:
    base = people.name[who]
    parts = tuple(p[who] for p in people.name_parts)
    if locale == "zh":
        typo, script = N.typo(*parts), N.traditional(*parts)
    else:
        typo, script = N.misspelled(*parts), join(N.nickname(parts[0]), " ", parts[1])
    out = choose([variant == "name_typo", np.strings.startswith(variant, _script(locale))], [typo, script], base)
    spaced = rng.random(len(who)) < 0.01  # stray spaces around the name
    out[spaced] = join(" ", out[spaced], " ")
    return out


def _gender_text(rng, female: np.ndarray, locale: str) -> np.ndarray:
    """Mostly 男/女 (Male/Female), sometimes M/F, 1/0 or blank."""
    style = rng.choice(4, len(female), p=(0.85, 0.05, 0.05, 0.05))
    words = labels(V.labels("gender", locale), female.astype(int))
    return choose([style == 1, style == 2, style == 3], [np.where(female, "F", "M"), np.where(female, "0", "1"), ""], words)


def _place_text(rng, people: People, locale: str, who) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    where = G.places(locale)
    city_ix = people.city[who]
    province = labels(where.province, city_ix)
    city = labels(where.city, city_ix)
    if locale == "en":
        zip_code = join(labels(where.zip_prefix, city_ix), digits(rng.integers(0, 100, len(who)), 2))
        address = join(people.street[who], ", ", city, ", ", province, " ", zip_code)
        return sometimes_blank(rng, province, 0.1), sometimes_blank(rng, city, 0.03), sometimes_blank(rng, address, 0.05)
    municipal = province == city
    full = join(np.where(municipal, "", province).astype(S), city, people.district[who], people.street[who])
    short = join(city, people.district[who], people.street[who])
    address = np.where(rng.random(len(who)) < 0.15, short, full).astype(S)
    province = choose([rng.random(len(who)) < 0.2], [_short_province(province)], province)
    city = choose([rng.random(len(who)) < 0.25], [np.strings.replace(city, "市", "")], city)
    return sometimes_blank(rng, province, 0.15), sometimes_blank(rng, city, 0.03), sometimes_blank(rng, address, 0.05)


def _short_province(province: np.ndarray) -> np.ndarray:
    """广东省 -> 广东, 广西壮族自治区 -> 广西, 北京市 -> 北京."""
    out = province
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
        out = np.strings.replace(out, suffix, "")
    return out


def _marital(rng, people: People, locale: str, who) -> np.ndarray:
    married = people.married[who]
    divorced = ~married & (people.born[who] < (NOW // DAY - 35 * 365)) & (rng.random(len(who)) < 0.15)
    return labels(V.labels("marital", locale), np.where(married, 1, np.where(divorced, 2, 0)))


def _acquisition(rng, people: People, locale: str, who) -> np.ndarray:
    """How the customer first came: seniors in stores, students via mini-programs and ads."""
    weights = np.tile(np.array([0.25, 0.2, 0.15, 0.15, 0.05, 0.1, 0.1]), (len(A.ARCHETYPES), 1))
    weights[:, 3] *= A.vector("store") * 3
    return labels(V.labels("acquisition", locale), choice_by_group(rng, people.type[who], weights))


def _store(rng, people: People, locale: str, member, in_crm, changed_phone, shops: G.Stores):
    """Store membership rows: members sign up at the till, so names and phones are typed again."""
    who = np.flatnonzero(member)
    both = in_crm[who]
    shift = rng.integers(-365, 365, len(who)) * DAY
    moved = people.registered[who] + shift
    moved = np.where(moved < FIRST_REGISTRATION, people.registered[who] - shift, moved)
    joined = np.where(both, np.minimum(moved, NOW - DAY), people.registered[who])
    order = np.argsort(joined, kind="stable")
    who, both, joined = who[order], both[order], joined[order]
    ids = join("M", digits(np.arange(1, len(who) + 1), 9))
    name_variant = np.where(both, labels(("none", "name_typo", _script(locale)), rng.choice(3, len(who), p=(0.65, 0.2, 0.15))), "none")
    variant = choose([changed_phone[who] & (name_variant == "none"), changed_phone[who]],
                     ["phone_changed", join(name_variant.astype(S), "+phone_changed")], name_variant)
    home = shops.near(rng, people.city[who])
    points = np.round(rng.lognormal(7.5, 1.0, len(who)) * A.vector("orders")[people.type[who]] / 3).astype(np.int64)
    born = np.where(rng.random(len(who)) < 0.08, np.nan, people.born[who])
    cols = {
        "member_id": ids,
        "name": _record_name(rng, people, locale, who, variant),
        "phone": phone_text(rng, people.phone[who], locale, (0.85, 0, 0, 0, 0, 0.15, 0)),
        "gender": labels(V.labels("gender", locale), people.female[who].astype(int)),
        "birth_date": born,  # days since 1970; NaN = not given
        "store_id": shops.store_id[home],
        "member_level": labels(V.labels("member_level", locale), np.searchsorted([2000, 8000, 20000], points, side="right")),
        "registered_at": joined // DAY,
        "points": points,
    }
    truth = pd.DataFrame({"source": "store_members", "source_key": ids.astype(object), "person": who,
                          "variant": variant.astype(object), "junk_phone": False})
    member_id, store_of = np.full(len(people), "", dtype=S), np.full(len(people), -1)
    member_id[who], store_of[who] = ids, home
    return cols, truth, member_id, store_of


def _member_ids_in_crm(rng, crm: dict, truth: pd.DataFrame, member_id: np.ndarray) -> np.ndarray:
    """The CRM knows the member id of about half of the people who are also store members."""
    person = truth.person.to_numpy()
    primary = (truth.variant == "none").to_numpy()
    known = primary & (member_id[person] != "") & (rng.random(len(person)) < MEMBER_ID_IN_CRM)
    return np.where(known, member_id[person], "").astype(S)


def _scenario(identity: pd.DataFrame, people: People) -> np.ndarray:
    """single | crm_and_store | crm_duplicate | crm_duplicate_and_store, per record's person."""
    crm = np.bincount(identity.person[identity.source == "crm_contacts"], minlength=len(people))
    store = np.bincount(identity.person[identity.source == "store_members"], minlength=len(people))
    per_person = np.where(crm >= 2, np.where(store > 0, "crm_duplicate_and_store", "crm_duplicate"),
                          np.where((crm > 0) & (store > 0), "crm_and_store", "single"))
    return per_person[identity.person.to_numpy()]
