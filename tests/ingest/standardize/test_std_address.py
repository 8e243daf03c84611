import csv
from importlib import resources

import ibis
import pytest

from huaxiang.ingest.standardize import regions, split_address

U, A = "unrecognized_address", "ambiguous_address"
CASES = [
    # address, province, city, district, reason (same for every level left NULL by it)
    ("广东省深圳市南山区科技园科苑路15号", "广东省", "深圳市", "南山区", None),
    ("北京朝阳区建国路88号", "北京市", "北京市", "朝阳区", None),
    ("北京市朝阳区建国路88号", "北京市", "北京市", "朝阳区", None),
    ("深圳南山区科技园", "广东省", "深圳市", "南山区", None),
    ("浙江杭州西湖区", "浙江省", "杭州市", "西湖区", None),
    ("浙江省杭州市西湖区文三路", "浙江省", "杭州市", "西湖区", None),
    ("中国 广东省 深圳市 南山区", "广东省", "深圳市", "南山区", None),
    ("上海市徐汇区虹漕路461号", "上海市", "上海市", "徐汇区", None),
    ("徐汇区虹漕路461号", "上海市", "上海市", "徐汇区", None),
    ("吉林市昌邑区", "吉林省", "吉林市", "昌邑区", None),
    ("吉林长春朝阳区", "吉林省", "长春市", "朝阳区", None),
    ("长春朝阳区人民大街", "吉林省", "长春市", "朝阳区", None),
    ("湖北荆州区", "湖北省", "荆州市", "荆州区", None),
    ("广西南宁青秀区", "广西壮族自治区", "南宁市", "青秀区", None),
    ("延边朝鲜族自治州延吉市", "吉林省", "延边朝鲜族自治州", "延吉市", None),
    ("湖北省仙桃市某镇", "湖北省", "仙桃市", None, None),
    ("广东省", "广东省", None, None, None),
    ("广东东莞", "广东省", "东莞市", None, None),
    ("上海南京路100号", "上海市", "上海市", None, None),
    ("重庆市万州区", "重庆市", "重庆市", "万州区", None),
    ("香港离岛区", "香港特别行政区", "香港特别行政区", "离岛区", None),
    ("朝阳区建国路", None, None, None, A),
    ("南山区科技园", None, None, None, A),
    ("火星基地1号", None, None, None, U),
    ("No. 1 Main Street", None, None, None, U),
    ("", None, None, None, None),
    ("   ", None, None, None, None),
    (None, None, None, None, None),
]


def _split(con, inputs):
    t = ibis.memtable({"i": list(range(len(inputs))), "s": inputs}, schema={"i": "int64", "s": "string"})
    parts = split_address(t.s)
    cols = {f"{k}_{f}": getattr(c, f) for k, c in parts.items() for f in ("value", "reason")}
    return con.to_pyarrow(t.select(t.i, **cols).order_by("i")).to_pylist()


def test_split_address(con):
    rows = _split(con, [c[0] for c in CASES])
    for (raw, province, city, district, reason), row in zip(CASES, rows):
        got = (row["province_value"], row["city_value"], row["district_value"])
        assert got == (province, city, district), raw
        for level, value in zip(("province", "city", "district"), got):
            assert row[f"{level}_reason"] == (reason if value is None else None), (raw, level)
        assert row["address_reason"] is None


def test_split_address_keeps_normalized_full_address(con):
    rows = _split(con, ["  广东省 深圳市 南山区  科苑路１５号 ", "Room 5, 北京 朝阳区"])
    assert [r["address_value"] for r in rows] == ["广东省深圳市南山区科苑路15号", "Room 5, 北京朝阳区"]


LEVELS = [
    ("province", [("广东", "广东省"), ("广东省", "广东省"), ("北京", "北京市"), ("广西", "广西壮族自治区"),
                  ("内蒙古", "内蒙古自治区"), ("新疆", "新疆维吾尔自治区"), ("香港", "香港特别行政区")]),
    ("city", [("深圳", "深圳市"), ("深圳市", "深圳市"), ("北京", "北京市"), ("吉林", "吉林市"),
              ("延边", "延边朝鲜族自治州"), ("大兴安岭", "大兴安岭地区"), ("阿拉善", "阿拉善盟")]),
    ("district", [("南山区", "南山区"), ("朝阳区", "朝阳区"), ("昆山市", "昆山市")]),
]


@pytest.mark.parametrize("level, good", LEVELS)
def test_single_level_columns(clean, level, good):
    inputs = [raw for raw, _ in good] + ["火星", "", None]
    want = [(full, None) for _, full in good] + [(None, f"unknown_{level}"), (None, None), (None, None)]
    assert clean(level, inputs) == want


def test_shipped_region_table_is_complete():
    rows = list(csv.DictReader(resources.files("huaxiang.ingest.standardize").joinpath("data", "regions.csv").open(encoding="utf-8")))
    levels = {lvl: sum(r["level"] == lvl for r in rows) for lvl in ("province", "city", "district")}
    assert levels["province"] == 34
    assert levels["city"] > 330 and levels["district"] > 2800
    assert len({r["adcode"] for r in rows}) == len(rows)


def test_chain_ambiguity_rules():
    chains = regions.chains()
    assert chains["吉林"] == regions.Place("吉林省", None, None)
    assert chains["海南"] == regions.Place("海南省", None, None)
    assert chains["朝阳区"].ambiguous and chains["朝阳区"].district is None
    assert chains["北京朝阳区"] == regions.Place("北京市", "北京市", "朝阳区")
