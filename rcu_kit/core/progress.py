"""Progress bars in the language of the engagement being worked on.

Long steps (loading, auditing, blocking, comparing...) show a bar: a notebook widget in Jupyter,
text in a terminal (``tqdm.auto``). Its label is the step's name in the display language:
the notebooks set it to their engagement's (:func:`rcu_kit.jupyter.open_engagement`), the
command line keeps English, its console language. Step names are keys of
``rcu_kit/resources/i18n/progress.yaml``.

Examples:
    >>> set_language("fr")
    >>> label("loading")
    'Chargement des sources'
    >>> set_language("en")
    >>> for _ in bar(range(3), step="loading", disable=True):
    ...     pass
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rcu_kit.core.i18n import LANGUAGES, t

__all__ = ["set_language", "label", "bar"]

_language = {"current": "en"}


def set_language(language: str) -> None:
    """Word the progress bars in ``language`` (``fr`` or ``en``) from now on."""
    if language not in LANGUAGES:
        raise ValueError(f"progress language: {language!r} is not one of {', '.join(LANGUAGES)}")
    _language["current"] = language


def label(step: str) -> str:
    """The label of ``step`` in the display language."""
    return t(f"progress.{step}", _language["current"])


def bar(iterable: Iterable[Any] | None = None, *, step: str, total: int | None = None,
        unit: str | None = None, disable: bool = False, **options: Any) -> Any:
    """A ``tqdm.auto`` progress bar labelled with ``step`` in the display language.

    Args:
        iterable: what to iterate over (None: update the bar by hand).
        step: the step's key in ``progress.yaml`` (e.g. ``loading``).
        total: number of items when ``iterable`` has no length.
        unit: the item's key in ``progress.yaml`` (``unit_<unit>``), e.g. ``source``.
        disable: no bar at all (batch runs, tests).
        options: passed to ``tqdm``.
    """
    from tqdm.auto import tqdm

    language = _language["current"]
    if unit is not None:
        options["unit"] = t(f"progress.unit_{unit}", language)
    return tqdm(iterable, total=total, desc=label(step), disable=disable, **options)
