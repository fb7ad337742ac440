"""Client-facing text in French and English.

Labels live in ``rcu_kit/resources/i18n/<topic>.yaml`` files (one per topic, so modules do not
step on each other), each a mapping ``key: {fr: ..., en: ...}``. Code asks for ``t(key, lang)``.

Examples:
    >>> t("common.source", "fr")
    'Source'
    >>> t("common.records", "en")
    'Records'
    >>> fmt_number(12.63, "fr", 1), fmt_number(2, "fr", 1, sign=True), fmt_percent(0.08, "fr")
    ('12,6', '+2,0', '8\xa0%')
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["t", "labels", "fmt_number", "fmt_percent", "fmt_date", "plotly_separators",
           "plotly_percent", "plotly_month_ticks", "LANGUAGES", "NOT_AVAILABLE"]

LANGUAGES = ("fr", "en")
# libyaml's loader where PyYAML was built with it (its wheels are): the label files are read
# ten times faster than with the pure-Python loader (0.03 against 0.25 s), paid by every
# process that words a figure.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What a missing figure reads as in client text ("non disponible" / "not available").
NOT_AVAILABLE = {"fr": "n.d.", "en": "n/a"}


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """Every label of every topic file, keyed ``topic.key``."""
    out: dict[str, dict[str, str]] = {}
    folder = resources.files("rcu_kit") / "resources" / "i18n"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        topic = entry.name.removesuffix(".yaml")
        data: dict[str, Any] = yaml.load(entry.read_text(encoding="utf-8"), Loader=_LOADER) or {}
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


def _missing(value: Any) -> bool:
    """None, NaN or ``pd.NA`` (whose comparison is itself NA, and has no truth value)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


def fmt_number(value: float | None, language: str, decimals: int = 0, *, sign: bool = False,
               trim: bool = False) -> str:
    """``value`` as client text: decimal comma and narrow no-break thousands space in French.

    A missing value (None, NaN, ``pd.NA``) reads ``n.d.`` in French, ``n/a`` in English
    (:data:`NOT_AVAILABLE`).

    Args:
        value: the number.
        language: ``fr`` or ``en``.
        decimals: digits after the decimal separator.
        sign: prefix positive values (and zero) with ``+``.
        trim: drop the trailing zeros of the decimals (``1.50`` reads ``1.5``, ``3.00`` ``3``),
            for figures whose precision varies, such as computed bounds.

    Examples:
        >>> fmt_number(1234.56, "fr", 1), fmt_number(1234.56, "en", 1)
        ('1\u202f234,6', '1,234.6')
        >>> fmt_number(1.5, "fr", 2, trim=True), fmt_number(12000, "fr", 2, trim=True)
        ('1,5', '12\u202f000')
        >>> fmt_number(-0.04, "en", 1, sign=True), fmt_number(None, "fr")
        ('+0.0', 'n.d.')
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    if _missing(value):
        return NOT_AVAILABLE[language]
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0.0" for a value that rounds to zero
    text = f"{rounded:{'+' if sign else ''},.{decimals}f}"
    if trim and decimals:
        text = text.rstrip("0").rstrip(".")
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def fmt_percent(share: float | None, language: str, decimals: int = 0) -> str:
    """A share (0-1) as a percentage: ``8\u00a0%`` in French (no-break space), ``8%`` in English.

    A missing share reads as :func:`fmt_number` writes a missing value (``n.d.`` / ``n/a``).

    Examples:
        >>> fmt_percent(0.126, "fr", 1), fmt_percent(0.126, "en", 1), fmt_percent(None, "en")
        ('12,6\xa0%', '12.6%', 'n/a')
    """
    if _missing(share):
        return fmt_number(None, language)
    number = fmt_number(100 * float(share), language, decimals)
    return f"{number}\u00a0%" if language == "fr" else f"{number}%"


def fmt_date(value: Any, language: str) -> str:
    """A day as client text: ``31/12/2025`` in French, ``2025-12-31`` (ISO) in English.

    ``value`` is anything :class:`pandas.Timestamp` reads (a date, an ISO string); a missing
    value reads as :func:`fmt_number` writes one (``n.d.`` / ``n/a``).

    Examples:
        >>> fmt_date("2025-12-31", "fr"), fmt_date("2025-12-31", "en")
        ('31/12/2025', '2025-12-31')
    """
    import pandas as pd

    if _missing(value):
        return fmt_number(None, language)
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return pd.Timestamp(value).strftime("%d/%m/%Y" if language == "fr" else "%Y-%m-%d")


def plotly_percent(value: str, language: str) -> str:
    """A plotly template placeholder shown as a percentage, as :func:`fmt_percent` writes one.

    ``value`` is the placeholder's inside (``"z:.1f"``: the value, already in percent, with one
    decimal); the decimal separator comes from the layout's ``separators``
    (:func:`plotly_separators`).

    Examples:
        >>> plotly_percent("z:.1f", "fr"), plotly_percent("z:.1f", "en")
        ('%{z:.1f}\xa0%', '%{z:.1f}%')
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return f"%{{{value}}}\u00a0%" if language == "fr" else f"%{{{value}}}%"


_MONTHS = {"fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                  "nov.", "déc."),
           "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                  "Dec")}


def plotly_month_ticks(first: Any, last: Any, language: str) -> dict[str, list]:
    """Date-axis ticks whose month names are in ``language`` (plotly writes them in English):
    the first day of every month between ``first`` and ``last``, every quarter beyond a year,
    every half-year beyond three years. Returns the axis' ``tickvals`` and ``ticktext``.

    Examples:
        >>> plotly_month_ticks("2027-01-15", "2027-03-01", "fr")["ticktext"]
        ['févr. 2027', 'mars 2027']
    """
    import pandas as pd

    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    months = pd.date_range(start.to_period("M").to_timestamp(), end, freq="MS")
    months = months[months >= start] if len(months) else months
    span = (end - start).days
    step = 1 if span <= 400 else 3 if span <= 3 * 366 else 6
    if step > 1:
        months = months[(months.month - 1) % step == 0]
    if not len(months):  # a range within one month: its first day, named by its month
        months = pd.DatetimeIndex([start])
    return {"tickvals": list(months),
            "ticktext": [f"{_MONTHS[language][d.month - 1]} {d.year}" for d in months]}


def plotly_separators(language: str) -> str:
    """plotly's layout ``separators`` for ``language``: decimal then thousands separator.

    Hover labels and axis ticks then read like :func:`fmt_number`: ``", "`` in French (decimal
    comma, space between thousands), ``".,"`` in English.

    Examples:
        >>> plotly_separators("fr"), plotly_separators("en")
        (', ', '.,')
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return ", " if language == "fr" else ".,"
