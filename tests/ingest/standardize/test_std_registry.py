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
