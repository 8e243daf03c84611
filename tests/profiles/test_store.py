"""The fact store (profiles.store): incremental DuckDB builds that read it build what full builds build."""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest
from pshop import load, make_shop, profiles
from test_traits import ORDERS_TRAITS

from huaxiang.profiles import store

ORDER_HEADER = "order_id,customer,phone,time,status,channel,paid,discount,refund"
ITEM_HEADER = "order_id,line,category,brand,amount,returned"


def _table(ws) -> list[tuple]:
    return ws.warehouse.raw.execute("SELECT * EXCLUDE (build) FROM profiles ORDER BY customer_id").fetchall()


def _incremental_equals_full(ws) -> None:
    """The profiles of the incremental build just made equal a full build's."""
    incremental = _table(ws)
    full = ws.profiles.build(full=True)
    assert full.kind == "full" and full.counts["store"] == "extended"
    assert _table(ws) == incremental


def _with_store(make_ws):
    """The shop after a full build and an incremental one (which wrote the store)."""
    ws = make_shop(make_ws, ORDERS_TRAITS)
    assert ws.profiles.build().counts["store"] is None  # a full build does not write it
    load(ws, orders=[ORDER_HEADER, "O11,C2,,2024-02-01 10:00:00,completed,app,10.00,0,0"])
    result = ws.profiles.build()
    assert (result.kind, result.counts["store"]) == ("incremental", "written")
    return ws


def _new_rows(ws, table: str) -> int:
    return ws.warehouse.raw.execute(f"SELECT count(*) FROM {store.new_rows_table(table)}").fetchone()[0]


def test_the_first_incremental_build_writes_the_store_and_the_next_builds_read_and_extend_it(make_ws):
    ws = _with_store(make_ws)
    state = store.current(ws.warehouse)
    assert state.generation == ws.profiles.history(1)[0]["id"]  # the build that wrote it
    # the columns the traits read, and no others (the text of an event's properties is not read)
    assert {"customer_id", "at", "paid_amount", "refund_amount", "status", "channel"} <= set(state.columns["orders"])
    assert "properties" not in state.columns["events"] and "raw" not in state.columns["orders"]
    folder = store.directory(ws.warehouse) / f"g{state.generation}"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["golden_records.arrow", *(f"{t}{ext}" for t in state.tables for ext in (".arrow", ".offsets.npy"))])

    load(ws, orders=[ORDER_HEADER, "O8,C3,,2025-06-29 09:00:00,completed,web,120.00,0,0"],
         items=[ITEM_HEADER, "O8,1,图书,中信,120.00,否"])
    second = ws.profiles.build()
    assert (second.kind, second.customers, second.counts["store"]) == ("incremental", 1, "read")
    assert profiles(ws, "orders_all", "top_categories")["C3"] == {"orders_all": 1, "top_categories": ["图书"]}
    load(ws, orders=[ORDER_HEADER, "O9,,13911112222,2025-06-15 09:00:00,completed,jd,60.00,6.00,0"])
    third = ws.profiles.build()
    assert (third.kind, third.customers, third.counts["store"]) == ("incremental", 1, "read")
    # both builds' new rows are kept for the next ones, with the watermark they cover
    assert (_new_rows(ws, "orders"), _new_rows(ws, "order_items")) == (2, 1)
    assert store.current(ws.warehouse).covered == third.counts["state"]["watermark"]
    assert profiles(ws, "orders_all")["C1"] == {"orders_all": 5}  # O1-O4 and O9 by phone
    _incremental_equals_full(ws)
    # a full build adds what was loaded since the last build to the same generation
    load(ws, orders=[ORDER_HEADER, "O12,C3,,2025-06-28 09:00:00,completed,web,30.00,0,0"])
    full = ws.profiles.build(full=True)
    assert (full.counts["store"], _new_rows(ws, "orders")) == ("extended", 3)
    assert store.current(ws.warehouse).generation == state.generation
    load(ws, orders=[ORDER_HEADER, "O13,C3,,2025-06-29 09:00:00,completed,web,40.00,0,0"])
    assert ws.profiles.build().counts["store"] == "read"
    assert profiles(ws, "orders_all")["C3"] == {"orders_all": 3}
    _incremental_equals_full(ws)


def test_a_row_loaded_again_replaces_its_stored_version(make_ws):
    ws = _with_store(make_ws)
    # O1 again, paid 450 and refunded 100 (it was 300 and 0); and one of its lines now returned
    load(ws, orders=[ORDER_HEADER, "O1,C1,,2025-06-20 10:00:00,completed,app,450.00,30.00,100.00"],
         items=[ITEM_HEADER, "O1,2,图书,中信,100.00,是"])
    result = ws.profiles.build()
    assert (result.kind, result.counts["store"]) == ("incremental", "read")
    assert profiles(ws, "orders_all", "net_30d", "returned_lines")["C1"] == {
        "orders_all": 4, "net_30d": 350.0, "returned_lines": 2}
    # loaded a third time: the version appended by the last build is replaced too
    load(ws, orders=[ORDER_HEADER, "O1,C1,,2025-06-20 10:00:00,completed,app,500.00,30.00,0"])
    assert ws.profiles.build().counts["store"] == "read"
    assert _new_rows(ws, "orders") == 1  # the last O1 only
    assert profiles(ws, "orders_all", "net_30d")["C1"] == {"orders_all": 4, "net_30d": 500.0}
    _incremental_equals_full(ws)


def test_an_order_line_loaded_before_its_order_counts_once_the_order_comes(make_ws):
    ws = _with_store(make_ws)
    load(ws, items=[ITEM_HEADER, "O10,1,户外,北面,70.00,否"])  # no order O10 yet: nobody's line
    assert ws.profiles.build().counts["store"] == "read"
    assert profiles(ws, "top_categories")["C2"] == {"top_categories": ["美妆"]}
    load(ws, orders=[ORDER_HEADER, "O10,C2,,2025-06-21 10:00:00,completed,app,70.00,0,0"])
    result = ws.profiles.build()
    assert (result.counts["store"], result.customers) == ("read", 1)
    assert profiles(ws, "top_categories")["C2"] == {"top_categories": ["美妆", "户外"]}  # 80 and 70
    _incremental_equals_full(ws)


def test_new_identities_or_lost_files_make_the_build_find_rows_by_identifier_and_write_the_store_again(make_ws):
    ws = _with_store(make_ws)
    first = store.current(ws.warehouse)
    # the phone of O6 becomes C3's: identity resolution runs, the stored rows' owners may be stale
    load(ws, crm=["crm_id,name,phone,city,registered", "C3,赵敏,13900000001,北京市,2025-06-01 09:00:00"])
    ws.identity.build()
    second = ws.profiles.build()
    assert (second.kind, second.counts["store"]) == ("incremental", "written")
    assert store.current(ws.warehouse).generation == second.build != first.generation
    assert profiles(ws, "orders_all")["C3"] == {"orders_all": 1}
    shutil.rmtree(store.directory(ws.warehouse))
    _new_order_writes_the_store_again(ws, orders_of_c3=2)


def _new_order_writes_the_store_again(ws, *, orders_of_c3: int) -> None:
    """A new order of C3, then an incremental build that cannot read the store: it writes one, and
    builds what a full build builds."""
    load(ws, orders=[ORDER_HEADER, "O8,C3,,2025-06-29 09:00:00,completed,web,120.00,0,0"])
    result = ws.profiles.build()
    assert (result.kind, result.counts["store"]) == ("incremental", "written")
    assert profiles(ws, "orders_all")["C3"] == {"orders_all": orders_of_c3}
    _incremental_equals_full(ws)


@pytest.mark.parametrize("damage", ["older layout", "truncated"])
def test_a_file_of_another_layout_or_a_broken_one_makes_the_build_write_the_store_again(make_ws, damage):
    ws = _with_store(make_ws)
    folder = store.directory(ws.warehouse) / f"g{store.current(ws.warehouse).generation}"
    path = folder / "orders.arrow"
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    else:  # as an older version wrote it: batches of another size, no layout named
        rows = ipc.open_file(pa.memory_map(str(path))).read_all()
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, rows.schema.with_metadata({})) as out:
            out.write_table(rows)
    _new_order_writes_the_store_again(ws, orders_of_c3=1)


def test_a_gather_reads_each_customers_rows_across_batch_boundaries(tmp_path):
    con = duckdb.connect()
    # 300 customers with 0 to 20 rows each (about 3 batches' worth): runs start and end anywhere
    con.execute("CREATE TABLE t AS SELECT c::INTEGER AS cno, r, 'v' || c || '-' || r AS v "
                "FROM range(300) a(c), range(20) b(r) WHERE r < (c * 7) % 21")
    path = tmp_path / "t.arrow"
    counts = store._write_arrow(con, "SELECT * FROM t ORDER BY cno, r", path, customers=300)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    reader = store._open(path)
    total = con.execute("SELECT count(*) FROM t").fetchone()[0]
    assert total > 2 * store.BATCH_ROWS and reader.schema.metadata == store.LAYOUT
    assert [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)] == \
        [store.BATCH_ROWS] * (total // store.BATCH_ROWS) + [total % store.BATCH_ROWS]
    crossing = [c for c in range(300) if offsets[c] // store.BATCH_ROWS != (offsets[c + 1] - 1) // store.BATCH_ROWS]
    cnos = np.array(sorted({0, 3, 21, 150, 299, *crossing}))  # 0, 3 and 21 have no rows
    got = store._gather(reader, offsets[cnos], offsets[cnos + 1])
    want = con.execute(f"SELECT * FROM t WHERE cno IN ({', '.join(map(str, cnos))}) ORDER BY cno, r").fetchall()
    assert crossing and list(zip(*got.to_pydict().values())) == want
    assert store._gather(reader, offsets[[0, 3]], offsets[[1, 4]]).num_rows == 0
