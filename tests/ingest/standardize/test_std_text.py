import pytest

TEXT = [
    ("  hello   world ", "hello world"),
    ("ＡＢＣ１２３", "ABC123"),
    ("a\u3000b", "a b"),
    ("a\u00a0\u00a0b", "a b"),
    ("tab\tand\nnewline", "tab and newline"),
    ("\u200bzero\ufeff", "zero"),
    ("（括号）", "(括号)"),
    ("张三", "张三"),
    ("", None),
    ("   ", None),
    ("\u3000", None),
    (None, None),
]

NAME = [
    ("张 三", "张三"),
    ("张 三 丰", "张三丰"),
    ("欧阳 娜娜", "欧阳娜娜"),
    (" John   Smith ", "John Smith"),
    ("Ｊｏｈｎ　Ｓｍｉｔｈ", "John Smith"),
    ("李 Lei", "李 Lei"),
    ("阿沛·阿旺晋美", "阿沛·阿旺晋美"),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize("name, cases", [("text", TEXT), ("name", NAME)])
def test_text_and_name(clean, name, cases):
    got = clean(name, [raw for raw, _ in cases])
    assert got == [(want, None) for _, want in cases]


def test_prose_keeps_chinese_punctuation_and_line_breaks(clean):
    got = clean("prose", ["  你好，订单还没到！\r\n请尽快处理。\u200b ", "Ｆｕｌｌ　width", " \u3000 ", "", None])
    assert got == [("你好，订单还没到！\n请尽快处理。", None), ("Ｆｕｌｌ　width", None), (None, None), (None, None),
                   (None, None)]
