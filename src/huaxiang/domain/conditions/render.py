"""AST -> canonical text: lower-case keywords, single quotes, only the parentheses needed.

``parse(to_text(node)) == node`` for every tree, including trees built from JSON that text would
never produce directly (a nested ``and`` group keeps its parentheses, ``-(5)`` stays a negation).
"""

from __future__ import annotations

from decimal import Decimal

from .nodes import (KEYWORD_PARAMS, Arith, Between, BoolOp, Call, Compare, In, IsNull, Like, Literal, Name, Neg,
                    Node, Not)

_OR, _AND, _NOT, _CMP, _ADD, _MUL, _UNARY, _ATOM = range(1, 9)
_LEVEL = {"+": _ADD, "-": _ADD, "*": _MUL, "/": _MUL, "%": _MUL}


def to_text(node: Node) -> str:
    return _render(node)


def quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _level(node: Node) -> int:
    if isinstance(node, BoolOp):
        return _OR if node.op == "or" else _AND
    if isinstance(node, Not):
        return _NOT
    if isinstance(node, (Compare, In, Between, IsNull, Like)):
        return _CMP
    if isinstance(node, Arith):
        return _LEVEL[node.op]
    if isinstance(node, Neg) or isinstance(node, Literal) and node.kind == "number" and node.value < 0:
        return _UNARY
    return _ATOM


def _at(node: Node, minimum: int) -> str:
    text = _render(node)
    return f"({text})" if _level(node) < minimum else text


def _render(node: Node) -> str:
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, BoolOp):
        return f" {node.op} ".join(_at(arg, _level(node) + 1) for arg in node.args)
    if isinstance(node, Not):
        return f"not {_at(node.arg, _NOT)}"
    if isinstance(node, Neg):
        plain_number = isinstance(node.arg, Literal) and node.arg.kind == "number"
        return f"-({_render(node.arg)})" if plain_number else f"-{_at(node.arg, _UNARY)}"
    if isinstance(node, Compare):
        return f"{_at(node.left, _ADD)} {node.op} {_at(node.right, _ADD)}"
    if isinstance(node, Arith):
        level = _LEVEL[node.op]
        return f"{_at(node.left, level)} {node.op} {_at(node.right, level + 1)}"
    if isinstance(node, In):
        values = ", ".join(_literal(v) for v in node.values)
        return f"{_at(node.arg, _ADD)} {'not in' if node.negated else 'in'} ({values})"
    if isinstance(node, Between):
        word = "not between" if node.negated else "between"
        return f"{_at(node.arg, _ADD)} {word} {_at(node.low, _ADD)} and {_at(node.high, _ADD)}"
    if isinstance(node, IsNull):
        return f"{_at(node.arg, _ADD)} is {'not null' if node.negated else 'null'}"
    if isinstance(node, Like):
        return f"{_at(node.arg, _ADD)} {'not like' if node.negated else 'like'} {quote(node.pattern)}"
    if isinstance(node, Call):
        return _call(node)
    raise TypeError(f"not a condition node: {node!r}")


def _call(node: Call) -> str:
    args = []
    for arg in node.args:
        text = _render(arg)
        # a positional `within = x` comparison would read back as the keyword argument
        if isinstance(arg, Compare) and arg.op == "=" and isinstance(arg.left, Name) \
                and arg.left.name.lower() in KEYWORD_PARAMS:
            text = f"({text})"
        args.append(text)
    args += [f"{key} = {_render(value)}" for key, value in node.kwargs]
    return f"{node.name}({', '.join(args)})"


def _literal(node: Literal) -> str:
    value = node.value
    if node.kind == "null":
        return "null"
    if node.kind == "bool":
        return "true" if value else "false"
    if node.kind == "string":
        return quote(value)
    if node.kind == "number":
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if node.kind == "date":
        return f"date '{value.isoformat()}'"
    if node.kind == "timestamp":
        return f"timestamp '{value.isoformat(sep=' ')}'"
    return str(value)  # duration
