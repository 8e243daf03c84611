"""What a customer wants: cancellation, refund_return, complaint, inquiry, praise or other.

Cue phrases per intent and language live in ``data/intents.yml``, in priority order: a text with
cues of several intents takes the first (cancellation > refund_return > complaint > inquiry >
praise), because the costlier request is the one a service team must not miss ("cancel my order
and refund me" is a cancellation; "broken, I want a refund" is a refund). Sentiment settles what
cues leave open:

* a negative text is a complaint unless it is a question that is only mildly negative
  ("Is the blue one out of stock?" stays an inquiry, "Why is it so late?" is a complaint);
* complaint cues count only in a text that is not positive ("I wanted to complain, but they fixed
  it at once, great service" is praise), praise cues only in one that is not negative;
* a positive text without other cues is praise; a neutral text without cues is ``other``.

Cues are matched with pandas' vectorized string methods over the distinct texts of each language.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from . import _data
from .sentiment import sentiment_labels

# Priority order, `other` last; data/intents.yml lists its cues in the same order.
INTENTS = ("cancellation", "refund_return", "complaint", "inquiry", "praise", "other")
# A question stays an inquiry unless its score is at or below this (clearly negative).
COMPLAINING_QUESTION = -0.5


@cache
def _cues(lang: str) -> dict[str, tuple[re.Pattern, re.Pattern | None]]:
    """intent → (any cue, any veto) as compiled patterns, for the intents that have cues."""
    out = {}
    for name, entry in _data.document("intents.yml").items():
        if lang in entry:
            veto = entry.get("veto", {}).get(lang)
            out[name] = (_compile(entry[lang]), _compile(veto) if veto else None)
    return out


def _compile(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def cue_hits(texts: pd.Series, langs: np.ndarray) -> dict[str, np.ndarray]:
    """intent → boolean array: does the text carry a cue of it (and no veto)?"""
    texts = texts.astype("string").reset_index(drop=True)
    hits = {name: np.zeros(len(texts), dtype=bool) for name in INTENTS[:-1]}
    for lang in _data.LANGS:
        mask = langs == lang
        if not mask.any():
            continue
        sub = texts[mask]
        for name, (cue, veto) in _cues(lang).items():
            hit = sub.str.contains(cue, na=False).to_numpy(dtype=bool)
            if veto is not None:
                hit &= ~sub.str.contains(veto, na=False).to_numpy(dtype=bool)
            hits[name][mask] = hit
    return hits


def classify_intents(texts: pd.Series, langs: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """One intent per text from its cues and its sentiment score (see the module doc)."""
    hits = cue_hits(texts, langs)
    label = sentiment_labels(scores)
    negative, positive = label == "negative", label == "positive"
    complaint = ((hits["complaint"] & ~positive) | (negative & ~hits["inquiry"])
                 | (negative & (np.nan_to_num(scores) <= COMPLAINING_QUESTION)))
    conditions = [hits["cancellation"], hits["refund_return"], complaint, hits["inquiry"],
                  (hits["praise"] & ~negative) | positive]
    return np.select(conditions, list(INTENTS[:-1]), INTENTS[-1]).astype(object)


def intent_label(intent: str, lang: str) -> str:
    """What a person reads for an intent code: 投诉 / Complaint …"""
    return _data.label_of("intents.yml", intent, lang)
