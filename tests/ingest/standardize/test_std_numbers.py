from decimal import Decimal as D

MONEY = [
    ("1234.5", D("1234.50"), None),
    ("¥1,234.50", D("1234.50"), None),
    ("￥1,234.50", D("1234.50"), None),
    ("1，234.50", D("1234.50"), None),
    ("１，２３４．５０", D("1234.50"), None),
    ("RMB 100", D("100.00"), None),
    ("rmb100", D("100.00"), None),
    ("CNY 88.8", D("88.80"), None),
    ("100元", D("100.00"), None),
    ("人民币 99 元", D("99.00"), None),
    ("$ 5", D("5.00"), None),
    ("-12.5", D("-12.50"), None),
    ("-¥12.5", D("-12.50"), None),
    ("12.345", D("12.35"), None),
    ("0", D("0.00"), None),
    ("1e-05", D("0.00"), None),
    ("1.2345e+03", D("1234.50"), None),
    ("1.5e+20", None, "invalid_money"),
    ("abc", None, "invalid_money"),
    ("1.5万", None, "invalid_money"),
    ("(12.50)", None, "invalid_money"),
    ("12,34", None, "invalid_money"),
    ("元", None, "invalid_money"),
    ("", None, None),
    (None, None, None),
]

INTEGER = [
    ("42", 42, None), ("-7", -7, None), ("+3", 3, None), ("1,234", 1234, None), ("１２", 12, None),
    ("12.0", 12, None), ("9223372036854775807", 9223372036854775807, None),
    ("12.5", None, "invalid_integer"), ("abc", None, "invalid_integer"),
    ("99999999999999999999", None, "invalid_integer"), ("1,23", None, "invalid_integer"),
    ("", None, None), (None, None, None),
]

DECIMAL = [
    ("3.14159265", D("3.1416"), None), ("1,234.56789", D("1234.5679"), None), (".5", D("0.5000"), None),
    ("-0.25", D("-0.2500"), None), ("1e3", D("1000.0000"), None), ("７", D("7.0000"), None),
    ("abc", None, "invalid_decimal"), ("1.2.3", None, "invalid_decimal"), ("", None, None),
]


def test_money(clean):
    assert clean("money", [raw for raw, *_ in MONEY]) == [(v, r) for _, v, r in MONEY]


def test_integer(clean):
    assert clean("integer", [raw for raw, *_ in INTEGER]) == [(v, r) for _, v, r in INTEGER]


def test_decimal(clean):
    assert clean("decimal", [raw for raw, *_ in DECIMAL]) == [(v, r) for _, v, r in DECIMAL]
