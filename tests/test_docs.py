"""Documentation that is generated from code stays equal to the code."""

from __future__ import annotations

from pathlib import Path

from huaxiang.definitions import library
from huaxiang.domain import schema

ROOT = Path(__file__).resolve().parents[1]


def test_schema_doc_matches_the_canonical_model():
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == schema.markdown()


def test_library_doc_matches_the_built_in_definitions():
    assert (ROOT / "docs" / "traits.md").read_text(encoding="utf-8") == library.markdown()
