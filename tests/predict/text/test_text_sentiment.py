"""The lexicon sentiment analyzer (negation, degree, contrast) and the analyzer registry."""

from __future__ import annotations

import numpy as np
import pytest

from huaxiang.predict.text import analyze, get_sentiment, register_sentiment, sentiment_label_name, sentiment_names
from huaxiang.predict.text import sentiment as sentiment_module
from huaxiang.predict.text.lexicon import score_text, tokens
from huaxiang.predict.text.sentiment import sentiment_labels


def s(text: str, lang: str) -> float:
    return score_text(text, lang)


@pytest.mark.parametrize(("plain", "negated", "lang"), [
    ("满意", "不满意", "zh"), ("好用", "不好用", "zh"), ("推荐", "不推荐", "zh"),
    ("good", "not good", "en"), ("helpful", "wasn't helpful", "en"), ("recommend", "would not recommend", "en"),
])
def test_negation_flips_a_positive_word(plain, negated, lang):
    assert s(plain, lang) > 0.3
    assert s(negated, lang) < -0.2


@pytest.mark.parametrize(("text", "lang"), [
    ("不差", "zh"), ("not bad", "en"), ("not bad at all!", "en"), ("没有任何异味", "zh"),
])
def test_a_negated_negative_is_mildly_positive(text, lang):
    assert 0 < s(text, lang) < 0.5


@pytest.mark.parametrize(("text", "lang"), [
    ("还没收到", "zh"), ("问题一直没解决", "zh"), ("it hasn't arrived", "en"), ("nobody replied", "en"),
])
def test_a_negated_expectation_is_a_complaint(text, lang):
    assert s(text, lang) < -0.3


def test_negation_reaches_only_a_few_tokens_and_stops_at_punctuation():
    assert s("not the fastest courier in town but good", "en") > 0
    assert s("不，很好", "zh") > 0.3


@pytest.mark.parametrize(("weak", "strong", "lang"), [
    ("满意", "非常满意", "zh"), ("慢", "太慢了", "zh"),
    ("good", "very good", "en"), ("slow", "extremely slow", "en"),
])
def test_degree_adverbs_strengthen(weak, strong, lang):
    assert abs(s(strong, lang)) > abs(s(weak, lang)) > 0
    assert np.sign(s(strong, lang)) == np.sign(s(weak, lang))


def test_diminishers_and_degree_under_negation_soften():
    assert 0 > s("有点慢", "zh") > s("慢", "zh")
    assert s("很不满意", "zh") < s("不是很满意", "zh") < 0  # "not very satisfied" is milder


@pytest.mark.parametrize(("text", "lang", "sign"), [
    ("包装很好但是发货太慢", "zh", -1), ("发货太慢，但是包装很好", "zh", 1),
    ("虽然价格便宜，但是质量太差", "zh", -1),
    ("The packaging was great, but shipping was slow", "en", -1),
    ("Shipping was slow, but the packaging was great", "en", 1),
    ("Although it was cheap, it broke", "en", -1),
])
def test_the_clause_after_a_contrast_weighs_more(text, lang, sign):
    assert np.sign(s(text, lang)) == sign


def test_a_contrast_followed_by_a_plain_fact_turns_the_sentiment_around():
    assert s("The packaging was great, but it took nine days to ship", "en") < -0.15
    assert s("卖家发货很快，但快递在中转站停了四天", "zh") < -0.15


def test_exclamation_marks_amplify_and_scores_stay_in_range():
    assert s("great!!!", "en") > s("great!", "en") > s("great", "en")
    assert -1 <= s("垃圾垃圾垃圾垃圾，骗子！！！", "zh") <= -0.9


def test_jieba_glued_modifiers_are_split_off_again():
    assert tokens("客服态度好差", "zh")[-2:] == ["很", "差"]  # 好 as a degree prefix stands for 很
    assert tokens("不太好", "zh") == ["不", "太", "好"]
    assert tokens("根本解决不了", "zh")[-2:] == ["不", "解决"]
    assert tokens("don't like it", "en")[0] == "not like"  # n't → not, then the phrase


def test_labels_use_a_neutral_band_and_keep_nan_missing():
    labels = sentiment_labels(np.array([-0.9, -0.1, 0.0, 0.1, 0.6, np.nan]))
    assert labels.tolist() == ["negative", "neutral", "neutral", "neutral", "positive", None]
    assert sentiment_label_name("negative", "zh") == "负面" and sentiment_label_name("positive", "en") == "Positive"
    with pytest.raises(ValueError, match="fr"):
        sentiment_label_name("positive", "fr")


def test_unknown_analyzer_names_the_known_ones():
    assert "lexicon" in sentiment_names()
    with pytest.raises(KeyError, match=r"unknown sentiment analyzer 'bert'.*lexicon"):
        get_sentiment("bert")
    with pytest.raises(KeyError, match="known analyzers"):
        analyze(["好"], sentiment="bert")


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the registry, so analyzers registered in a test vanish after it."""
    monkeypatch.setattr(sentiment_module, "_REGISTRY", dict(sentiment_module._REGISTRY))


def test_a_registered_analyzer_is_used_by_analyze(registry):
    seen = []

    @register_sentiment("everything_is_terrible")
    class Gloomy:
        name = "everything_is_terrible"

        def score(self, texts, langs):
            seen.append((list(texts), list(langs)))
            return np.full(len(texts), -0.9)

    texts = ["五星好评，非常满意", "Great service!", "五星好评，非常满意"]
    out = analyze(texts, sentiment="everything_is_terrible").to_pylist()
    assert [r["sentiment"] for r in out] == [-0.9, -0.9, -0.9]
    assert [r["sentiment_label"] for r in out] == ["negative"] * 3
    assert [r["intent"] for r in out] == ["complaint"] * 3  # a negative text without other cues
    assert seen[0] == (["五星好评，非常满意", "Great service!"], ["zh", "en"])  # each distinct text once
    assert "everything_is_terrible" in sentiment_names()


def test_registering_a_name_twice_is_refused(registry):
    register_sentiment("twice")(lambda: None)
    with pytest.raises(ValueError, match="'twice' is already registered"):
        register_sentiment("twice")(lambda: None)


@pytest.mark.parametrize(("scores", "message"), [
    ([0.1], r"returned shape \(1,\) for 2 texts"), ([0.1, 1.5], "outside"),
])
def test_bad_analyzer_output_is_refused(scores, message):
    class Broken:
        name = "broken"

        def score(self, texts, langs):
            return np.array(scores)

    with pytest.raises(ValueError, match=message):
        analyze(["a", "b"], sentiment=Broken())


def test_something_that_is_not_an_analyzer_is_refused():
    with pytest.raises(TypeError, match="analyzer name or have `name` and `score`, not int"):
        analyze(["a"], sentiment=3)
