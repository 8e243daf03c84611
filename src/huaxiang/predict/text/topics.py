"""What a text is about, from the topic lexicon in ``data/topics.yml``.

A text takes the topic with the most term hits (the earlier topic in the file on a tie, ``other``
when nothing matches): "商品有划痕，包装也破了，质量太差了" mentions packaging once and quality
three times, so it is about quality. Counting is vectorized with pandas over the distinct texts
of each language, one pass per topic.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from . import _data

OTHER = "other"


def topic_names() -> tuple[str, ...]:
    """Every topic code in the file's order, ``other`` last."""
    return tuple(_data.document("topics.yml"))


@cache
def _patterns(lang: str) -> tuple[tuple[str, re.Pattern], ...]:
    """(topic, pattern of its terms) for the topics with terms, longest term first."""
    out = []
    for name, entry in _data.document("topics.yml").items():
        terms = sorted(entry.get(lang) or (), key=len, reverse=True)
        if terms:
            alternation = "|".join(re.escape(t) for t in terms)
            pattern = rf"\b(?:{alternation})(?:e?s)?\b" if lang == "en" else alternation
            out.append((name, re.compile(pattern, re.IGNORECASE)))
    return tuple(out)


def classify_topics(texts: pd.Series, langs: np.ndarray) -> np.ndarray:
    """One topic code per text."""
    texts = texts.astype("string").reset_index(drop=True)
    names = [n for n in topic_names() if n != OTHER]
    counts = np.zeros((len(texts), len(names)), dtype=np.int64)
    for lang in _data.LANGS:
        mask = langs == lang
        if not mask.any():
            continue
        sub = texts[mask]
        for name, pattern in _patterns(lang):
            counts[mask, names.index(name)] = sub.str.count(pattern).fillna(0).to_numpy(dtype=np.int64)
    best = np.asarray(names, dtype=object)[counts.argmax(axis=1)]
    return np.where(counts.max(axis=1) > 0, best, OTHER).astype(object)


def topic_label(topic: str, lang: str) -> str:
    """What a person reads for a topic code: 物流配送 / Delivery …"""
    return _data.label_of("topics.yml", topic, lang)
