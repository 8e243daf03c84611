"""Small helpers shared by test modules (conftest.py is not importable by name: several exist)."""

from __future__ import annotations

import math
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


def row_differences(a: list[tuple], b: list[tuple]) -> list[str]:
    """Differences between two row lists, cell by cell, floats within a relative 1e-9.

    Floats are summed in an order that depends on the engine and its threads (DuckDB's parallel
    aggregation, Spark's partitions), so the last bits of an average may differ between two runs.
    """
    problems = []
    assert len(a) == len(b), f"{len(a)} rows against {len(b)}"
    for ra, rb in zip(a, b):
        for i, (x, y) in enumerate(zip(ra, rb)):
            if isinstance(x, float) and isinstance(y, float):
                if not (math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(x) and math.isnan(y))):
                    problems.append(f"{ra[0]} column {i}: {x!r} != {y!r}")
            elif x != y:
                problems.append(f"{ra[0]} column {i}: {x!r} != {y!r}")
    return problems
