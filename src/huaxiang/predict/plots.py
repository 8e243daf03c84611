"""PNG plots of a model card: calibration (predicted against observed) and the strongest weights.

matplotlib with the Agg backend (no display). Chinese text needs a CJK font: when matplotlib finds
none on the machine, the plots are labelled in English whatever the language (the text report is
always in the reader's language).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")
_TEXT = {
    "calibration": {"zh": "校准：预测与实际", "en": "Calibration: predicted vs observed"},
    "predicted": {"zh": "预测概率", "en": "Predicted probability"},
    "observed": {"zh": "实际比例", "en": "Observed rate"},
    "weights": {"zh": "影响最大的特征", "en": "Strongest traits"},
    "purchases": {"zh": "预测期内购买次数：预测与实际", "en": "Purchases in the holdout: predicted vs actual"},
    "repeat": {"zh": "此前重复购买次数", "en": "Repeat purchases before the cutoff"},
}


def _lang(lang: str) -> str:
    if not lang.startswith("zh"):
        return "en"
    names = {f.name for f in font_manager.fontManager.ttflist}
    font = next((n for n in _CJK if n in names), None)
    if font is None:
        return "en"
    plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    return "zh"


def plot_card(card: dict[str, Any], folder: Path, lang: str = "en") -> list[Path]:
    """Write the card's plots into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    lang = _lang(lang)
    text = {k: v[lang] for k, v in _TEXT.items()}
    name = card.get("prediction", "model")
    out = []
    metrics = card.get("metrics", {})
    calibrations = {"": metrics.get("calibration")} if metrics.get("calibration") else {
        k: m.get("calibration") for k, m in metrics.get("per_category", {}).items()}
    if any(calibrations.values()):
        out.append(_calibration(calibrations, text, folder / f"{name}_calibration.png", name))
    if metrics.get("by_repeat_purchases"):
        out.append(_purchases(metrics["by_repeat_purchases"], text, folder / f"{name}_purchases.png", name))
    if card.get("weights"):
        out.append(_weights(card["weights"], text, folder / f"{name}_weights.png", name))
    return out


def _calibration(curves: dict[str, Any], text: dict[str, str], path: Path, name: str) -> Path:
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    for label, bins in curves.items():
        if bins:
            ax.plot([b["predicted"] for b in bins], [b["observed"] for b in bins], marker="o", label=label or name)
    ax.set(xlabel=text["predicted"], ylabel=text["observed"], xlim=(0, 1), ylim=(0, 1),
           title=f"{name}: {text['calibration']}")
    if len(curves) > 1:
        ax.legend(fontsize=7)
    return _save(fig, path)


def _purchases(rows: list[dict[str, Any]], text: dict[str, str], path: Path, name: str) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = range(len(rows))
    ax.bar([x - 0.2 for x in xs], [r["predicted"] for r in rows], width=0.4, label=text["predicted"])
    ax.bar([x + 0.2 for x in xs], [r["actual"] for r in rows], width=0.4, label=text["observed"])
    ax.set_xticks(list(xs), [r["repeat_purchases"] for r in rows])
    ax.set(xlabel=text["repeat"], title=f"{name}: {text['purchases']}")
    ax.legend()
    return _save(fig, path)


def _weights(weights: list[dict[str, Any]], text: dict[str, str], path: Path, name: str) -> Path:
    fig, ax = plt.subplots(figsize=(6, 5))
    rows = list(reversed(weights[:12]))
    ax.barh([r["trait"] for r in rows], [r["weight"] for r in rows],
            color=["#c0392b" if r["weight"] > 0 else "#2980b9" for r in rows])
    ax.set(title=f"{name}: {text['weights']}")
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


__all__ = ["plot_card"]
