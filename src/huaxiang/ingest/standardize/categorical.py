"""Small closed vocabularies typed by people in many ways: gender and yes/no flags.

Keys are matched after text normalization and case folding, so one mapping entry covers
``Male``, ``MALE`` and ``ｍａｌｅ``. A user mapping extends the defaults and wins on conflicts;
mapping a key to ``None`` declares it a known way of saying "missing".
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from ._registry import Cleaned, null_string, standardizer
from .text import normalize, normalize_str

_GENDER = {
    **dict.fromkeys(["男", "男性", "男士", "先生", "m", "male", "man", "mr", "mr.", "1"], "M"),
    **dict.fromkeys(["女", "女性", "女士", "小姐", "f", "female", "woman", "ms", "ms.", "mrs", "mrs.", "2", "0"], "F"),
    **dict.fromkeys(["未知", "保密", "不详", "unknown", "u", "n/a"], None),
}

_BOOLEAN = {
    **dict.fromkeys(["是", "对", "真", "已", "有", "true", "t", "yes", "y", "1", "on", "√", "✓"], True),
    **dict.fromkeys(["否", "不是", "错", "假", "未", "无", "没有", "false", "f", "no", "n", "0", "off", "×", "✗"], False),
}


def _lookup(col: ir.StringValue, mapping: Mapping[str, object], dtype: str, code: str) -> Cleaned:
    key = normalize(col).lower()
    known = [k for k, v in mapping.items() if v is not None]
    value = key.cases(*[(k, mapping[k]) for k in known], else_=ibis.null(dtype)) if known else ibis.null(dtype)
    unknown = key.notnull() & ~key.isin(list(mapping))
    return Cleaned(value.cast(dtype), ibis.ifelse(unknown, code, null_string()))


def _merged(default: Mapping[str, object], extra: Mapping[str, object] | None) -> dict[str, object]:
    return {**default, **{normalize_str(k).lower(): v for k, v in (extra or {}).items()}}


@standardizer("gender")
def gender(col: ir.StringValue, mapping: Mapping[str, str | None] | None = None) -> Cleaned:
    """'M' / 'F' (or whatever codes ``mapping`` uses); unknown spellings get 'unknown_gender'."""
    return _lookup(col, _merged(_GENDER, mapping), "string", "unknown_gender")


@standardizer("boolean")
def boolean(col: ir.StringValue, mapping: Mapping[str, bool | None] | None = None) -> Cleaned:
    return _lookup(col, _merged(_BOOLEAN, mapping), "boolean", "invalid_boolean")
