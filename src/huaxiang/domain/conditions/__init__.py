"""The condition language of tags, segments and derived / aggregated traits (pure: no I/O, no Ibis).

Text and the console builder's JSON both read into the same AST::

    node = parse("monetary_365d > 5000 and has_tag('价格敏感型')")
    check_condition(node, Env(names={"monetary_365d": "decimal(18,2)"}))
    from_json(to_json(node)) == node and parse(to_text(node)) == node

See docs/conditions.md for the language reference.
"""

from .check import Env, check, check_condition
from .errors import ConditionError
from .functions import HISTORY, Function, lookup, names, register
from .json_codec import from_json, to_json
from .nodes import (Arith, Between, BoolOp, Call, Compare, Duration, In, IsNull, Like, Literal, Name, Neg, Node, Not,
                    children)
from .parser import parse
from .refs import history_calls, references, segments_used, tags_used, walk
from .render import to_text
from .types import Type, from_dtype

__all__ = [
    "Arith", "Between", "BoolOp", "Call", "Compare", "ConditionError", "Duration", "Env", "Function", "HISTORY", "In",
    "IsNull", "Like", "Literal", "Name", "Neg", "Node", "Not", "Type", "check", "check_condition", "children",
    "from_dtype", "from_json", "history_calls", "lookup", "names", "parse", "references", "register",
    "segments_used", "tags_used", "to_json", "to_text", "walk",
]
