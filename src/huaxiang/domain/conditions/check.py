"""The type checker: names exist, types fit, context functions appear only where a customer is."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace

from . import functions
from .functions import HISTORY, fail
from .nodes import Arith, Between, BoolOp, Call, Compare, In, IsNull, Like, Literal, Name, Neg, Node, Not
from .types import ORDERED, TEMPORAL, Type, comparable, from_dtype

_LITERAL_TYPES = {"number": Type.NUMBER, "string": Type.STRING, "bool": Type.BOOL, "null": Type.NULL,
                  "date": Type.DATE, "timestamp": Type.TIMESTAMP, "duration": Type.DURATION}


@dataclass(frozen=True)
class Env:
    """What a condition may refer to.

    ``names``: dtype of each trait (customer scope) or column (row scope), in storage spelling
    ('int64', 'decimal(18,2)', 'list<string>'…). ``tables``: column dtypes of each fact table that
    history calls may aggregate. ``tags``/``segments``: the known names, or None to skip the check;
    ``tag_aliases``/``segment_aliases`` map a label (say the Chinese display name) to the name.
    """

    names: Mapping[str, str] = field(default_factory=dict)
    scope: str = "customer"  # customer | row
    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    tags: Set[str] | None = None
    segments: Set[str] | None = None
    tag_aliases: Mapping[str, str] = field(default_factory=dict)
    segment_aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.scope not in ("customer", "row"):
            raise ValueError(f"scope is 'customer' or 'row', not {self.scope!r}")


def check(node: Node, env: Env) -> Type:
    """The type of ``node`` in ``env``; raises ConditionError pointing at the offending node."""
    return _Checker(env).type_of(node)


def check_condition(node: Node, env: Env) -> None:
    """Check a tag or segment condition: it must be a boolean."""
    result = check(node, env)
    if result not in (Type.BOOL, Type.NULL):
        raise fail(node, f"a condition must be true or false, but this is a {result}")


def suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


class _Checker:
    def __init__(self, env: Env):
        self.env = env

    def type_of(self, node: Node) -> Type:
        method = getattr(self, f"_{type(node).__name__.lower()}")
        return method(node)

    def _literal(self, node: Literal) -> Type:
        return _LITERAL_TYPES[node.kind]

    def _name(self, node: Name) -> Type:
        names = self.env.names
        if node.name not in names:
            what = "trait" if self.env.scope == "customer" else "column"
            raise fail(node, f"unknown {what} {node.name!r}{suggest(node.name, names)}")
        result = from_dtype(names[node.name])
        if result is None:
            raise fail(node, f"{node.name!r} has dtype {names[node.name]}, which conditions cannot use")
        return result

    def _boolop(self, node: BoolOp) -> Type:
        for arg in node.args:
            self.boolean(arg, f"'{node.op}'")
        return Type.BOOL

    def _not(self, node: Not) -> Type:
        self.boolean(node.arg, "'not'")
        return Type.BOOL

    def boolean(self, node: Node, where: str) -> None:
        got = self.type_of(node)
        if got not in (Type.BOOL, Type.NULL):
            raise fail(node, f"{where} needs true or false, got {got}")

    def _neg(self, node: Neg) -> Type:
        got = self.type_of(node.arg)
        if got not in (Type.NUMBER, Type.NULL):
            raise fail(node, f"cannot negate {got}")
        return Type.NUMBER

    def _compare(self, node: Compare) -> Type:
        left, right = self.type_of(node.left), self.type_of(node.right)
        for side in (node.left, node.right):
            if isinstance(side, Literal) and side.kind == "null":
                raise fail(side, f"'{node.op} null' is never true: use 'is null' or 'is not null'")
        self.comparable(node, left, right, node.op not in ("=", "!="))
        return Type.BOOL

    def comparable(self, node: Node, left: Type, right: Type, ordered: bool = True) -> None:
        if not comparable(left, right):
            raise fail(node, f"cannot compare {left} with {right}")
        if ordered and Type.BOOL in (left, right):
            raise fail(node, "true and false have no order: use = or !=")

    def _arith(self, node: Arith) -> Type:
        left, right = self.type_of(node.left), self.type_of(node.right)
        if {left, right} <= {Type.NUMBER, Type.NULL}:
            return Type.NUMBER
        if node.op in "+-" and left in TEMPORAL and right == Type.DURATION:
            if left == Type.DATE and node.right.value.unit == "h":
                raise fail(node.right, "a date moves by days or weeks, not hours")
            return left
        if node.op == "+" and left == Type.DURATION and right in TEMPORAL:
            return right
        verb = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "%": "take the remainder of"}[node.op]
        raise fail(node, f"cannot {verb} {left} and {right}" if node.op != "-" else
                   f"cannot subtract {right} from {left}")

    def _in(self, node: In) -> Type:
        got = self.type_of(node.arg)
        for value in node.values:
            if value.kind == "null":
                raise fail(value, "null in a list never matches: use 'is null'")
            self.comparable(value, got, self.type_of(value), ordered=False)
        return Type.BOOL

    def _between(self, node: Between) -> Type:
        got = self.type_of(node.arg)
        for bound in (node.low, node.high):
            self.comparable(bound, got, self.type_of(bound))
        return Type.BOOL

    def _isnull(self, node: IsNull) -> Type:
        self.type_of(node.arg)
        return Type.BOOL

    def _like(self, node: Like) -> Type:
        got = self.type_of(node.arg)
        if got not in (Type.STRING, Type.NULL):
            raise fail(node, f"'like' matches strings, got {got}")
        return Type.BOOL

    def _call(self, node: Call) -> Type:
        function = functions.lookup(node.name)
        if function is None:
            raise fail(node, f"unknown function {node.name!r}{suggest(node.name, functions.names())}")
        count = len(node.args)
        if count < function.min_args or function.max_args is not None and count > function.max_args:
            raise fail(node, f"{node.name}() takes {_arity(function)}, got {count}")
        for key, value in node.kwargs:
            if key not in function.keywords:
                raise fail(value, f"{node.name}() has no argument {key!r}")
        if function.context and self.env.scope != "customer":
            raise fail(node, f"{node.name}() needs a customer and cannot be used on table rows")
        if node.name in HISTORY:
            return self.history(node)
        if function.context:
            self.label(node)
            return Type.BOOL
        return function.rule(node, [self.type_of(arg) for arg in node.args])

    def label(self, node: Call) -> str:
        """The canonical tag or segment name of has_tag / in_segment."""
        arg = node.args[0]
        if not (isinstance(arg, Literal) and arg.kind == "string"):
            raise fail(arg, f"{node.name}() takes the name as a quoted string")
        kind = "tag" if node.name == "has_tag" else "segment"
        aliases = self.env.tag_aliases if kind == "tag" else self.env.segment_aliases
        known = self.env.tags if kind == "tag" else self.env.segments
        name = aliases.get(arg.value, arg.value)
        if known is not None and name not in known:
            raise fail(arg, f"unknown {kind} {arg.value!r}{suggest(arg.value, [*known, *aliases])}")
        return name

    def history(self, node: Call) -> Type:
        table = node.args[0]
        if not isinstance(table, Name):
            raise fail(table, f"{node.name}() takes a table name first, such as events or orders")
        if table.name not in self.env.tables:
            raise fail(table, f"unknown table {table.name!r}{suggest(table.name, self.env.tables)}")
        within = node.kwarg("within")
        if within is not None and not (isinstance(within, Literal) and within.kind == "duration"):
            raise fail(within, "within takes a duration such as 30d, 12h or 2w")
        rows = _Checker(replace(self.env, names=self.env.tables[table.name], scope="row"))
        value_type = None
        if node.name != "count":
            value_type = rows.type_of(node.args[1])
            self.aggregable(node, value_type)
        condition = node.args[2 if node.name != "count" else 1:]
        if condition:
            rows.boolean(condition[0], f"the condition of {node.name}()")
        return Type.NUMBER if node.name in ("count", "count_distinct", "sum", "avg") else value_type

    def aggregable(self, node: Call, got: Type) -> None:
        if node.name in ("sum", "avg") and got not in (Type.NUMBER, Type.NULL):
            raise fail(node.args[1], f"{node.name}() adds numbers, got {got}")
        if node.name in ("min", "max") and got not in ORDERED:
            raise fail(node.args[1], f"{node.name}() cannot order {got} values")
        if node.name == "count_distinct" and got not in ORDERED | {Type.BOOL}:
            raise fail(node.args[1], f"count_distinct() cannot count {got} values")


def _arity(function) -> str:
    if function.max_args == function.min_args:
        return f"{function.min_args} argument{'s' if function.min_args != 1 else ''}"
    if function.max_args is None:
        return f"at least {function.min_args} arguments"
    return f"{function.min_args} to {function.max_args} arguments"
