from datetime import date

import ibis
import pytest

from huaxiang.ingest.standardize import age_from

D = date(2024, 1, 5)
DATES = [
    ("2024-01-05", D, None),
    ("2024/1/5", D, None),
    ("2024.1.5", D, None),
    ("20240105", D, None),
    ("2024年1月5日", D, None),
    ("2024年01月05日", D, None),
    ("２０２４－０１－０５", D, None),
    ("2024-01-05 10:30:00", D, None),
    ("2024-01-05T10:30:00+08:00", D, None),
    ("2024年1月5日 10:30", D, None),
    ("45296", D, None),
    ("45296.75", D, None),
    ("1990-02-28", date(1990, 2, 28), None),
    ("2000-02-29", date(2000, 2, 29), None),
    ("05/01/2024", None, "invalid_date"),
    ("2024-02-30", None, "invalid_date"),
    ("2023-02-29", None, "invalid_date"),
    ("2024-13-01", None, "invalid_date"),
    ("2024-1-5 junk", None, "invalid_date"),
    ("yesterday", None, "invalid_date"),
    ("0", None, "invalid_date"),
    ("1850-01-01", None, "date_out_of_range"),
    ("", None, None),
    (None, None, None),
]


def test_date(clean):
    assert clean("date", [raw for raw, *_ in DATES]) == [(v, r) for _, v, r in DATES]


def test_date_explicit_formats_first(clean):
    got = clean("date", ["05/01/2024", "2024-01-05", "31/02/2024"], formats=["%d/%m/%Y"])
    assert got == [(D, None), (D, None), (None, "invalid_date")]


def test_date_range_options(clean):
    got = clean("date", ["1899-12-31", "2030-01-01", "2020-06-01"], min=None, max="2025-12-31")
    assert got == [(date(1899, 12, 31), None), (None, "date_out_of_range"), (date(2020, 6, 1), None)]


def test_date_without_excel_serials(clean):
    assert clean("date", ["45296"], excel=False) == [(None, "invalid_date")]


@pytest.mark.parametrize(
    "birth, as_of, age",
    [
        (date(1990, 1, 5), date(2024, 1, 5), 34),
        (date(1990, 1, 6), date(2024, 1, 5), 33),
        (date(2000, 2, 29), date(2023, 2, 28), 22),
        (date(2000, 2, 29), date(2023, 3, 1), 23),
        (date(2024, 1, 5), date(2024, 1, 5), 0),
    ],
)
def test_age_from(con, birth, as_of, age):
    assert con.execute(age_from(ibis.literal(birth), as_of)) == age
    assert con.execute(age_from(ibis.literal(birth), ibis.literal(as_of))) == age


def test_age_from_null_birth(con):
    assert con.execute(age_from(ibis.null("date"), date(2024, 1, 1))) is None
