"""The builder's JSON form: every node kind, bare scalars, and errors that name the JSON path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huaxiang.domain.conditions import ConditionError, Duration, Literal, Name, from_json, parse, to_json


def test_the_documented_example_decodes_to_the_parsed_text():
    data = {"and": [
        {"op": ">", "left": {"trait": "monetary_365d"}, "right": {"value": 5000}},
        {"op": "=", "left": {"trait": "rfm_segment_cn"}, "right": "重要价值客户"},
        {"call": "has_tag", "args": ["价格敏感型"]},
        {"op": ">=", "right": 3, "left": {"call": "count", "args": [
            {"table": "events"},
            {"and": [{"op": "=", "left": {"column": "event"}, "right": "Product Viewed"},
                     {"op": "=", "left": {"column": "category"}, "right": {"value": "户外"}}]}],
            "kwargs": {"within": {"duration": "30d"}}}},
    ]}
    assert from_json(data) == parse(
        "monetary_365d > 5000 and rfm_segment_cn = '重要价值客户' and has_tag('价格敏感型') and "
        "count(events, event = 'Product Viewed' and category = '户外', within = 30d) >= 3")


@pytest.mark.parametrize("data, text", [
    ({"not": {"is_null": {"trait": "email"}}}, "not email is null"),
    ({"is_not_null": {"trait": "email"}}, "email is not null"),
    ({"in": {"trait": "city"}, "values": ["上海", {"value": "北京"}]}, "city in ('上海', '北京')"),
    ({"not_in": {"trait": "x"}, "values": [1, 2.5]}, "x not in (1, 2.5)"),
    ({"between": {"trait": "age"}, "low": 18, "high": 30}, "age between 18 and 30"),
    ({"not_between": {"trait": "age"}, "low": 18, "high": 30}, "age not between 18 and 30"),
    ({"like": {"trait": "name"}, "pattern": "张%"}, "name like '张%'"),
    ({"not_like": {"trait": "name"}, "pattern": "张%"}, "name not like '张%'"),
    ({"op": "<>", "left": {"trait": "a"}, "right": True}, "a != true"),
    ({"op": "-", "left": {"call": "now"}, "right": {"duration": "2w"}}, "now() - 2w"),
    ({"neg": {"trait": "a"}}, "-a"),
    ({"op": ">", "left": {"trait": "d"}, "right": {"date": "2025-06-30"}}, "d > date '2025-06-30'"),
    ({"op": ">", "left": {"trait": "t"}, "right": {"timestamp": "2025-06-30 08:00:00"}},
     "t > timestamp '2025-06-30 08:00:00'"),
    ({"op": "=", "left": {"trait": "x"}, "right": {"number": "12345678901234567.89"}}, "x = 12345678901234567.89"),
    ({"or": [{"trait": "a"}]}, "a"),  # a one-item group is its item
    (None, "null"),
])
def test_node_kinds(data, text):
    assert from_json(data) == parse(text)


def test_to_json_shapes():
    assert to_json(parse("x = 0.5")) == {"op": "=", "left": {"trait": "x"}, "right": {"value": 0.5}}
    assert to_json(parse("x = 12345678901234567.89"))["right"] == {"number": "12345678901234567.89"}
    assert to_json(parse("x > date '2025-06-30'"))["right"] == {"date": "2025-06-30"}
    assert to_json(parse("amount > 1"), scope="row") == {"op": ">", "left": {"column": "amount"}, "right": {"value": 1}}
    assert to_json(parse("max(orders, amount, within = 2w)")) == {
        "call": "max", "args": [{"table": "orders"}, {"column": "amount"}], "kwargs": {"within": {"duration": "2w"}}}


def test_literal_values():
    assert from_json(2.5) == Literal(Decimal("2.5"), "number")
    assert from_json({"value": False}) == Literal(False, "bool") != Literal(0, "number")
    assert from_json({"duration": "12h"}) == Literal(Duration(12, "h"), "duration")
    assert from_json({"date": "2025-06-30"}) == Literal(dt.date(2025, 6, 30), "date")
    assert from_json({"column": "amount"}) == Name("amount") == from_json({"trait": "amount"})


@pytest.mark.parametrize("data, path, words", [
    ({"and": [{"trait": "a"}, {"op": "~", "left": 1, "right": 2}]}, "$.and[1].op", "unknown operator"),
    ({"and": []}, "$.and", "non-empty list"),
    ({"op": ">", "left": {"trait": "a"}}, "$", "missing key 'right'"),
    ({"op": ">", "left": {"trait": "a"}, "right": 1, "colour": "red"}, "$.colour", "unexpected key"),
    ({"call": "f", "args": [1, {"neg": {"trait": "bad name"}}]}, "$.args[1].neg.trait", "is not a name"),
    ({"trait": "and"}, "$.trait", "is not a name"),
    ({"call": "count", "args": [], "kwargs": {"within": {"duration": "30x"}}}, "$.kwargs.within.duration",
     "unknown duration unit"),
    ({"date": "2025-02-30"}, "$.date", "bad date"),
    ({"in": {"trait": "a"}, "values": [{"trait": "b"}]}, "$.values[0]", "only constants"),
    ({"trait": "a", "value": 1}, "$", "cannot be both"),
    ({"colour": "red"}, "$", "exactly one of"),
    ([1, 2], "$", "an object or a constant"),
    ({"value": float("nan")}, "$", "finite"),
    ({"like": {"trait": "a"}, "pattern": 5}, "$.pattern", "is a string"),
    ({"not": {"or": [{"trait": "a"}, {"op": "=", "left": {"value": [1]}, "right": 1}]}}, "$.not.or[1].left.value",
     "holds a constant"),
])
def test_errors_name_the_path(data, path, words):
    with pytest.raises(ConditionError) as caught:
        from_json(data)
    assert caught.value.path == path
    assert words in caught.value.message
    assert path in str(caught.value)


def test_nodes_remember_their_json_path():
    node = from_json({"or": [{"trait": "a"}, {"op": "=", "left": {"trait": "b"}, "right": 1}]})
    assert node.args[1].left.path == "$.or[1].left"
