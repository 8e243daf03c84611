"""Tokens and clauses of one text: jieba for Chinese, a regular expression for English.

jieba is set up once per process and lazily (loading its dictionary takes about a second): quiet,
with the shipped e-commerce terms and every lexicon and modifier word added, so that it cuts
"没收到" as the complaint it is rather than as 没收 (confiscate) + 到, and keeps the lexicon's
compounds (不满意, 物美价廉) whole.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from functools import cache

import jieba
import jieba.analyse

from . import _data

# Tokens that end a clause: negation and degree do not reach across them.
BOUNDARIES = frozenset("，。！？；、,.!?;:：…~～\n")
_EN_TOKEN = re.compile(
    r"[a-z0-9]+(?:['\-][a-z0-9]+)*"  # words, with n't / 's and hyphens kept inside
    r"|:-?[()d]|<3"  # emoticons
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF]"  # emoji
    r"|[!?.,;:\n]"
)
_N_T = re.compile(r"n't$|^(?:dont|doesnt|didnt|isnt|wasnt|arent|werent|wont|cant|couldnt|wouldnt|shouldnt|"
                  r"havent|hasnt|hadnt|aint)$")
_ZH_CLAUSE = re.compile(r"[，。！？；、,.!?;\n]+|(?=但是|可是|不过|然而|只是)|(?<![不但])(?=但(?!是))")
_EN_CLAUSE = re.compile(r"[.!?;,\n]+|(?=\b(?:but|however|although|though)\b)", re.IGNORECASE)


@cache
def jieba_ready() -> None:
    """Initialise jieba quietly with the shipped user dictionary, lexicon and stop words."""
    jieba.setLogLevel(logging.WARNING)
    with _data.open_binary("userdict.txt") as f:
        jieba.load_userdict(f)
    modifiers = _data.document("modifiers.yml")["zh"]
    for word in (*_data.polarity("zh"), *modifiers["negations"], *modifiers["degrees"], *modifiers["expected"]):
        if len(word) > 1:
            jieba.add_word(word)
    with _data.as_file("stopwords_zh.txt") as path:
        jieba.analyse.set_stop_words(str(path))


def normalize(text: str) -> str:
    """Typographic apostrophes straightened, emoji variation selectors dropped."""
    return text.replace("\u2019", "'").replace("\ufe0f", "")


def zh_tokens(text: str) -> list[str]:
    """jieba's words of a Chinese text, lowercased, whitespace dropped."""
    jieba_ready()
    return [w for w in jieba.lcut(normalize(text).lower()) if w.strip()]


def en_tokens(text: str, phrases: Collection[str] = (), longest: int = 1) -> list[str]:
    """Lowercase English tokens; ``don't`` and friends become ``not``; known phrases joined.

    ``phrases`` are multi-word entries ("waste of money", "no one") matched greedily, longest
    first, up to ``longest`` words, so a phrase's own polarity wins over its words'.
    """
    words = ["not" if _N_T.search(w) else w for w in _EN_TOKEN.findall(normalize(text).lower())]
    if longest < 2:
        return words
    out, i = [], 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 1, -1):
            candidate = " ".join(words[i:i + n])
            if candidate in phrases:
                out.append(candidate)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def clauses(text: str, lang: str) -> list[str]:
    """The clauses of a text: split at punctuation and before a contrast (但是, but, however)."""
    pattern = _ZH_CLAUSE if lang == "zh" else _EN_CLAUSE
    return [c.strip() for c in pattern.split(normalize(text)) if c and c.strip()]


def lemma(word: str) -> str:
    """An English noun's singular by suffix rules: enough to count "boxes" and "box" as one."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "'s")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word
