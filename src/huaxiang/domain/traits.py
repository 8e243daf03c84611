"""Trait definitions (DESIGN §7): named, typed per-customer values, as plain validated data.

A trait file under ``traits/`` holds a list::

    traits:
      - name: monetary_365d
        label: {zh: 近一年消费金额, en: Spend, last 365 days}
        dimension: transactional
        dtype: float64
        unit: CNY
        aggregate: {table: orders, function: sum, column: paid_amount - refund_amount,
                    where: "status = 'completed'", window: 365d}
      - name: aov_365d
        dtype: float64
        derive: monetary_365d / nullif(orders_365d, 0)

A trait is exactly one of *mapped* (a golden-record column), *aggregated* (a function over a fact
table, with a filter and a time window relative to the build time), *derived* (an expression over
other traits) or *predicted* (a model's output, filled by the analytics issue). Expressions are in
the condition language; parsing and checking them against the trait graph happens in
``huaxiang.profiles.definitions`` (here only the shapes are checked), so no I/O and no engine here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from huaxiang.domain.sources import InvalidKey, Localized

DIMENSIONS = ("demographic", "transactional", "behavioural", "engagement", "service", "social", "referral",
              "psychographic", "value")
Dimension = Literal["demographic", "transactional", "behavioural", "engagement", "service", "social", "referral",
                    "psychographic", "value"]
DTYPES = ("string", "int64", "float64", "boolean", "date", "timestamp", "list<string>")
DType = Literal["string", "int64", "float64", "boolean", "date", "timestamp", "list<string>"]

#: fact tables an aggregated trait can read, with the column that dates a row ("at")
FACT_TIME = {
    "orders": "order_time",
    "order_items": "order_time",  # the order's time, joined in
    "events": "timestamp",
    "interactions": "occurred_at",
    "referrals": "referred_at",
    "consents": "recorded_at",
    "survey_responses": "responded_at",
}
FUNCTIONS = ("count", "sum", "avg", "min", "max", "first", "last", "count_distinct", "top_k", "most_frequent",
             "share")
#: functions whose value comes from a column / expression
NEEDS_COLUMN = ("sum", "avg", "min", "max", "first", "last", "count_distinct", "top_k", "most_frequent")

_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNIT = {"h": "hours", "d": "days", "w": "weeks"}
NAME = r"^[a-z][a-z0-9_]*$"


def parse_duration(text: str | int) -> timedelta:
    """``30d``, ``12h``, ``2w`` (a bare number is days)."""
    if isinstance(text, int):
        return timedelta(days=text)
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a duration: write a number and a unit, e.g. 30d, 12h or 2w")
    return timedelta(**{_UNIT[m.group(2)]: int(m.group(1))})


class Window(BaseModel):
    """Rows dated within ``[as_of - from, as_of - to]``; ``window: 90d`` is short for ``{from: 90d}``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    to: str = "0d"

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: object) -> object:
        return {"from": v} if isinstance(v, (str, int)) else v

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _duration(cls, v: object) -> str:
        text = f"{v}d" if isinstance(v, int) else str(v)
        parse_duration(text)
        return text.strip()

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        if parse_duration(self.to) >= parse_duration(self.from_):
            raise InvalidKey("window", f"the window ends ({self.to} ago) before it starts ({self.from_} ago)")
        return self

    @property
    def start(self) -> timedelta:
        return parse_duration(self.from_)

    @property
    def end(self) -> timedelta:
        return parse_duration(self.to)


class Aggregate(BaseModel):
    """A function over the rows of one fact table that belong to the customer."""

    model_config = ConfigDict(extra="forbid")
    table: Literal["orders", "order_items", "events", "interactions", "referrals", "consents", "survey_responses"]
    function: Literal["count", "sum", "avg", "min", "max", "first", "last", "count_distinct", "top_k",
                      "most_frequent", "share"]
    column: str | None = None  # an expression over the table's columns
    where: str | None = None  # a condition over the table's columns: which rows count
    window: Window | None = None
    of: str | None = None  # share: the condition whose share among the counted rows is the value
    weight: str | None = None  # top_k / most_frequent / share: weigh rows by this expression instead of 1
    half_life: str | None = None  # time decay of the weight (sum, top_k, most_frequent): halves every half_life
    k: int = Field(default=3, ge=1, le=20)  # top_k

    @field_validator("half_life")
    @classmethod
    def _half_life(cls, v: str | None) -> str | None:
        if v is not None:
            parse_duration(v)
        return v

    @model_validator(mode="after")
    def _shape(self) -> "Aggregate":
        if self.function in NEEDS_COLUMN and not self.column:
            raise InvalidKey("column", f"function {self.function} needs a column (an expression over {self.table})")
        if self.function == "share" and not self.of:
            raise InvalidKey("of", "function share needs `of`: the condition whose share of the rows is the value")
        if self.function == "count" and self.column:
            raise InvalidKey("column", "count counts rows; use count_distinct to count distinct values of a column")
        if self.half_life and self.function not in ("sum", "top_k", "most_frequent"):
            raise InvalidKey("half_life", "time decay applies to sum, top_k and most_frequent")
        if self.weight and self.function not in ("top_k", "most_frequent", "share"):
            raise InvalidKey("weight", "weight applies to top_k, most_frequent and share")
        return self


class Predicted(BaseModel):
    """Filled by a prediction (the analytics issue): the model's name and which of its outputs."""

    model_config = ConfigDict(extra="forbid")
    prediction: str
    output: str


class Trait(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME, max_length=63)
    label: Localized = Localized()
    description: Localized = Localized()
    dimension: Dimension
    dtype: DType
    unit: str = ""
    mapped: str | None = None  # a golden-record column
    aggregate: Aggregate | None = None
    derive: str | None = None
    predicted: Predicted | None = None
    owner: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> "Trait":
        kinds = [k for k in ("mapped", "aggregate", "derive", "predicted") if getattr(self, k) is not None]
        if len(kinds) != 1:
            have = ", ".join(kinds) or "none"
            raise InvalidKey("", f"a trait is exactly one of mapped, aggregate, derive or predicted (has: {have})")
        if self.aggregate and self.aggregate.function == "top_k" and self.dtype != "list<string>":
            raise InvalidKey("dtype", "top_k gives a list: dtype must be list<string>")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("mapped", "aggregate", "derive", "predicted") if getattr(self, k) is not None)

    def display(self, lang: str) -> str:
        return self.label.get(lang) or self.name


class TraitFile(BaseModel):
    """One file of ``traits/``: a list of traits (a file per dimension reads well)."""

    model_config = ConfigDict(extra="forbid")
    traits: list[Trait]
