"""The canonical data model of the warehouse (DESIGN §5), as plain data.

Every source kind maps into one canonical table. A column has a logical type that names the
standardizer applied on import (``phone``, ``date``, ``money``…) and a storage dtype; personal
data columns are flagged so that masking, export and erasure can find them. Nothing here touches
a database: the engine turns these descriptions into DDL.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # storage type, Ibis/DuckDB spelling: string, date, timestamp, decimal(18,2), int64, boolean, json
    kind: str = "text"  # standardizer name applied on import; "" means stored as given
    pii: bool = False
    description: str = ""


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, the columns that make a record unique, what a load needs."""

    name: str
    kind: str  # the source kind that loads it
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # default key columns (within one source)
    required_any: tuple[str, ...] = ()  # a row needs at least one of these after mapping
    system: tuple[Column, ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, dtype: str = "string", kind: str = "text", pii: bool = False, desc: str = "") -> Column:
    return Column(name, dtype, kind, pii, desc)


# Identifiers a record of any kind may carry so identity resolution can tie it to a customer.
_CUSTOMER_REFS = (
    _c("customer_key", desc="the source's own key of the customer record this row belongs to"),
    _c("member_id", kind="identifier", pii=True),
    _c("phone", kind="phone", pii=True),
    _c("email", kind="email", pii=True),
)

#: Columns every canonical table carries, filled by the loader, never mapped by users.
SYSTEM_COLUMNS = (
    Column("source", "string", "", description="source definition name"),
    Column("source_key", "string", "", description="the record's key within its source"),
    Column("load_id", "string", "", description="the load that last wrote this row"),
    Column("loaded_at", "timestamp", "", description="UTC time of that load"),
    Column("row_number", "int64", "", description="row in the file of that load"),
    Column("raw", "json", "", pii=True, description="the source row as read, JSON"),
)

CUSTOMERS = Table(
    "source_records",
    "customers",
    (
        _c("name", kind="name", pii=True),
        _c("gender", kind="gender"),
        _c("birth_date", "date", "date", pii=True),
        _c("age", "int64", "integer"),
        _c("phone", kind="phone", pii=True),
        _c("email", kind="email", pii=True),
        _c("member_id", kind="identifier", pii=True),
        _c("crm_id", kind="identifier"),
        _c("wechat_unionid", kind="identifier", pii=True),
        _c("wechat_openid", kind="identifier", pii=True),
        _c("id_number_hash", kind="identifier", pii=True),
        _c("province", kind="province"),
        _c("city", kind="city"),
        _c("district", kind="district"),
        _c("address", kind="address", pii=True),
        _c("occupation"),
        _c("industry"),
        _c("company"),
        _c("income_level"),
        _c("education"),
        _c("marital_status"),
        _c("member_level"),
        _c("registered_at", "timestamp", "timestamp"),
        _c("store_id", kind="identifier"),
        _c("acquisition_channel"),
        _c("updated_at", "timestamp", "timestamp"),
    ),
    key=(),  # customers have no natural key: each source says which column is its key
    required_any=("name", "phone", "email", "member_id", "crm_id", "wechat_unionid", "wechat_openid"),
)

ORDERS = Table(
    "orders",
    "orders",
    (
        _c("order_id", kind="identifier"),
        *_CUSTOMER_REFS,
        _c("order_time", "timestamp", "timestamp"),
        _c("status"),
        _c("channel"),
        _c("store_id", kind="identifier"),
        _c("total_amount", "decimal(18,2)", "money"),
        _c("discount_amount", "decimal(18,2)", "money"),
        _c("paid_amount", "decimal(18,2)", "money"),
        _c("refund_amount", "decimal(18,2)", "money"),
        _c("payment_method"),
        _c("coupon_code"),
        _c("currency"),
    ),
    key=("order_id",),
    required_any=("order_id",),
)

ORDER_ITEMS = Table(
    "order_items",
    "order_items",
    (
        _c("order_id", kind="identifier"),
        _c("line_no", "int64", "integer"),
        _c("product_id", kind="identifier"),
        _c("product_name"),
        _c("category"),
        _c("brand"),
        _c("quantity", "int64", "integer"),
        _c("unit_price", "decimal(18,2)", "money"),
        _c("discount_amount", "decimal(18,2)", "money"),
        _c("amount", "decimal(18,2)", "money"),
        _c("returned", "boolean", "boolean"),
    ),
    key=("order_id", "line_no"),
    required_any=("order_id",),
)

EVENTS = Table(
    "events",
    "events",
    (
        _c("message_id", kind="identifier", desc="idempotency key (Segment spec)"),
        _c("type", desc="identify | track | page | screen | group | alias"),
        _c("event", desc="track event name, e.g. Product Viewed"),
        _c("user_id", kind="identifier", pii=True),
        _c("anonymous_id", kind="identifier"),
        _c("previous_id", kind="identifier", desc="alias calls: the earlier id"),
        _c("timestamp", "timestamp", "timestamp"),
        _c("received_at", "timestamp", "timestamp"),
        _c("session_id", kind="identifier"),
        _c("channel", desc="web | app | mini_program | email | sms | wechat"),
        _c("device_type"),
        _c("page_url"),
        _c("referrer"),
        _c("utm_source"),
        _c("utm_campaign"),
        _c("search_query"),
        _c("product_id", kind="identifier"),
        _c("category"),
        _c("amount", "decimal(18,2)", "money"),
        _c("properties", "json", ""),
        _c("context", "json", ""),
    ),
    key=("message_id",),
    required_any=("message_id",),
)

INTERACTIONS = Table(
    "interactions",
    "interactions",
    (
        _c("interaction_id", kind="identifier"),
        *_CUSTOMER_REFS,
        _c("occurred_at", "timestamp", "timestamp"),
        _c("channel", desc="phone | chat | email | wechat | store | app | weibo | douyin | xiaohongshu …"),
        _c("kind", desc="ticket | chat | call | review | complaint | social_post | social_comment | like | share | follow"),
        _c("subject", kind="prose"),
        _c("text", kind="prose", pii=True),
        _c("rating", "int64", "integer"),
        _c("status", desc="open | pending | resolved | closed"),
        _c("agent"),
        _c("platform"),
        _c("followers", "int64", "integer"),
    ),
    key=("interaction_id",),
    required_any=("interaction_id",),
)

REFERRALS = Table(
    "referrals",
    "referrals",
    (
        _c("referral_id", kind="identifier"),
        *_CUSTOMER_REFS,
        _c("referred_name", kind="name", pii=True),
        _c("referred_phone", kind="phone", pii=True),
        _c("referred_email", kind="email", pii=True),
        _c("channel"),
        _c("referred_at", "timestamp", "timestamp"),
        _c("converted", "boolean", "boolean"),
        _c("converted_at", "timestamp", "timestamp"),
        _c("converted_customer_key"),
        _c("revenue", "decimal(18,2)", "money"),
    ),
    key=("referral_id",),
    required_any=("referral_id",),
)

CONSENTS = Table(
    "consents",
    "consents",
    (
        _c("consent_id", kind="identifier"),
        *_CUSTOMER_REFS,
        _c("purpose", desc="marketing_email | sms | wechat | profiling | third_party_sharing …"),
        _c("status", desc="granted | denied | withdrawn"),
        _c("recorded_at", "timestamp", "timestamp"),
        _c("collected_via"),
    ),
    key=("consent_id",),
    required_any=("purpose",),
)

SURVEYS = Table(
    "survey_responses",
    "surveys",
    (
        _c("response_id", kind="identifier"),
        *_CUSTOMER_REFS,
        _c("survey_id", kind="identifier"),
        _c("survey_type", desc="nps | csat | profile"),
        _c("responded_at", "timestamp", "timestamp"),
        _c("question", kind="prose"),
        _c("answer", kind="prose", pii=True),
        _c("score", "int64", "integer"),
    ),
    key=("response_id",),
    required_any=("response_id",),
)

TABLES: dict[str, Table] = {
    t.kind: t for t in (CUSTOMERS, ORDERS, ORDER_ITEMS, EVENTS, INTERACTIONS, REFERRALS, CONSENTS, SURVEYS)
}

#: Tables the loader writes besides the canonical ones.
VALUE_ISSUES = (
    Column("load_id", "string", ""),
    Column("source", "string", ""),
    Column("table_name", "string", ""),
    Column("source_key", "string", ""),
    Column("row_number", "int64", ""),
    Column("column_name", "string", ""),
    Column("raw_value", "string", "", pii=True),
    Column("reason", "string", ""),
)
QUARANTINE = (
    Column("load_id", "string", ""),
    Column("source", "string", ""),
    Column("row_number", "int64", ""),
    Column("reasons", "json", ""),
    Column("raw", "json", "", pii=True),
    Column("quarantined_at", "timestamp", ""),
)


def table_for_kind(kind: str) -> Table:
    try:
        return TABLES[kind]
    except KeyError:
        raise KeyError(f"unknown source kind {kind!r}; known kinds: {', '.join(TABLES)}") from None


def markdown() -> str:
    """The canonical model as the Markdown of ``docs/schema.md`` (a test keeps that file equal to this)."""
    out = ["# Canonical data model", "",
           "Generated from `src/huaxiang/domain/schema.py`; do not edit by hand:",
           "`python -c \"from huaxiang.domain.schema import markdown; print(markdown(), end='')\" > docs/schema.md`.",
           "", "Every table also has the system columns:", "",
           "| column | type | personal data | description |", "|---|---|---|---|"]
    out += [f"| `{c.name}` | {c.dtype} | {'yes' if c.pii else ''} | {c.description} |" for c in SYSTEM_COLUMNS]
    for table in TABLES.values():
        out += ["", f"## `{table.name}` (source kind `{table.kind}`)", "",
                f"Default key: {', '.join(f'`{k}`' for k in table.key) or '(set `key:` in the source)'}. "
                f"A row needs at least one of: {', '.join(f'`{k}`' for k in table.required_any) or '(nothing)'}.", "",
                "| column | type | standardizer | personal data | description |", "|---|---|---|---|---|"]
        out += [f"| `{c.name}` | {c.dtype} | {c.kind or '(as given)'} | {'yes' if c.pii else ''} | {c.description} |"
                for c in table.columns]
    return "\n".join(out) + "\n"
