"""Ingest benchmark: huaxiang import vs DuckDB's own read_csv of the same files (the floor).

Prints one JSON line. Files are generated with DuckDB (messy phones, dates, emails, Chinese
addresses for customers; Segment-style events), then each is

* read by DuckDB alone: ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` — the floor;
* imported with ``ws.ingest.load`` (staging, mapping, standardization, checks, atomic upsert).

Usage: python benchmarks/ingest.py [--customers 1000000] [--events 10000000] [--dir /tmp/hx-bench]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import yaml

import huaxiang

CUSTOMERS_SQL = """
COPY (
  SELECT 'C' || i AS 客户编号,
         ['王','李','张','刘','陈','杨','黄','赵'][1 + i % 8] || ['伟','芳','娜','敏','静','强','磊','洋'][1 + (i // 8) % 8] AS 姓名,
         ['男','女','M','F','1','0',''][1 + i % 7] AS 性别,
         CASE i % 4 WHEN 0 THEN '138' || lpad((i % 100000000)::VARCHAR, 8, '0')
                    WHEN 1 THEN '+86-139-' || lpad((i % 10000)::VARCHAR, 4, '0') || '-' || lpad((i % 9999)::VARCHAR, 4, '0')
                    WHEN 2 THEN '0086137' || lpad((i % 100000000)::VARCHAR, 8, '0')
                    ELSE '12345' END AS 手机号,
         CASE WHEN i % 5 = 0 THEN '' ELSE 'User' || i || '@Example.com' END AS 邮箱,
         CASE i % 3 WHEN 0 THEN strftime(DATE '1960-01-01' + (i % 15000)::INT, '%Y-%m-%d')
                    WHEN 1 THEN strftime(DATE '1960-01-01' + (i % 15000)::INT, '%Y年%-m月%-d日')
                    ELSE strftime(DATE '1960-01-01' + (i % 15000)::INT, '%Y%m%d') END AS 出生日期,
         ['广东省深圳市南山区科苑路15号','北京市朝阳区建国路88号','浙江省杭州市西湖区文三路1号',
          '上海市浦东新区世纪大道100号','四川省成都市武侯区人民南路4段'][1 + i % 5] AS 地址
  FROM range({n}) t(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""

EVENTS_SQL = """
COPY (
  SELECT 'm' || i AS message_id, 'track' AS type,
         ['Product Viewed','Products Searched','Product Added','Order Completed'][1 + i % 4] AS event,
         'C' || (i % 1000000) AS user_id, 'a' || (i % 1500000) AS anonymous_id,
         strftime(TIMESTAMP '2024-01-01' + INTERVAL (i % 31536000) SECOND, '%Y-%m-%dT%H:%M:%S+08:00') AS timestamp,
         ['web','app','mini_program'][1 + i % 3] AS channel,
         ['手机','户外','美妆','图书'][1 + i % 4] AS category,
         'P' || (i % 5000) AS product_id, (i % 1000)::VARCHAR || '.50' AS amount
  FROM range({n}) t(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""

SOURCES = {
    "customers": {"kind": "customers", "format": "csv", "key": ["crm_id"], "on_error": "quarantine",
                  "columns": {"客户编号": "crm_id", "姓名": "name", "性别": "gender", "手机号": "phone",
                              "邮箱": "email", "出生日期": "birth_date", "地址": "address"}},
    "events": {"kind": "events", "format": "csv", "on_error": "quarantine",
               "columns": {c: c for c in ("message_id", "type", "event", "user_id", "anonymous_id", "timestamp",
                                          "channel", "category", "product_id", "amount")}},
}


def floor(path: Path) -> float:
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}', header = true)")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="hx-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work / "ws", ignore_errors=True)
    files = {"customers": work / "customers.csv", "events": work / "events.csv"}
    con = duckdb.connect()
    con.execute(CUSTOMERS_SQL.format(n=args.customers, path=files["customers"]))
    con.execute(EVENTS_SQL.format(n=args.events, path=files["events"]))
    con.close()
    ws = huaxiang.init_workspace(work / "ws", name="bench")
    for name, body in SOURCES.items():
        (work / "ws" / "sources" / f"{name}.yml").write_text(yaml.safe_dump({"name": name, **body}, allow_unicode=True))
    ws.apply()
    out: dict[str, object] = {"benchmark": "ingest", "customers_rows": args.customers, "events_rows": args.events}
    for name, path in files.items():
        base = floor(path)
        start = time.perf_counter()
        result = ws.ingest.load(name, path)
        ours = time.perf_counter() - start
        rows = result.counts["read"]
        out[f"{name}_floor_s"] = round(base, 3)
        out[f"{name}_import_s"] = round(ours, 3)
        out[f"{name}_rows_per_s"] = round(rows / ours)
        out[f"{name}_floor_rows_per_s"] = round(rows / base)
        out[f"{name}_ratio_to_floor"] = round(ours / base, 2)
    ws.close()
    # Peak resident memory of this process (KiB on Linux): stays far below the input size because
    # files stream through DuckDB instead of being read whole into Python.
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["input_mib"] = round(sum(p.stat().st_size for p in files.values()) / 2**20)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
