"""Interaction-text analytics: what short customer texts say, in Simplified Chinese and English.

Service tickets, chats, call notes, reviews and social posts get a sentiment score and label, an
intent, a topic, keywords and pain points, all from :func:`analyze` as one Arrow table, each
distinct text analysed once. Sentiment analyzers are registered by name
(:func:`register_sentiment`); the built-in ``lexicon`` analyzer reads shipped zh / en lexicons
with negation, degree adverbs and contrast. :func:`evaluate` scores the whole pipeline against a
hand-labelled CSV. Codes (``complaint``, ``delivery``…) are stable; ``*_label`` functions give
what a person reads in ``zh`` or ``en``.
"""

from __future__ import annotations

from .analyze import analyze
from .evaluate import evaluate
from .intent import INTENTS, intent_label
from .keywords import pain_point_label
from .lang import detect_lang
from .sentiment import SentimentAnalyzer, get_sentiment, register_sentiment, sentiment_label_name, sentiment_names
from .topics import topic_label, topic_names

__all__ = [
    "INTENTS",
    "SentimentAnalyzer",
    "analyze",
    "detect_lang",
    "evaluate",
    "get_sentiment",
    "intent_label",
    "pain_point_label",
    "register_sentiment",
    "sentiment_label_name",
    "sentiment_names",
    "topic_label",
    "topic_names",
]
