"""The type checker: what is accepted, and errors that name both types and point at the node."""

from __future__ import annotations

import pytest

from huaxiang.domain.conditions import (ConditionError, Env, Type, check, check_condition, from_dtype, from_json,
                                        history_calls, parse, references, segments_used, tags_used)

TRAITS = {
    "monetary_365d": "decimal(18,2)", "orders_365d": "int64", "aov": "float64", "rfm_segment_cn": "string",
    "city": "string", "vip": "boolean", "birth_date": "date", "last_seen": "timestamp",
    "interests": "list<string>", "scores": "array<float64>", "raw": "json",
}
TABLES = {
    "events": {"event": "string", "category": "string", "at": "timestamp", "customer_id": "string"},
    "orders": {"amount": "decimal(18,2)", "status": "string", "at": "timestamp", "paid": "boolean"},
}
ENV = Env(names=TRAITS, tables=TABLES, tags={"价格敏感型", "vip_gold"}, segments={"高价值客户"},
          tag_aliases={"金卡会员": "vip_gold"})


@pytest.mark.parametrize("text, expected", [
    ("monetary_365d > 5000 and rfm_segment_cn = '重要价值客户' and has_tag('价格敏感型') and "
     "count(events, event = 'Product Viewed' and category = '户外', within = 30d) >= 3", Type.BOOL),
    ("monetary_365d / orders_365d + aov * 2 - -1", Type.NUMBER),
    ("birth_date < last_seen and last_seen >= date '2025-01-01'", Type.BOOL),
    ("last_seen > now() - 30d", Type.BOOL),
    ("birth_date + 2w", Type.DATE),
    ("12h + last_seen", Type.TIMESTAMP),
    ("coalesce(city, '未知')", Type.STRING),
    ("coalesce(birth_date, last_seen)", Type.TIMESTAMP),
    ("if(vip, monetary_365d, null)", Type.NUMBER),
    ("case(aov > 500, '高', aov > 100, '中', '低')", Type.STRING),
    ("round(aov, 2) + abs(aov) + floor(aov) + ceil(aov) + ln(aov) + exp(1) + sqrt(4)", Type.NUMBER),
    ("least(1, aov, 3.5) < greatest(birth_date, last_seen)", None),  # number vs timestamp: error below
    ("lower(city) = upper('x') and length(city) > 2 and starts_with(city, '上') and ends_with(city, '海')", Type.BOOL),
    ("contains(city, '海') and contains(interests, '户外') and contains(scores, 1)", Type.BOOL),
    ("year(birth_date) + month(last_seen) + day(last_seen) + hour(last_seen) + weekday(birth_date)", Type.NUMBER),
    ("date(last_seen) = birth_date", Type.BOOL),
    ("days_between(birth_date, last_seen) + days_since(last_seen) + hours_since(last_seen)", Type.NUMBER),
    ("bucket(monetary_365d, 0, 1000, 5000.5)", Type.NUMBER),
    ("size(interests) + size(scores)", Type.NUMBER),
    ("sum(orders, amount, status = 'paid', within = 2w) + avg(orders, amount) + count_distinct(events, category)",
     Type.NUMBER),
    ("max(orders, at) > last_seen and min(events, category) = 'x'", Type.BOOL),
    ("has_tag('金卡会员') and in_segment('高价值客户')", Type.BOOL),
    ("city in ('上海', '北京') and aov not between 1 and 2 and city is not null and city like '上%'", Type.BOOL),
    ("vip = true and vip != null is null", None),
])
def test_types(text, expected):
    if expected is None:
        with pytest.raises(ConditionError):
            check(parse(text), ENV)
    else:
        assert check(parse(text), ENV) == expected


def error(text, env=ENV) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        check_condition(parse(text), env)
    return caught.value


@pytest.mark.parametrize("text, span, words", [
    ("city > 5", (0, 8), "cannot compare string with number"),
    ("last_seen = '2025-06-30'", (0, 24), "cannot compare timestamp with string"),
    ("vip < true", (0, 10), "no order"),
    ("city + 1 > 2", (0, 8), "cannot add string and number"),
    ("last_seen - birth_date > 1", (0, 22), "cannot subtract date from timestamp"),
    ("birth_date + 3h > last_seen", (13, 15), "days or weeks"),
    ("aov > 30d", (0, 9), "cannot compare number with duration"),
    ("aov = null", (6, 10), "use 'is null'"),
    ("city in ('a', null)", (14, 18), "null in a list"),
    ("city in ('a', 1)", (14, 15), "cannot compare string with number"),
    ("aov between 'a' and 2", (12, 15), "cannot compare number with string"),
    ("aov like 'x%'", (0, 13), "matches strings"),
    ("not aov", (4, 7), "'not' needs true or false, got number"),
    ("vip and aov", (8, 11), "'and' needs true or false"),
    ("aov", (0, 3), "must be true or false"),
    ("raw = 'x'", (0, 3), "dtype json"),
    ("frobnicate(aov) > 1", (0, 15), "unknown function 'frobnicate'"),
    ("coalesc(aov, 1) > 1", (0, 15), "did you mean 'coalesce'"),
    ("abs(aov, 2) > 1", (0, 11), "abs() takes 1 argument, got 2"),
    ("round(aov, 2, 3) > 1", (0, 16), "1 to 2 arguments"),
    ("coalesce(aov) > 1", (0, 13), "at least 2 arguments"),
    ("abs(city) > 1", (4, 8), "abs() expects number as argument 1, got string"),
    ("round(aov, aov) > 1", (11, 14), "whole number"),
    ("if(aov, 1, 2) > 1", (3, 6), "expects bool as argument 1, got number"),
    ("if(vip, 1, 'x') = 1", (0, 15), "do not share a type"),
    ("case(vip, 1, 2, 3) = 1", (0, 18), "condition, value pairs"),
    ("bucket(aov, 10, 5) > 1", (16, 17), "must ascend"),
    ("bucket(aov, 10, aov) > 1", (16, 19), "constant numbers"),
    ("hour(birth_date) = 1", (5, 15), "expects timestamp"),
    ("contains(interests, 1)", (20, 21), "expects string as argument 2, got number"),
    ("has_tag(city)", (8, 12), "quoted string"),
    ("has_tag('价格敏感')", (8, 14), "did you mean '价格敏感型'"),
    ("in_segment('低价值客户')", (11, 18), "unknown segment '低价值客户'"),
    ("count(evnts) > 1", (6, 11), "unknown table 'evnts'; did you mean 'events'"),
    ("count(events, within = 30) > 1", (23, 25), "within takes a duration"),
    ("count(events, amount > 1) > 1", (14, 20), "unknown column 'amount'"),
    ("count(events, monetary_365d > 1) > 1", (14, 27), "unknown column 'monetary_365d'"),
    ("count(events, has_tag('vip_gold')) > 1", (14, 33), "cannot be used on table rows"),
    ("count(events, category) > 1", (14, 22), "condition of count() needs true or false, got string"),
    ("sum(orders, status) > 1", (12, 18), "sum() adds numbers, got string"),
    ("sum(orders) > 1", (0, 11), "2 to 3 arguments"),
    ("count(42) > 1", (6, 8), "takes a table name first"),
    ("abs(aov, within = 3d) > 1", (18, 20), "has no argument 'within'"),
])
def test_errors(text, span, words):
    caught = error(text)
    assert (caught.start, caught.end) == span
    assert words in caught.message


def test_unknown_trait_points_at_it_with_a_suggestion():
    text = "monetary_365d > 5000 and rfm_segmnt_cn = '重要价值客户'"
    caught = error(text)
    assert (caught.start, caught.end) == (25, 38)
    assert caught.location(text) == (1, 26)
    assert caught.message == "unknown trait 'rfm_segmnt_cn'; did you mean 'rfm_segment_cn'?"
    assert caught.render(text).splitlines()[-1] == "  " + " " * 25 + "^" * 13


def test_json_errors_carry_the_path():
    data = {"and": [{"op": ">", "left": {"trait": "city"}, "right": 5}, {"trait": "vip"}]}
    with pytest.raises(ConditionError) as caught:
        check_condition(from_json(data), ENV)
    assert caught.value.path == "$.and[0]"
    assert "cannot compare string with number" in caught.value.message


def test_row_scope():
    env = Env(names=TABLES["orders"], scope="row")
    assert check(parse("amount * 2 > 10 and status = 'paid'"), env) == Type.BOOL
    caught = error("in_segment('高价值客户')", env)
    assert "cannot be used on table rows" in caught.message
    caught = error("count(orders) > 1", env)
    assert "needs a customer" in caught.message
    caught = error("amout > 1", env)
    assert caught.message == "unknown column 'amout'; did you mean 'amount'?"


def test_tags_and_segments_are_not_checked_without_a_known_set():
    check_condition(parse("has_tag('任何标签') and in_segment('任何分群')"), Env())


@pytest.mark.parametrize("dtype, expected", [
    ("int64", Type.NUMBER), ("decimal(18,2)", Type.NUMBER), ("!float64", Type.NUMBER), ("double", Type.NUMBER),
    ("String", Type.STRING), ("boolean", Type.BOOL), ("date", Type.DATE), ("timestamp", Type.TIMESTAMP),
    ("timestamp(6)", Type.TIMESTAMP), ("list<string>", Type.LIST_STRING), ("array<int64>", Type.LIST_NUMBER),
    ("json", None), ("struct<a: int64>", None), ("list<date>", None),
])
def test_dtypes(dtype, expected):
    assert from_dtype(dtype) == expected


def test_reference_helpers():
    node = parse("aov > 1 and has_tag('金卡会员') and has_tag('价格敏感型') and in_segment('高价值客户') and "
                 "count(events, category = '户外', within = 30d) > count(events, category = '户外', within = 30d) "
                 "+ sum(orders, amount)")
    assert references(node) == {"aov"}
    assert tags_used(node) == {"金卡会员", "价格敏感型"}
    assert tags_used(node, {"金卡会员": "vip_gold"}) == {"vip_gold", "价格敏感型"}
    assert segments_used(node) == {"高价值客户"}
    calls = history_calls(node)
    assert [c.name for c in calls] == ["count", "sum"]  # equal calls appear once
    assert references(calls[0].args[1]) == {"category"}


def test_every_scalar_function_has_an_ibis_builder_and_no_builder_is_orphaned():
    from huaxiang.compile.conditions import functions as builders
    from huaxiang.domain.conditions import lookup, names

    scalar = [name for name in names() if not lookup(name).context]
    assert scalar == builders.names()
