"""Source definitions: how one input (a file or a query) maps into a canonical table.

A source is written in YAML under ``sources/`` of a workspace::

    name: crm_contacts
    kind: customers                # customers | orders | order_items | events | interactions | referrals | consents | surveys
    format: csv                    # csv | tsv | xlsx | json | jsonl | parquet | sql
    path: data/crm_export.csv      # default input, relative to the workspace
    encoding: auto                 # auto | utf-8 | utf-8-sig | gbk | gb18030
    timezone: Asia/Shanghai        # naive times in the input are in this zone
    country: CN                    # ISO country of the data: default phone region; CN splits addresses
    key: [crm_id]                  # canonical columns that identify a record within this source
    on_error: quarantine           # reject (refuse the whole load) | quarantine (set bad rows aside)
    columns:                       # input column -> canonical column
      客户编号: crm_id
      姓名: name
      手机号: phone
      出生日期: {to: birth_date, formats: ["%Y%m%d"]}
    values:                        # optional value mappings per canonical column
      gender: {"1": M, "2": F}

The model validates everything that can be checked without reading the input.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from huaxiang.domain.schema import table_for_kind, TABLES

FORMATS = ("csv", "tsv", "xlsx", "json", "jsonl", "parquet", "sql")
FILE_FORMATS = tuple(f for f in FORMATS if f != "sql")


class InvalidKey(ValueError):
    """A problem with one key of a definition; the loader reports ``key`` apart from the message."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class Localized(BaseModel):
    """A text in Simplified Chinese and English."""

    model_config = ConfigDict(extra="forbid")
    zh: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        return (self.zh if lang.startswith("zh") else self.en) or self.en or self.zh


class ColumnMap(BaseModel):
    """Where one input column goes, with options for its standardizer."""

    model_config = ConfigDict(extra="forbid")
    to: str
    formats: list[str] | None = None  # explicit date / time formats (strptime)
    region: str | None = None  # phones: default region
    timezone: str | None = None  # overrides the source time zone for this column


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    kind: str
    format: Literal["csv", "tsv", "xlsx", "json", "jsonl", "parquet", "sql"]
    description: Localized = Localized()
    owner: str = ""
    path: str | None = None
    encoding: str = "auto"
    delimiter: str | None = None
    sheet: str | int | None = None
    header_row: int = Field(default=1, ge=1)
    json_path: str | None = None
    url: str | None = None
    query: str | None = None
    timezone: str = "Asia/Shanghai"
    country: str = Field(default="CN", pattern=r"^[A-Za-z]{2}$")
    phone_region: str | None = None  # default: ``country``
    key: list[str] = []
    on_error: Literal["reject", "quarantine"] = "reject"
    columns: dict[str, str | ColumnMap]
    values: dict[str, dict[str, str]] = {}
    required: list[str] = []  # canonical columns that must be present and valid in every row

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        if v not in TABLES:
            raise ValueError(f"unknown kind {v!r}; expected one of: {', '.join(TABLES)}")
        return v

    @field_validator("columns", mode="before")
    @classmethod
    def _columns_as_text(cls, v: Any) -> Any:
        # YAML turns unquoted headers such as 2024 or yes into numbers and booleans.
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _consistent(self) -> "Source":
        table = table_for_kind(self.kind)
        known = set(table.column_names)
        targets = self.mapping()
        for src, target in targets.items():
            if target.to not in known:
                raise InvalidKey(f"columns.{src}", f"{target.to!r} is not a column of {self.kind}; "
                                                   f"known: {', '.join(sorted(known))}")
        mapped = [t.to for t in targets.values()]
        dupes = sorted({m for m in mapped if mapped.count(m) > 1})
        if dupes:
            raise InvalidKey("columns", f"several input columns map to {', '.join(dupes)}")
        if not self.key and not table.key:
            raise InvalidKey("key", f"a {self.kind} source must say which canonical column(s) identify a record")
        uses = [("key", n) for n in self.key_columns] + [("required", n) for n in self.required]
        for key, name in [*uses, *((f"values.{n}", n) for n in self.values)]:
            if name not in mapped:
                raise InvalidKey(key, f"no input column maps to {name!r}")
        if self.format == "sql" and not (self.url and self.query):
            raise InvalidKey("url" if not self.url else "query", "format sql needs both url and query")
        return self

    def mapping(self) -> dict[str, ColumnMap]:
        return {src: ColumnMap(to=t) if isinstance(t, str) else t for src, t in self.columns.items()}

    @property
    def region(self) -> str:
        """The phone region assumed for numbers written without a country code."""
        return (self.phone_region or self.country).upper()

    @property
    def chinese_addresses(self) -> bool:
        """Addresses, provinces and cities are Chinese administrative divisions."""
        return self.country.upper() == "CN"

    @property
    def key_columns(self) -> list[str]:
        return list(self.key) or list(table_for_kind(self.kind).key)
