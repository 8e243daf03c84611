"""Recursive-descent parser: condition text -> AST.

Precedence, lowest first: ``or`` < ``and`` < ``not`` < comparison (``= != < <= > >=``, ``in``,
``between``, ``is null``, ``like``) < ``+ -`` < ``* / %`` < unary ``-`` < call / parentheses.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from .errors import ConditionError
from .lexer import Token, tokenize
from .nodes import (KEYWORD_PARAMS, Arith, Between, BoolOp, Call, Compare, Duration, In, IsNull, Like, Literal,
                    Name, Neg, Node, Not)

_COMPARE = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """Parse condition text; raises ConditionError with the offending span.

    Memoized: the AST is immutable, and a build parses each of its conditions several times."""
    if not text.strip():
        raise ConditionError("the condition is empty", 0, len(text))
    return _Parser(tokenize(text)).parse()


def literal(kind: str, raw, start: int | None = None, end: int | None = None, path: str | None = None) -> Literal:
    """A Literal from its written form; shared with the JSON reader. Raises ValueError."""
    if kind == "date":
        value = dt.date.fromisoformat(raw)
    elif kind == "timestamp":
        value = dt.datetime.fromisoformat(raw)
        if value.tzinfo is not None:
            raise ValueError("timestamps are UTC and written without a time zone")
    elif kind == "duration":
        if len(raw) < 2 or not raw[:-1].isascii() or not raw[:-1].isdigit():
            raise ValueError(f"{raw!r} is not a duration such as 30d, 12h or 2w")
        value = Duration(int(raw[:-1]), raw[-1])
    else:
        value = raw
    return Literal(value, kind, start=start, end=end, path=path)


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0

    # -- token helpers -------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def expect(self, kind: str, text: str, what: str) -> Token:
        if not self.at(kind, text):
            raise self.error(f"expected {what}")
        return self.take()

    def error(self, message: str) -> ConditionError:
        tok = self.tok
        if tok.kind == "eof":
            return ConditionError(f"{message}, but the condition ends here", tok.start, tok.end)
        return ConditionError(f"{message}, found {tok.text!r}" if tok.kind != "string" else
                              f"{message}, found a string", tok.start, tok.end)

    # -- grammar -------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if not self.at("eof"):
            raise self.error("unexpected input after the end of the condition")
        return node

    def expr(self) -> Node:
        return self.bool_op("or", self.conjunction)

    def conjunction(self) -> Node:
        return self.bool_op("and", self.negation)

    def bool_op(self, op: str, operand) -> Node:
        args = [operand()]
        while self.at("keyword", op):
            self.take()
            args.append(operand())
        if len(args) == 1:
            return args[0]
        return BoolOp(op, tuple(args), start=args[0].start, end=args[-1].end)

    def negation(self) -> Node:
        if self.at("keyword", "not"):
            start = self.take().start
            arg = self.negation()
            return Not(arg, start=start, end=arg.end)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        tok = self.tok
        if tok.kind == "op" and tok.text in _COMPARE:
            self.take()
            right = self.additive()
            node: Node = Compare(_COMPARE[tok.text], left, right, start=left.start, end=right.end)
        elif tok.kind == "keyword" and tok.text == "is":
            self.take()
            negated = self.at("keyword", "not") and bool(self.take())
            end = self.expect("keyword", "null", "null after 'is'").end
            node = IsNull(left, negated, start=left.start, end=end)
        else:
            negated = self.at("keyword", "not") and self.peek().kind == "keyword" and \
                self.peek().text in ("in", "between", "like")
            if negated:
                self.take()
            node = self.postfix(left, negated)
            if node is None:
                return left
        if self.tok.kind == "op" and self.tok.text in _COMPARE or self.at("keyword", "is"):
            raise self.error("comparisons cannot be chained: use 'and' between them")
        return node

    def postfix(self, left: Node, negated: bool) -> Node | None:
        if self.at("keyword", "in"):
            self.take()
            values, end = self.value_list()
            return In(left, values, negated, start=left.start, end=end)
        if self.at("keyword", "between"):
            self.take()
            low = self.additive()
            self.expect("keyword", "and", "'and' between the two bounds of 'between'")
            high = self.additive()
            return Between(left, low, high, negated, start=left.start, end=high.end)
        if self.at("keyword", "like"):
            self.take()
            if not self.at("string"):
                raise self.error("expected a quoted pattern after 'like'")
            pattern = self.take()
            return Like(left, pattern.text, negated, start=left.start, end=pattern.end)
        return None

    def value_list(self) -> tuple[tuple[Literal, ...], int]:
        self.expect("op", "(", "'(' and a list of values after 'in'")
        values = [self.list_value()]
        while self.at("op", ","):
            self.take()
            values.append(self.list_value())
        return tuple(values), self.expect("op", ")", "',' or ')' in the list of values").end

    def list_value(self) -> Literal:
        node = self.unary()
        if not isinstance(node, Literal):
            raise ConditionError("the list after 'in' holds only constant values", node.start, node.end)
        return node

    def additive(self) -> Node:
        return self.arith(("+", "-"), self.multiplicative)

    def multiplicative(self) -> Node:
        return self.arith(("*", "/", "%"), self.unary)

    def arith(self, ops: tuple[str, ...], operand) -> Node:
        node = operand()
        while self.tok.kind == "op" and self.tok.text in ops:
            op = self.take().text
            right = operand()
            node = Arith(op, node, right, start=node.start, end=right.end)
        return node

    def unary(self) -> Node:
        if not self.at("op", "-"):
            return self.primary()
        start = self.take().start
        if self.tok.kind == "number":  # -5 is one constant, -(5) stays a negation
            tok = self.take()
            return Literal(-_number(tok.text), "number", start=start, end=tok.end)
        arg = self.unary()
        return Neg(arg, start=start, end=arg.end)

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self.take()
            return Literal(_number(tok.text), "number", start=tok.start, end=tok.end)
        if tok.kind == "string":
            self.take()
            return Literal(tok.text, "string", start=tok.start, end=tok.end)
        if tok.kind == "duration":
            self.take()
            return literal("duration", tok.text, tok.start, tok.end)
        if tok.kind == "keyword" and tok.text in ("true", "false", "null"):
            self.take()
            value = {"true": True, "false": False, "null": None}[tok.text]
            return Literal(value, "null" if value is None else "bool", start=tok.start, end=tok.end)
        if tok.kind == "op" and tok.text == "(":
            self.take()
            node = self.expr()
            self.expect("op", ")", "')'")
            return node
        if tok.kind == "ident":
            return self.identifier()
        raise self.error("expected a value, a name or '('")

    def identifier(self) -> Node:
        tok = self.take()
        if tok.text.lower() in ("date", "timestamp") and self.at("string"):
            value = self.take()
            try:
                return literal(tok.text.lower(), value.text, tok.start, value.end)
            except ValueError as exc:
                raise ConditionError(f"bad {tok.text.lower()} {value.text!r}: {exc}", value.start, value.end) from None
        if self.at("op", "("):
            return self.call(tok)
        return Name(tok.text, start=tok.start, end=tok.end)

    def call(self, name: Token) -> Call:
        self.take()
        args: list[Node] = []
        kwargs: dict[str, Node] = {}
        while not self.at("op", ")"):
            if args or kwargs:
                self.expect("op", ",", "',' or ')' in the arguments")
            if self.at("ident") and self.tok.text.lower() in KEYWORD_PARAMS and self.peek().text == "=":
                key = self.take()
                self.take()
                if key.text.lower() in kwargs:
                    raise ConditionError(f"argument {key.text!r} is given twice", key.start, key.end)
                kwargs[key.text.lower()] = self.expr()
            elif kwargs:
                raise self.error("positional arguments come before keyword arguments")
            else:
                args.append(self.expr())
        end = self.take().end
        return Call(name.text.lower(), tuple(args), tuple(sorted(kwargs.items())), start=name.start, end=end)


def _number(text: str) -> int | Decimal:
    return Decimal(text) if "." in text else int(text)
