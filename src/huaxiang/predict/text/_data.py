"""The word lists and cue files shipped in ``data/``, each read once per process.

They are data, not code, so a linguist can extend a lexicon or a topic without touching Python;
a malformed entry fails loudly, naming the file and the entry, instead of silently scoring nothing.
"""

from __future__ import annotations

import csv
import io
from contextlib import AbstractContextManager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO

import yaml

LANGS = ("zh", "en")


def open_binary(name: str) -> IO[bytes]:
    """A shipped data file opened for reading bytes (jieba reads its user dict that way)."""
    return resources.files(__package__).joinpath("data").joinpath(name).open("rb")


def as_file(name: str) -> AbstractContextManager[Path]:
    """A shipped data file as a path on disk, for libraries that want a file name."""
    return resources.as_file(resources.files(__package__).joinpath("data").joinpath(name))


def _read_text(name: str) -> str:
    with open_binary(name) as f:
        return f.read().decode("utf-8")


@cache
def words(name: str) -> frozenset[str]:
    """A word list, one entry a line (stop words)."""
    return frozenset(w.strip() for w in _read_text(name).splitlines() if w.strip())


@cache
def polarity(lang: str) -> dict[str, float]:
    """``sentiment_<lang>.csv``: term → polarity in [-1, 1]."""
    name = f"sentiment_{lang}.csv"
    rows = [line for line in _read_text(name).splitlines() if line.strip() and not line.startswith("#")]
    out: dict[str, float] = {}
    for row in csv.DictReader(io.StringIO("\n".join(rows))):
        try:
            value = float(row["polarity"])
        except (TypeError, ValueError):
            raise ValueError(f"{name}: term {row['term']!r} has no numeric polarity") from None
        if not -1.0 <= value <= 1.0:
            raise ValueError(f"{name}: polarity of {row['term']!r} is {value}, outside [-1, 1]")
        term = row["term"].strip().lower()
        if term in out:
            raise ValueError(f"{name}: {term!r} is listed twice")
        out[term] = value
    return out


@cache
def document(name: str) -> dict:
    """A YAML data file as a dict."""
    return yaml.safe_load(_read_text(name))


def labels(name: str) -> dict[str, dict[str, str]]:
    """code → {lang: label} of a YAML file whose entries each carry ``label: {zh: …, en: …}``."""
    return {code: entry["label"] for code, entry in document(name).items()}


def label_of(name: str, code: str, lang: str) -> str:
    """The label of ``code`` in ``lang``, with an error naming what exists when either is unknown."""
    known = labels(name)
    if code not in known:
        raise KeyError(f"unknown code {code!r} in {name}; known: {', '.join(known)}")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return known[code][lang]
