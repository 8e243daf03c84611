from datetime import datetime as T

CASES = [
    ("2024-01-05 08:00:00", T(2024, 1, 5, 0, 0), None),
    ("2024-01-05T08:00:00", T(2024, 1, 5, 0, 0), None),
    ("2024-01-05 08:00", T(2024, 1, 5, 0, 0), None),
    ("2024-01-05 08:00:00.250", T(2024, 1, 5, 0, 0, 0, 250000), None),
    ("2024-01-05T08:00:00Z", T(2024, 1, 5, 8, 0), None),
    ("2024-01-05T08:00:00+08:00", T(2024, 1, 5, 0, 0), None),
    ("2024-01-05 08:00:00 +0800", T(2024, 1, 5, 0, 0), None),
    ("2024-01-05T08:00:00-05:00", T(2024, 1, 5, 13, 0), None),
    ("2024-01-05T08:00:00.5+08:00", T(2024, 1, 5, 0, 0, 0, 500000), None),
    ("2024-01-05 08:00:00-05", T(2024, 1, 5, 13, 0), None),
    ("2024-02-30T08:00:00+08:00", None, "invalid_timestamp"),
    ("2024-01-05T24:30:00Z", None, "invalid_timestamp"),
    ("2024/1/5 10:30", T(2024, 1, 5, 2, 30), None),
    ("2024年1月5日 10:30:00", T(2024, 1, 5, 2, 30), None),
    ("2024年1月5日10时30分", T(2024, 1, 5, 2, 30), None),
    ("2024-01-05", T(2024, 1, 4, 16, 0), None),
    ("20240105", T(2024, 1, 4, 16, 0), None),
    ("1704412800", T(2024, 1, 5, 0, 0), None),
    ("1704412800123", T(2024, 1, 5, 0, 0, 0, 123000), None),
    ("２０２４－０１－０５　０８：００：００", T(2024, 1, 5, 0, 0), None),
    ("2024-01-05 25:00:00", None, "invalid_timestamp"),
    ("2024-02-30 10:00:00", None, "invalid_timestamp"),
    ("garbage", None, "invalid_timestamp"),
    ("12345", None, "invalid_timestamp"),
    ("", None, None),
    (None, None, None),
]


def test_timestamp_shanghai(clean):
    assert clean("timestamp", [raw for raw, *_ in CASES]) == [(v, r) for _, v, r in CASES]


def test_timestamp_other_zone_and_dst(clean):
    got = clean("timestamp", ["2024-07-01 12:00:00", "2024-01-01 12:00:00", "2024-07-01T12:00:00Z"], timezone="America/New_York")
    assert got == [(T(2024, 7, 1, 16, 0), None), (T(2024, 1, 1, 17, 0), None), (T(2024, 7, 1, 12, 0), None)]


def test_timestamp_utc_zone(clean):
    assert clean("timestamp", ["2024-01-05 08:00:00"], timezone="UTC") == [(T(2024, 1, 5, 8, 0), None)]


def test_timestamp_explicit_formats(clean):
    got = clean("timestamp", ["05/01/2024 08:00", "05/01/2024 08:00 +0000", "2024-01-05 08:00:00"],
                formats=["%d/%m/%Y %H:%M %z", "%d/%m/%Y %H:%M"])
    assert got == [(T(2024, 1, 5, 0, 0), None), (T(2024, 1, 5, 8, 0), None), (T(2024, 1, 5, 0, 0), None)]
