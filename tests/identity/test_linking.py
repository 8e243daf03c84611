"""Deterministic linking and its guard-rails on small hand-made cases."""

from __future__ import annotations

from idshop import customer_of, customers


def test_same_person_in_crm_and_store_with_a_name_typo_merges_through_the_phone(shop):
    ws = shop(["C1,王伟,男,1990-01-05,138 0013 8000,,"], ["M1,王玮,男,1990-01-05,+86 138-0013-8000"])
    result = ws.identity.build()
    assert customers(ws) == [["crm/C1", "store/M1"]]
    assert result.counts["customers"] == 1 and result.counts["edges"] == 1 and result.counts["conflicts"] == 0
    edge = ws.warehouse.raw.execute("SELECT source_a, source_key_a, source_b, source_key_b, identifier_type, value "
                                    "FROM identity_edges").fetchall()
    assert edge == [("crm", "C1", "store", "M1", "phone", "+8613800138000")]


def test_family_sharing_a_phone_with_different_member_ids_does_not_merge(shop):
    # same gender and no birth dates: only the member ids tell them apart
    ws = shop(["C1,张伟,男,,13800138000,,M1", "C2,张强,男,,13800138000,,M2"], ["M1,张伟,男,,13800138000"])
    ws.identity.build()
    assert customers(ws) == [["crm/C1", "store/M1"], ["crm/C2"]]
    conflicts = ws.warehouse.raw.execute("""SELECT identifier_type, value, stage, check_name, max_allowed, found,
                                            found_values::VARCHAR FROM identity_conflicts""").fetchall()
    assert conflicts == [("phone", "+8613800138000", "shared_value", "member_id", 1, 2, '["M1","M2"]')]
    # the phone still belongs to both customers, and no edge uses it
    assert ws.warehouse.count("identities", "value = '+8613800138000'") == 2
    assert ws.warehouse.count("identity_edges", "identifier_type = 'phone'") == 0


def test_spouses_sharing_a_phone_do_not_merge_when_gender_or_birth_date_disagree(shop):
    ws = shop(["C1,李凤,女,1964-08-21,13800138000,,", "C2,张军志,男,1957-02-04,13800138000,,",
               "C3,王芳,女,1970-01-01,13900139000,,", "C4,王芳,女,1971-01-01,13900139000,,"])
    ws.identity.build()
    assert customers(ws) == [["crm/C1"], ["crm/C2"], ["crm/C3"], ["crm/C4"]]
    checks = ws.warehouse.raw.execute("SELECT value, check_name FROM identity_conflicts ORDER BY 1, 2").fetchall()
    assert checks == [("+8613800138000", "birth_date"), ("+8613800138000", "gender"),
                      ("+8613900139000", "birth_date")]


def test_a_chain_of_acceptable_links_that_would_join_two_member_ids_is_not_formed(shop):
    # phone P joins C1 (M1) and C2; e-mail E joins C2 and C3 (M2): each value alone is fine,
    # but e-mail would put M1 and M2 in one customer, so the e-mail link is refused
    ws = shop(["C1,甲,男,,13800138000,,M1", "C2,甲,男,,13800138000,e@x.cn,", "C3,甲,男,,,e@x.cn,M2"])
    ws.identity.build()
    assert customers(ws) == [["crm/C1", "crm/C2"], ["crm/C3"]]
    conflicts = ws.warehouse.raw.execute("SELECT identifier_type, value, stage, check_name FROM identity_conflicts").fetchall()
    assert conflicts == [("email", "e@x.cn", "shared_value", "member_id")]


def test_component_check_refuses_links_that_are_only_wrong_together(shop):
    # "phone" also reads the e-mail column here. Three values, each shared by two records of which at
    # most one has a member id: no value alone sees two member ids, the component of all four does.
    rules = "identifiers:\n  phone: {columns: [phone, email]}\n  email: {enabled: false}\n"
    ws = shop(["C1,甲,男,,13800138001,,M1", "C2,甲,男,,13800138001,x@x.cn,", "C3,甲,男,,13800138002,x@x.cn,",
               "C4,甲,男,,13800138002,,M2"], identity_yml=rules)
    ws.identity.build()
    assert customers(ws) == [["crm/C1"], ["crm/C2"], ["crm/C3"], ["crm/C4"]]
    conflicts = ws.warehouse.raw.execute("""SELECT value, stage, check_name, found_values::VARCHAR
                                            FROM identity_conflicts ORDER BY 1""").fetchall()
    assert conflicts == [("+8613800138001", "component", "member_id", '["M1","M2"]'),
                         ("+8613800138002", "component", "member_id", '["M1","M2"]'),
                         ("x@x.cn", "component", "member_id", '["M1","M2"]')]
    assert ws.warehouse.count("identity_edges") == 0


def test_junk_identifiers_never_merge_anyone(shop):
    ws = shop(["C1,张三,男,,13800000000,test@test.com,", "C2,李四,女,,13800000000,TEST@test.com,",
               "C3,王五,男,,139-0000-0000,11111@qq.com,", "C4,赵六,男,,13900000000,11111@qq.com,"])
    result = ws.identity.build()
    assert customers(ws) == [["crm/C1"], ["crm/C2"], ["crm/C3"], ["crm/C4"]]
    assert result.counts["blocked"] == 8 and result.counts["edges"] == 0 and result.counts["conflicts"] == 0
    blocked = ws.warehouse.raw.execute("SELECT DISTINCT value FROM identifiers WHERE blocked ORDER BY 1").fetchall()
    assert blocked == [("+8613800000000",), ("+8613900000000",), ("11111@qq.com",), ("test@test.com",)]
    assert ws.identity.lookup("13800000000") == []


def test_workspace_block_list_adds_values_and_patterns(shop):
    rules = "block:\n  values: ['4008001234']\n  patterns: ['^.*@shop\\.cn$']\n"
    ws = shop(["C1,张三,男,,4008001234,a@shop.cn,", "C2,李四,女,,400-800-1234,a@shop.cn,"], identity_yml=rules)
    ws.identity.build()
    assert customers(ws) == [["crm/C1"], ["crm/C2"]]
    assert ws.warehouse.count("identifiers", "blocked") == 4


def test_a_customer_who_changed_phone_stays_one_through_the_member_id(shop):
    ws = shop(["C1,王伟,男,1990-01-05,13800138000,,M1"], ["M1,王伟,男,1990-01-05,13900139999"])
    ws.identity.build()
    assert customers(ws) == [["crm/C1", "store/M1"]]
    match, = ws.identity.lookup("139 0013 9999")
    assert (match.customer_id, match.via) == (customer_of(ws, "crm", "C1"), "phone")
    assert [r.source_key for r in match.records] == ["C1", "M1"]


def test_events_attach_to_the_customer_through_user_id_and_the_device(shop):
    events = [
        {"messageId": "e1", "type": "page", "anonymousId": "dev1"},                   # before signing in
        {"messageId": "e2", "type": "identify", "userId": "C1", "anonymousId": "dev1"},  # CRM id
        {"messageId": "e3", "type": "track", "userId": "M2"},                         # a member id
        {"messageId": "e4", "type": "alias", "userId": "M2", "previousId": "dev2"},
        {"messageId": "e5", "type": "page", "anonymousId": "dev2"},
        {"messageId": "e6", "type": "page", "anonymousId": "dev3"},                   # never identified
    ]
    ws = shop(["C1,王伟,男,,13800138000,,"], ["M2,李娜,女,,13900139000"], events)
    ws.identity.build()
    assert customers(ws) == [["crm/C1", "web/a:dev1", "web/u:C1|a:dev1"],
                             ["store/M2", "web/a:dev2", "web/u:M2", "web/u:M2|a:dev2"], ["web/a:dev3"]]
    types = ws.warehouse.raw.execute("""SELECT source_key, identifier_type, value FROM identifiers
                                        WHERE source = 'web' AND identifier_type <> 'device_id' ORDER BY 1""").fetchall()
    assert types == [("u:C1|a:dev1", "crm_id", "C1"), ("u:M2", "member_id", "M2"), ("u:M2|a:dev2", "member_id", "M2")]


def test_a_device_shared_by_two_members_links_neither(shop):
    events = [{"messageId": "e1", "type": "identify", "userId": "M1", "anonymousId": "tablet"},
              {"messageId": "e2", "type": "identify", "userId": "M2", "anonymousId": "tablet"},
              {"messageId": "e3", "type": "page", "anonymousId": "tablet"}]
    ws = shop([], ["M1,王伟,男,,13800138000", "M2,李娜,女,,13900139000"], events)
    ws.identity.build()
    assert customers(ws) == [["store/M1", "web/u:M1|a:tablet"], ["store/M2", "web/u:M2|a:tablet"], ["web/a:tablet"]]
    assert ws.warehouse.raw.execute("SELECT DISTINCT identifier_type, check_name FROM identity_conflicts").fetchall() == [
        ("device_id", "member_id")]
