GENDER = [
    ("男", "M", None), ("男性", "M", None), ("M", "M", None), ("m", "M", None), ("male", "M", None),
    ("Male", "M", None), ("MALE", "M", None), ("先生", "M", None), ("1", "M", None), ("ｍａｌｅ", "M", None),
    (" 男 ", "M", None),
    ("女", "F", None), ("女性", "F", None), ("F", "F", None), ("f", "F", None), ("female", "F", None),
    ("女士", "F", None), ("2", "F", None), ("0", "F", None),
    ("未知", None, None), ("保密", None, None), ("unknown", None, None), ("U", None, None),
    ("x", None, "unknown_gender"), ("3", None, "unknown_gender"), ("中性", None, "unknown_gender"),
    ("", None, None), (None, None, None),
]


def test_gender_default_mapping(clean):
    assert clean("gender", [raw for raw, *_ in GENDER]) == [(v, r) for _, v, r in GENDER]


def test_gender_user_mapping_extends_and_overrides(clean):
    mapping = {"Boy": "M", "ＧＩＲＬ": "F", "0": None, "other": "O"}
    got = clean("gender", ["boy", "girl", "0", "OTHER", "男", "x"], mapping=mapping)
    assert got == [("M", None), ("F", None), (None, None), ("O", None), ("M", None), (None, "unknown_gender")]


BOOLEAN = [
    ("是", True), ("否", False), ("true", True), ("FALSE", False), ("Yes", True), ("no", False),
    ("y", True), ("N", False), ("1", True), ("0", False), ("T", True), ("f", False), ("已", True),
    ("未", False), ("ｙｅｓ", True), (" 是 ", True),
]


def test_boolean(clean):
    inputs = [raw for raw, _ in BOOLEAN] + ["maybe", "2", "", None]
    want = [(v, None) for _, v in BOOLEAN] + [(None, "invalid_boolean")] * 2 + [(None, None)] * 2
    assert clean("boolean", inputs) == want


def test_boolean_user_mapping(clean):
    assert clean("boolean", ["checked", "是"], mapping={"Checked": True}) == [(True, None), (True, None)]
