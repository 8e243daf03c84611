"""The building blocks: noise that stays recoverable, names that vary the way people's do."""

from __future__ import annotations

import numpy as np

from huaxiang.demo import names as N
from huaxiang.demo.messy import birth_text, excel_serial, phone_text
from huaxiang.demo.sampling import unique_draw
from huaxiang.demo.strs import S, fill


def test_every_phone_shape_keeps_the_number():
    rng = np.random.default_rng(0)
    phones = np.array([13800138000 + i for i in range(700)])
    shaped = phone_text(rng, phones, "zh", (1, 1, 1, 1, 1, 1, 1))
    fullwidth = str.maketrans("０１２３４５６７８９", "0123456789")
    digits = ["".join(ch for ch in s.translate(fullwidth) if ch.isdigit()) for s in shaped.tolist()]
    assert all(d.endswith(str(p)) for d, p in zip(digits, phones.tolist()))
    starts = {s[:4] for s in shaped.tolist()}
    assert {"+86-", "+86 ", "0086", "１３８０"} <= starts
    assert any(s.count(" ") == 2 for s in shaped.tolist()) and any(s.count("-") == 2 for s in shaped.tolist())


def test_birth_dates_are_typed_in_many_ways():
    rng = np.random.default_rng(1)
    day = int(np.datetime64("1990-01-05").astype(np.int64))
    texts = set(birth_text(rng, np.full(2000, day), "zh").tolist())
    assert {"1990-01-05", "1990/1/5", "19900105", "1990年1月5日", str(excel_serial(np.array([day]))[0]), ""} <= texts
    assert texts & {"1990-02-30", "abc", "不详", "0000-00-00"} or any("-13-" in t for t in texts)


def test_name_typo_changes_one_character_and_traditional_uses_opencc():
    surname, c1, c2 = (np.array(x, dtype=S) for x in (["陈", "王"], ["伟", "静"], ["", "怡"]))
    typo = N.typo(surname, c1, c2).tolist()
    assert typo == ["陈玮", "王静宜"]
    assert N.traditional(surname, c1, c2).tolist() == ["陳偉", "王靜怡"]


def test_unique_draw_never_repeats():
    values = unique_draw(np.random.default_rng(2), 5000, 0, 6000)
    assert len(np.unique(values)) == 5000


def test_templates_fill_each_row_with_its_own_values():
    out = fill(["买的{cat}坏了", "{cat}几天到？等了{days}天"], np.array([1, 0]),
               {"cat": np.array(["耳机", "手机"], dtype=S), "days": np.array(["3", "5"], dtype=S)})
    assert out.tolist() == ["耳机几天到？等了3天", "买的手机坏了"]
