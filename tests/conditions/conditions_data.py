"""A few customers with traits, events, orders, tags and segments, as Ibis memtables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa

from huaxiang.compile.conditions import Context

AS_OF = dt.datetime(2025, 6, 30, 12, 0, 0)
D = Decimal


def _table(columns: dict[str, tuple[pa.DataType, list]]) -> pa.Table:
    return pa.table({name: pa.array(values, type=dtype) for name, (dtype, values) in columns.items()})


CUSTOMERS = _table({
    "customer_id": (pa.string(), ["c1", "c2", "c3"]),
    "monetary_365d": (pa.decimal128(18, 2), [D("6000.00"), D("100.50"), None]),
    "orders_365d": (pa.int64(), [12, 1, None]),
    "aov": (pa.float64(), [500.0, 100.5, None]),
    "rfm_segment_cn": (pa.string(), ["重要价值客户", "一般客户", None]),
    "city": (pa.string(), ["上海", "beijing", None]),
    "vip": (pa.bool_(), [True, False, None]),
    "birth_date": (pa.date32(), [dt.date(1990, 7, 1), dt.date(2000, 1, 1), None]),
    "last_seen": (pa.timestamp("us"), [dt.datetime(2025, 6, 29, 23, 30), dt.datetime(2025, 6, 1), None]),
    "interests": (pa.list_(pa.string()), [["户外", "跑步"], [], None]),
})

_EVENTS = [  # customer, at, event, category
    ("c1", dt.datetime(2025, 5, 31, 11, 59, 59), "Product Viewed", "户外"),  # one second before 30d
    ("c1", dt.datetime(2025, 5, 31, 12, 0, 0), "Product Viewed", "户外"),  # exactly 30d before as_of
    ("c1", dt.datetime(2025, 6, 20), "Product Viewed", "户外"),
    ("c1", dt.datetime(2025, 6, 21), "Order Completed", None),
    ("c1", AS_OF, "Product Viewed", "户外"),  # at as_of: counted
    ("c1", dt.datetime(2025, 6, 30, 12, 0, 1), "Product Viewed", "户外"),  # after as_of: never
    ("c2", dt.datetime(2025, 6, 10), "Product Viewed", "户外"),
    ("c2", dt.datetime(2025, 6, 11), "Product Viewed", "美妆"),
    ("c9", dt.datetime(2025, 6, 11), "Product Viewed", "户外"),  # not a base customer
]
EVENTS = _table({
    "customer_id": (pa.string(), [e[0] for e in _EVENTS]),
    "at": (pa.timestamp("us"), [e[1] for e in _EVENTS]),
    "event": (pa.string(), [e[2] for e in _EVENTS]),
    "category": (pa.string(), [e[3] for e in _EVENTS]),
})

_ORDERS = [  # customer, at, amount, status
    ("c1", dt.datetime(2025, 6, 1), D("100.00"), "paid"),
    ("c1", dt.datetime(2025, 6, 25), D("50.50"), "paid"),
    ("c1", dt.datetime(2025, 6, 26), D("30.00"), "refunded"),
    ("c1", dt.datetime(2025, 7, 1), D("999.00"), "paid"),  # after as_of
    ("c2", dt.datetime(2025, 1, 1), D("20.00"), "paid"),
    ("c2", dt.datetime(2025, 6, 15), None, "paid"),
]
ORDERS = _table({
    "customer_id": (pa.string(), [o[0] for o in _ORDERS]),
    "at": (pa.timestamp("us"), [o[1] for o in _ORDERS]),
    "amount": (pa.decimal128(18, 2), [o[2] for o in _ORDERS]),
    "status": (pa.string(), [o[3] for o in _ORDERS]),
})

TAGS = _table({"customer_id": (pa.string(), ["c1", "c1", "c2", "c9"]),
               "tag": (pa.string(), ["价格敏感型", "vip_gold", "vip_gold", "价格敏感型"])})
SEGMENTS = _table({"customer_id": (pa.string(), ["c2"]), "segment": (pa.string(), ["高价值客户"])})

ARROW = {"customers": CUSTOMERS, "events": EVENTS, "orders": ORDERS, "tags": TAGS, "segments": SEGMENTS}


def context(tables: dict[str, ibis.Table], local_offset: dt.timedelta = dt.timedelta(0)) -> Context:
    return Context(as_of=AS_OF, local_offset=local_offset, fact=lambda name: tables[name],
                   tags=lambda: tables["tags"], segments=lambda: tables["segments"],
                   tag_aliases={"金卡会员": "vip_gold"})
