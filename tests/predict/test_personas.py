"""Persona discovery on synthetic customers with planted groups (no workspace, no warehouse).

Floors: on well-separated planted groups the adjusted Rand index is at least 0.95 and the chosen k
is the planted number; rebuilds keep every id of a group that is still there.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from huaxiang.definitions import library
from huaxiang.predict import persona_cards
from huaxiang.predict.persona_cards import Slot
from huaxiang.predict.personas import (DEFAULT_FEATURES, DiscoverySettings, FeatureSpec, PersonaOverride, PersonaRule,
                                       PersonaWarning, discover_personas, feature_specs)

ARI_FLOOR = 0.95
#: planted groups: means of the numeric traits, the category values most members hold, goal and pain point
GROUPS = {
    "tech": dict(digital=0.8, family=0.05, outdoor=0.05, price=3000, coupon=0.1, age=30, orders=6, tier="一线",
                 device="ios", goal="品质", pain="价格高"),
    "bargain": dict(digital=0.15, family=0.1, outdoor=0.05, price=60, coupon=0.85, age=21, orders=10, tier="二线",
                    device="android", goal="性价比", pain="物流慢"),
    "silver": dict(digital=0.05, family=0.05, outdoor=0.05, price=300, coupon=0.3, age=66, orders=3,
                   tier="三线及以下", device="desktop", goal="便利", pain="操作复杂"),
    "family": dict(digital=0.1, family=0.8, outdoor=0.05, price=400, coupon=0.5, age=33, orders=12, tier="新一线",
                   device="mobile", goal="品牌", pain="缺货"),
    "outdoor": dict(digital=0.1, family=0.05, outdoor=0.8, price=900, coupon=0.2, age=40, orders=5, tier="一线",
                    device="android", goal="品质", pain="尺码不准"),
}
NAMES = ["digital_affinity", "family_affinity", "outdoor_affinity", "avg_item_price", "coupon_order_share", "age",
         "orders_365d", "city_tier", "preferred_device"]
SMALL_K = DiscoverySettings(k_min=3, k_max=6)


@pytest.fixture(scope="module")
def specs() -> list[FeatureSpec]:
    return feature_specs(library.load().traits, NAMES)


@pytest.fixture(scope="module")
def four(specs) -> tuple[pd.DataFrame, object]:
    """Four planted groups and their discovery with the default settings (k in 3..10)."""
    frame = planted(["tech", "bargain", "silver", "family"])
    return frame, discover_personas(frame, specs)


def planted(groups: list[str], n: int = 250, seed: int = 1, prefix: str = "c") -> pd.DataFrame:
    """``n`` customers per group; each trait noisy around the group's value, categories 80% the group's."""
    rng = np.random.default_rng(seed)
    frames = []
    for g in groups:
        p = GROUPS[g]
        others = lambda key, pool: np.where(rng.random(n) < 0.8, p[key], rng.choice(pool, n))  # noqa: E731
        frames.append(pd.DataFrame({
            "group": g,
            "digital_affinity": np.clip(rng.normal(p["digital"], 0.08, n), 0, 1),
            "family_affinity": np.clip(rng.normal(p["family"], 0.08, n), 0, 1),
            "outdoor_affinity": np.clip(rng.normal(p["outdoor"], 0.08, n), 0, 1),
            "avg_item_price": rng.lognormal(np.log(p["price"]), 0.3, n),
            "coupon_order_share": np.clip(rng.normal(p["coupon"], 0.08, n), 0, 1),
            "age": pd.array(np.round(rng.normal(p["age"], 3, n)).astype(int), dtype="Int64"),
            "orders_365d": rng.poisson(p["orders"], n),
            "city_tier": others("tier", ["一线", "新一线", "二线", "三线及以下"]),
            "preferred_device": others("device", ["ios", "android", "desktop", "mobile"]),
            "shopping_motivation": np.where(rng.random(n) < 0.7, p["goal"], rng.choice(["性价比", "品质", "便利"], n)),
            "pain_points": [[p["pain"], "其他"] if r < 0.5 else [p["pain"]] if r < 0.8 else []
                            for r in rng.random(n)],
        }))
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "customer_id", [f"{prefix}{i:05d}" for i in range(len(frame))])
    return frame


def ari(frame: pd.DataFrame, result) -> float:
    return adjusted_rand_score(frame["group"], result.assignments["persona"])


def persona_of(frame: pd.DataFrame, result, group: str) -> str:
    """The persona most members of a planted group have."""
    return result.assignments["persona"][frame["group"].to_numpy() == group].mode().iloc[0]


def card(result, persona_id: str):
    return next(c for c in result.cards if c.id == persona_id)


def test_planted_groups_are_found_and_k_is_the_planted_number(four):
    frame, result = four
    assert result.k == 4
    assert sorted(result.silhouette) == list(range(3, 11))
    assert max(result.silhouette, key=result.silhouette.get) == 4
    assert ari(frame, result) >= ARI_FLOOR
    assert [c.id for c in result.cards] == ["P01", "P02", "P03", "P04"]
    assert [c.size for c in result.cards] == sorted((c.size for c in result.cards), reverse=True)


def test_the_smaller_k_wins_within_the_tolerance(specs, four):
    frame, _ = four
    loose = discover_personas(frame, specs, settings=DiscoverySettings(k_min=3, k_max=6, tolerance=1.0))
    assert loose.k == 3  # every score is within 1.0 of the best: the smallest k
    exact = discover_personas(frame, specs, settings=DiscoverySettings(k_min=4, k_max=4))
    assert exact.k == 4 and list(exact.silhouette) == [4]


def test_every_customer_has_exactly_one_persona_and_a_fit_in_0_1(specs):
    frame = planted(["tech", "bargain", "silver"])
    result = discover_personas(frame, specs, settings=SMALL_K)
    out = result.assignments
    assert list(out.columns) == ["customer_id", "persona", "fit"]
    assert out["customer_id"].tolist() == frame["customer_id"].tolist()
    assert out["persona"].notna().all() and set(out["persona"]) == {c.id for c in result.cards}
    assert out["fit"].between(0, 1).all()
    assert sum(c.size for c in result.cards) == len(frame)
    assert sum(c.share for c in result.cards) == pytest.approx(1.0)
    # well separated: most customers sit far nearer their own centre than the next one
    assert out["fit"].median() > 0.4
    by_id = out.set_index("customer_id")
    for c in result.cards:
        typical = by_id.loc[c.typical_members]
        assert len(typical) == 5 and (typical["persona"] == c.id).all()
        assert typical["fit"].min() > out["fit"][out["persona"] == c.id].median()


def test_names_come_from_the_distinguishing_traits_in_zh_and_en(four):
    frame, result = four
    tech = card(result, persona_of(frame, result, "tech"))
    assert "数码发烧友" in tech.name_zh and "Tech enthusiast" in tech.name_en
    family = card(result, persona_of(frame, result, "family"))
    assert "母婴亲子" in family.name_zh and "Family shopper" in family.name_en
    bargain = card(result, persona_of(frame, result, "bargain"))
    assert "爱用券" in bargain.name_zh or "偏好平价商品" in bargain.name_zh
    assert len({c.name_zh for c in result.cards}) == len({c.name_en for c in result.cards}) == len(result.cards)
    assert all(1 <= c.name_zh.count("·") + 1 <= 4 for c in result.cards)


def test_card_statistics_goals_pain_points_and_narrative(specs):
    frame = planted(["tech", "bargain", "silver"])
    result = discover_personas(frame, specs, goals=["shopping_motivation"], pain_points=["pain_points"],
                               settings=SMALL_K)
    tech = card(result, persona_of(frame, result, "tech"))
    digital = next(s for s in tech.key_stats if s.trait == "digital_affinity")
    members = frame["digital_affinity"][result.assignments["persona"] == tech.id]
    assert digital.direction == "high" and digital.z > 1
    assert digital.member == pytest.approx(members.mean())
    assert digital.base == pytest.approx(frame["digital_affinity"].mean())
    assert digital.lift == pytest.approx(digital.member / digital.base)
    assert [abs(s.z) for s in tech.key_stats] == sorted((abs(s.z) for s in tech.key_stats), reverse=True)
    assert tech.goals[0].value == "品质" and tech.goals[0].member_share > tech.goals[0].base_share
    bargain = card(result, persona_of(frame, result, "bargain"))
    assert bargain.pain_points[0].value == "物流慢" and bargain.pain_points[0].lift > 2
    assert all(m.value != "其他" for c in result.cards for m in c.pain_points)  # everyone has it: lift 1
    assert tech.name_zh in tech.narrative_zh and tech.name_en in tech.narrative_en
    assert f"{tech.size:,}" in tech.narrative_zh and "品质" in tech.narrative_zh
    assert tech.narrative_zh.count("。") == 3 and tech.narrative_en.count(". ") == 2
    json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False)


def test_a_name_taken_gets_the_next_distinguishing_trait():
    """Two personas alike on their three strongest traits differ in the fourth; no phrase: "高<label>"."""
    features = [FeatureSpec(n, "numeric", f"指标{n}", f"Metric {n}") for n in "abcd"]
    table = pd.DataFrame(np.arange(24, dtype=float).reshape(6, 4), columns=list("abcd"))
    profiles = pd.DataFrame({"customer_id": [f"c{i}" for i in range(6)]})
    z = pd.DataFrame([[2.0, 1.5, 1.0, 0.5], [2.0, 1.5, 1.0, -0.5], [-1.0, -1.0, -1.0, 0.0]], columns=list("abcd"))
    slots = [Slot("P01", "cluster"), Slot("P02", "cluster"), Slot("P03", "cluster")]
    labels = np.array([0, 0, 1, 1, 2, 2])
    cards = persona_cards.build_cards(profiles, table, features, slots, labels, z, (np.zeros(6),))
    assert cards[0].name_zh == "高指标a·高指标b·高指标c"
    assert cards[0].name_en == "High metric a · High metric b · High metric c"
    assert cards[1].name_zh == "高指标a·高指标b·高指标c·低指标d"
    assert cards[2].name_zh == "低指标a·低指标b·低指标c"


def test_a_rebuild_on_the_same_or_slightly_changed_data_keeps_every_id(specs, four):
    frame, first = four
    state = json.loads(json.dumps(first.state, ensure_ascii=False))  # the caller stores JSON
    again = discover_personas(frame, specs, previous=state)
    assert again.changes == {"new": [], "kept": ["P01", "P02", "P03", "P04"], "gone": []}
    assert again.assignments["persona"].tolist() == first.assignments["persona"].tolist()

    changed = frame.copy()
    rng = np.random.default_rng(7)
    rows = rng.choice(len(frame), len(frame) // 20, replace=False)  # 5% of the customers get others' values
    changed.loc[rows, NAMES] = frame.loc[rng.permutation(rows), NAMES].to_numpy()
    perturbed = discover_personas(changed, specs, previous=state)
    assert sorted(perturbed.changes["kept"]) == ["P01", "P02", "P03", "P04"] and not perturbed.changes["new"]
    same = perturbed.assignments["persona"] == first.assignments["persona"]
    assert same.mean() >= 0.93
    for group in GROUPS:
        if group in set(frame["group"]):
            assert persona_of(frame, perturbed, group) == persona_of(frame, first, group)


def test_a_new_group_gets_a_fresh_id_and_ids_are_never_reused(specs, four):
    old, first = four
    five = planted(["tech", "bargain", "silver", "family", "outdoor"], n=150, seed=2)
    settings = DiscoverySettings(k_min=3, k_max=7)
    grown = discover_personas(five, specs, previous=first.state, settings=settings)
    assert grown.k == 5 and grown.changes["new"] == ["P05"] and len(grown.changes["kept"]) == 4
    assert persona_of(five, grown, "outdoor") == "P05"
    for group in ("tech", "bargain", "silver", "family"):
        assert persona_of(five, grown, group) == persona_of(old, first, group)

    swapped = discover_personas(planted(["tech", "bargain", "silver", "outdoor"], n=150, seed=4), specs,
                                previous=first.state, settings=settings)
    assert swapped.changes["new"] == ["P05"] and swapped.changes["gone"] == [persona_of(old, first, "family")]

    gone_group = persona_of(old, first, "family")
    three = planted(["tech", "bargain", "silver", "outdoor"], n=150, seed=3)
    shrunk = discover_personas(three, specs, previous=grown.state, settings=settings)
    assert shrunk.changes["gone"] == [gone_group] and not shrunk.changes["new"]
    back = discover_personas(five, specs, previous=shrunk.state, settings=settings)
    assert persona_of(five, back, "family") == "P06"  # a fresh id, not the one that was gone
    assert back.state["issued"] == ["P01", "P02", "P03", "P04", "P05", "P06"]


def test_overrides_replace_text_and_survive_a_rebuild(specs):
    frame = planted(["tech", "bargain", "silver"])
    first = discover_personas(frame, specs, settings=SMALL_K)
    tech = persona_of(frame, first, "tech")
    edits = {tech: {"name_zh": "极客", "name_en": "Geeks", "description_en": "Early adopters."},
             "P99": PersonaOverride(name_zh="不存在")}  # a persona that is gone: ignored
    edited = discover_personas(frame, specs, previous=first.state, overrides=edits, settings=SMALL_K)
    changed = card(edited, tech)
    assert (changed.name_zh, changed.name_en, changed.description_en) == ("极客", "Geeks", "Early adopters.")
    assert changed.overridden == ["description_en", "name_en", "name_zh"]
    assert changed.narrative_zh == card(first, tech).narrative_zh  # not overridden: generated
    rebuilt = discover_personas(planted(["tech", "bargain", "silver"], seed=5), specs, previous=edited.state,
                                overrides=edits, settings=SMALL_K)
    assert card(rebuilt, tech).name_zh == "极客"
    with pytest.raises(ValueError, match="override of persona 'P01'.*name_zh"):
        discover_personas(frame, specs, overrides={"P01": {"title": "x"}}, settings=SMALL_K)


def test_rule_personas_come_first_with_fit_1(specs):
    frame = planted(["tech", "bargain", "silver", "family"])
    senior = (frame["age"] >= 60).to_numpy(dtype=bool)
    young = (frame["age"] <= 24).to_numpy(dtype=bool)
    vip = senior & (frame["avg_item_price"] > 350).to_numpy()  # overlaps the seniors: the first rule wins
    rules = [PersonaRule("vip", "贵宾长者", "VIP seniors", vip), PersonaRule("senior", "银发族", "Seniors", senior),
             PersonaRule("youth", "青年", "Youth", young)]
    result = discover_personas(frame, specs, rules=rules, settings=SMALL_K)
    out = result.assignments
    assert (out["persona"][vip] == "vip").all() and (out["persona"][senior & ~vip] == "senior").all()
    assert (out["persona"][young & ~senior] == "youth").all()
    assert (out["fit"][vip | senior | young] == 1.0).all()
    ruled = vip | senior | young
    assert not out["persona"][~ruled].isin(["vip", "senior", "youth"]).any()
    assert [c.id for c in result.cards[:3]] == ["vip", "senior", "youth"]
    assert result.cards[1].name_zh == "银发族" and result.cards[1].origin == "rule"
    assert result.cards[1].size == int((senior & ~vip).sum()) and result.cards[1].key_stats
    assert result.k == len(result.cards) - 3 and all(c.origin == "cluster" for c in result.cards[3:])
    # the clustered personas get P-ids; the rule ids are issued too, so no P-id can ever collide
    assert {"vip", "senior", "youth"} <= set(result.state["issued"])
    with pytest.warns(PersonaWarning, match="nobody.*nobody_rule"):
        nobody = PersonaRule("nobody_rule", "无", "None", np.zeros(len(frame), bool))
        none = discover_personas(frame, specs, rules=[nobody], settings=SMALL_K)
    assert "nobody_rule" not in {c.id for c in none.cards}


def test_nulls_are_handled(specs):
    frame = planted(["tech", "bargain", "silver", "family"])
    rng = np.random.default_rng(3)
    for name in NAMES:
        frame.loc[rng.random(len(frame)) < 0.2, name] = None
    frame.loc[0, NAMES] = None  # a customer with no trait at all
    result = discover_personas(frame, specs, goals=["shopping_motivation"], pain_points=["pain_points"],
                               settings=SMALL_K)
    assert result.k == 4 and ari(frame, result) >= 0.9
    assert result.assignments["persona"].notna().all() and result.assignments["fit"].between(0, 1).all()
    json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False)


def test_a_constant_feature_is_dropped_with_a_warning(specs):
    frame = planted(["tech", "bargain", "silver"])
    frame["orders_365d"] = 3
    frame["city_tier"] = None
    with pytest.warns(PersonaWarning, match="orders_365d, city_tier"):
        result = discover_personas(frame, specs, settings=SMALL_K)
    assert result.dropped == ["orders_365d", "city_tier"]
    assert not any(s.trait in result.dropped for c in result.cards for s in c.key_stats)
    frame[NAMES] = 1
    with pytest.raises(ValueError, match="every feature is constant.*digital_affinity"):
        discover_personas(frame, specs, settings=SMALL_K)


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns=["coupon_order_share"]), "unknown column.*coupon_order_share"),
    (lambda f: f.iloc[:0], "no rows"),
    (lambda f: f.drop(columns=["customer_id"]), "no customer_id"),
    (lambda f: pd.concat([f, f.iloc[:1]]), "customer_id must be present and unique"),
    (lambda f: f.assign(age="old"), "'age' is numeric but holds .* such as 'old'"),
    (lambda f: f.assign(city_tier=[["一线"]] * len(f)), "'city_tier' holds lists"),
    (lambda f: f.iloc[::40], "3 customers to cluster: too few for k_min=3"),
])
def test_bad_input_is_refused_with_a_clear_error(specs, change, message):
    with pytest.raises(ValueError, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore", PersonaWarning)  # three rows may share a category value
        discover_personas(change(planted(["tech", "bargain", "silver"], n=40)), specs, settings=SMALL_K)


def test_bad_settings_rules_and_state_are_refused(specs):
    frame = planted(["tech", "bargain", "silver"], n=40)
    with pytest.raises(ValueError, match="k_min must be at least 2"):
        DiscoverySettings(k_min=1)
    with pytest.raises(ValueError, match=r"k_max \(3\) is below k_min \(5\)"):
        DiscoverySettings(k_min=5, k_max=3)
    with pytest.raises(ValueError, match="kind must be 'numeric' or 'category'"):
        FeatureSpec("age", "number")
    with pytest.raises(ValueError, match="named twice: age"):
        discover_personas(frame, [*specs, specs[5]], settings=SMALL_K)
    with pytest.raises(ValueError, match="rule persona 'r1': the mask must hold one boolean per profile row"):
        discover_personas(frame, specs, rules=[PersonaRule("r1", "规", "Rule", np.ones(3, bool))], settings=SMALL_K)
    with pytest.raises(ValueError, match="previous persona state"):
        discover_personas(frame, specs, previous={"personas": []}, settings=SMALL_K)
    with pytest.raises(ValueError, match="unknown trait.*no_such_trait"):
        feature_specs(library.load().traits, ["age", "no_such_trait"])
    with pytest.raises(ValueError, match="'birth_date' is a date"):
        feature_specs(library.load().traits, ["birth_date"])


def test_default_features_are_library_traits_with_phrases():
    specs = feature_specs(library.load().traits, DEFAULT_FEATURES)
    assert len(specs) == len(DEFAULT_FEATURES) >= 10
    phrases = yaml.safe_load(_phrase_file().read_text(encoding="utf-8"))["traits"]
    for spec in specs:
        entry = phrases.get(spec.name)
        assert entry, f"no phrase for {spec.name}"
        if spec.kind == "numeric":
            assert entry["high"]["zh"] and entry["high"]["en"] and entry["low"]["zh"] and entry["low"]["en"]
        else:
            assert entry["values"] and all(v["zh"] and v["en"] for v in entry["values"].values())


def _phrase_file():
    from importlib import resources

    return resources.files("huaxiang.predict").joinpath("data", "persona_phrases.yml")
