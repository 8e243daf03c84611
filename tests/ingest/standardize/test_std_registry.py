import ibis
import pytest

from huaxiang.ingest import standardize
from huaxiang.ingest.standardize import Cleaned, standardizer

BUILT_INS = {
    "text", "name", "phone", "email", "gender", "date", "timestamp", "money", "integer", "decimal",
    "boolean", "province", "city", "district",
}


def test_built_ins_are_registered():
    assert BUILT_INS <= set(standardize.names())
    assert standardize.names() == sorted(standardize.names())


def test_unknown_name_lists_known_ones():
    with pytest.raises(KeyError) as err:
        standardize.get("shoe_size")
    assert "shoe_size" in str(err.value) and "phone" in str(err.value)


def test_registration_extends_and_refuses_duplicates(con):
    @standardizer("test_upper_only")
    def upper(col, **_):
        return Cleaned(col.upper(), ibis.null("string"))

    try:
        assert standardize.get("test_upper_only") is upper
        assert con.execute(standardize.get("test_upper_only")(ibis.literal("ab")).value) == "AB"
        with pytest.raises(ValueError):
            standardizer("test_upper_only")(upper)
    finally:
        from huaxiang.ingest.standardize import _registry

        _registry._REGISTRY.pop("test_upper_only")


def test_public_api():
    assert set(standardize.__all__) == {"Cleaned", "Standardizer", "age_from", "get", "names", "split_address", "standardizer"}


def test_let_binds_a_value_once_per_row():
    import ibis

    from huaxiang.ingest.standardize._registry import let

    t = ibis.memtable({"a": ["a-b-c", None, "x"]})
    expensive = t.a.re_replace("-", "")
    body = lambda v: ibis.ifelse(v.length() > 2, v + v, v.upper())  # noqa: E731 - refers to v four times
    bound, inline = let(expensive, body), body(expensive)
    assert ibis.to_sql(t.select(x=bound)).count("REGEXP_REPLACE") == 1
    assert ibis.to_sql(t.select(x=inline)).count("REGEXP_REPLACE") == 4
    con = ibis.duckdb.connect()
    assert con.execute(t.select(x=bound)).x.tolist() == con.execute(t.select(x=inline)).x.tolist()
    assert con.execute(t.select(x=bound)).x.tolist()[::2] == ["abcabc", "X"]
