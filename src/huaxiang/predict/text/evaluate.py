"""``evaluate``: how well ``analyze`` agrees with a hand-labelled set of customer texts.

The labelled CSV has the columns ``text, lang, sentiment_label, intent`` (``lang`` may be left
blank to detect it). The project's own set is ``benchmarks/data/text_labelled.csv``; its
annotation guideline is the one ``analyze`` documents: the sentiment a reader would assign to the
whole text, and the intent by the priority of ``intent.py`` when a text has several.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from ._data import LANGS
from .analyze import analyze
from .intent import INTENTS
from .sentiment import SENTIMENT_LABELS, SentimentAnalyzer

COLUMNS = ("text", "lang", "sentiment_label", "intent")


def evaluate(path: str | PathLike, sentiment: str | SentimentAnalyzer = "lexicon") -> dict:
    """Accuracy and macro-F1 of sentiment labels and intents, overall and per language.

    Returns ``{"n", "sentiment_accuracy", "sentiment_macro_f1", "intent_accuracy",
    "intent_macro_f1", "by_lang": {lang: {the same keys}}}``.
    """
    truth = read_labelled(path)
    got = analyze(truth["text"].tolist(), truth["lang"].replace("", None).tolist(), sentiment=sentiment).to_pandas()
    result = _metrics(truth, got)
    langs = got["lang"].to_numpy()
    result["by_lang"] = {lang: _metrics(truth[langs == lang], got[langs == lang])
                         for lang in LANGS if (langs == lang).any()}
    return result


def read_labelled(path: str | PathLike) -> pd.DataFrame:
    """The labelled CSV, refusing missing columns, empty texts and unknown labels (naming the line)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    frame = frame[list(COLUMNS)].apply(lambda col: col.str.strip())
    for column, allowed in (("lang", (*LANGS, "")), ("sentiment_label", SENTIMENT_LABELS), ("intent", INTENTS)):
        why = f"{column} must be one of {', '.join(a for a in allowed if a)}"
        _refuse(path, frame, ~frame[column].isin(allowed), why)
    _refuse(path, frame, frame["text"] == "", "text is empty")
    return frame


def _refuse(path, frame: pd.DataFrame, bad: pd.Series, why: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{path}, line {i + 2}: {why} (row: {frame.iloc[i].to_dict()})")


def _metrics(truth: pd.DataFrame, got: pd.DataFrame) -> dict:
    from sklearn.metrics import accuracy_score, f1_score  # seconds to import: only when evaluating

    out: dict = {"n": len(truth)}
    for task in ("sentiment_label", "intent"):
        name = task.removesuffix("_label")
        y_true, y_pred = truth[task].to_numpy(dtype=object), got[task].fillna("").to_numpy(dtype=object)
        out[f"{name}_accuracy"] = float(accuracy_score(y_true, y_pred))
        out[f"{name}_macro_f1"] = float(f1_score(y_true, y_pred, average="macro", zero_division=0))
    return out
