"""Step 2 of a build: deterministic linking under guard-rails, set-based in the engine.

Records that share an allowed identifier value become one customer, one identifier type at a time,
strongest first (the ``priority`` of ``identity.yml``). Before level *k* (type T) the records form
*parts* (the customers of levels 1…k-1). Level k links parts through the values of T, with two checks.
Each check counts, over a group of parts, the distinct values of

* every limited identifier type L ranked at or above T (limit: L's ``max_per_customer``), and
* every attribute T lists in ``agree_on`` (limit 1: e.g. gender, birth date),

and a group *breaks* a check when its count exceeds the limit **and** the largest count of any one
of its parts (what stronger evidence already joined is never second-guessed by weaker evidence).

1. Shared value: the parts carrying one value of T are a group. A value whose group breaks a check
   links nothing: a phone shared by records with two member ids, or by a man and a woman, is
   refused. Each refusal is a row of ``identity_conflicts`` (stage ``shared_value``).
2. Component: the remaining values join parts into components (connected components by
   iterative min-label propagation until nothing changes; the number of rounds is bounded by the
   graph's diameter). A component that breaks a check (several values, each fine alone, chain
   two member ids together) is not formed: its parts stay apart, and every value of T inside it
   is recorded (stage ``component``).

So a merge through a weaker identifier never gives a customer more member ids, WeChat unionids,
phones or e-mails than allowed, nor two genders or birth dates, than its parts already had.

Manual decisions (``decisions.py``) come in here too: must-link records form a first level
``manual`` (no identifier limit applies to it), and every cannot-link decision is one more checked
fact (``decision:<id>``, limit 1) at every level, so no value links the two sides of a split or a reject.
"""

from __future__ import annotations

import duckdb

from huaxiang.domain.identity import IdentityRules, Resolved
from huaxiang.identity.decisions import MANUAL, add_facts
from huaxiang.identity.identifiers import lit

#: the pseudo identifier type of scored pairs (``probabilistic.py``), the last level
PROBABILISTIC = "probabilistic"

#: the level of manual must-links, before the strongest identifier type
_MANUAL_LEVEL = Resolved(MANUAL, -1, (), None, ())

_GROUP_CHECK = """
WITH merged AS (
    SELECT g.grp, f.fact, count(DISTINCT f.value) AS n, to_json(list_sort(list(DISTINCT f.value))) AS vals
    FROM {groups} g JOIN _idn_pf f USING (part) GROUP BY ALL),
per_part AS (SELECT part, fact, count(*) AS n FROM _idn_pf GROUP BY ALL),
part_max AS (SELECT g.grp, p.fact, max(p.n) AS m FROM {groups} g JOIN per_part p USING (part) GROUP BY ALL)
SELECT merged.grp, merged.fact, l.lim, merged.n, merged.vals
FROM merged JOIN part_max USING (grp, fact) JOIN _idn_limits l USING (fact)
WHERE merged.n > l.lim AND merged.n > part_max.m"""


def prepare_facts(con: duckdb.DuckDBPyConnection, rules: IdentityRules) -> None:
    """``_idn_facts(node, fact, value)``: what the checks count (limited identifiers, agree_on attributes)."""
    types = rules.types()
    limited = ", ".join(lit(t.name) for t in types if t.max_per_customer)
    parts = [f"SELECT node, 'id:' || identifier_type, value FROM _idn_ids WHERE identifier_type IN ({limited})"
             ] if limited else []
    for attr in sorted({a for t in types for a in t.agree_on} | set(rules.probabilistic.agree_on)):
        parts.append(f"SELECT n.node, 'attr:{attr}', CAST(r.\"{attr}\" AS VARCHAR) FROM source_records r "
                     f"JOIN _idn_nodes n USING (source, source_key) WHERE r.\"{attr}\" IS NOT NULL")
    body = " UNION ALL ".join(parts) or "SELECT NULL::BIGINT, NULL::VARCHAR, NULL::VARCHAR WHERE false"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _idn_facts AS SELECT DISTINCT * FROM ({body}) AS f(node, fact, value)")
    con.execute("CREATE OR REPLACE TEMP TABLE _idn_label AS SELECT node, node AS label FROM _idn_nodes")


def _limits(con: duckdb.DuckDBPyConnection, level: Resolved, types: list[Resolved]) -> None:
    rows = [(f"id:{t.name}", t.max_per_customer) for t in types if t.max_per_customer and t.rank <= level.rank]
    rows += [(f"attr:{a}", 1) for a in level.agree_on]
    values = ", ".join(f"({lit(f)}, {n})" for f, n in rows) or "(NULL, NULL)"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_limits AS SELECT * FROM (VALUES {values}) AS l(fact, lim)
                    WHERE fact IS NOT NULL
                    UNION ALL SELECT DISTINCT fact, 1 FROM _idn_facts WHERE fact LIKE 'decision:%'""")


def _conflicts(con: duckdb.DuckDBPyConnection, build: int, level: Resolved, stage: str, select: str) -> None:
    """Record conflicts; ``select`` yields (value, fact, lim, n, vals)."""
    con.execute(f"""INSERT INTO identity_conflicts
        SELECT {build}, {lit(level.name)}, value, {lit(stage)},
               regexp_replace(fact, '^(id|attr):', ''), lim, n, vals FROM ({select})""")


def _propagate(con: duckdb.DuckDBPyConnection) -> int:
    """Connected components of parts linked by values (``_idn_cand``) into ``_idn_plab(part, lab)``."""
    con.execute("CREATE OR REPLACE TEMP TABLE _idn_plab AS SELECT DISTINCT part, part AS lab FROM _idn_cand")
    rounds = 0
    while True:
        rounds += 1
        con.execute("""CREATE OR REPLACE TEMP TABLE _idn_vlab AS
            SELECT c.value, min(p.lab) AS lab FROM _idn_cand c JOIN _idn_plab p USING (part) GROUP BY c.value""")
        con.execute("""CREATE OR REPLACE TEMP TABLE _idn_plab_next AS
            SELECT c.part, min(v.lab) AS lab FROM _idn_cand c JOIN _idn_vlab v USING (value) GROUP BY c.part""")
        changed = con.execute("""SELECT count(*) FROM _idn_plab_next n JOIN _idn_plab p USING (part)
                                 WHERE n.lab < p.lab""").fetchone()[0]
        con.execute("CREATE OR REPLACE TEMP TABLE _idn_plab AS SELECT * FROM _idn_plab_next")
        if not changed:
            return rounds


def link_level(con: duckdb.DuckDBPyConnection, build: int, level: Resolved, types: list[Resolved]) -> int:
    """Apply one identifier type's links to ``_idn_label``; returns the propagation rounds."""
    _limits(con, level, types)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_cand AS
        SELECT value, part FROM (SELECT DISTINCT i.value, l.label AS part FROM _idn_ids i JOIN _idn_label l USING (node)
                                 WHERE i.identifier_type = {lit(level.name)})
        QUALIFY count(*) OVER (PARTITION BY value) > 1""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_pf AS
        SELECT DISTINCT l.label AS part, f.fact, f.value FROM _idn_facts f JOIN _idn_label l USING (node)
        WHERE f.fact IN (SELECT fact FROM _idn_limits) AND l.label IN (SELECT part FROM _idn_cand)""")
    groups = "(SELECT value AS grp, part FROM _idn_cand)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _idn_bad AS {_GROUP_CHECK.format(groups=groups)}")
    _conflicts(con, build, level, "shared_value", "SELECT grp AS value, fact, lim, n, vals FROM _idn_bad")
    con.execute("DELETE FROM _idn_cand WHERE value IN (SELECT grp FROM _idn_bad)")
    rounds = _propagate(con)
    groups = "(SELECT lab AS grp, part FROM _idn_plab)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _idn_bad AS {_GROUP_CHECK.format(groups=groups)}")
    _conflicts(con, build, level, "component", """
        SELECT DISTINCT c.value, b.fact, b.lim, b.n, b.vals FROM _idn_cand c JOIN _idn_plab p USING (part)
        JOIN _idn_bad b ON b.grp = p.lab""")
    con.execute("DELETE FROM _idn_plab WHERE lab IN (SELECT grp FROM _idn_bad)")
    con.execute("""UPDATE _idn_label SET label = p.lab FROM _idn_plab p
                   WHERE _idn_label.label = p.part AND p.lab <> p.part""")
    return rounds


def link(con: duckdb.DuckDBPyConnection, rules: IdentityRules, build: int, *,
         probabilistic: bool = False) -> dict[str, int]:
    """Leave ``_idn_label(node, label)``: the component of every record (label = its smallest node).

    With ``probabilistic``, the scored pairs (``_idn_ids`` rows of type ``probabilistic``) are the
    last, weakest level, checked like any identifier (every limited type, and the ``agree_on`` of
    ``identity.yml``'s ``probabilistic`` section).
    """
    prepare_facts(con, rules)
    add_facts(con)
    types = rules.types()
    levels = [_MANUAL_LEVEL, *types]
    if probabilistic:
        levels.append(Resolved(PROBABILISTIC, len(types), (), None, tuple(rules.probabilistic.agree_on)))
    rounds = {}
    for level in levels:
        rounds[level.name] = link_level(con, build, level, types)
    return rounds


def write_edges(con: duckdb.DuckDBPyConnection, build: int) -> None:
    """The evidence: for each linking value, an edge from its smallest record to each other one.

    Values refused by a check give no edge, even between records that other evidence joined.
    """
    # refused values first, as a table: an anti join, not a NOT EXISTS per identifier
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_refused AS
        SELECT DISTINCT identifier_type, value FROM identity_conflicts WHERE build = {build}""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_new_edges AS
        WITH carried AS (
            SELECT i.identifier_type, i.value, i.node, r.customer_id
            FROM _idn_ids i JOIN _idn_nodes n USING (node) JOIN customer_records r USING (source, source_key)
            ANTI JOIN _idn_refused f ON f.identifier_type = i.identifier_type AND f.value = i.value),
        anchored AS (
            SELECT *, min(node) OVER w AS anchor_node, min(customer_id) OVER w AS first_customer,
                   max(customer_id) OVER w AS last_customer
            FROM carried WINDOW w AS (PARTITION BY identifier_type, value))
        SELECT customer_id, anchor_node, node, identifier_type, value FROM anchored
        WHERE node <> anchor_node AND first_customer = last_customer""")
    # two statements: an outer join on "type is probabilistic and value matches" is not a hash join
    edge = """SELECT e.customer_id, a.source, a.source_key, b.source, b.source_key, e.identifier_type, e.value, {rule},
                     {weight}, {evidence}, {build}
              FROM _idn_new_edges e JOIN _idn_nodes a ON a.node = e.anchor_node JOIN _idn_nodes b ON b.node = e.node"""
    rule = f"CASE e.identifier_type WHEN '{MANUAL}' THEN 'manual' ELSE 'deterministic' END"
    con.execute("INSERT INTO identity_edges " + edge.format(rule=rule, weight="NULL", evidence="NULL", build=build)
                + f" WHERE e.identifier_type <> '{PROBABILISTIC}'")
    con.execute("INSERT INTO identity_edges "
                + edge.format(rule=f"'{PROBABILISTIC}'", weight="m.match_weight", evidence="m.evidence", build=build)
                + f" JOIN identity_matches m ON m.value = e.value WHERE e.identifier_type = '{PROBABILISTIC}'")
