"""The demo generator writes real, messy, deterministic files with a consistent planted truth."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
import yaml
from python_calamine import CalamineWorkbook

from huaxiang.demo import generate
from huaxiang.domain.sources import Source

ZH_CRM_HEADERS = ["客户编号", "姓名", "性别", "出生日期", "手机号", "邮箱", "省份", "城市", "地址", "职业", "行业",
                  "收入水平", "学历", "婚姻状况", "会员号", "注册时间", "来源渠道", "最后更新"]


def _csv_rows(path, encoding) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))


def _headers(manifest, name: str) -> set[str]:
    path = manifest.files[name]
    fmt = path.suffix
    if fmt == ".csv":
        raw = path.read_bytes()
        enc = "gbk" if name == "crm_contacts" and "客户编号".encode("gbk") in raw[:200] else "utf-8-sig"
        return set(next(csv.reader(io.StringIO(raw.decode(enc)))))
    if fmt == ".parquet":
        return set(pq.read_schema(path).names)
    if fmt == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        return set(wb.get_sheet_by_index(0).to_python(nrows=1)[0])
    if fmt == ".jsonl":
        keys: set[str] = set()
        for line in path.read_text(encoding="utf-8").splitlines()[:5000]:
            keys |= set(json.loads(line))
        return keys
    return set().union(*(set(r) for r in json.loads(path.read_text(encoding="utf-8"))))


def test_manifest_lists_every_source_file_and_count(zh_demo):
    assert len(zh_demo.sources) == 10
    assert set(zh_demo.files) == {s.stem for s in zh_demo.sources}
    for name, path in zh_demo.files.items():
        assert path.exists() and path.parent.name == "data", name
        assert zh_demo.counts[name] > 0, name
    assert {p.name for p in zh_demo.truth_dir.iterdir()} >= {"identity.parquet", "customer_types.parquet", "churn.parquet"}


@pytest.mark.parametrize("demo", ["zh_demo", "en_demo"])
def test_every_source_yaml_validates_and_maps_real_headers(demo, request):
    manifest = request.getfixturevalue(demo)
    for path in manifest.sources:
        source = Source(**yaml.safe_load(path.read_text(encoding="utf-8")))
        assert source.path == f"data/{manifest.files[source.name].name}"
        missing = set(source.columns) - _headers(manifest, source.name)
        assert not missing, f"{path.name}: mapped headers not in the file: {missing}"


def test_crm_export_is_gbk_with_chinese_headers(zh_demo):
    raw = zh_demo.files["crm_contacts"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = next(csv.reader(io.StringIO(raw.decode("gbk"))))
    assert header == ZH_CRM_HEADERS


def test_store_members_sheet_has_real_date_cells(zh_demo):
    wb = CalamineWorkbook.from_path(str(zh_demo.files["store_members"]))
    assert wb.sheet_names == ["会员"]
    rows = wb.get_sheet_by_name("会员").to_python()
    assert rows[0][:5] == ["会员号", "姓名", "手机号", "性别", "生日"]
    joined = [r[7] for r in rows[1:]]
    assert all(type(d).__name__ == "date" for d in joined)
    assert len(rows) - 1 == zh_demo.counts["store_members"]


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a = generate(tmp_path / "a", customers=400, seed=3)
    b = generate(tmp_path / "b", customers=400, seed=3)
    c = generate(tmp_path / "c", customers=400, seed=4)
    for name, path in a.files.items():
        assert path.read_bytes() == b.files[name].read_bytes(), name
    for truth in a.truth_dir.iterdir():
        assert truth.read_bytes() == (b.truth_dir / truth.name).read_bytes(), truth.name
    assert a.files["crm_contacts"].read_bytes() != c.files["crm_contacts"].read_bytes()
    assert a.files["web_events"].read_bytes() != c.files["web_events"].read_bytes()


def test_row_counts_scale_with_customers(zh_demo, tmp_path):
    small = generate(tmp_path / "small", customers=300, seed=7)
    for name, rows in small.counts.items():
        assert zh_demo.counts[name] > rows, name
    assert 3 * 300 < small.counts["web_events"] / 3 < 40 * 300  # about 20 events per customer


def test_en_locale_has_english_headers_and_utf8(en_demo):
    rows = _csv_rows(en_demo.files["crm_contacts"], "utf-8")
    assert list(rows[0])[:5] == ["Customer ID", "Name", "Gender", "Birth date", "Phone"]
    assert all(r["Name"].strip().replace(" ", "").replace("'", "").isalpha() for r in rows)
    items = pq.read_table(en_demo.files["order_items"]).to_pandas()
    assert "Phones" in set(items["Category"]) or "Books" in set(items["Category"])
    wb = CalamineWorkbook.from_path(str(en_demo.files["store_members"]))
    assert wb.sheet_names == ["Members"]


def test_events_are_segment_shaped_json_lines(zh_demo):
    lines = zh_demo.files["web_events"].read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert len(events) == zh_demo.counts["web_events"]
    assert len({e["messageId"] for e in events}) == len(events)
    assert {e["type"] for e in events} == {"track", "page", "screen", "identify", "alias"}
    assert all(e["timestamp"].endswith("+08:00") for e in events[:1000])
    assert all("userId" in e or "anonymousId" in e for e in events)
    names = {e.get("event") for e in events}
    assert {"Product Viewed", "Products Searched", "Order Completed", "Email Opened", "WeChat Message Read"} <= names
    # anonymous browsing on a device comes before the identify call that ties it to a user
    identified = {e["anonymousId"]: e["timestamp"] for e in events if e["type"] == "identify"}
    earlier = [e for e in events if "userId" not in e and e.get("anonymousId") in identified
               and e["timestamp"] < identified[e["anonymousId"]]]
    assert earlier
