"""The text form: every construct, precedence, Chinese strings, errors at exact positions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huaxiang.domain.conditions import (Arith, Between, BoolOp, Call, Compare, ConditionError, Duration, In, IsNull,
                                        Like, Literal, Name, Neg, Not, parse)


def n(name):
    return Name(name)


def num(value):
    return Literal(value, "number")


def s(value):
    return Literal(value, "string")


def test_the_example_condition():
    text = ("monetary_365d > 5000 and rfm_segment_cn = '重要价值客户' and has_tag('价格敏感型') and "
            "count(events, event = 'Product Viewed' and category = '户外', within = 30d) >= 3")
    history = Call("count", (n("events"), BoolOp("and", (Compare("=", n("event"), s("Product Viewed")),
                                                          Compare("=", n("category"), s("户外"))))),
                   (("within", Literal(Duration(30, "d"), "duration")),))
    assert parse(text) == BoolOp("and", (
        Compare(">", n("monetary_365d"), num(5000)),
        Compare("=", n("rfm_segment_cn"), s("重要价值客户")),
        Call("has_tag", (s("价格敏感型"),)),
        Compare(">=", history, num(3)),
    ))


@pytest.mark.parametrize("text, expected", [
    ("42", num(42)),
    ("3.50", num(Decimal("3.5"))),
    ("-7", num(-7)),
    ("-(7)", Neg(num(7))),
    ("- x", Neg(n("x"))),
    ("'户外'", s("户外")),
    ('"双引号"', s("双引号")),
    (r"'it\'s'", s("it's")),
    (r'"a\"b\\c"', s('a"b\\c')),
    (r"'\n stays'", s("\\n stays")),
    ("true", Literal(True, "bool")),
    ("FALSE", Literal(False, "bool")),
    ("Null", Literal(None, "null")),
    ("30d", Literal(Duration(30, "d"), "duration")),
    ("12h", Literal(Duration(12, "h"), "duration")),
    ("2w", Literal(Duration(2, "w"), "duration")),
    ("date '2025-06-30'", Literal(dt.date(2025, 6, 30), "date")),
    ("timestamp '2025-06-30 12:00:00'", Literal(dt.datetime(2025, 6, 30, 12), "timestamp")),
    ("DATE '2025-06-30'", Literal(dt.date(2025, 6, 30), "date")),
    ("date(last_seen)", Call("date", (n("last_seen"),))),
    ("date", n("date")),
])
def test_literals_and_names(text, expected):
    assert parse(text) == expected


def test_true_is_not_one():
    assert parse("true") != parse("1")


@pytest.mark.parametrize("text, expected", [
    ("a = 1", Compare("=", n("a"), num(1))),
    ("a == 1", Compare("=", n("a"), num(1))),
    ("a <> 1", Compare("!=", n("a"), num(1))),
    ("a != 1", Compare("!=", n("a"), num(1))),
    ("a <= 1", Compare("<=", n("a"), num(1))),
    ("city in ('上海', '北京')", In(n("city"), (s("上海"), s("北京")))),
    ("city NOT IN ('上海')", In(n("city"), (s("上海"),), negated=True)),
    ("x in (-1, 2.5)", In(n("x"), (num(-1), num(Decimal("2.5"))))),
    ("age between 18 and 30", Between(n("age"), num(18), num(30))),
    ("age not between 18 and 30 + 1", Between(n("age"), num(18), Arith("+", num(30), num(1)), negated=True)),
    ("email is null", IsNull(n("email"))),
    ("email IS NOT NULL", IsNull(n("email"), negated=True)),
    ("name like '张%'", Like(n("name"), "张%")),
    ("name not like '张_'", Like(n("name"), "张_", negated=True)),
])
def test_comparisons(text, expected):
    assert parse(text) == expected


def test_precedence_or_and_not_comparison_arithmetic():
    assert parse("a or b and not c = 1 + 2 * -d") == BoolOp("or", (
        n("a"),
        BoolOp("and", (n("b"), Not(Compare("=", n("c"), Arith("+", num(1), Arith("*", num(2), Neg(n("d")))))))),
    ))


def test_arithmetic_is_left_associative_and_parentheses_group():
    assert parse("a - b - c") == Arith("-", Arith("-", n("a"), n("b")), n("c"))
    assert parse("a - (b - c)") == Arith("-", n("a"), Arith("-", n("b"), n("c")))
    assert parse("a / b % c") == Arith("%", Arith("/", n("a"), n("b")), n("c"))


def test_and_is_n_ary_but_a_parenthesised_group_stays_a_node():
    assert parse("a and b and c") == BoolOp("and", (n("a"), n("b"), n("c")))
    assert parse("(a and b) and c") == BoolOp("and", (BoolOp("and", (n("a"), n("b"))), n("c")))


def test_calls_keyword_arguments_and_case_insensitive_names():
    assert parse("SUM(orders, amount, status = 'paid', within = 2w)") == Call(
        "sum", (n("orders"), n("amount"), Compare("=", n("status"), s("paid"))),
        (("within", Literal(Duration(2, "w"), "duration")),))
    assert parse("now()") == Call("now")
    assert parse("count(events, (within = 3))") == Call("count", (n("events"), Compare("=", n("within"), num(3))))


def test_positions_point_into_the_text():
    node = parse("monetary_365d > 5000 and has_tag('价格敏感型')")
    assert (node.start, node.end) == (0, 41)
    compare, call = node.args
    assert (compare.left.start, compare.left.end) == (0, 13)
    assert (call.start, call.end) == (25, 41)
    assert (call.args[0].start, call.args[0].end) == (33, 40)


def error(text) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize("text, start, end, words", [
    ("a = 'open", 4, 9, "unterminated string"),
    ("a = 1 $", 6, 7, "unexpected character '$'"),
    ("city = （'上海'）", 7, 8, "full-width"),
    ("a = 1 b", 6, 7, "after the end"),
    ("a = ", 4, 4, "ends here"),
    ("(a = 1", 6, 6, "expected ')'"),
    ("a < b < c", 6, 7, "cannot be chained"),
    ("a in ('x', b)", 11, 12, "constant values"),
    ("a in 'x'", 5, 8, "'(' and a list"),
    ("a is 1", 5, 6, "null after 'is'"),
    ("a like b", 7, 8, "quoted pattern"),
    ("30x", 0, 3, "malformed number"),
    ("1.5d", 0, 4, "malformed number"),
    ("date '2025-13-01'", 5, 17, "bad date"),
    ("timestamp '2025-06-30T12:00:00+08:00'", 10, 37, "without a time zone"),
    ("f(within = 1, 2)", 14, 15, "positional arguments come before"),
    ("count(e, within = 1d, within = 2d)", 22, 28, "given twice"),
    ("   ", 0, 3, "empty"),
])
def test_errors_have_exact_spans(text, start, end, words):
    caught = error(text)
    assert (caught.start, caught.end) == (start, end)
    assert words in caught.message


def test_render_puts_carets_under_the_span_counting_wide_characters():
    text = "标签 = 1"
    caught = error(text)
    assert caught.start == 0
    assert caught.render(text).splitlines() == ["unexpected character '标'", "  标签 = 1", "  ^^"]
    text = "tag = '户外' and x = 1 $"
    caught = error(text)
    assert caught.location(text) == (1, 22)
    assert caught.render(text).splitlines()[-1] == "  " + " " * (21 + 2) + "^"  # 户外 takes four cells


def test_render_on_the_second_line():
    text = "a = 1\n  and b = 'x"
    caught = error(text)
    assert caught.location(text) == (2, 11)
    assert caught.render(text).splitlines()[1:] == ["    and b = 'x", "            ^^"]
