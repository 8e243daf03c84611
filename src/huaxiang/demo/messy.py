"""How people and systems actually type contact data: the noise planted in the customer files.

Each function takes clean values (the truth) and returns the text a CRM export would hold:
phones in a dozen shapes and full-width digits, birth dates as typed (or as Excel serials, or
impossible), e-mails in capitals or broken. The ingest standardizers must recover the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from huaxiang.demo.sampling import normalized
from huaxiang.demo.strs import S, choose, date_parts, digits, full_width, join, labels, text

EXCEL_EPOCH_DAY = int(np.datetime64("1899-12-30").astype(np.int64))  # day 0 of Excel serial dates

JUNK_PHONES = {
    "zh": ("13800000000", "12345", "00000000000", "11111111111", "123"),
    "en": ("555-555-5555", "0000000000", "12345", "1234567890", "(999) 999-9999"),
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def excel_serial(days: np.ndarray) -> np.ndarray:
    """Excel's day number of a date (what a date cell stores)."""
    return np.asarray(days, dtype=np.int64) - EXCEL_EPOCH_DAY


def phone_text(rng: np.random.Generator, phone: np.ndarray, locale: str, weights) -> np.ndarray:
    """Render phone numbers in one of seven shapes each, drawn with ``weights``."""
    style = rng.choice(7, len(phone), p=normalized(weights))
    if locale == "zh":
        a, b, c = digits(phone // 10**8, 3), digits(phone // 10**4 % 10**4, 4), digits(phone % 10**4, 4)
        plain = join(a, b, c)
        shapes = (plain, join(a, " ", b, " ", c), join("+86-", a, "-", b, "-", c), join("0086", plain),
                  join("+86 ", plain), join(a, "-", b, "-", c), full_width(plain))
    else:
        a, b, c = digits(phone // 10**7, 3), digits(phone // 10**4 % 1000, 3), digits(phone % 10**4, 4)
        shapes = (join(a, b, c), join("(", a, ") ", b, "-", c), join("+1-", a, "-", b, "-", c), join(a, ".", b, ".", c),
                  join("+1 ", a, " ", b, " ", c), join(a, "-", b, "-", c), join("1-", a, "-", b, "-", c))
    return choose([style == i for i in range(1, 7)], shapes[1:], shapes[0])


def junk_phones(rng: np.random.Generator, n: int, locale: str) -> np.ndarray:
    pool = JUNK_PHONES[locale]
    return labels(pool, rng.integers(0, len(pool), n))


def birth_text(rng: np.random.Generator, days: np.ndarray, locale: str) -> np.ndarray:
    """Birth dates as typed: several formats, Excel serials, a few impossible dates, blanks."""
    y, m, d = date_parts(days)
    ys, ms, ds = digits(y, 4), digits(m, 1), digits(d, 1)
    mp, dp = digits(m, 2), digits(d, 2)
    serial = text(excel_serial(days))
    if locale == "zh":
        shapes = (join(ys, "-", mp, "-", dp), join(ys, "/", ms, "/", ds), join(ys, mp, dp), join(ys, "年", ms, "月", ds, "日"))
        weights = (0.35, 0.2, 0.15, 0.1, 0.05, 0.02, 0.13)
    else:
        shapes = (join(mp, "/", dp, "/", ys), join(ms, "/", ds, "/", ys), join(ys, "-", mp, "-", dp),
                  join(labels(MONTHS, m - 1), " ", ds, ", ", ys))
        weights = (0.35, 0.2, 0.15, 0.1, 0.05, 0.02, 0.13)
    style = rng.choice(7, len(days), p=normalized(weights))
    bad = _impossible_dates(rng, ys, dp, locale)
    conds = [style == i for i in range(1, 7)]
    return choose(conds, (*shapes[1:], serial, bad, np.full(len(days), "", dtype=S)), shapes[0])


def _impossible_dates(rng: np.random.Generator, ys: np.ndarray, dp: np.ndarray, locale: str) -> np.ndarray:
    if locale == "zh":
        options = (join(ys, "-02-30"), join(ys, "-13-", dp), np.full(len(ys), "abc", dtype=S),
                   np.full(len(ys), "不详", dtype=S), np.full(len(ys), "0000-00-00", dtype=S))
    else:
        options = (join("02/30/", ys), join("13/", dp, "/", ys), np.full(len(ys), "abc", dtype=S),
                   np.full(len(ys), "unknown", dtype=S), np.full(len(ys), "00/00/0000", dtype=S))
    pick = rng.integers(0, len(options), len(ys))
    return choose([pick == i for i in range(1, len(options))], options[1:], options[0])


_DOMAINS = {
    "zh": (("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "foxmail.com", "139.com", "hotmail.com"),
           (0.3, 0.2, 0.1, 0.05, 0.07, 0.1, 0.08, 0.05, 0.05)),
    "en": (("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com", "comcast.net"),
           (0.45, 0.15, 0.12, 0.08, 0.1, 0.05, 0.05)),
}


def emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray, year: np.ndarray, locale: str) -> np.ndarray:
    """Unique, lower-case e-mail addresses built from romanized names (zhangwei88@163.com)."""
    n = len(first)
    first, last = np.strings.lower(first), np.strings.lower(last)
    f1, l1 = np.strings.slice(first, 0, 1), np.strings.slice(last, 0, 1)
    number = digits(rng.integers(1, 999, n), 1)
    forms = (join(last, first, number), join(first, ".", last), join(l1, f1, digits(year, 4)), join(first, "_", last, number))
    form = rng.choice(4, n, p=(0.35, 0.3, 0.2, 0.15))
    local = choose([form == i for i in range(1, 4)], forms[1:], forms[0])
    domains, weights = _DOMAINS[locale]
    domain = labels(domains, rng.choice(len(domains), n, p=normalized(weights)))
    if locale == "zh":  # QQ mail with the QQ number: very common in China
        qq = rng.random(n) < 0.2
        local[qq], domain[qq] = text(rng.integers(10**5, 10**10, int(qq.sum()))), "qq.com"
    return _unique(rng, join(local, "@", domain))


def _unique(rng: np.random.Generator, addresses: np.ndarray) -> np.ndarray:
    """Two people never share an address: repeat offenders get a number appended."""
    while True:
        dup = pd.Series(addresses.astype(object)).duplicated().to_numpy()
        if not dup.any():
            return addresses
        local, _, domain = np.strings.partition(addresses[dup], np.array("@", dtype=S))
        addresses[dup] = join(local, digits(rng.integers(0, 100, int(dup.sum())), 2), "@", domain)


def email_text(rng: np.random.Generator, email: np.ndarray, missing: float) -> np.ndarray:
    """E-mails as found in a CRM: some missing, some in capitals, a few broken or placeholders."""
    n = len(email)
    style = rng.choice(6, n, p=normalized((1 - missing - 0.1, missing, 0.05, 0.03, 0.015, 0.005)))
    broken = choose([rng.random(n) < 0.5], [np.strings.replace(email, "@", "#")], np.strings.replace(email, ".com", ""))
    return choose(
        [style == 1, style == 2, style == 3, style == 4, style == 5],
        [np.full(n, "", dtype=S), np.strings.upper(email), np.strings.capitalize(email), broken,
         np.full(n, "test@test.com", dtype=S)],
        email,
    )


def sometimes_blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    out = np.asarray(values).astype(S).copy()
    out[rng.random(len(out)) < share] = ""
    return out
