"""Profile build benchmark: every built-in trait, tag and segment, against a hand-written floor.

Prints one JSON line. The data are generated straight into the warehouse with DuckDB (customers
with their golden records and identities, orders and lines, Segment-style events, service and
social interactions, referrals, surveys, consents), so the benchmark measures the build, not
ingestion or identity resolution (those have benchmarks of their own). In the same run:

* ``build_s``: ``ws.profiles.build(full=True)`` of the built-in library on DuckDB (traits, then tags
  and segments); ``traits_s`` is the traits part;
* ``floor_s``: one hand-written ``GROUP BY customer_id`` over the same events (attributed to customers
  by the same join) with as many conditional aggregates as the library has aggregated traits, one of
  each trait's kind, all different (``floor_aggregates`` counts them: DuckDB computes equal aggregates
  once); ``collapsed_floor_s`` is the floor of earlier runs, whose 112 aggregates repeated 14;
* ``incremental_s``: new events for ``--touched`` customers, then an incremental build (the first after
  the full build: it finds the rows through the customers' identifiers, then writes the fact store,
  ``profiles.store``, which took ``store_write_s`` of it); ``incremental_stored_s``: the same for other
  customers, read from the store (Ibis builds and compiles its statements, which are kept,
  ``profiles.plans``); ``incremental_kept_s``: the same again, running the kept statements, the
  median of ``--kept-runs`` builds for other customers each (``incremental_kept_runs``; the first is
  ``incremental_kept_first_s``; ``incremental_kept_compile_s`` is the compiled one's share that was
  not DuckDB's: the difference of the two);
* ``incremental_new_process_s``: one more incremental build in a new Python process, the build call
  only, as a ``huaxiang build`` command would run it: nothing of the store or the warehouse is in
  its memory (``new_process_open_s``: opening the workspace; ``new_process_s``: the whole process,
  with Python's start, the imports and loading the new events);
* ``spark_s`` / ``spark_duckdb_s``: a full build on a local Spark session and on DuckDB, of a second,
  smaller workspace with ``--spark-events`` events.

Usage: python benchmarks/build.py [--customers 1000000] [--events 20000000] [--touched 1000]
       [--kept-runs 5] [--spark-events 2000000] [--no-spark] [--dir /tmp/hx-build]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import huaxiang
from huaxiang.identity.build import ensure_tables as ensure_identity_tables
from huaxiang.identity.golden import GOLDEN_RECORDS
from huaxiang.profiles.members import ensure_tables as ensure_member_tables

CLOCK = datetime(2026, 6, 30, 12)
SYSTEM = "source, source_key, load_id, loaded_at, row_number"
CITIES = "['上海市','北京市','深圳市','广州市','成都市','杭州市','武汉市','西安市','苏州市','南京市','泉州市','洛阳市','绵阳市','赣州市','曲靖市']"
CATEGORIES = "['手机','笔记本电脑','耳机','户外','运动鞋','美妆','护肤','母婴','童装','图书','食品','家居','厨具','女装','男装']"
EVENTS = ("['Product Viewed','Product Viewed','Product Viewed','Products Searched','Product Added','Checkout Started',"
          "'Order Completed','Email Opened','Email Link Clicked','SMS Clicked','WeChat Message Read','Signed In']")


def _at(at: datetime) -> str:
    """``at`` as a DuckDB timestamp literal."""
    return f"TIMESTAMP '{at:%Y-%m-%d %H:%M:%S}'"


def _ts(i: str, seconds: int = 2 * 365 * 86400) -> str:
    """A timestamp in the two years before the clock, spread by ``i``."""
    return f"{_at(CLOCK)} - INTERVAL (hash({i}) % {seconds}) SECOND"


def generate(con, customers: int, events: int) -> None:
    """Canonical, identity and golden tables of a retailer with ``customers`` and ``events``."""
    n, e = customers, events
    load = "'bench', TIMESTAMP '2026-06-30 11:00:00', 1"  # loaded before the clock (now and the watermark differ)
    con.execute(f"""INSERT INTO golden_records (customer_id, name, gender, birth_date, age, phone, city, province,
            member_level, income_level, education, occupation, registered_at, build)
        SELECT 'c' || i, '客户' || i, ['M','F'][1 + i % 2], DATE '1960-01-01' + (i % 15000)::INT, 20 + i % 50,
               '+86138' || lpad(i::VARCHAR, 8, '0'), {CITIES}[1 + i % 15], '省', ['普通','银卡','金卡'][1 + i % 3],
               ['低','中','高'][1 + i % 3], ['本科','硕士','高中'][1 + i % 3], '职员',
               {_ts('i', 6 * 365 * 86400)}, 1
        FROM range({n}) t(i)""")
    con.execute(f"""INSERT INTO customer_records SELECT 'crm', 'C' || i, 'c' || i FROM range({n}) t(i)
                    UNION ALL SELECT 'web', 'u:C' || i, 'c' || i FROM range({n}) t(i)""")
    con.execute(f"INSERT INTO identities SELECT 'crm_id', 'C' || i, 'c' || i, 1 FROM range({n}) t(i)")
    con.execute(f"INSERT INTO customer_ids SELECT 'c' || i, 'active', 1, 1, NULL FROM range({n}) t(i)")
    con.execute(f"""INSERT INTO source_records ({SYSTEM}, crm_id, name)
        SELECT 'crm', 'C' || i, {load}, 'C' || i, '客户' || i FROM range({n}) t(i)""")
    orders = 3 * n
    con.execute(f"""INSERT INTO orders ({SYSTEM}, order_id, customer_key, order_time, status, channel, total_amount,
            discount_amount, paid_amount, refund_amount, payment_method, coupon_code)
        SELECT 'orders', 'O' || i, {load}, 'O' || i, 'C' || (hash(i) % {n}), {_ts('i')},
               ['completed','completed','completed','completed','cancelled','refunded'][1 + i % 6],
               ['app','web','mini_program','store','tmall','jd'][1 + (i // 7) % 6],
               (50 + hash(i * 3) % 2000)::DECIMAL(18,2), (CASE WHEN i % 4 = 0 THEN 20 ELSE 0 END)::DECIMAL(18,2),
               (30 + hash(i * 3) % 2000)::DECIMAL(18,2), (CASE WHEN i % 17 = 0 THEN 30 ELSE 0 END)::DECIMAL(18,2),
               ['wechat_pay','alipay','card'][1 + i % 3], CASE WHEN i % 5 = 0 THEN 'CP' || (i % 100) END
        FROM range({orders}) t(i)""")
    con.execute(f"""INSERT INTO order_items ({SYSTEM}, order_id, line_no, product_id, category, brand, quantity,
            unit_price, amount, returned)
        SELECT 'items', 'O' || (i // 2) || '-' || (i % 2), {load}, 'O' || (i // 2), i % 2, 'P' || (hash(i) % 5000),
               {CATEGORIES}[1 + (hash(i) % 15)::INT], 'B' || (hash(i) % 40), 1 + i % 3, (20 + hash(i) % 800)::DECIMAL(18,2),
               (20 + hash(i) % 800)::DECIMAL(18,2), i % 23 = 0
        FROM range({2 * orders}) t(i)""")
    con.execute(f"""INSERT INTO events ({SYSTEM}, message_id, type, event, user_id, anonymous_id, timestamp,
            session_id, channel, device_type, utm_source, utm_campaign, search_query, product_id, category, amount)
        SELECT 'web', 'm' || i, {load}, 'm' || i, CASE WHEN i % 10 = 0 THEN 'page' ELSE 'track' END,
               {EVENTS}[1 + (hash(i) % 12)::INT], 'C' || (hash(i * 7) % {n}), NULL, {_ts('i')},
               's' || (i // 6), ['web','app','mini_program','email','sms','wechat'][1 + (i // 3) % 6],
               ['ios','android','pc'][1 + i % 3], ['baidu','wechat','douyin',NULL][1 + i % 4],
               CASE WHEN i % 9 = 0 THEN 'summer' END, CASE WHEN i % 12 = 3 THEN '耳机' END, 'P' || (i % 5000),
               {CATEGORIES}[1 + (hash(i * 5) % 15)::INT], (i % 900)::DECIMAL(18,2)
        FROM range({e}) t(i)""")
    con.execute(f"""INSERT INTO interactions ({SYSTEM}, interaction_id, customer_key, occurred_at, channel, kind,
            subject, rating, status, platform, followers)
        SELECT 'service', 'T' || i, {load}, 'T' || i, 'C' || (hash(i) % {n}), {_ts('i')},
               ['phone','chat','weibo','douyin'][1 + i % 4],
               ['ticket','complaint','chat','social_post','like','share','review'][1 + i % 7],
               ['物流','售后','质量'][1 + i % 3], 1 + i % 5, ['open','resolved','closed'][1 + i % 3],
               ['weibo','douyin',NULL][1 + i % 3], (hash(i) % 5000)::BIGINT
        FROM range({n}) t(i)""")
    con.execute(f"""INSERT INTO referrals ({SYSTEM}, referral_id, customer_key, channel, referred_at, converted, revenue)
        SELECT 'referrals', 'R' || i, {load}, 'R' || i, 'C' || (hash(i) % {n}), ['wechat','sms'][1 + i % 2],
               {_ts('i')}, i % 3 = 0, (i % 500)::DECIMAL(18,2) FROM range({n // 5}) t(i)""")
    con.execute(f"""INSERT INTO survey_responses ({SYSTEM}, response_id, customer_key, survey_id, survey_type,
            responded_at, question, answer, score)
        SELECT 'surveys', 'S' || i, {load}, 'S' || i, 'C' || (hash(i) % {n}), 'S1', ['nps','csat'][1 + i % 2],
               {_ts('i')}, 'q', 'a', i % 11 FROM range({n // 2}) t(i)""")
    con.execute(f"""INSERT INTO consents ({SYSTEM}, consent_id, customer_key, purpose, status, recorded_at)
        SELECT 'consents', 'K' || i, {load}, 'K' || i, 'C' || (hash(i) % {n}),
               ['marketing_email','sms','wechat','profiling'][1 + i % 4], ['granted','withdrawn','denied'][1 + i % 3],
               {_ts('i')} FROM range({n}) t(i)""")


def workspace(root: Path, customers: int, events: int) -> huaxiang.Workspace:
    shutil.rmtree(root, ignore_errors=True)
    ws = huaxiang.init_workspace(root, name="bench-build", locale="zh")
    config = root / "huaxiang.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"\nclock: {CLOCK:%Y-%m-%dT%H:%M:%S}\n", encoding="utf-8")
    ws.close()
    ws = huaxiang.open_workspace(root)
    ws.apply()
    wh = ws.warehouse
    wh.ensure_tables()
    ensure_identity_tables(wh)
    wh.ensure_table("golden_records", GOLDEN_RECORDS)
    ensure_member_tables(wh)
    generate(wh.raw, customers, events)
    return ws


#: the floor's aggregate for each function of the library, over the events: the same kind where one
#: GROUP BY can compute it; a ranked trait (most_frequent, top_k) needs counts per value first, so the
#: floor gives it the cheapest aggregate there is, a count
FLOOR_AGGREGATE = {"count": "count(*)", "count_distinct": "count(DISTINCT e.session_id)", "sum": "sum(e.amount)",
                   "avg": "avg(e.amount)", "min": "min(e.timestamp)", "max": "max(e.timestamp)",
                   "first": "arg_min(e.category, e.timestamp)", "last": "arg_max(e.category, e.timestamp)",
                   "share": "avg(CASE WHEN e.channel = 'app' THEN 1.0 ELSE 0.0 END)",
                   "most_frequent": "count(*)", "top_k": "count(*)"}
FLOOR_EVENTS = ["Product Viewed", "Products Searched", "Product Added", "Email Opened", "SMS Clicked", "Order Completed"]
_ATTRIBUTED = ("FROM events e JOIN customer_records r ON r.source = e.source AND r.source_key = 'u:' || e.user_id "
               f"WHERE e.timestamp <= {_at(CLOCK)} GROUP BY r.customer_id")


def floor_aggregates(functions: list[str]) -> list[str]:
    """One conditional aggregate per aggregated trait (``functions``: their functions), each different.

    Each has an event filter and a window of its own (``7 + 3i`` days): DuckDB computes equal
    aggregates of one query once, so repeated ones would not be the same number of aggregates.
    """
    out = []
    for i, fn in enumerate(functions):
        start = CLOCK - timedelta(days=7 + 3 * i)
        out.append(f"{FLOOR_AGGREGATE[fn]} FILTER (WHERE e.event = '{FLOOR_EVENTS[i % len(FLOOR_EVENTS)]}' "
                   f"AND e.timestamp >= {_at(start)})")
    return out


def floor_sql(functions: list[str]) -> str:
    """One GROUP BY customer_id over the events (attributed by the same join as the build's) with
    ``floor_aggregates(functions)``."""
    aggs = ", ".join(f"{a} AS a{i}" for i, a in enumerate(floor_aggregates(functions)))
    return f"CREATE OR REPLACE TEMP TABLE _floor AS SELECT r.customer_id, {aggs} {_ATTRIBUTED}"


_COLLAPSED = (
    "count(*) FILTER (WHERE e.event = '{ev}' AND e.timestamp >= TIMESTAMP '{start}')",
    "sum(e.amount) FILTER (WHERE e.event = '{ev}' AND e.timestamp >= TIMESTAMP '{start}')",
    "max(e.timestamp) FILTER (WHERE e.channel = '{ch}')",
    "count(DISTINCT e.session_id) FILTER (WHERE e.timestamp >= TIMESTAMP '{start}')",
    "avg(e.amount) FILTER (WHERE e.category = '{cat}')",
)


def collapsed_floor_sql(n: int) -> str:
    """The floor of the runs up to fdbfd46 (kept to compare with them): ``n`` aggregates of five kinds
    whose parameters repeat, so DuckDB computes 14 different ones whatever ``n`` is."""
    events = FLOOR_EVENTS[:5]
    channels = ["web", "app", "mini_program", "email"]
    cats = ["手机", "户外", "美妆", "图书"]
    aggs = []
    for i in range(n):
        start = CLOCK.replace(year=CLOCK.year - 1) if i % 2 else CLOCK.replace(month=3)
        aggs.append(_COLLAPSED[i % len(_COLLAPSED)].format(ev=events[i % 5], start=f"{start:%Y-%m-%d %H:%M:%S}",
                                                           ch=channels[i % 4], cat=cats[i % 4]) + f" AS a{i}")
    return f"CREATE OR REPLACE TEMP TABLE _floor AS SELECT r.customer_id, {', '.join(aggs)} {_ATTRIBUTED}"


def touch(con, customers: int, touched: int, first: int = 0) -> None:
    """New events (loaded now) for ``touched`` customers spread over the base, from customer ``first``."""
    step = max(1, customers // touched)
    con.execute(f"""INSERT INTO events (source, source_key, load_id, loaded_at, row_number, message_id, type, event,
            user_id, timestamp, channel, category, amount)
        SELECT 'web', 'new{first}-' || i, 'bench2', now()::TIMESTAMP, 1, 'new{first}-' || i, 'track', 'Product Viewed',
               'C' || ({first} + i * {step}), {_at(CLOCK)} - INTERVAL 1 HOUR, 'app', '户外', 99
        FROM range({touched}) t(i)""")


def timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - started, 2)


def one_incremental(root: Path, customers: int, touched: int, first: int) -> None:
    """In this (new) process: open the workspace, load new events, time one build; print it as JSON."""
    started = time.perf_counter()
    ws = huaxiang.open_workspace(root / "main")
    opened = time.perf_counter() - started
    touch(ws.warehouse.raw, customers, touched, first=first)
    result, seconds = timed(lambda: ws.profiles.build())
    print(json.dumps({"open_s": round(opened, 2), "build_s": seconds, "kind": result.kind,
                      "plan": result.counts.get("plan"), "store": result.counts.get("store")}))
    ws.close()


def new_process(args: argparse.Namespace, first: int) -> dict:
    """``one_incremental`` in a new Python process (what a ``huaxiang build`` command pays)."""
    cmd = [sys.executable, __file__, "--one-incremental", str(first), "--dir", args.dir,
           "--customers", str(args.customers), "--touched", str(args.touched)]
    started = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "process_s": round(time.perf_counter() - started, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=20_000_000)
    ap.add_argument("--touched", type=int, default=1000)
    ap.add_argument("--spark-events", type=int, default=2_000_000)
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--dir", default="/tmp/hx-build")
    ap.add_argument("--kept-runs", type=int, default=5)
    ap.add_argument("--one-incremental", type=int, metavar="FIRST", help=argparse.SUPPRESS)
    args = ap.parse_args()
    root = Path(args.dir)
    if args.one_incremental is not None:
        return one_incremental(root, args.customers, args.touched, args.one_incremental)
    ws, gen_s = timed(lambda: workspace(root / "main", args.customers, args.events))
    defs = ws.profiles.definitions()
    functions = [t.aggregate.function for t in defs.traits if t.aggregate]
    aggregated = len(functions)
    result, build_s = timed(lambda: ws.profiles.build(full=True))
    _, floor_s = timed(lambda: ws.warehouse.raw.execute(floor_sql(functions)))
    _, collapsed_s = timed(lambda: ws.warehouse.raw.execute(collapsed_floor_sql(aggregated)))
    touch(ws.warehouse.raw, args.customers, args.touched)
    inc, incremental_s = timed(lambda: ws.profiles.build())
    touch(ws.warehouse.raw, args.customers, args.touched, first=1)
    stored, stored_s = timed(lambda: ws.profiles.build())
    runs = []
    for k in range(args.kept_runs):
        touch(ws.warehouse.raw, args.customers, args.touched, first=2 + k)
        kept, seconds = timed(lambda: ws.profiles.build())
        runs.append(seconds)
    kept_s = statistics.median(runs)
    out = {"benchmark": "build", "customers": args.customers, "events": args.events, "traits": len(defs.traits),
           "aggregated_traits": aggregated, "tags": len(defs.tags), "segments": len(defs.segments),
           "generate_s": gen_s, "build_s": build_s, "traits_s": result.counts.get("seconds_traits"),
           "floor_s": floor_s, "floor_aggregates": len(set(floor_aggregates(functions))),
           "ratio_to_floor": round(build_s / floor_s, 2),
           "traits_ratio_to_floor": round(result.counts.get("seconds_traits", build_s) / floor_s, 2),
           "collapsed_floor_s": collapsed_s, "ratio_to_collapsed_floor": round(build_s / collapsed_s, 2),
           "incremental_kind": inc.kind, "incremental_customers": inc.customers, "incremental_s": incremental_s,
           "incremental_store": inc.counts.get("store"), "store_write_s": inc.counts.get("seconds_store"),
           "incremental_stored_store": stored.counts.get("store"), "incremental_stored_s": stored_s,
           "incremental_kept_plan": kept.counts.get("plan"), "incremental_kept_store": kept.counts.get("store"),
           "incremental_kept_customers": kept.customers, "incremental_kept_s": kept_s,
           "incremental_kept_first_s": runs[0], "incremental_kept_runs": runs,
           "incremental_kept_compile_s": round(stored_s - kept_s, 2)}
    ws.close()
    fresh = new_process(args, first=2 + args.kept_runs)
    out.update({"incremental_new_process_s": fresh["build_s"], "incremental_new_process_plan": fresh["plan"],
                "incremental_new_process_store": fresh["store"], "new_process_open_s": fresh["open_s"],
                "new_process_s": fresh["process_s"]})
    if not args.no_spark:
        small = max(1000, args.customers * args.spark_events // max(args.events, 1))
        sws = workspace(root / "spark", small, args.spark_events)
        _, duck_s = timed(lambda: sws.profiles.build(full=True, engine="duckdb"))
        _, spark_s = timed(lambda: sws.profiles.build(full=True, engine="spark"))
        out.update({"spark_customers": small, "spark_events": args.spark_events, "spark_s": spark_s,
                    "spark_duckdb_s": duck_s, "spark_ratio_to_duckdb": round(spark_s / duck_s, 2)})
        sws.close()
    out["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
