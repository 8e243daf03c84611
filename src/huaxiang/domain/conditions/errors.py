"""The one error type of the condition language, pointing at text offsets or a JSON path."""

from __future__ import annotations

import unicodedata


class ConditionError(ValueError):
    """A condition that cannot be read, type-checked or compiled.

    ``start``/``end`` are character offsets into the text the condition was parsed from (end
    exclusive); ``path`` is a JSON path such as ``$.and[1].left`` when it came from the builder's
    JSON. Either may be ``None`` when the error is about the whole condition.
    """

    def __init__(self, message: str, start: int | None = None, end: int | None = None, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.path = path

    def __str__(self) -> str:
        if self.path is not None:
            return f"{self.message} (at {self.path})"
        if self.start is not None:
            return f"{self.message} (at offset {self.start})"
        return self.message

    def location(self, text: str) -> tuple[int, int] | None:
        """(line, column), both from 1, of ``start`` within ``text``."""
        if self.start is None:
            return None
        before = text[: self.start]
        line = before.count("\n") + 1
        return line, self.start - (before.rfind("\n") + 1) + 1

    def render(self, text: str) -> str:
        """The message, the offending line of ``text`` and a caret line under the span."""
        where = self.location(text)
        if where is None:
            return str(self)
        line_no, column = where
        line = text.splitlines()[line_no - 1] if text.strip() else ""
        width = max(1, min((self.end or self.start + 1) - self.start, len(line) - column + 1))
        # East Asian wide characters take two cells in a terminal: pad the caret line to match.
        pad = "".join(_cells(ch) for ch in line[: column - 1])
        carets = "^" * sum(len(_cells(ch)) for ch in line[column - 1 : column - 1 + width]) or "^"
        return f"{self.message}\n  {line}\n  {pad}{carets}"


def _cells(ch: str) -> str:
    if ch == "\t":
        return "\t"
    return "  " if unicodedata.east_asian_width(ch) in ("W", "F") else " "
