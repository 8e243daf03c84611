"""Text and JSON describe the same trees: parse(to_text(n)) == n and from_json(to_json(n)) == n."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

import pytest

from huaxiang.domain.conditions import (Arith, Between, BoolOp, Call, Compare, Duration, In, IsNull, Like, Literal,
                                        Name, Neg, Not, from_json, parse, to_json, to_text)

CORPUS = [
    "monetary_365d > 5000 and rfm_segment_cn = '重要价值客户' and has_tag('价格敏感型') and "
    "count(events, event = 'Product Viewed' and category = '户外', within = 30d) >= 3",
    "a or b and not c",
    "(a or b) and not (c or d)",
    "not not a",
    "a - (b - c) * -d / (e % 2)",
    "-(5) + -5 - -x",
    "x in ('a', \"b'c\", 'd\\\\e') or y not in (1, -2.5)",
    "age between 18 and 30 and age not between 40 + 1 and 50",
    "email is null or phone is not null",
    "name like '张%' and name not like '%客服%'",
    "last_seen > now() - 30d and birth_date >= date '1990-01-01'",
    "created_at < timestamp '2025-06-30 12:00:00.250000'",
    "if(a > 1, 'hi', null) = 'hi'",
    "case(a > 10, 'high', a > 5, 'mid', 'low') != 'low'",
    "bucket(monetary_365d, 0, 100.5, 1000) >= 2",
    "round(x, 2) = 1.5 and coalesce(y, 0) <= least(1, 2, z)",
    "sum(orders, amount, status = 'paid', within = 2w) / count(orders) > 100",
    "count_distinct(events, category, within = 12h) > 1 or max(orders, at) is null",
    "in_segment('高价值') and not has_tag('流失风险')",
    "count(events, (within = 3))",
    "weekday(last_seen) in (5, 6) and hour(last_seen) between 20 and 23",
    "a = true and b != false",
]


@pytest.mark.parametrize("text", CORPUS)
def test_text_round_trip(text):
    node = parse(text)
    assert parse(to_text(node)) == node
    assert to_text(parse(to_text(node))) == to_text(node)  # the canonical text is a fixed point


@pytest.mark.parametrize("text", CORPUS)
def test_json_round_trip_through_real_json(text):
    node = parse(text)
    data = json.loads(json.dumps(to_json(node), ensure_ascii=False))
    assert from_json(data) == node


def test_canonical_text():
    assert to_text(parse("A  ==  1 AND b<>'x' OR NOT c IS NOT NULL")) == "A = 1 and b != 'x' or not c is not null"  # names keep their case
    assert to_text(parse('name = "it\'s"')) == "name = 'it\\'s'"


# -- random trees, including shapes only the JSON builder makes ------------------------------------

def _leaf(rng: random.Random):
    choice = rng.randrange(9)
    if choice == 0:
        return Name(rng.choice(["a", "b_2", "monetary_365d", "date", "_x"]))
    if choice == 1:
        return Literal(rng.choice([0, 7, -3, 10**20]), "number")
    if choice == 2:
        return Literal(rng.choice([Decimal("0.5"), Decimal("-2.25"), Decimal("1234567890.123456789")]), "number")
    if choice == 3:
        return Literal(rng.choice(["户外", "it's", 'q"q', "back\\slash", ""]), "string")
    if choice == 4:
        return Literal(rng.choice([True, False]), "bool")
    if choice == 5:
        return Literal(None, "null")
    if choice == 6:
        return Literal(dt.date(2025, 6, rng.randint(1, 30)), "date")
    if choice == 7:
        return Literal(dt.datetime(2025, 6, 30, rng.randint(0, 23), 5, 7), "timestamp")
    return Literal(Duration(rng.randint(1, 90), rng.choice("dhw")), "duration")


def _tree(rng: random.Random, depth: int):
    if depth == 0:
        return _leaf(rng)
    sub = lambda: _tree(rng, depth - 1)  # noqa: E731
    kind = rng.randrange(11)
    if kind == 0:
        return BoolOp(rng.choice(["and", "or"]), tuple(sub() for _ in range(rng.randint(2, 3))))
    if kind == 1:
        return Not(sub())
    if kind == 2:
        return Neg(sub())
    if kind == 3:
        return Compare(rng.choice(["=", "!=", "<", "<=", ">", ">="]), sub(), sub())
    if kind == 4:
        return Arith(rng.choice(["+", "-", "*", "/", "%"]), sub(), sub())
    if kind == 5:
        values = tuple(Literal(v, "string") for v in rng.sample(["a", "户外", "x'y"], 2))
        return In(sub(), values, rng.random() < 0.5)
    if kind == 6:
        return Between(sub(), sub(), sub(), rng.random() < 0.5)
    if kind == 7:
        return IsNull(sub(), rng.random() < 0.5)
    if kind == 8:
        return Like(sub(), rng.choice(["张%", "_a'"]), rng.random() < 0.5)
    if kind == 9:
        kwargs = (("within", Literal(Duration(30, "d"), "duration")),) if rng.random() < 0.5 else ()
        return Call("count", (Name("events"), sub()), kwargs)
    return Call(rng.choice(["coalesce", "f", "greatest"]), tuple(sub() for _ in range(rng.randint(0, 3))))


@pytest.mark.parametrize("seed", range(300))
def test_random_trees_round_trip(seed):
    rng = random.Random(seed)
    node = _tree(rng, rng.randint(1, 4))
    assert parse(to_text(node)) == node, to_text(node)
    assert from_json(json.loads(json.dumps(to_json(node)))) == node


def test_positions_are_not_part_of_equality():
    assert parse("a  =  1") == parse("a = 1")
    assert from_json({"op": "=", "left": {"trait": "a"}, "right": 1}) == parse("a = 1")
