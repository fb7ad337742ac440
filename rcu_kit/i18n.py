"""Client-facing text in French and English.

Labels live in ``rcu_kit/resources/i18n/<topic>.yaml`` files (one per topic, so modules do not
step on each other), each a mapping ``key: {fr: ..., en: ...}``. Code asks for ``t(key, lang)``.

Examples:
    >>> t("common.source", "fr")
    'Source'
    >>> t("common.records", "en")
    'Records'
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["t", "labels", "LANGUAGES"]

LANGUAGES = ("fr", "en")


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """Every label of every topic file, keyed ``topic.key``."""
    out: dict[str, dict[str, str]] = {}
    folder = resources.files("rcu_kit") / "resources" / "i18n"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        topic = entry.name.removesuffix(".yaml")
        data: dict[str, Any] = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if not isinstance(texts, dict) or set(texts) - set(LANGUAGES):
                raise ValueError(f"i18n/{entry.name}: {key!r} must map to {{fr: ..., en: ...}}")
            out[f"{topic}.{key}"] = texts
    return out


def t(key: str, language: str = "fr", **values: Any) -> str:
    """The text for ``key`` in ``language`` (``fr`` or ``en``), formatted with ``values``.

    Raises:
        KeyError: unknown key (a missing label is a bug, not something to hide).
        ValueError: unknown language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    texts = labels()[key]
    text = texts.get(language) or texts.get("en") or texts.get("fr") or key
    return text.format(**values) if values else text
