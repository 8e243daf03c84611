"""Deterministic demo data for a fictional retailer (zh: 悦购, en: Harbor Lane).

``generate`` writes realistic, messy source files into a workspace (GBK CRM export, store
member sheet, ERP Parquet, Segment JSONL, service and survey CSVs, social JSON), the source
definitions that import them, and the planted truth (people, types, churn, duplicates) under
``demo_truth/`` for checking what the platform finds.
"""

from huaxiang.demo.generate import DemoManifest, generate

__all__ = ["DemoManifest", "generate"]
