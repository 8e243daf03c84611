"""Tags and segments (DESIGN §7): conditions over traits, tags and event history, as validated data.

A file under ``tags/`` holds a taxonomy (categories) and tags; a file under ``segments/`` holds
segments::

    categories:
      - {name: value, label: {zh: 价值, en: Value}}
    tags:
      - name: high_value
        label: {zh: 高价值客户, en: High-value customer}
        category: value
        rule: value_tier = 'high'          # a rule tag; without a rule, a manual tag
    segments:
      - name: outdoor_fans
        label: {zh: 户外爱好者, en: Outdoor fans}
        kind: dynamic                      # dynamic: re-evaluated on every build; static: a snapshot
        condition: count(events, category = '户外', within = 30d) >= 3

Names are stable keys (lower-case identifiers); labels are what people read, and conditions may
refer to a tag by its name or by either label (``has_tag('价格敏感型')``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from huaxiang.domain.sources import Localized
from huaxiang.domain.traits import NAME


class TagCategory(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME, max_length=63)
    label: Localized = Localized()
    description: Localized = Localized()


class Tag(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME, max_length=63)
    label: Localized = Localized()
    description: Localized = Localized()
    category: str
    rule: str | None = None  # a condition; None: a manual tag, assigned by people
    owner: str = ""

    @property
    def manual(self) -> bool:
        return self.rule is None


class Segment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME, max_length=63)
    label: Localized = Localized()
    description: Localized = Localized()
    kind: Literal["dynamic", "static"] = "dynamic"
    condition: str
    owner: str = ""
