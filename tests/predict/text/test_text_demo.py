"""The demo's own ticket texts get the intents and topics the demo planted in them.

The templates of ``huaxiang.demo.texts`` are filled here by hand (one category, product and
number of days per language) instead of running the generator, so the test checks the analysis,
not the sampling. The demo plants a ticket topic (vocab ``ticket_topic``: delivery, quality,
service, question, praise, return, cancellation), which is an intent and, for complaints, a topic.
"""

from __future__ import annotations

import re

import pytest

from huaxiang.demo.texts import NPS_REASONS, TICKETS
from huaxiang.predict.text import analyze

SLOTS = {"zh": {"cat": "耳机", "prod": "索尼降噪耳机", "days": "9"},
         "en": {"cat": "Headphones", "prod": "Sony Wireless Earbuds", "days": "9"}}
PLANTED = ("delivery", "quality", "service", "question", "praise", "return", "cancellation")
# planted ticket topic → (intent, topic); None where the demo plants no topic
EXPECTED = {
    "delivery": ("complaint", "delivery"),
    "quality": ("complaint", "quality"),
    "service": ("complaint", "service"),
    "question": ("inquiry", None),
    "praise": ("praise", None),
    "return": ("refund_return", "refund_return"),
    "cancellation": ("cancellation", "other"),
}
# The demo's questions, in template order: discounts, restocking, points, invoices, warranty.
QUESTION_TOPICS = ["price", "product_inquiry", "membership", "payment", "product_inquiry"]
# A quality complaint that asks to send the item back is a refund_return by the documented priority.
ASKS_FOR_RETURN = re.compile(r"退货|return it")


def tickets(lang: str) -> list[tuple[str, str]]:
    return [(planted, template.format(**SLOTS[lang]))
            for planted, group in zip(PLANTED, TICKETS[lang], strict=True) for template in group]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_planted_intents_and_topics_are_found(lang):
    planted, texts = zip(*tickets(lang), strict=True)
    rows = analyze(list(texts)).to_pylist()
    for p, text, row in zip(planted, texts, rows, strict=True):
        intent, topic = EXPECTED[p]
        if p == "quality" and ASKS_FOR_RETURN.search(text):
            intent = "refund_return"
        assert (row["lang"], row["intent"]) == (lang, intent), text
        if topic is not None:
            assert row["topic"] == topic, text
    assert [r["topic"] for p, r in zip(planted, rows, strict=True) if p == "question"] == QUESTION_TOPICS


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_complaints_are_negative_and_praise_positive(lang):
    planted, texts = zip(*tickets(lang), strict=True)
    rows = analyze(list(texts)).to_pylist()
    for p, text, row in zip(planted, texts, rows, strict=True):
        if p in ("delivery", "quality", "service"):
            assert row["sentiment_label"] == "negative" and row["pain_points"], text
        elif p == "praise":
            assert row["sentiment_label"] == "positive", text
        elif p == "question":
            assert row["sentiment_label"] == "neutral", text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nps_detractors_are_negative_and_promoters_positive(lang):
    detractors, _, promoters = NPS_REASONS[lang]
    labels = analyze([*detractors, *promoters]).column("sentiment_label").to_pylist()
    assert labels == ["negative"] * len(detractors) + ["positive"] * len(promoters)
