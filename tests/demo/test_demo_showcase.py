"""`run_demo` end to end, in Chinese and in English: generate, apply, import every source, check the result.

Each locale's demo is built once per module (about 15 s each) and shared by the tests below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import huaxiang
from huaxiang.demo.showcase import run_demo
from huaxiang.profiles.members import TABLES as MEMBER_TABLES
from huaxiang.identity.tables import HISTORY_TABLES, RESULT_TABLES

SOURCES = {"crm_contacts": "customers", "store_members": "customers", "orders": "orders",
           "order_items": "order_items", "web_events": "events", "service_tickets": "interactions",
           "social": "interactions", "referrals": "referrals", "surveys": "surveys", "consents": "consents"}
TABLE = {"customers": "source_records", "orders": "orders", "order_items": "order_items", "events": "events",
         "interactions": "interactions", "referrals": "referrals", "surveys": "survey_responses",
         "consents": "consents"}
E164 = {"zh": r"\+861[3-9][0-9]{9}", "en": r"\+1[2-9][0-9]{9}"}
PHONE_HEADER = {"zh": "手机号", "en": "Phone"}
COUNTRY_CODE = {"zh": "+86", "en": "+1"}
TRUTH_FILES = ["churn.parquet", "customer_types.parquet", "identity.parquet", "people.parquet"]


@dataclass
class Demo:
    locale: str
    root: Path
    summary: dict[str, Any]
    ws: huaxiang.Workspace

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.ws.warehouse.raw.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list | None = None) -> Any:
        [(value,)] = self.rows(sql, params)
        return value


def _run(tmp_path_factory, locale: str):
    root = tmp_path_factory.mktemp(f"showcase_{locale}") / "huaxiang-demo"
    steps: list[str] = []
    summary = run_demo(root, customers=300, locale=locale, progress=lambda label, *_: steps.append(label), predict=False)
    assert steps and not (root / ".huaxiang" / "lock.json").exists()  # run_demo closed its workspace
    ws = huaxiang.open_workspace(root)
    yield Demo(locale, root, summary, ws)
    ws.close()


@pytest.fixture(scope="module")
def zh_showcase(tmp_path_factory):
    yield from _run(tmp_path_factory, "zh")


@pytest.fixture(scope="module")
def en_showcase(tmp_path_factory):
    yield from _run(tmp_path_factory, "en")


@pytest.fixture(params=["zh", "en"])
def demo(request) -> Demo:
    return request.getfixturevalue(f"{request.param}_showcase")


def test_every_source_gets_one_succeeded_load_storing_rows(demo: Demo):
    summary = demo.summary
    assert summary["customers"] == 300 and summary["path"] == str(demo.root)
    assert sorted(demo.ws.sources.list()) == sorted(SOURCES)
    assert {name: demo.ws.sources.get(name)[0].kind for name in SOURCES} == SOURCES
    loads = {x["source"]: x for x in summary["loads"]}
    assert [x["source"] for x in summary["loads"]][:2] == ["crm_contacts", "store_members"]  # customers first
    assert sorted(loads) == sorted(SOURCES)
    for name in SOURCES:
        first = demo.ws.quality.loads(name)[-1]  # the demo's own load (a later test may re-import)
        assert first["status"] == "succeeded", (name, first["message"])
        assert first["counts"]["stored"] == loads[name]["stored"] > 0, name
        assert first["counts"]["read"] == loads[name]["read"] >= loads[name]["stored"], name
        report = demo.ws.quality.load_report(first["load_id"])
        assert report["source"] == name and report["counts"] == first["counts"]
    for kind, table in TABLE.items():  # what each table holds is exactly what its sources stored
        stored = sum(loads[name]["stored"] for name, k in SOURCES.items() if k == kind)
        assert summary["tables"][table] == stored, table


def test_every_planted_customer_record_is_stored_once(demo: Demo):
    identity = pq.read_table(demo.root / "demo_truth" / "identity.parquet", columns=["source", "source_key"])
    planted = sorted(zip(identity["source"].to_pylist(), identity["source_key"].to_pylist()))
    stored = demo.rows("SELECT source, source_key FROM source_records ORDER BY ALL")
    assert stored == planted


def test_phones_are_e164(demo: Demo):
    pattern, header = E164[demo.locale], PHONE_HEADER[demo.locale]
    national = len(COUNTRY_CODE[demo.locale]) + 1  # where the national number starts in the E.164 text
    total, with_phone, e164, same_number, reformatted = demo.rows(
        f"""SELECT count(*), count(phone), count(*) FILTER (WHERE regexp_full_match(phone, '{pattern}')),
                   count(*) FILTER (WHERE ends_with(regexp_replace(translate(raw->>'{header}', '０１２３４５６７８９',
                                    '0123456789'), '[^0-9]', '', 'g'), substr(phone, {national}))),
                   count(*) FILTER (WHERE (raw->>'{header}') <> phone)
            FROM source_records""")[0]
    assert with_phone == e164 == same_number and with_phone >= 0.9 * total
    assert reformatted > 0.5 * with_phone
    invalid = demo.one("SELECT count(*) FROM value_issues WHERE column_name = 'phone' AND reason = 'invalid_phone'")
    assert invalid > 0
    assert demo.one("""SELECT count(*) FROM value_issues v JOIN source_records r USING (source, source_key)
                       WHERE v.column_name = 'phone' AND r.phone IS NOT NULL""") == 0  # invalid became NULL


def test_chinese_addresses_fill_province_and_city(zh_showcase: Demo):
    demo = zh_showcase
    with_address, located, districts, from_address_only = demo.rows(
        """SELECT count(*), count(*) FILTER (WHERE province IS NOT NULL AND city IS NOT NULL),
                  count(*) FILTER (WHERE district IS NOT NULL),
                  count(*) FILTER (WHERE province IS NOT NULL AND coalesce(raw->>'省份', '') = '')
           FROM source_records WHERE source = 'crm_contacts' AND address IS NOT NULL""")[0]
    assert with_address >= 200 and located >= 0.95 * with_address and districts >= 0.9 * with_address
    assert from_address_only > 0  # the province came from the address alone
    provinces = [p for (p,) in demo.rows("SELECT DISTINCT province FROM source_records WHERE province IS NOT NULL")]
    assert provinces and all(p.endswith(("省", "市", "自治区")) for p in provinces), provinces  # 广东 -> 广东省
    cities = [c for (c,) in demo.rows("SELECT DISTINCT city FROM source_records WHERE city IS NOT NULL")]
    assert cities and all(c.endswith(("市", "州", "盟", "地区")) for c in cities), cities  # 深圳 -> 深圳市
    assert demo.one("""SELECT count(*) FROM source_records WHERE address IS NOT NULL AND province IS NOT NULL
                       AND starts_with(address, province) AND NOT starts_with(address, province || city)
                       AND province NOT IN ('北京市', '上海市', '天津市', '重庆市')""") == 0


def test_english_rows_keep_the_us_state(en_showcase: Demo):
    demo = en_showcase
    given, kept = demo.rows("""SELECT count(*), count(*) FILTER (WHERE province = trim(raw->>'State'))
                               FROM source_records WHERE source = 'crm_contacts'
                               AND coalesce(trim(raw->>'State'), '') <> ''""")[0]
    assert given >= 200 and kept == given
    states = [s for (s,) in demo.rows("SELECT DISTINCT province FROM source_records WHERE province IS NOT NULL")]
    assert states and all(len(s) == 2 and s.isupper() for s in states), states
    assert demo.one("""SELECT count(*) FROM value_issues
                       WHERE column_name IN ('province', 'city', 'district', 'address')""") == 0
    assert demo.one("SELECT count(district) FROM source_records") == 0  # no Chinese address splitting
    assert demo.one("SELECT count(*) FROM source_records WHERE city IS NOT NULL") >= 200


def test_reimporting_a_source_updates_and_never_duplicates(demo: Demo):
    name = {"zh": "crm_contacts", "en": "store_members"}[demo.locale]  # a GBK CSV, an Excel sheet
    before = demo.ws.warehouse.count("source_records")
    rows = demo.one("SELECT count(*) FROM source_records WHERE source = ?", [name])
    result = demo.ws.ingest.load(name)
    assert result.status == "succeeded"
    assert (result.counts["stored"], result.counts["updated"], result.counts["inserted"]) == (rows, rows, 0)
    assert demo.ws.warehouse.count("source_records") == before
    assert demo.rows("SELECT DISTINCT load_id FROM source_records WHERE source = ?", [name]) == [(result.load_id,)]
    assert demo.one("SELECT count(*) - count(DISTINCT (source, source_key)) FROM source_records") == 0
    assert [x["status"] for x in demo.ws.quality.loads(name)] == ["succeeded", "succeeded"]


def test_planted_truth_is_on_disk_and_not_in_the_warehouse(demo: Demo):
    truth = demo.root / "demo_truth"
    assert sorted(p.name for p in truth.iterdir()) == TRUTH_FILES
    people = pq.read_table(truth / "people.parquet")
    assert people.num_rows == 300 and "true_person_id" in people.column_names
    tables = {t for (t,) in demo.rows("SELECT table_name FROM information_schema.tables")}
    identity = {*RESULT_TABLES, *HISTORY_TABLES, "golden_records"}
    profiles = {"profiles", "profile_records", "profile_ids", "interaction_signals", *MEMBER_TABLES}
    assert tables == set(TABLE.values()) | {"value_issues", "quarantine"} | identity | profiles
    truth_columns = {"true_person_id", "scenario", "variant", "churned_at", "shares_phone_of", "type_zh",
                     "family_shared_phone", "junk_phone", "city_tier"}
    # the profiles compute their own city_tier from the city (a trait); no imported table may carry the truth
    columns = {c for (c,) in demo.rows("SELECT DISTINCT column_name FROM information_schema.columns "
                                       "WHERE table_name NOT LIKE 'profiles%'")}
    assert columns & truth_columns == set()
    assert demo.one("SELECT count(*) FROM source_records WHERE contains(raw::VARCHAR, 'true_person_id')") == 0
    files = [x["file"] for name in SOURCES for x in demo.ws.quality.loads(name)]
    assert files and all(Path(f).parent == demo.root / "data" for f in files)
    assert all(demo.ws.sources.get(name)[0].path.startswith("data/") for name in SOURCES)


def test_summary_shows_cleaning_examples_read_from_the_warehouse(zh_showcase):
    examples = zh_showcase.summary["examples"]
    assert examples["source"] == "crm_contacts"
    assert [c for c, _ in examples["columns"]] == ["手机号", "出生日期", "性别", "地址"]
    assert len(examples["rows"]) == 5
    for (raw_phone, phone), (raw_birth, birth), _gender, _address in examples["rows"]:
        digits = "".join(ch for ch in raw_phone.translate({0xFF10 + i: 0x30 + i for i in range(10)}) if ch.isdigit())
        assert raw_phone != phone and phone.startswith("+86") and digits.endswith(phone[3:])
        assert raw_birth != birth and len(birth) == 10
        stored = zh_showcase.one("SELECT count(*) FROM source_records WHERE source = 'crm_contacts' "
                                 "AND phone = ? AND CAST(birth_date AS VARCHAR) = ?", [phone, birth])
        assert stored >= 1


@pytest.mark.parametrize("fixture", ["zh_showcase", "en_showcase"])
def test_demo_resolves_identities_and_reports_them(fixture, request):
    demo = request.getfixturevalue(fixture)
    identity = demo.summary["identity"]
    assert identity["customers"] == demo.one("SELECT count(DISTINCT customer_id) FROM customer_records")
    assert identity["records"] == demo.one("SELECT count(*) FROM customer_records")
    people = demo.one("SELECT count(*) FROM read_parquet(?)", [str(demo.root / "demo_truth" / "people.parquet")])
    # duplicates merged: fewer customers than customer records, and never fewer than the true people
    records = demo.one("SELECT count(*) FROM source_records")
    known = demo.one("SELECT count(DISTINCT customer_id) FROM customer_records WHERE source IN "
                     "(SELECT DISTINCT source FROM source_records)")
    assert people <= known < records
