CN = [
    ("13800138000", "+8613800138000", None),
    ("138 0013 8000", "+8613800138000", None),
    ("+86-138-0013-8000", "+8613800138000", None),
    ("008613800138000", "+8613800138000", None),
    ("86 13800138000", "+8613800138000", None),
    ("(+86)138-0013-8000", "+8613800138000", None),
    ("１３８００１３８０００", "+8613800138000", None),
    ("+86 199 1234 5678", "+8619912345678", None),
    ("010-12345678", "+861012345678", None),
    ("0755-1234567", "+867551234567", None),
    ("(021) 6123 4567", "+862161234567", None),
    ("+86 10 12345678", "+861012345678", None),
    ("400-810-8888", "+864008108888", None),
    ("+1 650 253 0000", "+16502530000", None),
    ("+44 20 7946 0958", "+442079460958", None),
    ("0044 20 7946 0958", "+442079460958", None),
    ("+1 555 000 0000", None, "invalid_phone"),
    ("12345", None, "invalid_phone"),
    ("abc", None, "invalid_phone"),
    ("1380013800", None, "invalid_phone"),
    ("23800138000", None, "invalid_phone"),
    ("1234567890123456789", None, "invalid_phone"),
    ("138-0013-8000 ext 1", None, "invalid_phone"),
    ("+", None, "invalid_phone"),
    ("", None, None),
    ("  ", None, None),
    (None, None, None),
]

US = [
    ("(650) 253-0000", "+16502530000", None),
    ("650.253.0000", "+16502530000", None),
    ("1 650 253 0000", "+16502530000", None),
    ("+44 20 7946 0958", "+442079460958", None),
    ("+86 138 0013 8000", "+8613800138000", None),
    ("253-0000", None, "invalid_phone"),
    ("hello", None, "invalid_phone"),
    ("", None, None),
]


def test_phone_cn(clean):
    assert clean("phone", [raw for raw, *_ in CN]) == [(v, r) for _, v, r in CN]


def test_phone_us_region(clean):
    assert clean("phone", [raw for raw, *_ in US], region="US") == [(v, r) for _, v, r in US]


def test_phone_region_is_case_insensitive(clean):
    assert clean("phone", ["(650) 253-0000"], region="us") == [("+16502530000", None)]
