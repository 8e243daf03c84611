"""Step 3 of a build: customer ids that survive rebuilds.

A component is a set of records; its id comes from the previous build where it can:

* every old customer id goes to the new component holding most of its old records (ties: the
  component with the smaller smallest record);
* a component that received several old ids keeps the one with most of its records (ties: the
  oldest id, then the smaller id) and the others become *aliases* of it (``customer_aliases``;
  aliases of a merged id move to the survivor, so every alias resolves in one step);
* a component that received none gets a new id derived from its smallest (source, source_key):
  ``c_`` + 16 hex digits of md5(source, key); if that id was ever issued, the build number is
  mixed in. A first build from scratch therefore always gives the same ids.

``customer_ids`` remembers every id ever issued (active, merged into another, retired when its
records are gone), so a new id never reuses an old one.
"""

from __future__ import annotations

import duckdb

_DERIVED = "'c_' || substr(md5(n.source || chr(31) || n.source_key{salt}), 1, 16)"


def assign_ids(con: duckdb.DuckDBPyConnection, build: int) -> dict[str, int]:
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_comp AS
        SELECT n.source, n.source_key, l.label AS comp FROM _idn_nodes n JOIN _idn_label l USING (node)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_won AS
        SELECT o.*, h.created_build FROM (
            SELECT c.comp, p.customer_id, count(*) AS n
            FROM _idn_comp c JOIN customer_records p USING (source, source_key) GROUP BY ALL) o
        JOIN customer_ids h USING (customer_id)
        QUALIFY row_number() OVER (PARTITION BY o.customer_id ORDER BY o.n DESC, o.comp) = 1""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_keep AS SELECT comp, customer_id FROM _idn_won
        QUALIFY row_number() OVER (PARTITION BY comp ORDER BY n DESC, created_build, customer_id) = 1""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_fresh AS
        SELECT d.comp, CASE WHEN h.customer_id IS NULL THEN d.derived ELSE d.salted END AS customer_id
        FROM (SELECT l.comp, {_DERIVED.format(salt='')} AS derived,
                     {_DERIVED.format(salt=f" || chr(31) || '{build}'")} AS salted
              FROM (SELECT DISTINCT label AS comp FROM _idn_label) l JOIN _idn_nodes n ON n.node = l.comp
              WHERE l.comp NOT IN (SELECT comp FROM _idn_keep)) d
        LEFT JOIN customer_ids h ON h.customer_id = d.derived""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_merged AS
        SELECT w.customer_id AS alias_id, k.customer_id FROM _idn_won w JOIN _idn_keep k USING (comp)
        WHERE w.customer_id <> k.customer_id""")
    con.execute("DELETE FROM customer_records WHERE (source, source_key) IN (SELECT source, source_key FROM _idn_nodes)")
    con.execute("""INSERT INTO customer_records SELECT c.source, c.source_key, a.customer_id FROM _idn_comp c
                   JOIN (SELECT * FROM _idn_keep UNION ALL SELECT * FROM _idn_fresh) a USING (comp)""")
    _remember(con, build)
    return {
        "customers": con.execute("SELECT count(DISTINCT customer_id) FROM customer_records").fetchone()[0],
        "new_ids": con.execute("SELECT count(*) FROM _idn_fresh").fetchone()[0],
        "kept_ids": con.execute("SELECT count(*) FROM _idn_keep").fetchone()[0],
        "merged_ids": con.execute("SELECT count(*) FROM _idn_merged").fetchone()[0],
    }


def _remember(con: duckdb.DuckDBPyConnection, build: int) -> None:
    con.execute(f"INSERT INTO customer_ids SELECT customer_id, 'active', {build}, {build}, NULL FROM _idn_fresh")
    con.execute(f"""UPDATE customer_ids SET last_build = {build}, status = 'active'
                    WHERE customer_id IN (SELECT customer_id FROM _idn_keep)""")
    con.execute("""UPDATE customer_ids SET status = 'merged', merged_into = m.customer_id FROM _idn_merged m
                   WHERE customer_ids.customer_id = m.alias_id""")
    con.execute(f"UPDATE customer_ids SET status = 'retired' WHERE status = 'active' AND last_build < {build}")
    con.execute("""UPDATE customer_aliases SET customer_id = m.customer_id FROM _idn_merged m
                   WHERE customer_aliases.customer_id = m.alias_id""")
    con.execute(f"INSERT INTO customer_aliases SELECT alias_id, customer_id, {build} FROM _idn_merged")
