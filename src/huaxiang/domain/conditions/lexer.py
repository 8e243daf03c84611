"""Split condition text into tokens, each with its character span."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConditionError
from .nodes import KEYWORDS

# Characters a Chinese input method types in place of the ASCII ones the language wants.
_FULL_WIDTH = {"（": "(", "）": ")", "，": ",", "‘": "'", "’": "'", "“": '"', "”": '"', "＝": "=",
               "＞": ">", "＜": "<", "！": "!", "％": "%", "＋": "+", "－": "-", "＊": "*", "／": "/"}
_OPERATORS = ("==", "!=", "<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",")
_UNITS = "dhw"


@dataclass(frozen=True)
class Token:
    kind: str  # number | duration | string | ident | keyword | op | eof
    text: str  # the value: digits, the unescaped string, the identifier, the lower-case keyword, the operator
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch.isascii() and ch.isdigit():
            tokens.append(_number(text, i))
            i = tokens[-1].end
        elif ch in "'\"":
            tokens.append(_string(text, i))
            i = tokens[-1].end
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i + 1
            while j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            kind = "keyword" if word.lower() in KEYWORDS else "ident"
            tokens.append(Token(kind, word.lower() if kind == "keyword" else word, i, j))
            i = j
        else:
            op = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if op is None:
                raise ConditionError(_stray(ch), i, i + 1)
            tokens.append(Token("op", op, i, i + len(op)))
            i += len(op)
    tokens.append(Token("eof", "", len(text), len(text)))
    return tokens


def _number(text: str, i: int) -> Token:
    j = i
    while j < len(text) and text[j].isascii() and text[j].isdigit():
        j += 1
    if j + 1 < len(text) and text[j] == "." and text[j + 1].isascii() and text[j + 1].isdigit():
        j += 1
        while j < len(text) and text[j].isascii() and text[j].isdigit():
            j += 1
    kind = "number"
    if j < len(text) and text[j] in _UNITS and "." not in text[i:j]:
        kind, j = "duration", j + 1
    if j < len(text) and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
        k = j
        while k < len(text) and text[k].isascii() and (text[k].isalnum() or text[k] == "_"):
            k += 1
        raise ConditionError(f"malformed number {text[i:k]!r} (durations are whole numbers with d, h or w: 30d)", i, k)
    return Token(kind, text[i:j], i, j)


def _string(text: str, i: int) -> Token:
    quote, chars, j = text[i], [], i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\" and j + 1 < len(text) and text[j + 1] in ("\\", quote):
            chars.append(text[j + 1])
            j += 2
        elif ch == quote:
            return Token("string", "".join(chars), i, j + 1)
        else:
            chars.append(ch)
            j += 1
    raise ConditionError("unterminated string: it has no closing quote", i, len(text))


def _stray(ch: str) -> str:
    if ch in _FULL_WIDTH:
        return f"unexpected full-width character {ch!r}: use {_FULL_WIDTH[ch]!r}"
    return f"unexpected character {ch!r}"
