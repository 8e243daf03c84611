CASES = [
    ("john.doe@example.com", "john.doe@example.com", None),
    ("  John.Doe@Example.COM ", "john.doe@example.com", None),
    ("ａｂｃ＠ｑｑ．ｃｏｍ", "abc@qq.com", None),
    ("zhang.san+crm@mail.company.com.cn", "zhang.san+crm@mail.company.com.cn", None),
    ("user_01@163.com", "user_01@163.com", None),
    ("o'brien@example.ie", "o'brien@example.ie", None),
    ("bad@", None, "invalid_email"),
    ("@example.com", None, "invalid_email"),
    ("a@b", None, "invalid_email"),
    ("a..b@x.com", None, "invalid_email"),
    (".a@x.com", None, "invalid_email"),
    ("a@x..com", None, "invalid_email"),
    ("a@-x.com", None, "invalid_email"),
    ("two@@x.com", None, "invalid_email"),
    ("john doe@x.com", None, "invalid_email"),
    ("张三@例子.com", None, "invalid_email"),
    ("a@x.c", None, "invalid_email"),
    ("", None, None),
    (None, None, None),
]


def test_email(clean):
    assert clean("email", [raw for raw, *_ in CASES]) == [(v, r) for _, v, r in CASES]
