"""Documentation that is generated from code stays equal to the code."""

from __future__ import annotations

from pathlib import Path

from huaxiang.domain import schema

ROOT = Path(__file__).resolve().parents[1]


def test_schema_doc_matches_the_canonical_model():
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == schema.markdown()
