"""The planted truth is complete and the data really shows it: duplicates, families, types, churn."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook


def _truth(manifest, name: str) -> pd.DataFrame:
    return pq.read_table(manifest.truth_dir / f"{name}.parquet").to_pandas()


def _crm(manifest) -> pd.DataFrame:
    text = manifest.files["crm_contacts"].read_bytes().decode("gbk")
    return pd.DataFrame(list(csv.DictReader(io.StringIO(text))))


def _orders_with_people(manifest) -> pd.DataFrame:
    """Orders tied to a person through the customer id or member id they carry."""
    orders = pq.read_table(manifest.files["orders"]).to_pandas()
    identity = _truth(manifest, "identity")[["source_key", "true_person_id"]]
    key = orders["客户编号"].fillna(orders["会员号"])
    orders = orders.assign(source_key=key).dropna(subset=["source_key"])
    return orders.merge(identity, on="source_key")


def test_identity_truth_covers_every_customer_record(zh_demo):
    identity = _truth(zh_demo, "identity")
    crm_ids = set(_crm(zh_demo)["客户编号"])
    rows = CalamineWorkbook.from_path(str(zh_demo.files["store_members"])).get_sheet_by_name("会员").to_python()
    member_ids = {r[0] for r in rows[1:]}
    assert set(identity.loc[identity.source == "crm_contacts", "source_key"]) == crm_ids
    assert set(identity.loc[identity.source == "store_members", "source_key"]) == member_ids
    assert len(identity) == len(crm_ids) + len(member_ids)


def test_planted_duplicates_exist(zh_demo):
    identity = _truth(zh_demo, "identity")
    per_person = identity.groupby("true_person_id").size()
    assert (per_person > 1).sum() > 100
    assert (identity.groupby("true_person_id").source.nunique() == 2).any()  # CRM and store
    assert (identity[identity.source == "crm_contacts"].groupby("true_person_id").size() == 2).any()  # twice in CRM
    variants = set(identity.variant)
    assert {"name_typo", "traditional", "phone_changed", "email_missing"} <= {v for x in variants for v in x.split("+")}


def test_traditional_variant_is_the_same_name_in_traditional_characters(zh_demo):
    from opencc import OpenCC

    identity = _truth(zh_demo, "identity")
    people = _truth(zh_demo, "people").set_index("true_person_id")
    crm = _crm(zh_demo).set_index("客户编号")
    trad = identity[(identity.source == "crm_contacts") & (identity.variant == "traditional")]
    cc = OpenCC("s2t")
    for key, pid in zip(trad.source_key, trad.true_person_id):
        assert crm.loc[key, "姓名"].strip() == cc.convert(people.loc[pid, "name"])


def test_family_members_share_a_phone_but_are_different_people(zh_demo):
    people = _truth(zh_demo, "people")
    sharing = people.dropna(subset=["shares_phone_of"]).merge(
        people, left_on="shares_phone_of", right_on="true_person_id", suffixes=("", "_owner"))
    assert len(sharing) > 5
    assert (sharing.phone == sharing.phone_owner).all()
    assert (sharing.true_person_id != sharing.true_person_id_owner).all()
    assert (sharing.name != sharing.name_owner).mean() > 0.95
    assert (sharing.birth_date != sharing.birth_date_owner).mean() > 0.95
    identity = _truth(zh_demo, "identity")
    flagged = set(identity.loc[identity.family_shared_phone, "true_person_id"])
    assert set(sharing.true_person_id) | set(sharing.true_person_id_owner) <= flagged


def test_customer_types_behave_differently(zh_demo):
    orders = _orders_with_people(zh_demo).merge(_truth(zh_demo, "customer_types"), on="true_person_id")
    aov = orders[orders["订单状态"] != "已取消"].groupby("type")["实付金额"].mean()
    assert aov["tech_enthusiast"] > 2 * aov["bargain_student"]
    assert aov["business_elite"] > aov["bargain_student"]
    store_share = orders.assign(store=orders["渠道"] == "门店").groupby("type").store.mean()
    assert store_share["silver_homebody"] > store_share["tech_enthusiast"]
    coupons = orders.assign(c=orders["优惠券"].notna()).groupby("type").c.mean()
    assert coupons["bargain_student"] > coupons["business_elite"]


def test_churned_customers_stop_buying_and_engaging(zh_demo):
    churn = _truth(zh_demo, "churn")
    assert 0.1 < churn.churned_at.notna().mean() < 0.3
    orders = _orders_with_people(zh_demo).merge(churn, on="true_person_id")
    assert orders.churned_at.notna().any()
    assert not (orders["下单时间"] >= orders.churned_at).any()
    identity = _truth(zh_demo, "identity")[["source_key", "true_person_id"]]
    events = pd.DataFrame([json.loads(x) for x in zh_demo.files["web_events"].read_text(encoding="utf-8").splitlines()])
    events = events.dropna(subset=["userId"]).merge(identity, left_on="userId", right_on="source_key").merge(churn, on="true_person_id")
    when = pd.to_datetime(events.timestamp.str[:19])
    assert not (when >= events.churned_at).any()


def test_marketing_events_respect_denied_consent(zh_demo):
    text = zh_demo.files["consents"].read_text(encoding="utf-8")
    consents = pd.DataFrame(list(csv.DictReader(io.StringIO(text))))
    email = consents[consents["授权用途"] == "营销邮件"].groupby("客户编号")["授权状态"].agg(set)
    denied = set(email[email.apply(lambda s: s == {"拒绝"})].index)
    assert denied
    events = [json.loads(x) for x in zh_demo.files["web_events"].read_text(encoding="utf-8").splitlines()]
    opened = {e.get("userId") for e in events if e.get("event") == "Email Opened"}
    assert opened and not (opened & denied)
