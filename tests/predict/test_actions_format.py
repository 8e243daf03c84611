"""An action's reason is filled the same way in SQL (every customer) and in Python (one card)."""

from __future__ import annotations

import ibis
import pytest

from huaxiang.domain.predictions import Action
from huaxiang.predict.actions import reason_expr, render_reason


@pytest.mark.parametrize("template, values, expected", [
    ("风险{risk:.0%}", {"risk": 0.6234}, "风险62%"),
    ("spend {spend:.0f} over {n} orders", {"spend": 1234.56, "n": 7}, "spend 1235 over 7 orders"),
    ("rate {risk:.1%}", {"risk": 0.12345}, "rate 12.3%"),
    ("nothing {risk:.0%}", {"risk": None}, "nothing -"),
])
def test_sql_and_python_fill_reasons_alike(template, values, expected):
    action = Action(name="a", condition="true", reason={"zh": template, "en": template})
    assert render_reason(action, values, "zh") == expected
    table = ibis.memtable({k: [v] for k, v in values.items()},
                          schema={k: ("float64" if k != "n" else "int64") for k in values})
    assert ibis.duckdb.connect().execute(table.select(r=reason_expr(template, table)))["r"][0] == expected


def test_placeholders_are_the_traits_named():
    action = Action(name="a", condition="true", reason={"zh": "{a} 和 {b:.0%}", "en": "{c}"})
    assert action.placeholders() == {"a", "b", "c"}
