"""The text layer: codes and numbers computed by the steps, worded in the engagement's language.

The steps save what they found as a *code* and its *parameters* (numbers, source names, format
labels), never as a sentence, so a table saved to disk reads the same whatever the report's
language. This module turns ``(code, params, language)`` into the sentence the client reads, with
the one set of formatters (:func:`rcu_kit.core.i18n.fmt_number`, :func:`~rcu_kit.core.i18n.fmt_percent`).

Each code is one :class:`Phrase`: the label(s) it reads (``resources/i18n/<topic>.yaml``) and how
each parameter is formatted (a share as a percentage with so many decimals, a count with
thousands separators, a ``{source: format}`` mapping as a list).

Examples:
    >>> word("duplicates", {"rate": 0.06}, "fr"), word("duplicates", {"rate": 0.06}, "en")
    ('6,0\\xa0% de doublons', '6.0% duplicates')
    >>> word("gap_poor", '{"source": "crm", "fill": 0.5, "valid": null, "threshold": 0.8}', "fr")
    'Meilleure source crm: remplissage 50\\xa0%, validité n.d. (seuil 80\\xa0%)'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rcu_kit.core.i18n import fmt_number, fmt_percent, t

__all__ = ["Phrase", "PHRASES", "word", "word_column", "params_json", "format_label",
           "finding_details", "finding_subjects", "worded_findings"]


@dataclass(frozen=True)
class Phrase:
    """How one code reads.

    Attributes:
        keys: the label(s) read, joined without separator (a sentence and its optional tail).
        percents: parameter -> decimals, for shares (0-1) shown as percentages.
        numbers: parameter -> decimals, for counts and scores.
        formats: parameters holding ``{source: format label}``, shown ``source: label; ...``.
    """

    keys: tuple[str, ...]
    percents: Mapping[str, int] = field(default_factory=dict)
    numbers: Mapping[str, int] = field(default_factory=dict)
    formats: tuple[str, ...] = ()


PHRASES: dict[str, Phrase] = {
    # findings (rcu_kit.core.findings, rcu_kit.mapping.gaps): the roadmap's "detail"
    "validity": Phrase(("roadmap.detail_validity",), percents={"rate": 0}),
    "duplicates": Phrase(("roadmap.detail_duplicates",), percents={"rate": 1}),
    "shared_customers": Phrase(("roadmap.detail_shared",), percents={"rate": 1}),
    "gap_missing": Phrase(("gaps.detail_missing",)),
    "gap_poor": Phrase(("gaps.detail_poor",), percents={"fill": 0, "valid": 0, "threshold": 0}),
    "gap_single": Phrase(("gaps.detail_single",)),
    "gap_formats": Phrase(("gaps.detail_formats",), formats=("formats",)),
    # semantic types (rcu_kit.values.semantic_types): the audit's "reason"
    "type_override": Phrase(("audit.reason_override",)),
    "type_name_empty": Phrase(("audit.reason_name_empty",)),
    "type_name_values": Phrase(("audit.reason_name_values",), percents={"rate": 0}),
    "type_values_not_name": Phrase(("audit.reason_values_not_name",),
                                   percents={"rate": 0, "best_rate": 0}),
    "type_name_check": Phrase(("audit.reason_name_check",), percents={"rate": 0}),
    "type_empty_unknown": Phrase(("audit.reason_empty_unknown",)),
    "type_values": Phrase(("audit.reason_values",), percents={"rate": 0}),
    "type_category": Phrase(("audit.reason_category",), numbers={"n": 0}),
    "type_text": Phrase(("audit.reason_text",)),
    "type_text_names": Phrase(("audit.reason_text", "audit.reason_text_names"), percents={"rate": 0}),
}

# Format labels that are words: shown to the client through gaps.format_<key> (French / English);
# the other labels are examples of the format ("dd/mm/yyyy") and read the same in both.
_FORMAT_WORDS = {"Capitalised": "capitalised", "UPPER CASE": "upper_case", "lower case": "lower_case",
                 "Mixed": "mixed", "other": "other", "ISO code": "iso_code", "name": "name",
                 "digits": "digits", "grouped digits": "grouped_digits", "1000 (zero lost)": "zero_lost"}


def format_label(label: str | None, language: str) -> str | None:
    """A format label as the client reads it: word labels translated, examples unchanged.

    Examples:
        >>> format_label("UPPER CASE", "fr"), format_label("dd/mm/yyyy", "fr")
        ('MAJUSCULES', 'dd/mm/yyyy')
    """
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return None
    key = _FORMAT_WORDS.get(label)
    return label if key is None else t(f"gaps.format_{key}", language)


def _plain(value: Any) -> Any:
    """JSON-safe: NaN and pd.NA become None, numpy scalars Python ones."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def params_json(params: Mapping[str, Any] | None = None, **more: Any) -> str:
    """Parameters as the JSON text a saved table holds (NaN saved as ``null``).

    Examples:
        >>> params_json({"rate": float("nan")}, source="crm")
        '{"rate": null, "source": "crm"}'
    """
    return json.dumps(_plain({**(params or {}), **more}), ensure_ascii=False)


def _params(params: Mapping[str, Any] | str | None) -> dict[str, Any]:
    if params is None or (isinstance(params, float) and math.isnan(params)) or params == "":
        return {}
    if isinstance(params, str):
        return json.loads(params)
    return dict(params)


def word(code: str, params: Mapping[str, Any] | str | None, language: str) -> str:
    """The sentence for ``code`` with ``params`` (a mapping or its JSON text) in ``language``.

    Raises:
        KeyError: unknown code (the message lists the known ones).
    """
    if code not in PHRASES:
        raise KeyError(f"no wording for code {code!r}; known: {', '.join(PHRASES)}")
    phrase = PHRASES[code]
    values = _params(params)
    for name, decimals in phrase.percents.items():
        values[name] = fmt_percent(values.get(name), language, decimals)
    for name, decimals in phrase.numbers.items():
        values[name] = fmt_number(values.get(name), language, decimals)
    for name in phrase.formats:
        values[name] = "; ".join(f"{source}: {format_label(label, language)}"
                                 for source, label in (values.get(name) or {}).items())
    return "".join(t(key, language, **values) for key in phrase.keys)


def word_column(codes: pd.Series, params: pd.Series, language: str) -> pd.Series:
    """:func:`word` on each row of a table: its code column and its parameters column."""
    return pd.Series([word(c, p, language) for c, p in zip(codes, params)], index=codes.index,
                     dtype=object)


def finding_details(findings: pd.DataFrame, language: str) -> pd.Series:
    """The ``detail`` the client reads for each finding (``detail_code`` + ``detail_params``)."""
    return word_column(findings["detail_code"], findings["detail_params"], language)


def finding_subjects(findings: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.Series:
    """Each finding's subject as the client reads it: a gap's attribute by its label.

    Args:
        findings: ``kind`` and ``subject`` (an attribute name for a gap, a source or
            ``source.column`` otherwise).
        labels: attribute name -> label in the engagement's language (default: the names).
    """
    labels = labels or {}
    return pd.Series([labels.get(s, s) if k == "gap" else s
                      for k, s in zip(findings["kind"], findings["subject"])],
                     index=findings.index, dtype=object)


def worded_findings(findings: pd.DataFrame, language: str,
                    labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The findings as the client reads them: ``kind``, ``key``, ``subject`` (gaps: the
    attribute's label from ``labels``), ``detail`` (worded) and ``severity``."""
    return pd.DataFrame({"kind": findings["kind"], "key": findings["key"],
                         "subject": finding_subjects(findings, labels),
                         "detail": finding_details(findings, language),
                         "severity": findings["severity"]})
