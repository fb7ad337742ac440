"""The text layer: codes and numbers computed by the steps, worded in the engagement's language.

The steps save what they found as a *code* and its *parameters* (numbers, source names, format
labels), never as a sentence, so a table saved to disk reads the same whatever the report's
language. This module turns ``(code, params, language)`` into the sentence the client reads, with
the one set of formatters (:func:`rcu_kit.core.i18n.fmt_number`, :func:`~rcu_kit.core.i18n.fmt_percent`).

Each code is one :class:`Phrase`: the label(s) it reads (``resources/i18n/<topic>.yaml``) and how
each parameter is formatted (a share as a percentage with so many decimals, a count with
thousands separators, a day, a ``{source: format}`` mapping as a list, a value named by a label).

A saved table holds each text as two columns, ``<name>_code`` and ``<name>_params`` (JSON);
:func:`word_table` shows them as one ``<name>`` column in the client's language. An empty code
reads as an empty text (a KPI row without a note).

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

from rcu_kit.core.i18n import fmt_date, fmt_number, fmt_percent, t

__all__ = ["Phrase", "PHRASES", "word", "word_column", "word_table", "params_json", "format_label",
           "finding_details", "finding_subjects", "worded_findings", "word_explanation",
           "customer_split_sentence"]


@dataclass(frozen=True)
class Phrase:
    """How one code reads.

    Attributes:
        keys: the label(s) read, joined without separator (a sentence and its optional tail).
        percents: parameter -> decimals, for shares (0-1) shown as percentages.
        numbers: parameter -> decimals, for counts and scores.
        formats: parameters holding ``{source: format label}``, shown ``source: label; ...``.
        dates: parameters holding a day (ISO text), shown by :func:`rcu_kit.core.i18n.fmt_date`.
        labels: parameter -> label key with ``{}`` for the value (``roadmap.answer_{}``): a
            value saved as a key (``true``, ``low``) shown by its label.
        sep: what joins the labels of ``keys`` (a list of reasons joins with ``"; "``).
        trimmed: parameters of ``numbers`` shown without trailing zeros (computed bounds).
    """

    keys: tuple[str, ...]
    percents: Mapping[str, int] = field(default_factory=dict)
    numbers: Mapping[str, int] = field(default_factory=dict)
    formats: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    sep: str = ""
    trimmed: tuple[str, ...] = ()


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
    # audit points of attention (rcu_kit.audit.run, rcu_kit.audit.profiling): "message", "note"
    "msg_no_columns": Phrase(("audit.msg_no_columns",)),
    "msg_empty_source": Phrase(("audit.msg_empty_source",)),
    "msg_bad_lines": Phrase(("audit.msg_bad_lines",), numbers={"count": 0}),
    "msg_empty_column": Phrase(("audit.msg_empty_column",)),
    "msg_low_validity": Phrase(("audit.msg_low_validity",), percents={"validity": 0}),
    "msg_low_confidence": Phrase(("audit.msg_low_confidence",), percents={"confidence": 0}),
    "msg_profile_failed": Phrase(("audit.msg_profile_failed",)),
    # the loaders' notes on a source (rcu_kit.sources.loaders.LoadNote: code -> load_<code>, with
    # n, lines as text, and the note's own parameters) and a source left out, in the messages
    "source_left_out": Phrase(("loaders.left_out",)),
    **{f"load_{code}": Phrase((f"loaders.note_{code}",))
       for code in ("mixed_encoding", "utf16_no_bom", "nul_bytes", "eof_marker", "sep_hint",
                    "header_row", "title_lines", "blank_lines", "separator_lines",
                    "repeated_header", "footer_lines", "sheet_chosen", "other_sheets",
                    "excel_errors", "bad_lines", "no_rows", "streamed", "no_stream_encoding",
                    "no_stream_quirk", "no_stream_format")},
    # quality KPIs (rcu_kit.audit.quality): "note" and "outlier_rule"
    "note_no_rows": Phrase(("audit.note_no_rows",)),
    "note_empty_column": Phrase(("audit.note_empty_column",)),
    "note_no_rule": Phrase(("audit.note_no_rule",)),
    "note_no_date": Phrase(("audit.note_no_date",)),
    "rule_date": Phrase(("audit.rule_date",), dates=("today",)),
    "rule_birth_date": Phrase(("audit.rule_birth_date",)),
    "rule_number": Phrase(("audit.rule_number",), numbers={"lo": 2, "hi": 2}, trimmed=("lo", "hi")),
    "rule_length": Phrase(("audit.rule_length",), numbers={"lo": 1, "hi": 1}, trimmed=("lo", "hi")),
    # exact duplicates (rcu_kit.audit.exact_duplicates): "note" of a key that cannot be built
    **{f"dup_note_{key}": Phrase((f"audit.dup_note_{key}",))
       for key in ("email", "phone", "name_birth_date", "any_key")},
    # personal data (rcu_kit.audit.personal_data): "reason"
    "gdpr_sensitive": Phrase(("audit.gdpr_sensitive",)),
    "gdpr_financial": Phrase(("audit.gdpr_financial",)),
    "gdpr_mapped": Phrase(("audit.gdpr_mapped",)),
    "gdpr_not_personal": Phrase(("audit.gdpr_not_personal",)),
    **{f"gdpr_{kind}": Phrase((f"audit.gdpr_{kind}",))
       for kind in ("last_name", "first_name", "full_name", "civility", "birth_date", "id", "email",
                    "phone", "street", "postcode", "city", "country", "text", "siren", "siret")},
    # mapping suggestions (rcu_kit.mapping.suggest): "reason", the evidence joined by "; "
    "map_name": Phrase(("mapping.reason_name",), numbers={"score": 2}),
    "map_name_type": Phrase(("mapping.reason_name", "mapping.reason_type"), numbers={"score": 2},
                            sep="; "),
    "map_type_only": Phrase(("mapping.reason_type_only",)),
    "map_name_type_conflict": Phrase(("mapping.reason_name", "mapping.reason_type_conflict"),
                                     numbers={"score": 2}, sep="; "),
    "map_name_not_type": Phrase(("mapping.reason_name", "mapping.reason_not_type"),
                                numbers={"score": 2}, percents={"share": 0}, sep="; "),
    "map_overlap": Phrase(("mapping.reason_overlap",), percents={"share": 0}),
    "map_name_words": Phrase(("mapping.reason_name_words",), percents={"share": 0}),
    "map_id": Phrase(("mapping.reason_id",)),
    "map_none": Phrase(("mapping.reason_none",)),
    "map_weak": Phrase(("mapping.reason_weak",), numbers={"score": 2}),
    # roadmap criteria (rcu_kit.roadmap.scoring): "basis", the answer or figure a criterion uses
    "basis_unknown": Phrase(("roadmap.basis_unknown",)),
    "basis_sources": Phrase(("roadmap.basis_sources",), numbers={"n": 0}),
    "basis_formats": Phrase(("roadmap.basis_formats",), numbers={"n": 0}),
    "basis_records": Phrase(("roadmap.basis_records",), numbers={"n": 0}),
    "basis_duplicates": Phrase(("roadmap.basis_duplicates",), percents={"rate": 1}),
    "basis_shared": Phrase(("roadmap.basis_shared",), percents={"rate": 1}),
    "basis_answer": Phrase(("roadmap.answer",), labels={"answer": "roadmap.answer_{}"}),
    "basis_real_time": Phrase(("roadmap.answer", "roadmap.basis_real_time_flows"),
                              labels={"answer": "roadmap.answer_{}"}, numbers={"flows": 0}),
    # an answer the client has not given: the default, never worded as the client's answer
    "basis_default": Phrase(("roadmap.basis_default",), labels={"answer": "roadmap.answer_{}"}),
    "basis_flows": Phrase(("roadmap.basis_flows",), numbers={"n": 0}),
    "basis_bridges": Phrase(("roadmap.basis_bridges",), numbers={"n": 0}),
    "basis_rt_two_way": Phrase(("roadmap.basis_rt_two_way",), numbers={"n": 0}),
    "basis_sync_peaks": Phrase(("roadmap.basis_sync_peaks",), numbers={"n": 0}),
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


def _no_code(code: Any) -> bool:
    return code is None or code is pd.NA or code == "" or (isinstance(code, float) and math.isnan(code))


def word(code: str | None, params: Mapping[str, Any] | str | None, language: str) -> str:
    """The sentence for ``code`` with ``params`` (a mapping or its JSON text) in ``language``.

    An empty code (``""``, None, NaN: nothing to say) reads as ``""``.

    Raises:
        KeyError: unknown code (the message lists the known ones).
    """
    if _no_code(code):
        return ""
    if code not in PHRASES:
        raise KeyError(f"no wording for code {code!r}; known: {', '.join(PHRASES)}")
    phrase = PHRASES[code]
    values = _params(params)
    for name, decimals in phrase.percents.items():
        values[name] = fmt_percent(values.get(name), language, decimals)
    for name, decimals in phrase.numbers.items():
        values[name] = fmt_number(values.get(name), language, decimals, trim=name in phrase.trimmed)
    for name in phrase.formats:
        values[name] = "; ".join(f"{source}: {format_label(label, language)}"
                                 for source, label in (values.get(name) or {}).items())
    for name in phrase.dates:
        values[name] = fmt_date(values.get(name), language)
    for name, key in phrase.labels.items():
        values[name] = t(key.format(values.get(name)), language)
    return phrase.sep.join(t(key, language, **values) for key in phrase.keys)


def word_column(codes: pd.Series, params: pd.Series, language: str) -> pd.Series:
    """:func:`word` on each row of a table: its code column and its parameters column."""
    return pd.Series([word(c, p, language) for c, p in zip(codes, params)], index=codes.index,
                     dtype=object)


def word_table(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """``table`` with each pair ``<name>_code`` + ``<name>_params`` worded into one ``<name>``
    column, at the place of ``<name>_code``; other columns unchanged (a copy).

    Examples:
        >>> saved = pd.DataFrame({"column": ["fax"], "note_code": ["note_empty_column"],
        ...                       "note_params": ["{}"]})
        >>> word_table(saved, "en").to_dict("records")
        [{'column': 'fax', 'note': 'column 100% empty'}]
    """
    out = table.copy()
    for code in [c for c in table.columns if str(c).endswith("_code")]:
        name = str(code).removesuffix("_code")
        if f"{name}_params" not in out.columns:
            continue
        at = list(out.columns).index(code)
        worded = word_column(out[code], out[f"{name}_params"], language)
        out = out.drop(columns=[code, f"{name}_params"])
        out.insert(at, name, worded)
    return out


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


def word_explanation(explanation: Mapping[str, Any], language: str) -> str:
    """The roadmap's one paragraph for the client from its codes and figures.

    The margin is the difference of the two scores *as shown* (each to one decimal), so the text
    and the score chart never disagree (12.6 and 5.8: 6.8 points ahead). A provisional
    recommendation says so and lists the questions still unanswered; a progressive path and the
    single answers that would change the form are added when the explanation holds them.

    Args:
        explanation: ``form``, ``score``, ``runner_up``, ``margin`` and ``reasons`` (each a
            ``criterion``, its ``basis_code`` + ``basis_params`` and its ``contribution``), and
            optionally ``provisional``, ``unanswered``, ``path`` and ``pivots``, as
            :meth:`rcu_kit.roadmap.scoring.Recommendation.explanation_figures` gives them and
            ``roadmap/summary.json`` saves them.
        language: ``fr`` or ``en``.
    """
    reasons = ", ".join(
        "{} ({}, {})".format(t("roadmap.criterion_" + r["criterion"], language),
                             word(r["basis_code"], r.get("basis_params"), language),
                             fmt_number(r["contribution"], language, 1, sign=True))
        for r in explanation.get("reasons", []))
    score = float(explanation["score"])
    shown_margin = round(score, 1) - round(score - float(explanation["margin"]), 1)
    text = t("roadmap.explanation", language,
             form=t(f"roadmap.form_{explanation['form']}", language),
             score=fmt_number(score, language, 1),
             runner_up=t(f"roadmap.form_{explanation['runner_up']}", language),
             margin=fmt_number(round(shown_margin, 1), language, 1),
             reasons=reasons)
    path = explanation.get("path") or []
    if len(path) > 1:
        text += t("roadmap.explanation_path", language,
                  steps=" → ".join(t(f"roadmap.form_{f}", language) for f in path))
    unanswered = explanation.get("unanswered") or []
    if explanation.get("provisional") and unanswered:
        text += t("roadmap.explanation_provisional", language, n=len(unanswered),
                  items=", ".join(t(f"roadmap.question_{q}", language) for q in unanswered))
    if "pivots" in explanation:
        pivots = explanation["pivots"] or []
        if pivots:
            by_form: dict[str, list[str]] = {}      # the answers grouped by the form they give
            for p in pivots:
                by_form.setdefault(p["form"], []).append(t(
                    "roadmap.explanation_pivot", language,
                    question=t(f"roadmap.question_{p['question']}", language),
                    answer=t(f"roadmap.answer_{p['answer']}", language)))
            text += t("roadmap.explanation_pivots", language, items="; ".join(
                f"{', '.join(answers)} → {t(f'roadmap.form_{form}', language)}"
                for form, answers in by_form.items()))
        else:
            text += t("roadmap.explanation_stable", language)
    return text


def customer_split_sentence(split: Mapping[str, Any] | None, language: str,
                            attribute_label: str | Mapping[str, str] | None = None) -> str | None:
    """The distinct customers split by the engagement's definition of a customer, in one line.

    Args:
        split: :func:`rcu_kit.dedup.figures.customer_split` (as saved in ``dedup/summary.json``).
        language: ``fr`` or ``en``.
        attribute_label: the rule's attribute as the client reads it, or a mapping of
            attribute names to labels (default: its name).

    Returns:
        The sentence: the customers and prospects counted, or why the data cannot tell them
        apart; None without a split (an older ``summary.json``).

    Examples:
        >>> customer_split_sentence({"status": "no_rule", "n_customers": 1873}, "en")
        'The 1,873 distinct customers count customers and prospects together: the engagement does not state its definition of a customer as a rule yet (definition_rules).'
    """
    if not split or not split.get("status"):
        return None
    status = split["status"]
    total = fmt_number(split.get("n_customers"), language)
    name = split.get("attribute") or ""
    attribute = (attribute_label.get(name, name) if isinstance(attribute_label, Mapping)
                 else attribute_label or name)
    sources = ", ".join(split.get("sources") or [])
    if status == "no_rule":
        return t("dedup.split_no_rule", language, total=total)
    if status == "no_attribute":
        return t("dedup.split_no_attribute", language, attribute=attribute, total=total)
    if status == "no_dates":
        return t("dedup.split_no_dates", language, attribute=attribute, total=total,
                 sources=sources or t("dedup.split_every_source", language))
    reference = fmt_date(split["reference_date"], language)
    if split.get("reference_from") == "latest_date":
        reference += t("dedup.split_reference_latest", language)
    return t("dedup.split_ok", language, attribute=attribute,
             months=fmt_number(split["within_months"], language), reference=reference,
             sources=t("dedup.split_sources", language, sources=sources) if sources else "",
             customers=fmt_number(split["customers"], language),
             prospects=fmt_number(split["prospects"], language), total=total,
             lapsed=fmt_number(split["prospects_lapsed"], language),
             undated=fmt_number(split["prospects_undated"], language))
