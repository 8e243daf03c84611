"""Identity rules: the workspace file ``identity.yml`` (DESIGN §6), as a typed model.

Which identifiers tie records to one customer, in which order of trust, how many of each one
customer may have, and which values are junk. Every key is optional: an empty (all-comment)
``identity.yml`` means the built-in rules below. A workspace changes only what differs::

    priority: [member_id, crm_id, wechat_unionid, wechat_openid, id_card, phone, email, device_id]
    identifiers:
      phone: {max_per_customer: 2}                  # override one setting of a built-in type
      id_card: {columns: [id_number_hash], max_per_customer: 1}   # a custom type
    events:
      user_id: [member_id, crm_id]                  # what a Segment userId is
    block:
      values: ["4008001234"]                        # added to the default junk list
      patterns: ['^999\\d+$']
    golden:                                         # the golden record (survivorship)
      source_priority: [crm_contacts, store_members]
      fields: {province: source_priority, name: most_recent}

Types left out of ``priority`` follow the listed ones: built-ins in their order, then custom ones.
Nothing here reads data: the ``identity`` use-case turns the resolved rules into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from huaxiang.domain.schema import CUSTOMERS
from huaxiang.domain.sources import InvalidKey, Localized

#: Built-in identifier types in their default priority order (strongest first).
BUILTIN_TYPES: dict[str, dict] = {
    "member_id": {"columns": ["member_id"], "max_per_customer": 1},
    # One person may have several CRM records (a later registration): crm_id is not limited.
    "crm_id": {"columns": ["crm_id"]},
    "wechat_unionid": {"columns": ["wechat_unionid"], "max_per_customer": 1},
    # One openid per WeChat app (official account, mini-program…): a person has several.
    "wechat_openid": {"columns": ["wechat_openid"]},
    # Households share phones and e-mail addresses: records linked through them must not
    # disagree on gender or birth date.
    "phone": {"columns": ["phone"], "max_per_customer": 3, "agree_on": ["gender", "birth_date"]},
    "email": {"columns": ["email"], "max_per_customer": 3, "agree_on": ["gender", "birth_date"]},
    "device_id": {"columns": []},  # read from events' anonymous_id
}

#: Junk that front-line staff type when a customer gives nothing (compared case-insensitively,
#: as written and as normalized: 13800000000 also blocks +8613800000000).
DEFAULT_BLOCKED_VALUES = (
    "13800000000", "13900000000", "00000000000", "11111111111", "12345678901", "12345678900",
    "test@test.com", "test@example.com", "a@a.com", "none@none.com", "noemail@noemail.com",
    "unknown", "none", "null", "n/a", "na", "-", "0", "无", "空", "未知", "不详", "暂无",
)
_SAME_DIGIT = "|".join(f"{d}+" for d in range(10))  # RE2 (DuckDB, Spark) has no back-references
#: Full-match regular expressions (case-insensitive) on the normalized value.
DEFAULT_BLOCKED_PATTERNS = (
    rf"^\+?(86)?({_SAME_DIGIT})$",  # a phone of one repeated digit
    rf"^({_SAME_DIGIT})@.*$",  # an e-mail whose local part is one repeated digit
    r"^(test|none|null|noemail|no-email|nomail|unknown)@.*$",
    r"^.*@(example\.(com|org|net)|test\.com)$",
)

_CUSTOMER_COLUMNS = set(CUSTOMERS.column_names)
_NAME = r"^[a-z][a-z0-9_]*$"


class IdentifierType(BaseModel):
    """One identifier type. For a built-in type, keys not written keep the built-in setting."""

    model_config = ConfigDict(extra="forbid")
    description: Localized = Localized()
    columns: list[str] = []  # canonical customer columns the values are read from
    max_per_customer: int | None = Field(default=None, ge=1)  # None: no limit
    agree_on: list[str] = []  # customer columns that must not disagree across records it links
    enabled: bool = True


class EventIdentifiers(BaseModel):
    """How the ids of events (Segment spec) become identifiers."""

    model_config = ConfigDict(extra="forbid")
    # userId is read as the first of these types under which some customer record has the value
    # (the first type when none has): a web shop sends CRM ids, a store app member ids.
    user_id: list[str] = ["member_id", "crm_id"]
    anonymous_id: str | None = "device_id"  # also alias calls' previousId; None: not used


#: How a golden record's field picks one value among the non-empty values of a customer's records.
#: Ties always fall back to: source priority, then the most recent, then source and source key.
SURVIVORSHIP_RULES = {
    "most_recent": "the record changed last: updated_at, else registered_at, else loaded_at",
    "most_frequent": "the value most records hold",
    "source_priority": "the value of the most trusted source (golden.source_priority)",
    "longest": "the longest value (the most complete address…)",
}
#: The rule of every customer column unless ``golden.fields`` says otherwise.
DEFAULT_FIELD_RULES: dict[str, str] = {
    "name": "most_frequent", "gender": "most_frequent", "birth_date": "most_frequent", "age": "most_recent",
    "phone": "most_recent", "email": "most_recent", "member_id": "most_recent", "crm_id": "most_recent",
    "wechat_unionid": "most_recent", "wechat_openid": "most_recent", "id_number_hash": "most_frequent",
    # the region as the most trusted source states it; the street address as completely as anyone wrote it
    "province": "source_priority", "city": "source_priority", "district": "source_priority", "address": "longest",
    "occupation": "most_recent", "industry": "most_recent", "company": "most_recent",
    "income_level": "most_recent", "education": "most_recent", "marital_status": "most_recent",
    "member_level": "most_recent",
    # where and when the customer first came from is best known by the source of record
    "registered_at": "source_priority", "store_id": "source_priority", "acquisition_channel": "source_priority",
    "updated_at": "most_recent",
}
assert set(DEFAULT_FIELD_RULES) == set(CUSTOMERS.column_names), "every customer column needs a default rule"


class Golden(BaseModel):
    """Survivorship of the golden record: a rule per customer column, and which sources to trust first."""

    model_config = ConfigDict(extra="forbid")
    source_priority: list[str] = []  # most trusted first; sources not listed follow, by name
    fields: dict[str, str] = {}  # customer column -> rule; columns left out keep DEFAULT_FIELD_RULES

    @field_validator("source_priority")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        for i, name in enumerate(v):
            if name in v[:i]:
                raise InvalidKey(str(i), f"source {name!r} is listed more than once")
        return v

    @field_validator("fields")
    @classmethod
    def _known(cls, v: dict[str, str]) -> dict[str, str]:
        for name, rule in v.items():
            if name not in DEFAULT_FIELD_RULES:
                raise InvalidKey(name, f"{name!r} is not a column of customers; "
                                       f"known: {', '.join(sorted(DEFAULT_FIELD_RULES))}")
            if rule not in SURVIVORSHIP_RULES:
                raise InvalidKey(name, f"unknown rule {rule!r}; known: {', '.join(SURVIVORSHIP_RULES)}")
        return v

    def rules(self) -> dict[str, str]:
        """Every customer column with its rule, in the column order of ``source_records``."""
        return {name: self.fields.get(name, DEFAULT_FIELD_RULES[name]) for name in CUSTOMERS.column_names}


#: What probabilistic linking compares: features of a customer record, computed in the warehouse.
FEATURES = ("name", "name_pinyin", "gender", "birth_date", "phone", "phone_last4", "email", "email_local",
            "province", "city", "district", "address")
#: Blocking rules (which pairs are compared at all): records agreeing on every feature of a rule.
DEFAULT_BLOCKING = (
    ("name_pinyin", "birth_date"), ("name_pinyin", "phone_last4"), ("birth_date", "phone_last4"),
    ("name_pinyin", "city"), ("birth_date", "district"),
)


class Probabilistic(BaseModel):
    """Probabilistic linking (Splink): a model trained without labels scores pairs of records.

    A pair's *match weight* (log2 of the odds that the two records are one person, prior included)
    decides: ``link_above`` or more links them (through the same guard-rails as any identifier);
    from ``review_above`` up to there sends the pair to the review queue; below, nothing. The
    defaults are justified in docs/identity.md with the precision and recall they give on the demo.
    """

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    link_above: float = 8.0  # odds 256:1, probability 0.996
    review_above: float = 3.0  # odds 8:1, probability 0.89
    agree_on: list[str] = ["gender"]  # customer columns that must not disagree across records it links
    blocking: list[list[str]] = [list(rule) for rule in DEFAULT_BLOCKING]
    min_records: int = Field(default=200, ge=2)  # fewer customer records: no model is trained
    training_pairs: int = Field(default=2_000_000, ge=1000)  # random pairs sampled to estimate u

    @field_validator("blocking")
    @classmethod
    def _known_features(cls, v: list[list[str]]) -> list[list[str]]:
        for i, rule in enumerate(v):
            if not rule:
                raise InvalidKey(str(i), "a blocking rule names at least one feature")
            for name in rule:
                if name not in FEATURES:
                    raise InvalidKey(str(i), f"unknown feature {name!r}; known: {', '.join(FEATURES)}")
        return v

    @field_validator("agree_on")
    @classmethod
    def _columns(cls, v: list[str]) -> list[str]:
        for col in v:
            if col not in _CUSTOMER_COLUMNS:
                raise InvalidKey(col, f"{col!r} is not a column of customers")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> "Probabilistic":
        if self.review_above > self.link_above:
            raise InvalidKey("review_above", f"review_above ({self.review_above}) is above link_above ({self.link_above})")
        return self

    def training_key(self) -> dict:
        """What a trained model depends on (thresholds do not: changing them needs no retraining)."""
        return {"blocking": self.blocking, "training_pairs": self.training_pairs, "version": MODEL_VERSION}


#: bump when the features or comparisons of ``huaxiang.identity.probabilistic`` change
MODEL_VERSION = 4


class BlockList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    defaults: bool = True  # include DEFAULT_BLOCKED_VALUES / _PATTERNS
    values: list[str] = []
    patterns: list[str] = []

    @field_validator("values", mode="before")
    @classmethod
    def _as_text(cls, v: object) -> object:
        # YAML reads an unquoted 13800000000 as a number
        return [str(x) for x in v] if isinstance(v, list) else v

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for i, pattern in enumerate(v):
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise InvalidKey(str(i), f"invalid regular expression {pattern!r}: {exc}") from None
            if compiled.groups and re.search(r"\\[1-9]", pattern):
                raise InvalidKey(str(i), f"{pattern!r}: back-references are not supported (RE2)")
        return v

    def all_values(self) -> list[str]:
        return [*(DEFAULT_BLOCKED_VALUES if self.defaults else ()), *self.values]

    def all_patterns(self) -> list[str]:
        return [*(DEFAULT_BLOCKED_PATTERNS if self.defaults else ()), *self.patterns]


@dataclass(frozen=True)
class Resolved:
    """An identifier type with the built-in settings and the workspace's overrides combined."""

    name: str
    rank: int  # 0 is the strongest
    columns: tuple[str, ...]
    max_per_customer: int | None
    agree_on: tuple[str, ...]


class IdentityRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Localized = Localized()
    owner: str = ""
    country: str = Field(default="CN", pattern=r"^[A-Za-z]{2}$")  # region of phones in lookups / block list
    priority: list[str] = []
    identifiers: dict[str, IdentifierType] = {}
    events: EventIdentifiers = EventIdentifiers()
    block: BlockList = BlockList()
    golden: Golden = Golden()
    probabilistic: Probabilistic = Probabilistic()

    @property
    def name(self) -> str:
        return "identity"  # one per workspace

    @model_validator(mode="before")
    @classmethod
    def _with_builtins(cls, data: object) -> object:
        """Fill in the built-in types, so the stored version is the complete rules that were used."""
        if not isinstance(data, dict) or not isinstance(data.get("identifiers", {}), dict):
            return data
        own = data.get("identifiers") or {}
        merged = {name: {**spec, **own[name]} if isinstance(own.get(name), dict) else own.get(name, spec)
                  for name, spec in BUILTIN_TYPES.items()}
        return {**data, "identifiers": {**merged, **{k: v for k, v in own.items() if k not in merged}}}

    @model_validator(mode="after")
    def _consistent(self) -> "IdentityRules":
        for name, spec in self.identifiers.items():
            self._check_type(name, spec)
        known = set(self.identifiers)
        for i, name in enumerate(self.priority):
            if name not in known:
                raise InvalidKey(f"priority.{i}", f"unknown identifier type {name!r}; known: {', '.join(sorted(known))}")
        dupes = sorted({n for n in self.priority if self.priority.count(n) > 1})
        if dupes:
            raise InvalidKey("priority", f"listed more than once: {', '.join(dupes)}")
        enabled = {t.name for t in self.types()}
        for i, name in enumerate(self.events.user_id):
            if name not in enabled:
                raise InvalidKey(f"events.user_id.{i}", f"{name!r} is not an enabled identifier type")
        if self.events.anonymous_id is not None and self.events.anonymous_id not in enabled:
            raise InvalidKey("events.anonymous_id", f"{self.events.anonymous_id!r} is not an enabled identifier type")
        return self

    @staticmethod
    def _check_type(name: str, spec: IdentifierType) -> None:
        key = f"identifiers.{name}"
        if not re.match(_NAME, name):
            raise InvalidKey(key, "identifier type names are lower-case letters, digits and _")
        for field in ("columns", "agree_on"):
            for col in getattr(spec, field):
                if col not in _CUSTOMER_COLUMNS:
                    raise InvalidKey(f"{key}.{field}", f"{col!r} is not a column of customers; "
                                                       f"known: {', '.join(sorted(_CUSTOMER_COLUMNS))}")
        if name not in BUILTIN_TYPES and "columns" not in spec.model_fields_set:
            raise InvalidKey(f"{key}.columns", "a custom identifier type must name the customer column(s) it is read from")

    def types(self) -> list[Resolved]:
        """Enabled identifier types, strongest first."""
        out: list[Resolved] = []
        for name in dict.fromkeys([*self.priority, *self.identifiers]):
            spec = self.identifiers[name]
            if spec.enabled:
                out.append(Resolved(name, len(out), tuple(spec.columns), spec.max_per_customer, tuple(spec.agree_on)))
        return out
