"""Orders and order lines, generated for one chunk of people at a time.

Each type buys its own categories at its own price level, through its own channels, with its
own coupon habit; nobody buys after churning. How an order names its customer depends on the
channel, as in real retail: marketplaces (Tmall, JD) pass the buyer's phone, the retailer's own
web shop / app / mini-program the CRM customer id, and the store till the member id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from huaxiang.demo import archetypes as A
from huaxiang.demo import vocab as V
from huaxiang.demo.catalog import CATEGORIES, Catalog, pick_products
from huaxiang.demo.customers import Records
from huaxiang.demo.geography import Stores
from huaxiang.demo.people import People
from huaxiang.demo.sampling import choice_by_group
from huaxiang.demo.strs import S, digits, join, labels, text
from huaxiang.demo.timeline import DAY, NOW, promo_shift, spread, to_datetime64

MARKETPLACES, OWN, STORE = (0, 1), (2, 3, 4), 5
CANCELLED = 0.03
COUPONS = ("CPN-618-50", "CPN-D11-100", "NEW-USER-20", "VIP-88", "FULL-200-30", "BDAY-50")


@dataclass
class OrderBatch:
    orders: pa.Table
    items: pa.Table
    online: dict[str, np.ndarray]  # own-channel orders, for the Order Completed events
    first_90_days: np.ndarray  # per person of the chunk: net revenue in the 90 days after registering


def make_orders(rng, people: People, records: Records, shops: Stores, catalog: Catalog,
                chunk: slice, first_seq: int, locale: str) -> OrderBatch:
    idx = np.arange(len(people))[chunk]
    types = people.type[idx]
    end = np.minimum(people.churn[idx], NOW)
    rate = A.vector("orders")[types] * people.intensity[idx]
    local, t = spread(rng, people.start[idx], end, people.churn[idx], rate, A.hours(), types)
    t = promo_shift(rng, t, people.start[idx][local], end[local], 0.12)
    order = np.argsort(t, kind="stable")
    local, t = local[order], t[order]
    who = idx[local]
    channel = _channels(rng, people.type[who], records.member_id[who] != "")
    lines = _lines(rng, people.type[who], catalog, t)
    totals = _totals(rng, lines, len(who), people.type[who])
    order_id = join("DD", np.strings.replace(text(to_datetime64(t).astype("datetime64[D]")), "-", ""),
                    digits(first_seq + np.arange(len(who)), 8))
    orders = _order_table(rng, people, records, shops, who, t, channel, totals, order_id, locale)
    items = _item_table(lines, order_id, catalog, locale)
    online = _online(who, t, channel, totals, order_id, lines)
    return OrderBatch(orders, items, online, _first_90_days(people, who, t, totals, idx))


def _channels(rng, types: np.ndarray, is_member: np.ndarray) -> np.ndarray:
    """Only store members are known at the till; other people's store visits become online orders."""
    channel = choice_by_group(rng, types, A.matrix("order_channels"))
    stray = (channel == STORE) & ~is_member
    channel[stray] = rng.integers(0, STORE, int(stray.sum()))
    return channel


def _lines(rng, types: np.ndarray, catalog: Catalog, t: np.ndarray) -> dict[str, np.ndarray]:
    """Order lines: categories by the buyer's type, products by the type's price taste."""
    count = 1 + rng.poisson(A.vector("extra_items")[types])
    of = np.repeat(np.arange(len(types)), count)
    line_types = types[of]
    category = choice_by_group(rng, line_types, A.category_weights())
    product = pick_products(rng, category, A.vector("price_alpha")[line_types])
    multi = np.array([c.multi for c in CATEGORIES])[category]
    quantity = np.where(multi, 1 + rng.poisson(1.0, len(of)), 1 + (rng.random(len(of)) < 0.05))
    returns = np.array([c.returns for c in CATEGORIES])[category] * A.vector("returns")[line_types]
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    return {
        "order": of, "line_no": np.arange(len(of)) - start[of] + 1, "category": category, "product": product,
        "quantity": quantity, "unit_price": catalog.price[product],
        "returned": rng.random(len(of)) < returns,
    }


def _totals(rng, lines: dict, n: int, types: np.ndarray) -> dict[str, np.ndarray]:
    """Coupons, returns, cancellations and the order amounts that follow from the lines."""
    coupon = rng.random(n) < A.vector("coupon")[types]
    depth = np.where(coupon, rng.uniform(0.05, A.vector("depth")[types] + 0.05), 0.0)
    of = lines["order"]
    gross = lines["unit_price"] * lines["quantity"]
    lines["discount"] = np.round(gross * depth[of], 2)
    lines["amount"] = np.round(gross - lines["discount"], 2)
    cancelled = rng.random(n) < CANCELLED
    lines["returned"] &= ~cancelled[of]
    total = np.round(np.bincount(of, gross, n), 2)
    discount = np.round(np.bincount(of, lines["discount"], n), 2)
    refund = np.round(np.bincount(of, lines["amount"] * lines["returned"], n), 2)
    returned = np.bincount(of, lines["returned"], n)
    status = np.where(cancelled, 3, np.where(returned == 0, 0, np.where(returned == np.bincount(of, minlength=n), 1, 2)))
    paid = np.where(cancelled, 0.0, np.round(total - discount, 2))
    return {"total": total, "discount": discount, "paid": paid, "refund": refund, "status": status, "coupon": coupon}


def _order_table(rng, people, records: Records, shops: Stores, who, t, channel, totals, order_id, locale) -> pa.Table:
    n = len(who)
    phone = people.phone[who].astype(S) if locale == "zh" else join("+1", people.phone[who].astype(S))
    own = np.isin(channel, OWN)
    crm = records.crm_id[who]
    by_key = own & (crm != "")
    store = channel == STORE
    by_member = store & (rng.random(n) < 0.9)
    home = records.store_of[who]
    visited = np.where(rng.random(n) < 0.9, home, rng.integers(0, len(shops.store_id), n))
    payment = _payment(rng, people.type[who], channel)
    coupon = labels(COUPONS, rng.integers(0, len(COUPONS), n))
    return pa.table({
        "order_id": pa.array(order_id),
        "customer_key": _masked(crm, ~by_key),
        "member_id": _masked(records.member_id[who], ~by_member),
        "phone": _masked(phone, by_key | by_member),
        "order_time": pa.array(to_datetime64(t), pa.timestamp("s")),
        "status": _dictionary(V.labels("order_status", locale), totals["status"]),
        "channel": _dictionary(V.labels("order_channel", locale), channel),
        "store_id": _masked(shops.store_id[np.maximum(visited, 0)], ~store),
        "total_amount": totals["total"], "discount_amount": totals["discount"], "paid_amount": totals["paid"],
        "refund_amount": totals["refund"],
        "payment_method": _dictionary(V.labels("payment", locale), payment),
        "coupon_code": _masked(coupon, ~totals["coupon"]),
        "currency": _dictionary(("CNY" if locale == "zh" else "USD",), np.zeros(n, dtype=np.int64)),
    })


def _payment(rng, types: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """Cash only at the till; Tmall buyers mostly pay with Alipay."""
    pay = choice_by_group(rng, types, A.matrix("payment"))
    pay[(pay == 3) & (channel != STORE)] = 0
    pay[(channel == 0) & (rng.random(len(pay)) < 0.85)] = 1
    return pay


def _item_table(lines: dict, order_id: np.ndarray, catalog: Catalog, locale: str) -> pa.Table:
    product = pa.array(lines["product"])
    return pa.table({
        "order_id": pa.array(order_id).take(pa.array(lines["order"])),
        "line_no": lines["line_no"].astype(np.int64),
        "product_id": pa.array(catalog.product_id).take(product),
        "product_name": pa.array(catalog.name).take(product),
        "category": _dictionary(catalog.category_names, lines["category"]),
        "brand": pa.array(catalog.brand).take(product),
        "quantity": lines["quantity"].astype(np.int64),
        "unit_price": lines["unit_price"], "discount_amount": lines["discount"], "amount": lines["amount"],
        "returned": _dictionary(V.labels("yes_no", locale), np.where(lines["returned"], 0, 1)),
    })


def _online(who, t, channel, totals, order_id, lines) -> dict[str, np.ndarray]:
    first_line = np.concatenate([[0], np.flatnonzero(np.diff(lines["order"])) + 1])
    keep = np.isin(channel, OWN) & (totals["status"] != 3)
    return {"person": who[keep], "time": t[keep], "order_id": order_id[keep], "paid": totals["paid"][keep],
            "discount": totals["discount"][keep], "channel": channel[keep] - OWN[0],
            "category": lines["category"][first_line][keep]}


def _first_90_days(people: People, who, t, totals, idx) -> np.ndarray:
    early = t < people.registered[who] + 90 * DAY
    net = (totals["paid"] - totals["refund"]) * early
    return np.bincount(who - idx[0], net, len(idx)) if len(idx) else np.zeros(0)


def _masked(values: np.ndarray, hide: np.ndarray) -> pa.Array:
    values = np.asarray(values).astype(S)
    return pa.array(values, mask=np.asarray(hide) | (values == ""))


def _dictionary(options, index: np.ndarray) -> pa.Array:
    """Low-cardinality text, built from its few values (Parquet dictionary-encodes it again on write)."""
    codes = pa.array(np.asarray(index, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(codes, pa.array(list(options), pa.string())).dictionary_decode()
