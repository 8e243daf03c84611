"""Which language a customer text is in, from its share of CJK characters.

Customer texts mix scripts ("iPhone 15的屏幕有划痕", "Ordered from 华为 store"): a text is Chinese
when at least :data:`ZH_SHARE` of its letters are CJK characters. A text with no letters at all
(emoji, digits, punctuation) counts as English; pass ``langs`` to ``analyze`` to decide otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._data import LANGS

ZH_SHARE = 0.2
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_LATIN = r"[A-Za-z]"


def detect_lang(texts: Sequence[str | None]) -> np.ndarray:
    """``'zh'`` or ``'en'`` per text (None for a missing one), vectorized over the texts."""
    s = pd.Series(texts, dtype="string")
    cjk = s.str.count(_CJK).fillna(0).to_numpy(dtype=np.int64)
    latin = s.str.count(_LATIN).fillna(0).to_numpy(dtype=np.int64)
    zh = (cjk > 0) & (cjk >= ZH_SHARE * (cjk + latin))
    out = np.where(zh, "zh", "en").astype(object)
    out[s.isna().to_numpy()] = None
    return out


def check_langs(langs: Sequence[str | None], n: int) -> np.ndarray:
    """Given languages as an object array, refusing a wrong length or an unknown code."""
    out = pd.Series(langs, dtype=object).to_numpy()
    if len(out) != n:
        raise ValueError(f"langs has {len(out)} values but there are {n} texts")
    bad = ~pd.isna(out) & ~np.isin(out, LANGS)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"langs[{i}] is {out[i]!r}; expected one of {', '.join(LANGS)} (or None to detect)")
    return out
