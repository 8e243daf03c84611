"""Probabilistic linking with Splink: record features, a model trained without labels, scored pairs.

Splink (Fellegi–Sunter with EM, blocking and SQL generation for DuckDB and Spark) does what no
hand-written code here should: it estimates, from the data alone, how much each kind of agreement
(same pinyin, same birth date, phones sharing the last four digits…) says about two records being
one person, and scores every blocked pair as a *match weight*, log2 of the odds, prior included.

* ``features`` computes one row per customer record in the warehouse (``_idn_features``):
  normalized name, its pinyin (pypinyin, per distinct character, so nothing loops over
  customers), gender, birth date, phone and its last four digits, e-mail and its local part,
  province / city / district and the street address.
* ``train`` estimates the model: u by random sampling, the prior from deterministic rules,
  m by expectation maximisation in two blocked sessions (no labels). The model is Splink's JSON,
  stored in the catalog (``identity_models``) by the caller.
* ``score`` predicts the pairs of the blocking rules of ``identity.yml`` whose weight reaches
  ``review_above`` into ``_idn_matches`` (temp, in the warehouse), each with its evidence: the
  level of every comparison that could be made (``{"name": "pinyin", "birth_date": "exact"…}``).

Splink runs on its own in-memory DuckDB connection (same memory limit as the warehouse), fed the
features as Arrow, so its work tables never touch the warehouse file. Scoring can run on Spark
instead (``score(..., spark=session)``, ``splink_spark.py``): the same comparisons rendered for
Spark SQL (``for_dialect``) with the stored model's parameters. Training stays on DuckDB. The
comparisons use Splink's library levels, which it renders for each dialect, and custom SQL that
DuckDB and Spark SQL both accept.
"""

from __future__ import annotations

import copy

import json
import logging
import math
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from huaxiang.domain.identity import Probabilistic
from huaxiang.engine.warehouse import Warehouse

#: the Splink id of a record: source, unit separator, source key
UID = "source || chr(31) || source_key"


def _pinyin_of(chars: list[str]) -> list[tuple[str, str]]:
    """Toneless pinyin of each character (CJK, traditional included); other letters lower-cased, rest dropped."""
    from pypinyin import Style, lazy_pinyin

    out = []
    for ch in chars:
        if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
            out.append((ch, lazy_pinyin(ch, style=Style.NORMAL)[0]))
        elif ch.isalnum():
            out.append((ch, ch.lower()))
    return out


def features(wh: Warehouse) -> int:
    """``_idn_features``: one row per customer record; returns the number of rows."""
    con = wh.raw
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_names AS
        SELECT DISTINCT name FROM source_records WHERE name IS NOT NULL AND trim(name) <> ''""")
    chars = [c for (c,) in con.execute("SELECT DISTINCT unnest(string_split(name, '')) FROM _idn_names").fetchall()]
    pairs = _pinyin_of(chars)
    con.register("_pinyin_arrow", pa.table({"ch": [c for c, _ in pairs], "py": [p for _, p in pairs]},
                                           schema=pa.schema([("ch", pa.string()), ("py", pa.string())])))
    con.execute("CREATE OR REPLACE TEMP TABLE _idn_pinyin AS SELECT * FROM _pinyin_arrow")
    con.unregister("_pinyin_arrow")
    con.execute("""CREATE OR REPLACE TEMP TABLE _idn_name_py AS
        SELECT n.name, nullif(string_agg(p.py, '' ORDER BY c.i), '') AS name_pinyin
        FROM _idn_names n,
             LATERAL (SELECT unnest(string_split(n.name, '')) AS ch, unnest(range(len(string_split(n.name, '')))) AS i) c
        LEFT JOIN _idn_pinyin p USING (ch) GROUP BY n.name""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_features AS
        SELECT {UID} AS unique_id,
               nullif(lower(regexp_replace(r.name, '\\s+', '', 'g')), '') AS name, p.name_pinyin,
               CAST(r.gender AS VARCHAR) AS gender, r.birth_date,
               r.phone, right(regexp_replace(r.phone, '\\D', '', 'g'), 4) AS phone_last4,
               lower(r.email) AS email, nullif(split_part(lower(r.email), '@', 1), '') AS email_local,
               r.province, r.city, r.district, nullif(trim(r.address), '') AS address
        FROM source_records r LEFT JOIN _idn_name_py p ON p.name = r.name""")
    return con.execute("SELECT count(*) FROM _idn_features").fetchone()[0]


def _similar(sql: str) -> Any:
    """A level on DuckDB's string similarity (``jaro_winkler_similarity``, ``jaccard``), the same on Spark.

    DuckDB computes them on UTF-8 bytes; Splink's Spark functions work on characters and round
    Jaro–Winkler otherwise, which moves pairs across a threshold (杨倩倩 ~ 杨娟倩: 0.883 on DuckDB,
    0.868 on Spark). On Spark the level calls DuckDB's own functions (``duckdb_<name>``, registered
    by ``huaxiang.engine.spark``), so every pair gets the level the model was trained with.
    """
    import re

    import splink.comparison_level_library as cll

    spark = re.sub(r"\b(jaro_winkler_similarity|jaccard)\(", r"duckdb_\1(", sql)

    class Level(cll.CustomLevel):
        def create_sql(self, sql_dialect: Any) -> str:
            return spark if sql_dialect.sql_dialect_str == "spark" else sql

    return Level(sql)


def _comparisons() -> list:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def custom(name: str, description: str, levels: list) -> Any:
        return cl.CustomComparison(levels, output_column_name=name, comparison_description=description)

    def label(level: Any, text: str) -> Any:
        return level.configure(label_for_charts=text)

    return [
        custom("name", "name: exact, same pinyin (typos of the same sound, traditional characters), similar", [
            cll.NullLevel("name"),
            label(cll.ExactMatchLevel("name"), "exact"),
            label(cll.ExactMatchLevel("name_pinyin"), "pinyin"),
            label(_similar("jaro_winkler_similarity(name_pinyin_l, name_pinyin_r) >= 0.9"), "similar_pinyin"),
            label(_similar("jaro_winkler_similarity(name_l, name_r) >= 0.88"), "similar"),
            label(cll.ElseLevel(), "different"),
        ]),
        custom("birth_date", "birth date: exact, one character apart (a typo)", [
            cll.NullLevel("birth_date"),
            label(cll.ExactMatchLevel("birth_date"), "exact"),
            label(cll.CustomLevel("levenshtein(CAST(birth_date_l AS STRING), CAST(birth_date_r AS STRING)) <= 1"),
                  "one_digit_apart"),
            label(cll.ElseLevel(), "different"),
        ]),
        custom("gender", "gender", [
            cll.NullLevel("gender"),
            label(cll.ExactMatchLevel("gender"), "exact"),
            label(cll.ElseLevel(), "different"),
        ]),
        custom("phone", "phone: exact, one digit apart, same last four digits", [
            cll.NullLevel("phone"),
            label(cll.ExactMatchLevel("phone"), "exact"),
            label(cll.LevenshteinLevel("phone", 1), "one_digit_apart"),
            label(cll.ExactMatchLevel("phone_last4"), "same_last4"),
            label(cll.ElseLevel(), "different"),
        ]),
        # Not the local part: in China it is mostly the pinyin of the name (zhangwei88@qq.com), so it
        # repeats the name's evidence; EM then takes namesakes for one person.
        custom("email", "e-mail: exact", [
            cll.NullLevel("email"),
            label(cll.ExactMatchLevel("email"), "exact"),
            label(cll.ElseLevel(), "different"),
        ]),
        custom("address", "address: exact, same district and similar street, same district, city, province", [
            label(cll.CustomLevel("(address_l IS NULL AND city_l IS NULL) OR (address_r IS NULL AND city_r IS NULL)")
                  .configure(is_null_level=True), "missing"),
            label(cll.ExactMatchLevel("address"), "exact"),
            label(_similar("district_l = district_r AND jaccard(address_l, address_r) >= 0.7"),
                  "same_district_similar_street"),
            label(cll.CustomLevel("district_l = district_r"), "same_district"),
            label(cll.CustomLevel("city_l = city_r"), "same_city"),
            label(cll.CustomLevel("province_l = province_r"), "same_province"),
            label(cll.ElseLevel(), "different"),
        ]),
    ]


def settings(config: Probabilistic) -> Any:
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in config.blocking],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


@dataclass
class Splink:
    """A Splink linker on its own DuckDB connection, over the warehouse's ``_idn_features``."""

    con: duckdb.DuckDBPyConnection
    linker: Any
    records: Any  # the registered features

    def reset(self, model: dict[str, Any]) -> None:
        """A fresh linker with ``model`` on the same registered records."""
        from splink import Linker

        self.linker = Linker(self.records, model, log_level=logging.ERROR)

    @classmethod
    def open(cls, wh: Warehouse, model: Any) -> Splink:
        from splink import DuckDBAPI, Linker

        con = duckdb.connect()
        limit = wh.raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        con.execute(f"SET memory_limit = '{limit}'")
        con.execute("SET enable_progress_bar = false")
        table: pa.Table = wh.raw.execute("SELECT * FROM _idn_features").to_arrow_table()
        con.register("_features_arrow", table)
        con.execute("CREATE TABLE features AS SELECT * FROM _features_arrow")
        con.unregister("_features_arrow")
        db_api = DuckDBAPI(connection=con)
        records = db_api.register("features", table_name="features_input")
        return cls(con, Linker(records, model, log_level=logging.ERROR), records)

    def split(self, seeds: list[str]) -> tuple[Any, Any]:
        """The registered features of the ``seeds`` (unique ids) and of every other record."""
        db_api = self.records.db_api
        self.con.register("_seed_ids", pa.table({"unique_id": pa.array(seeds, pa.string())}))
        self.con.execute("CREATE TABLE seeds AS SELECT * FROM features SEMI JOIN _seed_ids USING (unique_id)")
        self.con.execute("CREATE TABLE others AS SELECT * FROM features ANTI JOIN _seed_ids USING (unique_id)")
        self.con.unregister("_seed_ids")
        return (db_api.register("seeds", table_name="seeds_input"), db_api.register("others", table_name="others_input"))

    def collect(self, preds: list[Any], columns: list[str]) -> pa.Table:
        """The ``columns`` of the prediction tables ``preds``, one after the other, as Arrow."""
        return self.con.execute(union_of(preds, columns)).to_arrow_table()

    def close(self) -> None:
        self.con.close()


def union_of(preds: list[Any], columns: list[str]) -> str:
    """SQL (DuckDB and Spark alike): ``columns`` of every Splink prediction table in ``preds``."""
    return " UNION ALL ".join(f"SELECT {', '.join(columns)} FROM {pred.physical_name}" for pred in preds)


def train(wh: Warehouse, config: Probabilistic) -> tuple[dict[str, Any], dict[str, Any]]:
    """Estimate a model from ``_idn_features`` without labels; returns (Splink model JSON, summary)."""
    sp = Splink.open(wh, settings(config))
    try:
        t = sp.linker.training
        t.estimate_probability_two_random_records_match(
            ["l.phone = r.phone", "l.email = r.email", "l.name_pinyin = r.name_pinyin AND l.birth_date = r.birth_date"],
            recall=0.7)
        t.estimate_u_using_random_sampling(max_pairs=config.training_pairs, seed=1)
        base = sp.linker.misc.save_model_to_json()
        sessions, estimates = {}, []
        for block in EM_BLOCKS:
            outcome, trained = _em_session(sp, base, block)
            sessions["+".join(block)] = outcome
            if trained is not None:
                estimates.append(trained)
        if not estimates:
            raise TrainingFailed(sessions)
        model = floor_m(combine_m(base, estimates), 1 / config.training_pairs)
    finally:
        sp.close()
    return model, {**summarize(model), "em_sessions": sessions}


def _em_session(sp: Splink, base: dict[str, Any], block: tuple[str, ...]) -> tuple[str, dict[str, Any] | None]:
    """One EM session from ``base`` (u estimated, m untrained), blocked on ``block``: (outcome, model or None)."""
    from splink import block_on

    sp.reset(base)
    try:
        sp.linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*block), estimate_without_term_frequencies=True, fix_probability_two_random_records_match=True)
    except ValueError as exc:  # an m underflowed: Splink refuses the values
        return f"skipped: {exc}"[:300], None
    trained = sp.linker.misc.save_model_to_json()
    reversed_ = [c["output_column_name"] for c in trained["comparisons"] if _degenerate(c)]
    if reversed_:
        return f"skipped: converged on a class that disagrees more than it agrees on {', '.join(reversed_)}", None
    return "ok", trained


def _degenerate(comparison: dict[str, Any]) -> bool:
    """True when EM's "match" class is more likely to disagree than to agree (exact level's m below the else level's).

    That is not a class of true matches but of look-alikes (a family sharing a phone, people born on one
    day in one city): averaging it in would teach the model that agreement means nothing.
    """
    levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
    top, other = levels[0].get("m_probability"), levels[-1].get("m_probability")
    return top is not None and other is not None and top < other


def combine_m(base: dict[str, Any], sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """``base`` with each level's m the mean of the sessions that estimated it (as Splink combines sessions)."""
    model = copy.deepcopy(base)
    for i, comp in enumerate(model["comparisons"]):
        for j, level in enumerate(comp["comparison_levels"]):
            if level.get("is_null_level"):
                continue
            seen = [s["comparisons"][i]["comparison_levels"][j].get("m_probability") for s in sessions]
            seen = [m for m in seen if m is not None]
            if seen:
                level["m_probability"] = sum(seen) / len(seen)
    return model


class TrainingFailed(RuntimeError):
    def __init__(self, sessions: dict[str, str]):
        super().__init__("expectation maximisation failed in every session: "
                         + "; ".join(f"{k}: {v}" for k, v in sessions.items()))
        self.sessions = sessions


#: EM sessions, each from the same starting point and blocked on two features, so that most pairs
#: in a block are true matches even among a million records (blocked on birth date alone, EM at a
#: million records converges on "born on the same day" instead of "the same person"). Every
#: comparison is estimated by at least one session: name by the second, birth date by the third,
#: address by the first.
EM_BLOCKS = (("name_pinyin", "birth_date"), ("birth_date", "city"), ("name_pinyin", "city"))

#: the smallest m probability a trained level keeps (see ``floor_m``)
M_FLOOR = 0.001


def floor_m(model: dict[str, Any], unseen_u: float) -> dict[str, Any]:
    """Raise every m probability below ``M_FLOOR`` (or never observed in training) to it.

    EM on clean data sees almost no true pairs that disagree on, say, the province, and drives that
    level's m towards 0: one comparison would then veto any match with a weight of −100 or more.
    A floor bounds what one disagreement can say (log2(0.001 / u): about −10 for "different"), so
    the other comparisons still count. Levels EM could not observe get the floor too, not a guess.
    A floored level gets u of at least the floor too: it may weigh against a match, never for it.
    A level random sampling never met in its N pairs (no u) gets u = 1/N, an upper bound.
    """
    for comp in model["comparisons"]:
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            if (level.get("m_probability") or 0) < M_FLOOR:
                level["m_probability"] = M_FLOOR
                # EM saw (almost) no true pair at this level: it may count against a match, never for
                # it (a rare level, e-mails with the same local part at another domain, would otherwise
                # weigh +8 on the strength of the floor alone)
                level["u_probability"] = max(level.get("u_probability") or 0, M_FLOOR)
            if not level.get("u_probability"):
                level["u_probability"] = unseen_u
    return model


def summarize(model: dict[str, Any]) -> dict[str, Any]:
    """Per comparison, per level: m, u and the match weight it adds (what `identity model` shows)."""
    out: dict[str, Any] = {"prior_match_probability": model.get("probability_two_random_records_match")}
    for comp in model["comparisons"]:
        levels = []
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            levels.append({"level": level.get("label_for_charts"), "m": m, "u": u, "weight": weight})
        out[comp["output_column_name"]] = levels
    return out


def _labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison -> gamma value -> level label (null levels left out)."""
    out = {}
    for comp in model["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        # Splink numbers the non-null levels from the last (0, the else level) upwards
        out[comp["output_column_name"]] = {len(levels) - 1 - i: lv.get("label_for_charts") for i, lv in enumerate(levels)}
    return out


def score(wh: Warehouse, config: Probabilistic, model: dict[str, Any], seeds: list[str] | None = None, *,
          spark: Any = None) -> int:
    """``_idn_matches(uid_a, uid_b, match_weight, match_probability, evidence)`` at or above ``review_above``;
    returns the number of pairs. With ``seeds`` (unique ids), only the pairs with a seed in them:
    seeds against every other record, and seeds among themselves (the same pairs and the same
    scores a full prediction gives them: the blocking rules and the model are the same).
    With ``spark`` (a SparkSession), Splink scores on Spark; the pairs come back to the warehouse."""
    if spark is None:
        sp = Splink.open(wh, for_dialect(model, config, "duckdb"))
    else:
        from huaxiang.identity.splink_spark import SparkSplink

        sp = SparkSplink.open(wh, spark, for_dialect(model, config, "spark"))
    labels = _labels(model)
    try:
        inference = sp.linker.inference
        if seeds is None:
            preds = [inference.predict(threshold_match_weight=config.review_above, warning_mode="never")]
        else:
            new, others = sp.split(seeds)
            preds = [inference.predict_between(new, others, threshold_match_weight=config.review_above,
                                               warning_mode="never"),
                     inference.predict_within(new, threshold_match_weight=config.review_above, warning_mode="never")]
        table = sp.collect(preds, ["unique_id_l", "unique_id_r", "match_weight", "match_probability",
                                   *(f"gamma_{name}" for name in labels)])
    finally:
        sp.close()
    parts = []
    for name, by_gamma in labels.items():
        cases = " ".join(f"WHEN {g} THEN '{text}'" for g, text in by_gamma.items())
        parts.append(f"'{name}', CASE gamma_{name} {cases} END")
    evidence = f"json_object({', '.join(parts)})" if parts else "NULL"
    con = wh.raw
    con.register("_matches_arrow", table)
    try:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _idn_matches AS
            SELECT least(unique_id_l, unique_id_r) AS uid_a, greatest(unique_id_l, unique_id_r) AS uid_b,
                   match_weight, match_probability, CAST({evidence} AS JSON) AS evidence FROM _matches_arrow""")
    finally:
        con.unregister("_matches_arrow")
    return con.execute("SELECT count(*) FROM _idn_matches").fetchone()[0]


class ModelMismatch(ValueError):
    def __init__(self) -> None:
        super().__init__("the stored probabilistic model was trained with other comparisons than this version's; "
                         "train it again (huaxiang identity train) to score on another engine")


def _shape(comparisons: list[dict[str, Any]]) -> list[tuple]:
    return [(c["output_column_name"], [(lv.get("label_for_charts"), bool(lv.get("is_null_level")))
                                       for lv in c["comparison_levels"]]) for c in comparisons]


def for_dialect(model: dict[str, Any], config: Probabilistic, dialect: str) -> dict[str, Any]:
    """The stored ``model`` ready to score on ``dialect`` (``duckdb`` | ``spark``).

    The parameters (prior, every m and u) are the model's, untouched. The SQL is the dialect's:
    the blocking rules of ``config`` always, and the comparison levels when the model was trained
    on another dialect, rendered from the same definitions (``_comparisons``) as Splink renders its
    library levels for each backend (the stored SQL is DuckDB's: double-quoted names, DuckDB's
    function names, which Spark SQL reads otherwise).
    """
    fresh = settings(config).create_settings_dict(dialect)
    out = {**copy.deepcopy(model), "retain_matching_columns": True,
           "blocking_rules_to_generate_predictions": fresh["blocking_rules_to_generate_predictions"]}
    if model.get("sql_dialect", "duckdb") == dialect:
        return out
    if _shape(model["comparisons"]) != _shape(fresh["comparisons"]):
        raise ModelMismatch()
    for comp, rendered in zip(out["comparisons"], fresh["comparisons"]):
        for level, new_level in zip(comp["comparison_levels"], rendered["comparison_levels"]):
            level["sql_condition"] = new_level["sql_condition"]
    out["sql_dialect"] = dialect
    return out


def evidence_of(text: str | None) -> dict[str, str]:
    """The evidence JSON as a dict, levels that could not be compared left out."""
    if not text:
        return {}
    return {k: v for k, v in json.loads(text).items() if v is not None}


def apply(wh: Warehouse, config: Probabilistic, model_id: int, model: dict[str, Any], build: int,
          seeds: list[str] | None = None, *, spark: Any = None) -> dict[str, int]:
    """Score pairs into ``identity_matches`` and give the linking step the pairs to link (after ``build_identifiers``).

    A pair at or above ``link_above`` becomes a value of type ``probabilistic`` carried by its two
    records (``_idn_ids``), linked last and through the same guard-rails as identifiers. With
    ``seeds`` (an incremental build), only pairs with a seed are scored again; the rest are kept.
    With ``spark`` (a SparkSession), the scoring runs there (features are still computed here).
    """
    from huaxiang.identity.linking import PROBABILISTIC

    features(wh)
    score(wh, config, model, seeds, spark=spark)
    con = wh.raw
    if seeds is None:
        con.execute("DELETE FROM identity_matches")
    else:
        con.execute("""DELETE FROM identity_matches WHERE source_a || chr(31) || source_key_a IN (SELECT uid FROM _idn_seed_uids)
                        OR source_b || chr(31) || source_key_b IN (SELECT uid FROM _idn_seed_uids)""")
    con.execute(f"""INSERT INTO identity_matches
        WITH split AS (
            SELECT *, split_part(uid_a, chr(31), 1) AS sa, substr(uid_a, strpos(uid_a, chr(31)) + 1) AS ka,
                      split_part(uid_b, chr(31), 1) AS sb, substr(uid_b, strpos(uid_b, chr(31)) + 1) AS kb
            FROM _idn_matches)
        SELECT sa, ka, sb, kb, match_weight, match_probability, evidence, sa || '/' || ka || ' ~ ' || sb || '/' || kb,
               CASE WHEN match_weight >= {float(config.link_above)} THEN 'link' ELSE 'review' END, {int(model_id)}, {build}
        FROM split""")
    con.execute(f"""INSERT INTO _idn_ids
        SELECT n.node, '{PROBABILISTIC}', m.value FROM identity_matches m
        JOIN _idn_nodes n ON n.source = m.source_a AND n.source_key = m.source_key_a WHERE m.outcome = 'link'
        UNION ALL
        SELECT n.node, '{PROBABILISTIC}', m.value FROM identity_matches m
        JOIN _idn_nodes n ON n.source = m.source_b AND n.source_key = m.source_key_b WHERE m.outcome = 'link'""")
    links, reviews = con.execute("""SELECT count(*) FILTER (outcome = 'link'), count(*) FILTER (outcome = 'review')
                                    FROM identity_matches""").fetchone()
    return {"scored_links": links, "scored_reviews": reviews}


class TooFewRecords(ValueError):
    def __init__(self, records: int, needed: int):
        super().__init__(f"{records} customer records are too few to train a probabilistic model "
                         f"(probabilistic.min_records: {needed})")
        self.records, self.needed = records, needed


@dataclass(frozen=True)
class TrainedModel:
    id: int
    records: int
    summary: dict[str, Any]
    model: dict[str, Any]


def fit(wh: Warehouse, config: Probabilistic) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """Features of the current customer records, then ``train``; returns (records, model, summary)."""
    records = features(wh)
    if records < config.min_records:
        raise TooFewRecords(records, config.min_records)
    model, summary = train(wh, config)
    return records, model, summary
