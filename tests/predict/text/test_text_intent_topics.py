"""Intents (cues, priority, sentiment fallback) and topics, with their zh / en labels."""

from __future__ import annotations

import pytest

from huaxiang.predict.text import INTENTS, analyze, intent_label, topic_label, topic_names
from huaxiang.predict.text import _data


def intents(texts: list[str]) -> list[str]:
    return analyze(texts).column("intent").to_pylist()


def topics(texts: list[str]) -> list[str]:
    return analyze(texts).column("topic").to_pylist()


def test_intent_priority_is_documented_in_code_and_data_alike():
    assert INTENTS == ("cancellation", "refund_return", "complaint", "inquiry", "praise", "other")
    assert tuple(_data.document("intents.yml")) == INTENTS


@pytest.mark.parametrize(("text", "intent"), [
    # cancellation > refund_return
    ("我要取消订单，并且退款", "cancellation"), ("Cancel my order and refund me", "cancellation"),
    # refund_return > complaint
    ("质量太差了，我要退货", "refund_return"), ("This is broken, I want a refund", "refund_return"),
    # complaint > inquiry
    ("Why is my order so late?", "complaint"), ("客服态度太差了，我要投诉，你们管不管？", "complaint"),
    # inquiry > praise
    ("东西很好用，请问还有别的颜色吗？", "inquiry"), ("Love it! Do you also sell the matching case?", "inquiry"),
])
def test_the_costlier_intent_wins(text, intent):
    assert intents([text]) == [intent]


@pytest.mark.parametrize(("text", "intent"), [
    ("包装很好但是发货太慢", "complaint"),  # no complaint cue: negative sentiment decides
    ("The parcel sat at the depot for a week", "other"),  # neutral facts without cues
    ("Is the blue one out of stock?", "inquiry"),  # a mildly negative question stays a question
    ("谢谢，非常满意", "praise"), ("Works perfectly, five stars", "praise"),
    ("I wanted to complain, but they fixed it at once, great service!", "praise"),  # complaint cue in a positive text
    ("Thanks for nothing, the worst support ever", "complaint"),  # praise cue in a negative text
    ("我上周买了一台冰箱。", "other"),
])
def test_sentiment_settles_what_cues_leave_open(text, intent):
    assert intents([text]) == [intent]


@pytest.mark.parametrize(("text", "intent"), [
    ("我的订单被取消了，怎么回事？", "complaint"), ("Why was my order cancelled?", "inquiry"),
    ("这个月的会员日活动取消了吗？", "inquiry"), ("想了解一下你们的以旧换新活动", "inquiry"),
])
def test_vetoes_keep_look_alike_words_out(text, intent):
    assert intents([text]) == [intent]


@pytest.mark.parametrize(("text", "topic"), [
    ("物流太慢了，快递员也不打电话", "delivery"), ("Tracking has not moved, where is my parcel?", "delivery"),
    ("商品有划痕，包装也破了，质量太差了", "quality"),  # packaging once, quality three times
    ("The stitching came apart, poor quality fabric", "quality"),
    ("店员态度冷淡", "service"), ("The cashier was rude", "service"),
    ("申请七天无理由退货", "refund_return"), ("Where do I print the return label?", "refund_return"),
    ("有没有优惠券？", "price"), ("Any coupon for first orders?", "price"),
    ("扣款扣了两次，发票也没开", "payment"), ("I was charged twice, send me the invoice", "payment"),
    ("积分怎么兑换", "membership"), ("I can't log in to my account", "membership"),
    ("这款有M码吗？尺码怎么选", "product_inquiry"), ("Do you have this in a size M?", "product_inquiry"),
    ("你好", "other"), ("Hello there", "other"),
])
def test_topics_from_the_shipped_lexicon(text, topic):
    assert topics([text]) == [topic]


def test_a_tie_goes_to_the_earlier_topic_in_the_file():
    names = topic_names()
    assert names.index("refund_return") < names.index("product_inquiry") and names[-1] == "other"
    assert topics(["尺码不合适，申请换货"]) == ["refund_return"]  # one hit each


def test_every_intent_and_topic_has_a_label_in_both_languages():
    assert intent_label("complaint", "zh") == "投诉" and intent_label("refund_return", "en") == "Refund / return"
    assert topic_label("delivery", "zh") == "物流配送" and topic_label("product_inquiry", "en") == "Product questions"
    for code in INTENTS:
        assert intent_label(code, "zh") and intent_label(code, "en")
    for code in topic_names():
        assert topic_label(code, "zh") and topic_label(code, "en")


def test_unknown_codes_and_languages_are_named():
    with pytest.raises(KeyError, match=r"unknown code 'refund'.*refund_return"):
        intent_label("refund", "en")
    with pytest.raises(ValueError, match=r"unknown language 'ja'"):
        topic_label("delivery", "ja")
