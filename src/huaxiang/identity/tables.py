"""The warehouse tables identity resolution writes (DESIGN §5), described like the canonical ones."""

from __future__ import annotations

from huaxiang.domain.schema import Column

IDENTIFIERS = (
    Column("source", "string", ""), Column("source_key", "string", ""),
    Column("identifier_type", "string", ""), Column("value", "string", "", pii=True),
    Column("blocked", "boolean", "", description="on the block list: never links anything"),
)
CUSTOMER_RECORDS = (
    Column("source", "string", ""), Column("source_key", "string", ""), Column("customer_id", "string", ""),
)
IDENTITIES = (
    Column("identifier_type", "string", ""), Column("value", "string", "", pii=True),
    Column("customer_id", "string", ""), Column("records", "int64", ""),
)
IDENTITY_EDGES = (
    Column("customer_id", "string", ""),
    Column("source_a", "string", ""), Column("source_key_a", "string", ""),
    Column("source_b", "string", ""), Column("source_key_b", "string", ""),
    Column("identifier_type", "string", ""), Column("value", "string", "", pii=True, description="the evidence"),
    Column("rule", "string", "", description="deterministic (shared identifier) | probabilistic (a scored pair) | manual (a merge decision)"),
    Column("match_weight", "float64", "", description="probabilistic: the pair's match weight (log2 odds)"),
    Column("evidence", "json", "", description="probabilistic: comparison -> level, e.g. {\"name\": \"pinyin\"}"),
    Column("build", "int64", ""),
)
IDENTITY_MATCHES = (
    Column("source_a", "string", ""), Column("source_key_a", "string", ""),
    Column("source_b", "string", ""), Column("source_key_b", "string", ""),
    Column("match_weight", "float64", "", description="log2 of the odds that the records are one person"),
    Column("match_probability", "float64", ""),
    Column("evidence", "json", "", description="comparison -> level (null: could not be compared)"),
    Column("value", "string", "", description="the pair's link value (identifier_type probabilistic)"),
    Column("outcome", "string", "", description="link (at or above link_above) | review (from review_above)"),
    Column("model", "int64", "", description="the catalog's identity_models id"),
    Column("build", "int64", ""),
)
IDENTITY_CONFLICTS = (
    Column("build", "int64", ""),
    Column("identifier_type", "string", ""), Column("value", "string", "", pii=True),
    Column("stage", "string", "", description="shared_value | component"),
    Column("check_name", "string", "", description="the limited identifier type, the attribute that disagreed, or decision:<id> (a split or reject)"),
    Column("max_allowed", "int64", ""), Column("found", "int64", ""),
    Column("found_values", "json", "", pii=True),
)
CUSTOMER_IDS = (
    Column("customer_id", "string", ""),
    Column("status", "string", "", description="active | merged | retired"),
    Column("created_build", "int64", ""), Column("last_build", "int64", ""),
    Column("merged_into", "string", ""),
)
CUSTOMER_ALIASES = (
    Column("alias_id", "string", ""), Column("customer_id", "string", ""), Column("build", "int64", ""),
)
IDENTITY_BUILDS = (
    Column("build", "int64", ""), Column("started_at", "timestamp", ""), Column("finished_at", "timestamp", ""),
    Column("counts", "json", ""),
    Column("state", "json", "", description="what the next build compares with (incremental.py)"),
)

#: rewritten by every build
RESULT_TABLES = {"identifiers": IDENTIFIERS, "customer_records": CUSTOMER_RECORDS, "identities": IDENTITIES,
                 "identity_edges": IDENTITY_EDGES, "identity_conflicts": IDENTITY_CONFLICTS,
                 "identity_matches": IDENTITY_MATCHES}
#: kept across builds: the memory that makes customer ids stable
HISTORY_TABLES = {"customer_ids": CUSTOMER_IDS, "customer_aliases": CUSTOMER_ALIASES,
                  "identity_builds": IDENTITY_BUILDS}
