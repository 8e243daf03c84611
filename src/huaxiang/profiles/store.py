"""The fact store: every fact table's attributed rows, ordered by customer, for incremental builds.

**Why it exists.** An incremental build recomputes the customers that new rows touched, from all
their rows. DuckDB reads a few customers' rows out of a big table no faster than the whole table:
it compresses each column in row groups of 122,880 rows, decompresses every row group a wanted row
is in, and 1,000 random customers have rows in every row group of 20M events (1.7–2.5 s, ordered by
customer or not, with an ART index or not: docs/benchmarks.md). Lance, a format made for random
access, took 1.4 s for the same 20,000 rows. So the store is written here, from parts that do the
work: DuckDB attributes and orders the rows, Arrow keeps them uncompressed in IPC files read
through a memory map, NumPy finds each customer's rows. The files are cut into record batches of
``BATCH_ROWS`` rows, so every column of a customer's rows lies within a few pages: reading 1,000
customers maps a few pages per customer, not one per column and customer (a page fault each, which
is what a gather from batches of a million rows cost: 0.06–0.1 s of events against 0.03 s).

**Layout**, next to the warehouse (``warehouse.duckdb.store/``): a directory per generation,
``g<build>/``, with ``<table>.arrow`` (the rows, ordered by ``cno``, the customer's number in this
generation: the warehouse table ``store_customers``) and ``<table>.offsets.npy`` (where the rows of
each ``cno`` start), and ``golden_records.arrow`` (the golden record of each ``cno``, in its row). Rows loaded after a generation was written are appended by each
incremental build to the warehouse table ``store_new_<table>``, in that build's transaction.
``store_state`` names the current generation, the identity resolution its rows were attributed
by, the load watermark it covers with the new rows, and the columns it keeps of each table (those
the traits and the tag and segment conditions read).

**When it is used**: by an incremental DuckDB build whose identity resolution is the store's and
whose watermark is the one the store covers. Otherwise (identities changed, a Spark build in
between, the files gone, a definition reading a column the store does not keep) the build finds
the rows through the customers' identifiers, as before, and writes a new generation after it
(about 30 s at a million customers and 20 million events; docs/benchmarks.md). A full DuckDB build
does not write one (it would add a quarter to its time): it appends the rows loaded since to a
store that covers the last build, so the store lives until identity resolution changes who owns
which rows.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from huaxiang.compile.conditions import Context
from huaxiang.compile.conditions.customers import history_metric
from huaxiang.compile.traits import table_passes, used_columns
from huaxiang.domain.conditions import history_calls, parse
from huaxiang.ingest.store import q
from huaxiang.profiles.definitions import Definitions
from huaxiang.profiles.facts import SIGNAL_COLUMNS, SIGNALS

STATE = "store_state"
GOLDEN = "golden_records"
#: customer_id -> cno, the customer's number in the current generation (its rows' place in the files)
CUSTOMERS = "store_customers"
#: the step of a kept plan that reads the store (``plans.run`` calls ``fetch`` for it)
FETCH = "-- huaxiang: fact store fetch"
#: rows per record batch of a file: all the columns of a batch lie within ~50 KB (a few pages);
#: every batch but the last has exactly this many rows, so row ``r`` is in batch ``r // BATCH_ROWS``
BATCH_ROWS = 256
#: the schema metadata of a file, naming its layout (a file of another layout is not read)
LAYOUT = {b"huaxiang.store.batch_rows": str(BATCH_ROWS).encode()}
#: threads reading the store's files at once
READERS = 4
#: the column of a stored row's key (``row_key``)
KEY = "_key"


def directory(wh: Any) -> Path:
    return wh.path.parent / (wh.path.name + ".store")


def new_rows_table(name: str) -> str:
    """The warehouse table of ``name``'s rows loaded after the current generation."""
    return f"store_new_{name}"


@dataclass(frozen=True)
class State:
    generation: int
    identity: str
    covered: str | None
    columns: dict[str, list[str]]  # fact table -> kept columns

    @property
    def tables(self) -> list[str]:
        return sorted(self.columns)


def needed(defs: Definitions, facts: dict[str, ir.Table], ctx: Context) -> dict[str, list[str]]:
    """Fact table -> the columns an incremental build reads of it: those the traits' passes and the
    tags' and segments' history calls read, ``customer_id`` and ``at``, and (interactions) the keys
    the text signals join on. The signals themselves are joined when the rows are read."""
    by_table: dict[str, list[Any]] = {}
    for trait in defs.traits:
        if trait.aggregate:
            by_table.setdefault(trait.aggregate.table, []).append(trait)
    conditions = [parse(t.rule) for t in defs.tags if t.rule] + [parse(s.condition) for s in defs.segments]
    calls = [call for node in conditions for call in history_calls(node)]
    out = {}
    for name, table in facts.items():
        if name == "interactions":  # the signals are joined when the rows are read: probe as if they were
            table = table.mutate(**{c: ibis.null(t) for c, t in SIGNAL_COLUMNS.items() if c not in table.columns})
        def exprs(probe: ir.Table, name: str = name) -> list[ir.Table]:
            found = table_passes(probe, by_table[name], ctx) if name in by_table else []
            for call in calls:
                if call.args[0].name == name:
                    found.append(probe.group_by("customer_id").aggregate(v=history_metric(call, probe, ctx)))
            return found
        read = set(used_columns(table, exprs)) | {"customer_id", "at"}
        if name == "interactions":
            read |= {"source", "source_key"}
        out[name] = [c for c, dtype in table.schema().items() if c in read and not dtype.is_json()
                     and not (name == "interactions" and c in SIGNAL_COLUMNS)]
    return out


def current(wh: Any) -> State | None:
    if not wh.has_table(STATE):
        return None
    rows = wh.raw.execute(f"SELECT generation, identity, covered, tables FROM {STATE}").fetchall()
    if not rows:
        return None
    generation, identity, covered, tables = rows[0]
    return State(generation, identity, covered, json.loads(tables))


def usable(wh: Any, state: State | None, *, identity: str, since: str | None) -> bool:
    """Whether ``state``'s store holds every row an incremental build from watermark ``since`` reads
    (given that it keeps the columns the build reads: ``keeps``)."""
    if state is None or state.identity != identity or state.covered != since:
        return False
    folder = directory(wh) / f"g{state.generation}"
    files = [folder / f"{GOLDEN}.arrow", *(folder / f"{n}{ext}" for n in state.tables for ext in (".arrow", ".offsets.npy"))]
    tables = [CUSTOMERS, *(new_rows_table(n) for n in state.tables)]
    return (all(f.exists() for f in files) and all(_readable(f) for f in files if f.suffix == ".arrow")
            and wh.existing(tables) == set(tables))


def keeps(state: State, columns: dict[str, list[str]]) -> bool:
    """Whether the store has every fact table of ``columns`` (and no other) with at least those columns."""
    return set(state.columns) == set(columns) and all(set(c) <= set(state.columns[n]) for n, c in columns.items())


def write(engine: Any, facts: dict[str, ir.Table], columns: dict[str, list[str]], *, generation: int,
          identity: str, covered: str | None) -> None:
    """A new generation of ``facts`` (attributed rows, without the text signals), then made current."""
    wh = engine.wh
    con = wh.raw
    root = directory(wh)
    folder = root / f"g{generation}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    con.execute("CREATE OR REPLACE TEMP TABLE _store_numbers AS SELECT customer_id, "
                "(row_number() OVER (ORDER BY customer_id) - 1)::INTEGER AS cno FROM golden_records")
    customers = con.execute("SELECT count(*) FROM _store_numbers").fetchall()[0][0]
    facts = {name: expr.select(*columns[name], row_key(expr)) for name, expr in facts.items()}
    golden = ", ".join(f"g.{q(c)}" for c, t in wh.ibis.table(GOLDEN).schema().items() if not t.is_json())
    _write_arrow(con, f"SELECT {golden} FROM _store_numbers n JOIN {GOLDEN} g USING (customer_id) ORDER BY n.cno",
                 folder / f"{GOLDEN}.arrow")
    for name, expr in facts.items():
        rows = _write_arrow(con, f"SELECT n.cno, f.* FROM ({wh.sql(expr)}) f JOIN _store_numbers n "
                                 f"ON f.customer_id = n.customer_id ORDER BY n.cno", folder / f"{name}.arrow",
                            customers=customers)
        np.save(folder / f"{name}.offsets.npy", np.concatenate([[0], np.cumsum(rows)]).astype(np.int64))
    with wh.transaction():
        con.execute(f"CREATE OR REPLACE TABLE {CUSTOMERS} AS SELECT customer_id, cno FROM _store_numbers ORDER BY cno")
        for name, expr in facts.items():
            con.execute(f"CREATE OR REPLACE TABLE {new_rows_table(name)} AS SELECT * FROM ({wh.sql(expr)}) LIMIT 0")
        con.execute(f"CREATE OR REPLACE TABLE {STATE} (generation BIGINT, identity VARCHAR, covered VARCHAR, tables VARCHAR)")
        con.execute(f"INSERT INTO {STATE} VALUES (?, ?, ?, ?)", [generation, identity, covered, json.dumps(columns)])
    con.execute("DROP TABLE _store_numbers")
    for old in root.iterdir():  # the generations before this one: nothing reads them any more
        if old != folder and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def fetch(engine: Any, state: State) -> None:
    """``_store_<table>``: the stored rows of the customers in ``_touched``, a view per fact table (of
    Arrow data: copying them into DuckDB costs more than it saves), and ``_store_golden_records``: their
    golden records."""
    wh = engine.wh
    folder = directory(wh) / f"g{state.generation}"
    cnos = wh.raw.execute(f"SELECT cno FROM {CUSTOMERS} WHERE customer_id IN "
                          "(SELECT customer_id FROM _touched) ORDER BY cno").fetchnumpy()["cno"]
    cnos = np.asarray(cnos, dtype=np.int64)

    def rows(name: str) -> pa.Table:
        if name == GOLDEN:
            return _gather(_open(folder / f"{GOLDEN}.arrow"), cnos, cnos + 1)
        offsets = np.load(folder / f"{name}.offsets.npy", mmap_mode="r")
        return _gather(_open(folder / f"{name}.arrow"), offsets[cnos], offsets[cnos + 1])

    # the files are read side by side: a page not in the page cache waits for the disk, and Arrow
    # copies without the GIL (a third less time at 1M customers on two cores; docs/benchmarks.md)
    names = [GOLDEN, *state.tables]
    with ThreadPoolExecutor(READERS) as pool:
        for name, table in zip(names, pool.map(rows, names)):
            engine.view(f"_store_{name}", table)


def row_key(t: ir.Table) -> ir.IntegerValue:
    """``_key``: a row's canonical key (``source``, ``source_key``) as one integer. A row loaded again
    (an upsert) has the key of the version it replaces, which the store then no longer reads."""
    return (t.source + "\x1f" + t.source_key).hash().name(KEY)


def scoped_sql(name: str, columns: list[str], *, signals: bool) -> str:
    """``_scoped_<name>``: the touched customers' rows, from the store, its new rows and this build's;
    of a row loaded more than once, the last version."""
    cols = ", ".join(q(c) for c in columns)
    touched = "customer_id IN (SELECT customer_id FROM _touched)"
    new = new_rows_table(name)
    rows = (f"SELECT {cols} FROM _store_{name} WHERE {KEY} NOT IN "
            f"(SELECT {KEY} FROM {new} UNION ALL SELECT {KEY} FROM _newfacts_{name}) "
            f"UNION ALL SELECT {cols} FROM {new} WHERE {touched} AND {KEY} NOT IN (SELECT {KEY} FROM _newfacts_{name}) "
            f"UNION ALL SELECT {cols} FROM _newfacts_{name} WHERE {touched}")
    if name == "interactions" and signals:  # what the texts say (predict.signals), joined as facts.facts does
        extra = ", ".join(f"g.{q(c)}" for c in SIGNAL_COLUMNS)
        rows = (f"SELECT r.*, {extra} FROM ({rows}) r LEFT JOIN {SIGNALS} g "
                f"ON r.source = g.source AND r.source_key = g.source_key")
    return f"CREATE OR REPLACE TEMP TABLE _scoped_{name} AS {rows}"


def append(con: Any, state: State, covered: str | None) -> None:
    """This build's new rows into the store (inside the build's transaction), replacing the versions
    they were loaded again as; the store now covers ``covered``."""
    for name in state.tables:
        new = new_rows_table(name)
        con.execute(f"DELETE FROM {new} WHERE {KEY} IN (SELECT {KEY} FROM _newfacts_{name})")
        con.execute(f"INSERT INTO {new} SELECT {', '.join(q(c) for c in state.columns[name])}, {KEY} "
                    f"FROM _newfacts_{name}")
    con.execute(f"UPDATE {STATE} SET covered = ?", [covered])


def _write_arrow(con: Any, sql: str, path: Path, *, customers: int | None = None) -> np.ndarray | None:
    """The result of ``sql`` into an uncompressed IPC file of ``BATCH_ROWS``-row batches; with
    ``customers``, also the number of rows of each ``cno`` below it, counted as the rows go by."""
    reader = con.execute(sql).to_arrow_reader(1 << 20)
    part = path.with_name(path.name + ".part")
    counts = None if customers is None else np.zeros(customers, dtype=np.int64)
    with pa.OSFile(str(part), "wb") as sink, ipc.new_file(sink, reader.schema.with_metadata(LAYOUT)) as out:
        rest = None  # the rows of the last batch read that did not fill a batch written
        for batch in reader:
            if counts is not None:
                counts += np.bincount(batch.column("cno").to_numpy(), minlength=customers)
            if rest is not None:
                batch = pa.concat_batches([rest, batch])
            whole = batch.num_rows - batch.num_rows % BATCH_ROWS
            for start in range(0, whole, BATCH_ROWS):
                out.write_batch(batch.slice(start, BATCH_ROWS))
            rest = batch.slice(whole)
        if rest is not None and rest.num_rows:
            out.write_batch(rest)
    part.replace(path)
    return counts


def _open(path: Path) -> ipc.RecordBatchFileReader:
    """An uncompressed IPC file, memory-mapped: only the batches read are mapped, only their pages loaded."""
    return ipc.open_file(pa.memory_map(str(path)))


def _readable(path: Path) -> bool:
    """Whether ``path`` is a file of this layout (one written by an older version is not read)."""
    try:
        return _open(path).schema.metadata == LAYOUT
    except (OSError, pa.ArrowInvalid):
        return False


def _gather(reader: ipc.RecordBatchFileReader, starts: np.ndarray, ends: np.ndarray) -> pa.Table:
    """The rows ``[starts[i], ends[i])`` of the file, in order: the batches that hold any are read
    (one ``get_batch`` each: Arrow reads an IPC file a batch at a time), then one take copies the rows."""
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    lengths = ends - starts
    # output position k reads row starts[i] + (k - the first output position of run i)
    rows = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
    wanted, which = np.unique(rows // BATCH_ROWS, return_inverse=True)
    batches = [reader.get_batch(b) for b in wanted.tolist()]
    first = np.cumsum([0] + [b.num_rows for b in batches])[:-1]  # of each batch read, in their concatenation
    local = rows - wanted[which] * BATCH_ROWS + first[which].astype(np.int64) if len(rows) else rows
    return pa.Table.from_batches(batches, schema=reader.schema).take(pa.array(local, type=pa.int64()))


__all__ = ["State", "needed", "current", "usable", "keeps", "write", "fetch", "scoped_sql", "append", "directory",
           "new_rows_table", "row_key", "FETCH", "KEY"]
