"""Progress bars in the display language."""

from __future__ import annotations

import io

import pytest

from rcu_kit.core.progress import bar, label, set_language


def test_bars_speak_the_language_set_last():
    try:
        set_language("fr")
        shown = bar(range(2), step="loading", unit="source", file=io.StringIO())
        assert (shown.desc, shown.unit) == ("Chargement des sources", "source")
        assert list(shown) == [0, 1]
        set_language("en")
        assert label("comparing") == "Comparing pairs"
    finally:
        set_language("en")
    with pytest.raises(ValueError, match="progress language: 'de' is not one of fr, en"):
        set_language("de")


def test_every_step_has_both_languages():
    from rcu_kit.core.i18n import labels

    steps = {k: v for k, v in labels().items() if k.startswith("progress.")}
    assert len(steps) >= 12 and all(set(v) >= {"fr", "en"} for v in steps.values())
