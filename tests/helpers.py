"""Small helpers shared by test modules (conftest.py is not importable by name: several exist)."""

from __future__ import annotations

from pathlib import Path


#: a small CRM source (customers from data/crm.csv) used across test modules
CRM_YAML = """name: crm
kind: customers
format: csv
path: data/crm.csv
key: [crm_id]
columns:
  客户编号: crm_id
  姓名: name
  手机号: phone
"""


def without_library(root: Path) -> Path:
    """Remove the built-in traits, tags and segments a new workspace gets (tests about sources and
    identity plan and apply only what they write; the library has its own tests)."""
    for sub in ("traits", "tags", "segments", "predictions", "personas"):
        for file in (root / sub).glob("*.yml"):
            file.unlink()
    return root


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
