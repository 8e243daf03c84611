"""Keywords of a text and the pain points of a negative one.

Chinese keywords are jieba's TF-IDF tags (``jieba.analyse.extract_tags``) with the shipped stop
words; English ones are the most frequent lowercase words that are not stop words, plurals folded
("boxes" → "box"). Both are per-text Python work, done once per distinct text.

Pain points are the keywords of the *complaining part* of a negative text, mapped to the canonical
codes of ``data/pain_points.yml`` where a keyword is one of a pain point's terms ("物流", "快递",
"shipping" → ``delivery``) and kept as the keyword itself otherwise. The complaining part is the
text without the clauses that the same sentiment analyzer scores positive, so "包装很好但是发货太慢"
complains about delivery, not packaging, while "电话打了好几次都转不到人工客服，太失望了" keeps its
neutral first clause, which says what the disappointment is about. Opinion words (太慢,
"terrible") are the sentiment, not the thing complained about, and are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

import jieba.analyse
import numpy as np

from . import _data
from .sentiment import SentimentAnalyzer, checked_scores
from .tokens import clauses, en_tokens, jieba_ready, lemma

TOP_K = 5
# Numbers, counts ("一台", "3天") and single letters say nothing about what a text is about.
_NUMBERISH = re.compile(r"[\d.,%０-９一二两三四五六七八九十百几半]+[个件台双次天周月年块元]?|[a-z]")


def keywords(text: str, lang: str, k: int = TOP_K) -> list[str]:
    """Up to ``k`` keywords of one text, most important first."""
    if lang == "zh":
        jieba_ready()
        tags = jieba.analyse.extract_tags(text, topK=2 * k)
        return [t.lower() for t in tags if not _NUMBERISH.fullmatch(t.lower())][:k]
    stop = _data.words("stopwords_en.txt")
    words = [lemma(w) for w in en_tokens(text) if w[0].isalpha() and len(w) > 1 and w not in stop]
    return [w for w, _ in Counter(words).most_common(k)]


@cache
def _canonical(lang: str) -> dict[str, str]:
    """term (lowercased; English folded to its singular) → pain point code."""
    fold = lemma if lang == "en" else str
    return {fold(str(term).lower()): code for code, entry in _data.document("pain_points.yml").items()
            for term in entry.get(lang, ())}


def _map(words: list[str], lang: str) -> list[str]:
    canonical, opinions = _canonical(lang), _data.polarity(lang)
    mapped = [canonical.get(w, w) for w in words if w in canonical or w not in opinions]
    return list(dict.fromkeys(mapped))


def pain_points(texts: Sequence[str], langs: Sequence[str], negative: np.ndarray,
                analyzer: SentimentAnalyzer) -> list[list[str]]:
    """Pain points per text (an empty list for texts that are not negative)."""
    rows = np.flatnonzero(negative)
    parts = {int(i): clauses(texts[i], langs[i]) for i in rows}
    split = [(i, c) for i, cs in parts.items() if len(cs) > 1 for c in cs]
    scores = checked_scores(analyzer, [c for _, c in split], [langs[i] for i, _ in split]) if split else []
    complaining: dict[int, list[str]] = {}
    for (i, clause), score in zip(split, scores, strict=True):
        if not score > 0:
            complaining.setdefault(i, []).append(clause)
    out: list[list[str]] = [[] for _ in texts]
    for i in parts:
        part = ("，" if langs[i] == "zh" else ", ").join(complaining.get(i) or [texts[i]])
        out[i] = _map(keywords(part, langs[i]), langs[i])
    return out


def pain_point_label(point: str, lang: str) -> str:
    """What a person reads for a pain point: a canonical code's label, else the keyword itself."""
    if lang not in _data.LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(_data.LANGS)}")
    names = _data.labels("pain_points.yml")
    return names[point][lang] if point in names else point
