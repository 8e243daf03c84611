"""Ibis builders of the scalar functions, registered under the names ``domain.conditions.functions``
declares (a test keeps both registries equal). Only operations that both DuckDB and PySpark run
the same way are used; where the engines differ (ln of 0, rounding of halves, size of null) the
builder guards the input so the result is the same on both.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from huaxiang.domain.conditions import Call
from huaxiang.domain.conditions.functions import constant_number

from .context import Context, epoch_seconds, whole_units

#: builder(call, compiled arguments, context) -> Ibis value
Builder = Callable[[Call, list[ir.Value], Context], ir.Value]

_BUILDERS: dict[str, Builder] = {}


def builds(name: str):
    def register(builder: Builder) -> Builder:
        if name in _BUILDERS:
            raise ValueError(f"a builder for {name!r} is registered twice")
        _BUILDERS[name] = builder
        return builder
    return register


def builder(name: str) -> Builder | None:
    return _BUILDERS.get(name)


def names() -> list[str]:
    return sorted(_BUILDERS)


def align(values: list[ir.Value]) -> list[ir.Value]:
    """Give untyped nulls the type of their siblings; widen dates to timestamps next to timestamps."""
    typed = [v.type() for v in values if not v.type().is_null()]
    if any(t.is_timestamp() for t in typed):
        return [v.cast("timestamp") if not v.type().is_timestamp() else v for v in values]
    if not typed:
        return values
    return [v.cast(typed[0]) if v.type().is_null() else v for v in values]


def _unary(name: str, method: str) -> None:
    builds(name)(lambda call, args, ctx: getattr(args[0], method)())


for _name, _method in (("abs", "abs"), ("floor", "floor"), ("ceil", "ceil"), ("exp", "exp"), ("lower", "lower"),
                       ("upper", "upper"), ("length", "length")):
    _unary(_name, _method)


@builds("coalesce")
def _coalesce(call, args, ctx):
    return ibis.coalesce(*align(args))


@builds("nullif")
def _nullif(call, args, ctx):
    left, right = align(args)
    return left.nullif(right)


@builds("if")
def _if(call, args, ctx):
    yes, no = align(args[1:])
    return ibis.ifelse(args[0], yes, no)


@builds("case")
def _case(call, args, ctx):
    values = align(args[1:-1:2] + [args[-1]])
    return ibis.cases(*zip(args[0:-1:2], values[:-1]), else_=values[-1])


@builds("ln")
def _ln(call, args, ctx):
    x = args[0].cast("float64")
    return ibis.ifelse(x > 0, x, ibis.null("float64")).ln()  # DuckDB raises on 0, Spark gives null


@builds("sqrt")
def _sqrt(call, args, ctx):
    x = args[0].cast("float64")
    return ibis.ifelse(x >= 0, x, ibis.null("float64")).sqrt()


@builds("round")
def _round(call, args, ctx):
    # Half away from zero by IEEE arithmetic, which both engines do alike (their ROUND differ on halves).
    x = args[0].cast("float64")
    if len(call.args) == 1:
        return (x.sign() * (x.abs() + 0.5).floor()).cast("int64")
    scale = 10.0 ** constant_number(call.args[1])
    return x.sign() * (x.abs() * scale + 0.5).floor().cast("float64") / scale


@builds("least")
def _least(call, args, ctx):
    return ibis.least(*align(args))


@builds("greatest")
def _greatest(call, args, ctx):
    return ibis.greatest(*align(args))


@builds("contains")
def _contains(call, args, ctx):
    return args[0].contains(args[1])


@builds("starts_with")
def _starts_with(call, args, ctx):
    return args[0].startswith(args[1])


@builds("ends_with")
def _ends_with(call, args, ctx):
    return args[0].endswith(args[1])


def _part(name: str, extract: Callable[[ir.Value], ir.Value]) -> None:
    builds(name)(lambda call, args, ctx: extract(ctx.local(args[0])).cast("int64"))


_part("year", lambda v: v.year())
_part("month", lambda v: v.month())
_part("day", lambda v: v.day())
_part("hour", lambda v: v.hour())
_part("weekday", lambda v: v.day_of_week.index())


@builds("date")
def _date(call, args, ctx):
    value = ctx.local(args[0])
    return value.date() if value.type().is_timestamp() else value


@builds("days_between")
def _days_between(call, args, ctx):
    return whole_units(epoch_seconds(args[1]) - epoch_seconds(args[0]), 86_400)


@builds("days_since")
def _days_since(call, args, ctx):
    if args[0].type().is_date():  # a date counts from the local date of as_of
        return whole_units(epoch_seconds(ctx.today()) - epoch_seconds(args[0]), 86_400)
    return whole_units(epoch_seconds(ctx.now()) - epoch_seconds(args[0]), 86_400)


@builds("hours_since")
def _hours_since(call, args, ctx):
    return whole_units(epoch_seconds(ctx.now()) - epoch_seconds(args[0]), 3_600)


@builds("bucket")
def _bucket(call, args, ctx):
    x = args[0]
    steps = [(x >= float(constant_number(b))).cast("int64") for b in call.args[1:]]
    return functools.reduce(lambda a, b: a + b, steps)


@builds("size")
def _size(call, args, ctx):
    # Spark's size(null) is -1 unless ANSI mode is on: say null explicitly.
    return ibis.ifelse(args[0].isnull(), ibis.null("int64"), args[0].length().cast("int64"))


@builds("now")
def _now(call, args, ctx):
    return ctx.now()
