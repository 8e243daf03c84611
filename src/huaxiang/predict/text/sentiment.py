"""Sentiment analyzers, registered by name, and the labels their scores map to.

An analyzer turns texts into scores in [-1, 1]; everything downstream (labels, intents, pain
points) only sees the scores, so a better model (a fine-tuned transformer, a vendor API) plugs in
as one class::

    @register_sentiment("my_model")
    class MyModel:
        name = "my_model"
        def score(self, texts, langs): ...

and ``analyze(texts, sentiment="my_model")`` uses it. The built-in ``lexicon`` analyzer registers
itself the same way (``lexicon.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ._data import LANGS

SENTIMENT_LABELS = ("negative", "neutral", "positive")
LABEL_NAMES = {
    "negative": {"zh": "负面", "en": "Negative"},
    "neutral": {"zh": "中性", "en": "Neutral"},
    "positive": {"zh": "正面", "en": "Positive"},
}
# Scores within this distance of 0 are neutral: one mild word ("还行", "okay") does not make a text
# positive, one clear one ("不错", "good") does.
NEUTRAL_BAND = 0.15


@runtime_checkable
class SentimentAnalyzer(Protocol):
    """Scores texts: one float in [-1, 1] per text (NaN where it cannot tell)."""

    name: str

    def score(self, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray: ...


_REGISTRY: dict[str, Callable[[], SentimentAnalyzer]] = {}


def register_sentiment(name: str) -> Callable[[Callable[[], SentimentAnalyzer]], Callable[[], SentimentAnalyzer]]:
    """Register a zero-argument factory (usually the class itself) of an analyzer under ``name``."""

    def register(factory: Callable[[], SentimentAnalyzer]) -> Callable[[], SentimentAnalyzer]:
        if name in _REGISTRY:
            raise ValueError(f"sentiment analyzer {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return register


def get_sentiment(name: str) -> SentimentAnalyzer:
    """A new instance of the analyzer registered under ``name``."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        known = ", ".join(sentiment_names())
        raise KeyError(f"unknown sentiment analyzer {name!r}; known analyzers: {known}") from None
    return factory()


def sentiment_names() -> list[str]:
    return sorted(_REGISTRY)


def checked_scores(analyzer: SentimentAnalyzer, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
    """``analyzer.score`` as float64, refusing a wrong shape or a score outside [-1, 1]."""
    scores = np.asarray(analyzer.score(texts, langs), dtype=np.float64)
    if scores.shape != (len(texts),):
        raise ValueError(f"sentiment analyzer {analyzer.name!r} returned shape {scores.shape} for {len(texts)} texts")
    outside = np.abs(scores) > 1.0
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(f"sentiment analyzer {analyzer.name!r} scored {texts[i]!r} {scores[i]}, outside [-1, 1]")
    return scores


def sentiment_labels(scores: np.ndarray) -> np.ndarray:
    """negative / neutral / positive per score (None for NaN), by :data:`NEUTRAL_BAND`."""
    scores = np.asarray(scores, dtype=np.float64)
    out = np.select([scores < -NEUTRAL_BAND, scores > NEUTRAL_BAND], ["negative", "positive"], "neutral").astype(object)
    out[np.isnan(scores)] = None
    return out


def sentiment_label_name(label: str, lang: str) -> str:
    """What a person reads for a sentiment label: 负面 / Negative …"""
    if label not in LABEL_NAMES:
        raise KeyError(f"unknown sentiment label {label!r}; known: {', '.join(SENTIMENT_LABELS)}")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return LABEL_NAMES[label][lang]
