"""The default sentiment analyzer: shipped polarity lexicons with negation, degree and contrast.

A text is read token by token, left to right:

* a polarity word adds its polarity, multiplied by a pending degree adverb (非常, "very");
* a negation (不, 没有, "not", "n't") flips the next polarity word within :data:`NEGATION_SCOPE`
  tokens: a flipped positive keeps most of its strength (不满意 is nearly as bad as 差), a flipped
  negative only part of it ("not bad" is mildly good); a negated *expected* word (没解决,
  "hasn't arrived") is a complaint of its own;
* a contrast (但是, "but") halves what came before and weighs what follows by 1.5; when nothing
  after it carries polarity, the contrast itself says the rest goes the other way ("The packaging
  was great, but it took nine days to ship"); a concessive (虽然, "although") weighs its own
  clause by half;
* punctuation ends the reach of negation and degree; exclamation marks amplify.

The sum is squashed into [-1, 1] by ``s / sqrt(s² + 1)``, so a single clear word gives about ±0.5
and more evidence saturates towards ±1. The work is per text in Python (tokenizing cannot be
vectorized); ``analyze`` calls it once per distinct text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from . import _data
from .sentiment import register_sentiment
from .tokens import BOUNDARIES, en_tokens, zh_tokens

NEGATION_SCOPE = 3  # tokens a negation reaches
DEGREE_SCOPE = 2  # tokens a degree adverb reaches
NEGATED_POSITIVE = 0.8  # 不满意 ≈ -0.8 × 满意
NEGATED_NEGATIVE = 0.5  # "not bad" ≈ +0.5 × bad
NEGATED_EXPECTED = -0.5  # 没解决, "never arrived"
DEGREE_UNDER_NEGATION = 0.8  # 不是很满意 is milder than 很不满意
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5
CONCESSIVE = 0.5
EXCLAMATION = 0.1  # per mark, up to three


@dataclass(frozen=True)
class Vocabulary:
    """One language's polarity words and modifiers."""

    polarity: dict[str, float]
    negations: frozenset[str]
    degrees: dict[str, float]
    contrasts: frozenset[str]
    concessives: frozenset[str]
    expected: frozenset[str]
    prefixes: dict[str, str]  # zh: a glued-on character → the modifier word it stands for
    phrases: frozenset[str]  # en: multi-word entries
    longest: int  # en: words in the longest phrase

    def known(self, token: str) -> bool:
        return token in self.polarity or token in self.expected


@cache
def vocabulary(lang: str) -> Vocabulary:
    mods = _data.document("modifiers.yml")[lang]
    polarity = _data.polarity(lang)
    kinds = ("negations", "degrees", "contrasts", "concessives", "expected")
    phrases = frozenset(w for w in (*polarity, *(w for kind in kinds for w in mods[kind])) if " " in w)
    return Vocabulary(
        polarity=polarity, negations=frozenset(mods["negations"]), degrees=dict(mods["degrees"]),
        contrasts=frozenset(mods["contrasts"]), concessives=frozenset(mods["concessives"]),
        expected=frozenset(mods["expected"]), prefixes=dict(mods.get("prefixes", {})),
        phrases=phrases, longest=max((w.count(" ") + 1 for w in phrases), default=1),
    )


def tokens(text: str, lang: str) -> list[str]:
    """The tokens the lexicon reads: Chinese compounds split where jieba glued a modifier on."""
    vocab = vocabulary(lang)
    if lang == "en":
        return en_tokens(text, vocab.phrases, vocab.longest)
    return [part for token in zh_tokens(text) for part in _split_glued(token, vocab)]


# Potential complements: 解决不了, 收不到, 穿不上 are 不 + the verb.
_CANNOT = ("不了", "不到", "不上", "不动", "不出", "不开")


def _split_glued(token: str, vocab: Vocabulary) -> list[str]:
    """太慢 → 太 慢, 不太好 → 不 太 好, 价格便宜 → 价格 便宜, 贵了 → 贵 了, 解决不了 → 不 解决.

    Only where the rest is a known word, so ordinary words stay whole.
    """
    if len(token) < 2 or vocab.known(token) or token in vocab.negations or token in vocab.degrees:
        return [token]
    if token.endswith("了") and token[:-1] in vocab.polarity:
        return [token[:-1], "了"]
    if token.endswith(_CANNOT) and token[:-2] in vocab.expected:
        return ["不", token[:-2]]
    head, rest = token[0], token[1:]
    if head in vocab.prefixes:
        parts = _split_glued(rest, vocab)
        if vocab.known(parts[-1]):
            return [vocab.prefixes[head], *parts]
    for cut in range(1, len(token) - 1):
        if token[cut:] in vocab.polarity:
            return [token[:cut], token[cut:]]
    return [token]


@dataclass
class _Reader:
    """Left-to-right state while reading one text's tokens."""

    vocab: Vocabulary
    total: float = 0.0
    weight: float = 1.0  # AFTER_CONTRAST once a contrast was read
    damp: float = 1.0  # CONCESSIVE inside a concessive clause
    negate: int = 0  # tokens left in a negation's reach
    boost: float = 1.0
    boost_left: int = 0
    before: float | None = None  # the (halved) total at the last contrast, until polarity follows it

    def read(self, token: str) -> None:
        v = self.vocab
        if token in BOUNDARIES:
            self._clear()
            self.damp = 1.0
        elif token in v.polarity or (self.negate and token in v.expected):
            self._opinion(token)
        elif token in v.contrasts:
            self.total *= BEFORE_CONTRAST
            self.weight, self.damp, self.before = AFTER_CONTRAST, 1.0, self.total
            self._clear()
        elif token in v.concessives:
            self.damp = CONCESSIVE
        elif token in v.negations:
            self.negate = NEGATION_SCOPE
        elif token in v.degrees:
            self.boost *= v.degrees[token] if not self.negate else DEGREE_UNDER_NEGATION
            self.boost_left = DEGREE_SCOPE
        else:
            self._tick()

    def _opinion(self, token: str) -> None:
        value = self.vocab.polarity.get(token, 0.0) * self.boost
        if self.negate and token in self.vocab.expected:
            value = NEGATED_EXPECTED * self.boost
        elif self.negate:
            value *= -(NEGATED_POSITIVE if value > 0 else NEGATED_NEGATIVE)
        self.total += value * self.weight * self.damp
        self.before = None
        self._clear()

    def result(self) -> float:
        """The total, turned around when a contrast had nothing with polarity after it."""
        return -self.before if self.before else self.total

    def _tick(self) -> None:
        self.negate = max(self.negate - 1, 0)
        self.boost_left -= 1
        if self.boost_left <= 0:
            self.boost = 1.0

    def _clear(self) -> None:
        self.negate, self.boost, self.boost_left = 0, 1.0, 0


def score_text(text: str, lang: str) -> float:
    """One text's score in [-1, 1]."""
    reader = _Reader(vocabulary(lang))
    for token in tokens(text, lang):
        reader.read(token)
    total = reader.result() * (1 + EXCLAMATION * min(text.count("!") + text.count("！"), 3))
    return total / math.sqrt(total * total + 1.0)


@register_sentiment("lexicon")
class LexiconSentiment:
    """The shipped zh / en lexicons read with negation, degree and contrast (see the module doc)."""

    name = "lexicon"

    def score(self, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
        return np.fromiter((score_text(t, lang) for t, lang in zip(texts, langs, strict=True)), np.float64, len(texts))
