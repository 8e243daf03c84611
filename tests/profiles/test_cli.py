"""The profile commands in a real process: build, profile card, tags, segments, plan with impact."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pshop import make_shop
from test_members import SEGMENTS, TAGS
from test_traits import ORDERS_TRAITS


def run(root, *args: str, lang: str = "en") -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "huaxiang.cli", "--lang", lang, *args, "-w", str(root)],
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def shop(make_ws):
    return make_shop(make_ws, ORDERS_TRAITS, TAGS, SEGMENTS)


def test_build_then_profile_card_in_both_languages(shop):
    root = shop.root
    shop.close()
    out = run(root, "build")
    assert out.returncode == 0, out.stderr
    assert "Full build #1 done (duckdb): 3 customers" in out.stdout
    card = run(root, "profile", "13911112222", lang="zh")
    assert card.returncode == 0, card.stderr
    assert "360° 画像" in card.stdout and "交易" in card.stdout and "上海市" in card.stdout
    assert "已购客户" in card.stdout and "图书读者" in card.stdout  # tag and segment labels
    assert "2025-06-30 20:00" in card.stdout  # as of the clock, shown in Shanghai time
    en = run(root, "profile", "C1")
    assert "Transactions" in en.stdout and "Buyer" in en.stdout
    again = run(root, "build")
    assert "Incremental build #2 done (duckdb): 0 customers" in again.stdout


def test_tags_and_segments_commands(shop):
    root = shop.root
    shop.close()
    run(root, "build")
    tags = run(root, "tags", "list")
    assert tags.returncode == 0 and "big_spender" in tags.stdout and "manual" in tags.stdout
    assigned = run(root, "tags", "assign", "13933334444", "重点关注", "--note", "VIP call")
    assert "Tagged 13933334444 with 重点关注" in assigned.stdout
    run(root, "build")
    members = run(root, "tags", "members", "watch")
    assert "watch: 1 members" in members.stdout
    seg = run(root, "segments", "members", "recent_buyers", "--traits", "net_30d", "--size", "1")
    assert "recent_buyers: 2 members (page 1 of 2)" in seg.stdout and "net_30d" in seg.stdout
    overlap = run(root, "segments", "overlap", "recent_buyers", "books")
    assert overlap.returncode == 0 and "Segment overlap" in overlap.stdout
    bad = run(root, "tags", "assign", "13933334444", "nope")
    assert bad.returncode == 1 and "No tag named nope" in bad.stderr and "Traceback" not in bad.stderr


def test_plan_shows_who_would_enter_and_leave(shop):
    shop.profiles.build()
    tag_file = shop.root / "tags" / "shop.yml"
    tag_file.write_text(tag_file.read_text(encoding="utf-8").replace("orders_all > 0", "orders_all > 1"),
                        encoding="utf-8")
    plan = shop.plan()
    impact = shop.profiles.impact(plan)
    buyer = impact[("tag", "buyer")]
    assert (buyer.enter, buyer.leave, buyer.members) == (0, 1, 1)  # C2 has one order
    root = shop.root
    shop.close()
    out = run(root, "plan")
    assert "+0 / -1 (1 in all)" in out.stdout
