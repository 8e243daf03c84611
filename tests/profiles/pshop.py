"""A hand-made shop for profile tests: CRM contacts, orders with lines, web events, and trait files.

Every number the tests assert can be worked out from the rows below by hand.
(A module of its own: several conftest.py exist, so none is importable by name.)
"""

from __future__ import annotations

import json
import shutil

import yaml
from helpers import write

CRM = {"kind": "customers", "format": "csv", "path": "data/crm.csv", "key": ["crm_id"], "timezone": "UTC",
       "columns": {"crm_id": "crm_id", "name": "name", "phone": "phone", "city": "city", "registered": "registered_at"}}
ORDERS = {"kind": "orders", "format": "csv", "path": "data/orders.csv", "timezone": "UTC",
          "columns": {"order_id": "order_id", "customer": "customer_key", "phone": "phone", "time": "order_time",
                      "status": "status", "channel": "channel", "paid": "paid_amount", "discount": "discount_amount",
                      "refund": "refund_amount"}}
ITEMS = {"kind": "order_items", "format": "csv", "path": "data/items.csv",
         "columns": {"order_id": "order_id", "line": "line_no", "category": "category", "brand": "brand",
                     "amount": "amount", "returned": "returned"}}
WEB = {"kind": "events", "format": "jsonl", "path": "data/web.jsonl", "timezone": "UTC",
       "columns": {"messageId": "message_id", "type": "type", "event": "event", "userId": "user_id",
                   "anonymousId": "anonymous_id", "timestamp": "timestamp", "properties": "properties"}}
SOURCES = {"crm": CRM, "orders": ORDERS, "items": ITEMS, "web": WEB}

#: the shop's clock: builds run as of this moment (UTC)
CLOCK = "2025-06-30T12:00:00"

CRM_ROWS = [
    "crm_id,name,phone,city,registered",
    "C1,王芳,13911112222,上海市,2023-01-10 09:00:00",
    "C2,李雷,13933334444,成都市,2024-05-01 09:00:00",
    "C3,赵敏,13955556666,北京市,2025-06-01 09:00:00",  # registered a month before the clock, never ordered
]
ORDER_ROWS = [
    "order_id,customer,phone,time,status,channel,paid,discount,refund",
    "O1,C1,,2025-06-20 10:00:00,completed,app,300.00,30.00,0",      # 10 days before the clock
    "O2,C1,,2025-05-01 10:00:00,completed,app,200.00,0,50.00",      # 60 days before
    "O3,C1,,2024-01-01 10:00:00,completed,store,1000.00,0,0",       # > 365 days before
    "O4,C1,,2025-06-25 10:00:00,cancelled,web,0,0,0",               # cancelled
    "O5,,13933334444,2025-06-29 23:00:00,completed,tmall,80.00,8.00,0",  # C2 by phone only
    "O6,,13900000001,2025-06-29 23:00:00,completed,jd,99.00,0,0",   # a phone nobody has: no customer
    "O7,C2,,2025-07-05 10:00:00,completed,app,500.00,0,0",          # after the clock: never counted
]
ITEM_ROWS = [
    "order_id,line,category,brand,amount,returned",
    "O1,1,户外,北面,200.00,否",
    "O1,2,图书,中信,100.00,否",
    "O2,1,户外,北面,150.00,是",
    "O2,2,美妆,雅诗兰黛,50.00,否",
    "O3,1,图书,中信,1000.00,否",
    "O5,1,美妆,完美日记,80.00,否",
]
EVENTS = [
    {"messageId": "e1", "type": "track", "event": "Product Viewed", "userId": "C1", "anonymousId": "d1",
     "timestamp": "2025-06-28T02:30:00Z", "properties": {"category": "户外"}},   # 10:30 in Shanghai
    {"messageId": "e2", "type": "track", "event": "Product Viewed", "userId": "C1", "anonymousId": "d1",
     "timestamp": "2025-06-27T14:00:00Z", "properties": {"category": "户外"}},   # 22:00 in Shanghai
    {"messageId": "e3", "type": "track", "event": "Product Viewed", "userId": "C1", "anonymousId": "d1",
     "timestamp": "2025-04-01T14:00:00Z", "properties": {"category": "图书"}},   # 90 days before
    {"messageId": "e4", "type": "page", "userId": "C2", "anonymousId": "d2", "timestamp": "2025-06-29T01:00:00Z"},
    {"messageId": "e5", "type": "track", "event": "Product Viewed", "anonymousId": "d2",  # anonymous, same device
     "timestamp": "2025-06-28T01:00:00Z", "properties": {"category": "美妆"}},
]


def traits(*items: dict) -> str:
    return yaml.safe_dump({"traits": list(items)}, allow_unicode=True, sort_keys=False)


def make_shop(make_ws, trait_yaml: str, tags_yaml: str = "", segments_yaml: str = "", *, clock: str | None = CLOCK):
    """A workspace with the shop's rows loaded, identities resolved, and only these definitions applied."""
    ws = make_ws(SOURCES)
    root = ws.root
    for sub in ("traits", "tags", "segments"):  # the built-in library: not in these tests
        shutil.rmtree(root / sub, ignore_errors=True)
        (root / sub).mkdir()
    write(root / "traits" / "shop.yml", trait_yaml)
    if tags_yaml:
        write(root / "tags" / "shop.yml", tags_yaml)
    if segments_yaml:
        write(root / "segments" / "shop.yml", segments_yaml)
    if clock:
        config = root / "huaxiang.yml"
        config.write_text(config.read_text(encoding="utf-8") + f"\nclock: {clock}\n", encoding="utf-8")
    ws.close()
    import huaxiang

    ws = huaxiang.open_workspace(root)
    ws.apply()
    load(ws, CRM_ROWS, ORDER_ROWS, ITEM_ROWS, EVENTS)
    ws.identity.build()
    return ws


def load(ws, crm=(), orders=(), items=(), events=()) -> None:
    for source, rows, file in (("crm", crm, "crm.csv"), ("orders", orders, "orders.csv"), ("items", items, "items.csv")):
        if rows:
            write(ws.root / "data" / file, "\n".join(rows) + "\n")
            ws.ingest.load(source)
    if events:
        write(ws.root / "data/web.jsonl", "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events))
        ws.ingest.load("web")


def profiles(ws, *columns: str) -> dict[str, dict]:
    """crm_id -> {trait: value} (customers found through their CRM record)."""
    cols = ", ".join(f"p.{c}" for c in columns)
    rows = ws.warehouse.raw.execute(f"""SELECT r.source_key, {cols} FROM profiles p
        JOIN customer_records r USING (customer_id) WHERE r.source = 'crm' ORDER BY 1""").fetchall()
    return {r[0]: dict(zip(columns, r[1:])) for r in rows}
