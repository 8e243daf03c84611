"""The builder's JSON form <-> AST.

One key names the node: ``and``/``or`` (lists), ``not``, ``neg``, ``op`` (with ``left``/``right``),
``trait``/``column``/``table`` (identifiers), ``value``/``number``/``duration``/``date``/``timestamp``
(constants), ``in``/``not_in`` (with ``values``), ``between``/``not_between`` (with ``low``/``high``),
``is_null``/``is_not_null``, ``like``/``not_like`` (with ``pattern``), ``call`` (with ``args``,
``kwargs``). Bare JSON scalars are constants. Unknown or missing keys are errors with the JSON path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .errors import ConditionError
from .functions import HISTORY
from .nodes import (ARITHMETIC, COMPARISONS, Arith, Between, BoolOp, Call, Compare, In, IsNull, Like, Literal, Name,
                    Neg, Node, Not, is_identifier)
from .parser import literal

_NAMES = ("trait", "column", "table")
_TEXT_LITERALS = ("duration", "date", "timestamp")
_PAIRED = {"in": In, "not_in": In, "between": Between, "not_between": Between,
           "is_null": IsNull, "is_not_null": IsNull, "like": Like, "not_like": Like}


def from_json(data: Any, path: str = "$") -> Node:
    """Decode the builder's JSON (already loaded: dicts, lists, scalars); errors carry ``path``."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return _scalar(data, path)
    if not isinstance(data, dict):
        raise ConditionError("expected an object or a constant", path=path)
    head = [key for key in data if key in _HEADS]
    if len(head) != 1:
        known = ", ".join(sorted(_HEADS))
        raise ConditionError(f"an object needs exactly one of: {known}" if not head else
                             f"an object cannot be both {head[0]!r} and {head[1]!r}", path=path)
    return _HEADS[head[0]](data, path)


def _scalar(value, path: str) -> Literal:
    if value is None:
        return Literal(None, "null", path=path)
    if isinstance(value, bool):
        return Literal(value, "bool", path=path)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ConditionError("numbers must be finite", path=path)
        return Literal(Decimal(repr(value)), "number", path=path)
    return Literal(value, "number" if isinstance(value, int) else "string", path=path)


def _keys(data: dict, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    for key in required:
        if key not in data:
            raise ConditionError(f"missing key {key!r}", path=path)
    extra = sorted(set(data) - set(required) - set(optional))
    if extra:
        raise ConditionError(f"unexpected key {extra[0]!r}", path=f"{path}.{extra[0]}")


def _bool_op(data: dict, path: str) -> Node:
    op = "and" if "and" in data else "or"
    _keys(data, path, (op,))
    items = data[op]
    if not isinstance(items, list) or not items:
        raise ConditionError(f"{op!r} needs a non-empty list of conditions", path=f"{path}.{op}")
    args = tuple(from_json(item, f"{path}.{op}[{i}]") for i, item in enumerate(items))
    return args[0] if len(args) == 1 else BoolOp(op, args, path=path)


def _not(data: dict, path: str) -> Node:
    _keys(data, path, ("not",))
    return Not(from_json(data["not"], f"{path}.not"), path=path)


def _neg(data: dict, path: str) -> Node:
    _keys(data, path, ("neg",))
    return Neg(from_json(data["neg"], f"{path}.neg"), path=path)


def _op(data: dict, path: str) -> Node:
    _keys(data, path, ("op", "left", "right"))
    op = {"==": "=", "<>": "!="}.get(data["op"], data["op"])
    if op not in COMPARISONS + ARITHMETIC:
        raise ConditionError(f"unknown operator {data['op']!r}", path=f"{path}.op")
    left, right = from_json(data["left"], f"{path}.left"), from_json(data["right"], f"{path}.right")
    return (Compare if op in COMPARISONS else Arith)(op, left, right, path=path)


def _name(data: dict, path: str) -> Node:
    key = next(k for k in _NAMES if k in data)
    _keys(data, path, (key,))
    name = data[key]
    if not isinstance(name, str) or not is_identifier(name):
        raise ConditionError(f"{name!r} is not a name: letters, digits and _ (not a keyword)", path=f"{path}.{key}")
    return Name(name, path=path)


def _text_literal(data: dict, path: str) -> Node:
    key = next(k for k in _TEXT_LITERALS if k in data)
    _keys(data, path, (key,))
    if not isinstance(data[key], str):
        raise ConditionError(f"{key!r} is written as a string", path=f"{path}.{key}")
    try:
        return literal(key, data[key], path=path)
    except ValueError as exc:
        raise ConditionError(f"bad {key} {data[key]!r}: {exc}", path=f"{path}.{key}") from None


def _value(data: dict, path: str) -> Node:
    _keys(data, path, ("value",))
    if isinstance(data["value"], (dict, list)):
        raise ConditionError("'value' holds a constant", path=f"{path}.value")
    return _scalar(data["value"], path)


def _number(data: dict, path: str) -> Node:
    _keys(data, path, ("number",))
    try:
        value = Decimal(str(data["number"]))
        if not value.is_finite():
            raise ArithmeticError
    except ArithmeticError:
        raise ConditionError(f"{data['number']!r} is not a number", path=f"{path}.number") from None
    return Literal(value, "number", path=path)


def _paired(data: dict, path: str) -> Node:
    key = next(k for k in _PAIRED if k in data)
    cls, negated = _PAIRED[key], key.startswith(("not_", "is_not"))
    arg = from_json(data[key], f"{path}.{key}")
    if cls is In:
        _keys(data, path, (key, "values"))
        if not isinstance(data["values"], list) or not data["values"]:
            raise ConditionError("'values' needs a non-empty list", path=f"{path}.values")
        values = tuple(from_json(v, f"{path}.values[{i}]") for i, v in enumerate(data["values"]))
        for i, value in enumerate(values):
            if not isinstance(value, Literal):
                raise ConditionError("'values' holds only constants", path=f"{path}.values[{i}]")
        return In(arg, values, negated, path=path)
    if cls is Between:
        _keys(data, path, (key, "low", "high"))
        return Between(arg, from_json(data["low"], f"{path}.low"), from_json(data["high"], f"{path}.high"), negated,
                       path=path)
    if cls is Like:
        _keys(data, path, (key, "pattern"))
        if not isinstance(data["pattern"], str):
            raise ConditionError("'pattern' is a string", path=f"{path}.pattern")
        return Like(arg, data["pattern"], negated, path=path)
    _keys(data, path, (key,))
    return IsNull(arg, negated, path=path)


def _call(data: dict, path: str) -> Node:
    _keys(data, path, ("call",), ("args", "kwargs"))
    name, args, kwargs = data["call"], data.get("args", []), data.get("kwargs", {})
    if not isinstance(name, str) or not is_identifier(name):
        raise ConditionError(f"{name!r} is not a function name", path=f"{path}.call")
    if not isinstance(args, list):
        raise ConditionError("'args' is a list", path=f"{path}.args")
    if not isinstance(kwargs, dict):
        raise ConditionError("'kwargs' is an object", path=f"{path}.kwargs")
    return Call(name.lower(), tuple(from_json(a, f"{path}.args[{i}]") for i, a in enumerate(args)),
                tuple(sorted((k.lower(), from_json(v, f"{path}.kwargs.{k}")) for k, v in kwargs.items())), path=path)


_HEADS = {"and": _bool_op, "or": _bool_op, "not": _not, "neg": _neg, "op": _op, "value": _value, "number": _number,
          "call": _call, **{k: _name for k in _NAMES}, **{k: _text_literal for k in _TEXT_LITERALS},
          **{k: _paired for k in _PAIRED}}


def to_json(node: Node, scope: str = "customer") -> Any:
    """The builder's JSON for a tree: identifiers are ``trait`` in customer scope and ``column``
    inside history calls (row scope); the table of a history call is ``table``."""
    ident = "trait" if scope == "customer" else "column"
    if isinstance(node, Literal):
        return _literal_json(node)
    if isinstance(node, Name):
        return {ident: node.name}
    if isinstance(node, BoolOp):
        return {node.op: [to_json(a, scope) for a in node.args]}
    if isinstance(node, Not):
        return {"not": to_json(node.arg, scope)}
    if isinstance(node, Neg):
        return {"neg": to_json(node.arg, scope)}
    if isinstance(node, (Compare, Arith)):
        return {"op": node.op, "left": to_json(node.left, scope), "right": to_json(node.right, scope)}
    if isinstance(node, In):
        return {"not_in" if node.negated else "in": to_json(node.arg, scope), "values": [_literal_json(v) for v in node.values]}
    if isinstance(node, Between):
        return {"not_between" if node.negated else "between": to_json(node.arg, scope),
                "low": to_json(node.low, scope), "high": to_json(node.high, scope)}
    if isinstance(node, IsNull):
        return {"is_not_null" if node.negated else "is_null": to_json(node.arg, scope)}
    if isinstance(node, Like):
        return {"not_like" if node.negated else "like": to_json(node.arg, scope), "pattern": node.pattern}
    if isinstance(node, Call):
        return _call_json(node, scope)
    raise TypeError(f"not a condition node: {node!r}")


def _call_json(node: Call, scope: str) -> dict:
    history = node.name in HISTORY and node.args and isinstance(node.args[0], Name)
    args = [{"table": node.args[0].name}, *(to_json(a, "row") for a in node.args[1:])] if history else \
        [to_json(a, scope) for a in node.args]
    out: dict[str, Any] = {"call": node.name, "args": args}
    if node.kwargs:
        out["kwargs"] = {k: to_json(v, scope) for k, v in node.kwargs}
    return out


def _literal_json(node: Literal) -> Any:
    if node.kind in _TEXT_LITERALS:
        return {node.kind: str(node.value) if node.kind == "duration" else node.value.isoformat(sep=" ")
                if node.kind == "timestamp" else node.value.isoformat()}
    if node.kind == "number" and isinstance(node.value, Decimal):
        as_float = float(node.value)
        if Decimal(repr(as_float)) != node.value:  # more digits than a JSON number keeps
            return {"number": format(node.value, "f")}
        return {"value": as_float}
    return {"value": node.value}
