"""``analyze``: the table it returns, deduplication, missing input, languages, keywords, pain points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from huaxiang.predict.text import analyze, detect_lang, pain_point_label
from huaxiang.predict.text.analyze import SCHEMA
from huaxiang.predict.text.keywords import keywords

TEXTS = ["物流太慢了，等了一个星期！", "Thanks, the agent was very patient.", "请问可以开发票吗？"]


class Counting:
    """The lexicon's job done by a stub that records what it was asked."""

    name = "counting"

    def __init__(self):
        self.calls: list[list[str]] = []

    def score(self, texts, langs):
        self.calls.append(list(texts))
        return np.array([-0.8 if "慢" in t or "slow" in t.lower() else 0.0 for t in texts])


def test_one_row_per_text_with_the_documented_schema():
    out = analyze(TEXTS)
    assert out.schema == SCHEMA
    assert out.column_names == ["lang", "sentiment", "sentiment_label", "intent", "topic", "keywords", "pain_points"]
    rows = out.to_pylist()
    assert [r["lang"] for r in rows] == ["zh", "en", "zh"]
    assert [r["sentiment_label"] for r in rows] == ["negative", "positive", "neutral"]
    assert [r["intent"] for r in rows] == ["complaint", "praise", "inquiry"]
    assert [r["topic"] for r in rows] == ["delivery", "service", "payment"]
    assert rows[0]["sentiment"] < -0.5 < 0.5 < rows[1]["sentiment"]


def test_each_distinct_text_is_analysed_once_and_order_is_kept():
    texts = ["好评", "物流太慢", "好评", "Slow shipping", "物流太慢", "好评"]
    analyzer = Counting()
    rows = analyze(texts, sentiment=analyzer).to_pylist()
    assert analyzer.calls[0] == ["好评", "物流太慢", "Slow shipping"]
    assert rows[0] == rows[2] == rows[5] and rows[1] == rows[4] and rows[0] != rows[1]
    assert [r["sentiment"] for r in rows] == [0.0, -0.8, 0.0, -0.8, -0.8, 0.0]


def test_same_text_in_two_given_languages_is_two_analyses():
    analyzer = Counting()
    rows = analyze(["OK 好的", "OK 好的", "OK 好的"], langs=["zh", "en", "zh"], sentiment=analyzer).to_pylist()
    assert sorted(analyzer.calls[0]) == ["OK 好的", "OK 好的"]
    assert [r["lang"] for r in rows] == ["zh", "en", "zh"] and rows[0] == rows[2]


def test_missing_empty_and_blank_texts_give_null_rows():
    rows = analyze([None, "", "   ", "好评", np.nan, pd.NA]).to_pylist()
    assert rows[3]["sentiment_label"] == "positive"
    for i in (0, 1, 2, 4, 5):
        assert set(rows[i].values()) == {None}


def test_empty_and_all_missing_inputs():
    assert analyze([]).num_rows == 0 and analyze([]).schema == SCHEMA
    out = analyze([None, None])
    assert out.num_rows == 2 and out.column("intent").null_count == 2


@pytest.mark.parametrize("container", [pd.Series, pa.array, lambda v: pa.chunked_array([v]), np.array])
def test_series_and_arrow_inputs_are_read_alike(container):
    assert analyze(container(TEXTS)).equals(analyze(TEXTS))


def test_bad_inputs_are_named():
    with pytest.raises(TypeError, match="not a single string"):
        analyze("物流太慢")
    with pytest.raises(TypeError, match=r"texts\[1\] is a int \(42\)"):
        analyze(["好", 42])
    with pytest.raises(ValueError, match="langs has 1 values but there are 2 texts"):
        analyze(["好", "good"], langs=["zh"])
    with pytest.raises(ValueError, match=r"langs\[1\] is 'fr'"):
        analyze(["好", "bon"], langs=["zh", "fr"])


def test_language_is_detected_from_the_share_of_cjk_characters():
    texts = ["iPhone 15的屏幕有划痕", "Ordered from the 华为 store, terrible", "物流太慢", "slow", "👍👍", None]
    assert detect_lang(texts).tolist() == ["zh", "en", "zh", "en", "en", None]
    assert analyze(["物流太慢"], langs=[None]).column("lang").to_pylist() == ["zh"]


def test_keywords_drop_stop_words_numbers_and_fold_plurals():
    assert keywords("The boxes were crushed and two boxes were missing", "en")[0] == "box"
    assert "the" not in keywords("The boxes were crushed", "en")
    zh = keywords("我买的耳机已经5天了还没到，物流太慢了", "zh")
    assert "物流" in zh and "耳机" in zh and not {"5", "已经", "我"} & set(zh)


def test_pain_points_name_what_the_negative_part_complains_about():
    rows = analyze(["包装很好但是发货太慢", "The packaging was lovely, but the courier lost my parcel",
                    "客服回复敷衍", "五星好评"]).to_pylist()
    assert rows[0]["pain_points"] == ["delivery"]  # not packaging, which was praised
    assert "delivery" in rows[1]["pain_points"] and "packaging" not in rows[1]["pain_points"]
    assert set(rows[2]["pain_points"]) == {"staff", "response"}
    assert rows[3]["pain_points"] == []


def test_pain_point_labels_exist_in_both_languages_and_pass_raw_keywords_through():
    assert pain_point_label("delivery", "zh") == "物流配送慢"
    assert pain_point_label("delivery", "en") == "Slow or failed delivery"
    assert pain_point_label("冰箱", "zh") == "冰箱"
    with pytest.raises(ValueError, match="unknown language 'de'"):
        pain_point_label("delivery", "de")


def test_the_public_api_is_small_and_explicit():
    import huaxiang.predict.text as text

    assert text.__all__ == [
        "INTENTS", "SentimentAnalyzer", "analyze", "detect_lang", "evaluate", "get_sentiment", "intent_label",
        "pain_point_label", "register_sentiment", "sentiment_label_name", "sentiment_names", "topic_label", "topic_names",
    ]
    assert all(hasattr(text, name) for name in text.__all__)
