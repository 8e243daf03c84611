"""Messages users read, in Simplified Chinese and English.

Messages live in one YAML file per language (``en.yml``, ``zh.yml``) keyed by a dotted name;
code calls ``t("import.done", rows=3)``. The language is chosen once by the CLI (``--lang`` or
``LANG``) through :func:`set_language`, never read from the environment at import time.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

LANGUAGES = ("zh", "en")
_state = {"lang": "en"}


def normalize(lang: str | None) -> str:
    """'zh_CN.UTF-8', 'zh-CN', 'zh' -> 'zh'; anything else -> 'en'."""
    return "zh" if (lang or "").lower().replace("-", "_").startswith("zh") else "en"


def set_language(lang: str | None) -> str:
    _state["lang"] = normalize(lang)
    return _state["lang"]


def language() -> str:
    return _state["lang"]


@cache
def _messages(lang: str) -> dict[str, str]:
    text = resources.files(__package__).joinpath(f"{lang}.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def t(key: str, /, lang: str | None = None, **values: object) -> str:
    """The message ``key`` in the current language, formatted with ``values``."""
    lang = lang or _state["lang"]
    template = _messages(lang).get(key) or _messages("en").get(key) or key
    return template.format(**values) if values else template
