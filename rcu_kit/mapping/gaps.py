"""Gap analysis (step 3 of the method): what the sources hold against the target customer record.

:func:`gap_matrix` measures, for every target attribute and every source, whether the attribute
is mapped, how often it is filled, how often it is valid (with the audit's validity rules,
:func:`rcu_kit.values.validity.check_validity`) and in which format it is mostly written. The figures
are taken on the values *as the sources hold them* (the mapping's transforms are not applied: the
gap analysis shows the existing data).

:func:`gap_table` then lists, per attribute, the gaps to the target, each with a severity derived
from the attribute's criticity:

================== =================================================== =========================
gap                when                                                severity
================== =================================================== =========================
missing_everywhere mapped in no source                                 the criticity (``high``
                                                                       if the attribute is
                                                                       required)
poor_quality       mapped, but even the best source has                the criticity
                   fill rate x validity rate < ``poor_threshold``
single_source      mapped in one source only (of several)              one level below
conflicting_formats the sources write it in different main formats     one level below
================== =================================================== =========================

Each gap is a candidate workstream (:func:`workstream_candidates`) and a finding handed to the
roadmap (:func:`gap_findings`, saved by :func:`save_gap_outputs`). Charts are in
:mod:`rcu_kit.mapping.charts`.

Examples:
    >>> import pandas as pd
    >>> from rcu_kit.core.config import Attribute, Engagement, MappingEntry, Source
    >>> eng = Engagement(client="x", sources=[Source(name="crm", path="a", id_column="id")],
    ...                  target_model=[Attribute(name="email", type="email", criticity="high"),
    ...                                Attribute(name="phone", type="phone", criticity="medium")],
    ...                  mapping={"crm": [MappingEntry(column="mail", attribute="email")]})
    >>> frame = pd.DataFrame({"id": ["1", "2"], "mail": ["a@b.fr", None]})
    >>> m = gap_matrix(eng, {"crm": frame})
    >>> m[["attribute", "mapped", "fill_rate", "validity_rate"]].values.tolist()
    [['email', True, 0.5, 1.0], ['phone', False, 0.0, nan]]
    >>> gap_table(eng, m)[["attribute", "gap", "severity"]].values.tolist()
    [['email', 'poor_quality', 'high'], ['phone', 'missing_everywhere', 'medium']]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rcu_kit.core.progress import bar

from rcu_kit.core.config import DERIVED_ATTRIBUTES, Attribute, Engagement, MappingEntry
from rcu_kit.core.excel import write_workbook
from rcu_kit.core.i18n import t
from rcu_kit.core.wording import finding_details, format_label, params_json
from rcu_kit.mapping.transforms import apply_mapping, validate_mapping
from rcu_kit.values.validity import REPAIRABLE, VALID, VALIDATED_TYPES, check_validity

__all__ = [
    "GAP_KINDS",
    "SEVERITIES",
    "MATRIX_COLUMNS",
    "GAP_COLUMNS",
    "validity_type",
    "value_formats",
    "format_label",
    "dominant_format",
    "gap_matrix",
    "gap_table",
    "attribute_summary",
    "workstream_candidates",
    "gap_findings",
    "client_tables",
    "export_gaps",
    "save_gap_outputs",
    "GapAnalysis",
    "run_gap_analysis",
]

GAP_KINDS = ("missing_everywhere", "poor_quality", "single_source", "conflicting_formats")
SEVERITIES = ("high", "medium", "low")
MATRIX_COLUMNS = ["attribute", "source", "mapped", "columns", "records", "filled", "fill_rate",
                  "valid", "repairable", "validity_rate", "quality", "format"]
GAP_COLUMNS = ["attribute", "criticity", "required", "gap", "severity", "sources_mapped",
               "best_source", "best_fill_rate", "best_validity_rate", "detail_code", "detail_params"]

_LOWER = {"high": "medium", "medium": "low", "low": "low"}
# Attributes whose own name is a validity rule (names, cities, birth dates); the others use
# their type's rule (email, phone, postcode, date, ...).
_NAMED_RULES = frozenset({"last_name", "first_name", "birth_name", "full_name", "city", "birth_date"})


def validity_type(attribute: Attribute) -> str | None:
    """The validity rule (:data:`rcu_kit.values.validity.VALIDATED_TYPES`) for an attribute, if any.

    Examples:
        >>> validity_type(Attribute(name="birth_name"))
        'last_name'
        >>> validity_type(Attribute(name="mobile", type="phone")), validity_type(Attribute(name="street"))
        ('phone', None)
    """
    if attribute.name in _NAMED_RULES:
        return "last_name" if attribute.name == "birth_name" else attribute.name
    return attribute.type if attribute.type in VALIDATED_TYPES else None


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------
_DATE_FORMATS = (("dd/mm/yyyy", r"\d{2}/\d{2}/\d{4}"), ("d/m/yyyy", r"\d{1,2}/\d{1,2}/\d{4}"),
                 ("dd/mm/yy", r"\d{1,2}/\d{1,2}/\d{2}"), ("yyyy-mm-dd", r"\d{4}-\d{2}-\d{2}"),
                 ("yyyy-mm-dd hh:mm", r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"),
                 ("dd.mm.yyyy", r"\d{2}\.\d{2}\.\d{4}"), ("yyyymmdd", r"\d{8}"))
# Phone formats are described by their shape, digits as X: an example number such as
# "06 12 34 56 78" would read as a phone number in a client report (and be redacted there).
_PHONE_FORMATS = (("+33 X XX XX XX XX", r"\+\d{2,3}[ .]?\d(?:[ .]?\d{2}){4}"),
                  ("+33XXXXXXXXX", r"\+\d{11,12}"),
                  ("33XXXXXXXXX", r"(?:00)?33\d{9}"),
                  ("0X XX XX XX XX", r"0\d(?: \d{2}){4}"),
                  ("0X.XX.XX.XX.XX", r"0\d(?:\.\d{2}){4}"),
                  ("0X-XX-XX-XX-XX", r"0\d(?:-\d{2}){4}"),
                  ("0XXXXXXXXX", r"0\d{9}"),
                  ("XXXXXXXXX", r"[1-9]\d{8}"))
_CIVILITY_STYLES = {"M": "M./Mme", "M.": "M./Mme", "MME": "M./Mme", "MME.": "M./Mme", "MLLE": "M./Mme",
                    "MLLE.": "M./Mme", "MONSIEUR": "Monsieur/Madame", "MADAME": "Monsieur/Madame",
                    "MADEMOISELLE": "Monsieur/Madame", "MR": "Mr/Mrs", "MR.": "Mr/Mrs", "MRS": "Mr/Mrs",
                    "MRS.": "Mr/Mrs", "MS": "Mr/Mrs", "MS.": "Mr/Mrs", "MISS": "Mr/Mrs"}
_BOOLEAN_STYLES = {"OUI": "oui/non", "NON": "oui/non", "O": "O/N", "N": "O/N", "TRUE": "true/false",
                   "FALSE": "true/false", "VRAI": "vrai/faux", "FAUX": "vrai/faux", "1": "1/0", "0": "1/0",
                   "Y": "Y/N", "YES": "yes/no", "NO": "yes/no", "T": "T/F", "F": "T/F"}
_CASED = frozenset({"last_name", "first_name", "birth_name", "full_name", "city", "street",
                    "company_name", "email"})


def _pattern_format(values: pd.Series, formats: tuple[tuple[str, str], ...]) -> pd.Series:
    out = pd.Series("other", index=values.index, dtype=object)
    for label, pattern in reversed(formats):  # the first listed wins
        out = out.mask(values.str.fullmatch(pattern, na=False), label)
    return out


def _case_format(values: pd.Series) -> pd.Series:
    letters = values.str.replace(r"[^\w]|[\d_]", "", regex=True)
    upper = letters == letters.str.upper()
    lower = letters == letters.str.lower()
    title = values == values.str.title()
    out = pd.Series("Mixed", index=values.index, dtype=object)
    out = out.mask(title, "Capitalised").mask(lower, "lower case").mask(upper, "UPPER CASE")
    return out.mask(letters == "", "other")


def value_formats(values: pd.Series, attribute: Attribute) -> pd.Series | None:
    """The format label of each filled value (NA for missing ones), or None when formats of this
    attribute are not compared.

    Labels are examples of the format (``dd/mm/yyyy``, ``+33 X XX XX XX XX``, ``M./Mme``,
    ``UPPER CASE``...), readable by a client; :func:`format_label` translates the word labels.

    Examples:
        >>> value_formats(pd.Series(["01/02/2020", "2020-02-01", None]), Attribute(name="d", type="date")).tolist()
        ['dd/mm/yyyy', 'yyyy-mm-dd', nan]
    """
    kind = attribute.type
    text = values.astype(object).where(values.notna(), None)
    text = text.dropna().astype(str).str.strip()
    text = text[text != ""]
    if kind == "date":
        out = _pattern_format(text, _DATE_FORMATS)
    elif kind == "phone":
        out = _pattern_format(text, _PHONE_FORMATS)
    elif kind == "postcode":
        out = _pattern_format(text, (("75011", r"\d{5}"), ("1000 (zero lost)", r"\d{4}"),
                                     ("1000.0", r"\d{4,5}\.0")))
    elif kind in ("siren", "siret"):
        out = _pattern_format(text, (("digits", r"\d+"), ("grouped digits", r"[\d ]+")))
    elif kind == "civility":
        out = text.str.upper().map(_CIVILITY_STYLES).fillna("other")
    elif kind == "boolean":
        out = text.str.upper().map(_BOOLEAN_STYLES).fillna("other")
    elif attribute.name == "country":
        out = pd.Series(np.where(text.str.fullmatch(r"[A-Z]{2,3}"), "ISO code", "name"),
                        index=text.index, dtype=object)
    elif attribute.name in _CASED:
        out = _case_format(text)
    else:
        return None
    return out.reindex(values.index)


def dominant_format(values: pd.Series, attribute: Attribute) -> str | None:
    """The most frequent format of the filled values (ties: the first in alphabetical order)."""
    formats = value_formats(values, attribute)
    if formats is None:
        return None
    counts = formats.dropna().value_counts()
    if counts.empty:
        return None
    top = counts[counts == counts.max()].index
    return sorted(top)[0]


# ---------------------------------------------------------------------------------------------
# Matrix
# ---------------------------------------------------------------------------------------------
def _frame_of(loaded_source: Any) -> pd.DataFrame:
    return loaded_source.frame if hasattr(loaded_source, "frame") else loaded_source


def _feeding(entries: Iterable[MappingEntry], attribute: str) -> list[MappingEntry]:
    """Entries that feed ``attribute``: directly, or through a derived attribute (full_name)."""
    return [e for e in entries
            if e.attribute == attribute or attribute in DERIVED_ATTRIBUTES.get(e.attribute, ())]


def gap_matrix(engagement: Engagement, loaded: Mapping[str, Any],
               mapping: Mapping[str, list[MappingEntry]] | None = None, *,
               progress: bool = False) -> pd.DataFrame:
    """Attribute x source: mapped or not, fill rate, validity rate, main format.

    Args:
        engagement: the target model (attributes, in order) and the sources (in order).
        loaded: source name -> loaded source (``.frame``) or DataFrame; sources not loaded are
            left out.
        mapping: default: the engagement's mapping. It is validated first
            (:func:`rcu_kit.mapping.transforms.validate_mapping`).
        progress: show a progress bar over the sources.

    Returns:
        One row per attribute and loaded source (attributes in target-model order, then
        sources in engagement order), columns :data:`MATRIX_COLUMNS`:
        ``columns`` the source columns feeding the attribute (`` + ``-joined), ``records`` the
        source's rows, ``filled`` / ``fill_rate`` the rows with a value, ``valid`` /
        ``repairable`` the filled values valid / repairable by standardisation,
        ``validity_rate`` = valid / filled (NaN without a validity rule or without values),
        ``quality`` = fill rate x validity rate (x 1 without a rule), ``format`` the main format.
        A last or first name fed by a full-name column counts as mapped.
    """
    mapping = engagement.mapping if mapping is None else mapping
    validate_mapping(engagement, loaded, {k: v for k, v in mapping.items() if k in loaded})
    order = [s.name for s in engagement.sources if s.name in loaded]
    order += [n for n in loaded if n not in order]
    id_columns = {s.name: s.id_column for s in engagement.sources}
    rows = []
    for src in bar(order, step="gap_matrix", disable=not progress):
        frame = _frame_of(loaded[src])
        entries = list(mapping.get(src, []))
        # the values as the source holds them: no transform
        raw = apply_mapping(frame, [e.model_copy(update={"transform": None}) for e in entries], src,
                            id_columns.get(src) if id_columns.get(src) in frame.columns else None)
        n = len(raw)
        for attr in engagement.target_model:
            feeding = _feeding(entries, attr.name)
            row = {"attribute": attr.name, "source": src, "mapped": bool(feeding),
                   "columns": " + ".join(e.column for e in feeding), "records": n, "filled": 0,
                   "fill_rate": 0.0, "valid": 0, "repairable": 0, "validity_rate": np.nan,
                   "quality": 0.0, "format": None}
            if feeding:
                values = raw[attr.name] if attr.name in raw.columns else pd.Series([None] * n, dtype=object)
                rule = validity_type(attr)
                via_full = [e for e in feeding if e.attribute != attr.name]
                if via_full:
                    full = raw[via_full[0].attribute]
                    values = values.where(values.notna(), full)
                    rule = rule and "full_name"
                text = values.astype(object).where(values.notna(), None)
                filled_mask = text.notna() & (text.astype(str).str.strip() != "")
                filled = int(filled_mask.sum())
                row.update(filled=filled, fill_rate=filled / n if n else 0.0)
                if rule is not None and filled:
                    status = check_validity(text[filled_mask], rule)
                    valid = int((status == VALID).sum())
                    row.update(valid=valid, repairable=int((status == REPAIRABLE).sum()),
                               validity_rate=valid / filled)
                row["quality"] = row["fill_rate"] * (1.0 if np.isnan(row["validity_rate"])
                                                     else row["validity_rate"])
                row["format"] = dominant_format(text[filled_mask], attr) if filled else None
            rows.append(row)
    out = pd.DataFrame(rows, columns=MATRIX_COLUMNS)
    # attribute-major: target-model order, then source order
    position = {a.name: i for i, a in enumerate(engagement.target_model)}
    out = out.iloc[np.lexsort((out["source"].map(order.index).to_numpy(),
                               out["attribute"].map(position).to_numpy()))].reset_index(drop=True)
    return out.astype({"fill_rate": float, "validity_rate": float, "quality": float})


# ---------------------------------------------------------------------------------------------
# Gaps
# ---------------------------------------------------------------------------------------------
def gap_table(engagement: Engagement, matrix: pd.DataFrame, *, poor_threshold: float = 0.8
              ) -> pd.DataFrame:
    """The gaps between the target record and the sources, most severe first.

    The detail is a code and its figures (``detail_code``: gap_missing, gap_poor, gap_single,
    gap_formats; ``detail_params`` in JSON), worded by :func:`client_tables`
    (:mod:`rcu_kit.core.wording`), so the saved table does not depend on the language.

    Args:
        engagement: gives each attribute's criticity and whether it is required.
        matrix: from :func:`gap_matrix`.
        poor_threshold: the least quality (fill rate x validity rate) of the best source under
            which an attribute is "present but poor".

    Returns:
        One row per gap, columns :data:`GAP_COLUMNS`, sorted by severity, then gap kind (in
        :data:`GAP_KINDS` order), then target-model order. An attribute may have several gaps
        (only in one source *and* poor); an attribute without gap has no row.
    """
    n_sources = matrix["source"].nunique()
    rows = []
    for position, attr in enumerate(engagement.target_model):
        cells = matrix[matrix["attribute"] == attr.name]
        mapped = cells[cells["mapped"]]
        base = {"attribute": attr.name, "criticity": attr.criticity, "required": attr.required,
                "sources_mapped": len(mapped), "best_source": None, "best_fill_rate": np.nan,
                "best_validity_rate": np.nan, "_pos": position}
        if mapped.empty:
            rows.append({**base, "gap": "missing_everywhere",
                         "severity": "high" if attr.required else attr.criticity,
                         "detail_code": "gap_missing", "detail_params": params_json()})
            continue
        best = mapped.sort_values("quality", ascending=False, kind="stable").iloc[0]
        base.update(best_source=best["source"], best_fill_rate=best["fill_rate"],
                    best_validity_rate=best["validity_rate"])
        if best["quality"] < poor_threshold:
            rows.append({**base, "gap": "poor_quality", "severity": attr.criticity,
                         "detail_code": "gap_poor",
                         "detail_params": params_json(source=best["source"], fill=best["fill_rate"],
                                                      valid=best["validity_rate"],
                                                      threshold=poor_threshold)})
        if len(mapped) == 1 and n_sources > 1:
            rows.append({**base, "gap": "single_source", "severity": _LOWER[attr.criticity],
                         "detail_code": "gap_single",
                         "detail_params": params_json(source=best["source"])})
        formats = mapped.dropna(subset=["format"])
        if formats["format"].nunique() > 1:
            listed = {r.source: r.format for r in formats.itertuples()}
            rows.append({**base, "gap": "conflicting_formats", "severity": _LOWER[attr.criticity],
                         "detail_code": "gap_formats",
                         "detail_params": params_json(formats=listed)})
    out = pd.DataFrame(rows, columns=[*GAP_COLUMNS, "_pos"])
    if out.empty:  # no gap: the same columns and types as a table with gaps
        return out.drop(columns="_pos").astype({"best_fill_rate": float, "best_validity_rate": float})
    out["_sev"] = out["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    out["_kind"] = out["gap"].map({g: i for i, g in enumerate(GAP_KINDS)})
    out = out.sort_values(["_sev", "_kind", "_pos"], kind="stable").reset_index(drop=True)
    return out[GAP_COLUMNS].astype({"best_fill_rate": float, "best_validity_rate": float})


def attribute_summary(engagement: Engagement, matrix: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """One row per attribute: sources holding it, the best one and its figures, its gaps."""
    rows = []
    for attr in engagement.target_model:
        cells = matrix[(matrix["attribute"] == attr.name) & matrix["mapped"]]
        best = cells.sort_values("quality", ascending=False, kind="stable").head(1)
        found = gaps.loc[gaps["attribute"] == attr.name, "gap"].tolist()
        rows.append({"attribute": attr.name, "criticity": attr.criticity,
                     "sources_mapped": len(cells),
                     "sources": ", ".join(cells["source"]),
                     "best_source": best["source"].iloc[0] if len(best) else None,
                     "best_fill_rate": float(best["fill_rate"].iloc[0]) if len(best) else np.nan,
                     "best_validity_rate": float(best["validity_rate"].iloc[0]) if len(best) else np.nan,
                     "gaps": ", ".join(found)})
    return pd.DataFrame(rows, columns=["attribute", "criticity", "sources_mapped", "sources", "best_source",
                                       "best_fill_rate", "best_validity_rate", "gaps"])


def workstream_candidates(engagement: Engagement, gaps: pd.DataFrame,
                          language: str | None = None) -> pd.DataFrame:
    """Each gap as a candidate workstream ("chantier"): title, severity, attribute, detail."""
    lang = language or engagement.language
    labels = {a.name: a.label(lang) for a in engagement.target_model}
    rows = [{"workstream": t(f"gaps.workstream_{g.gap}", lang, label=labels.get(g.attribute, g.attribute)),
             "severity": g.severity, "attribute": g.attribute, "gap": g.gap, "detail": detail}
            for g, detail in zip(gaps.itertuples(index=False), finding_details(gaps, lang))]
    return pd.DataFrame(rows, columns=["workstream", "severity", "attribute", "gap", "detail"])


def gap_findings(gaps: pd.DataFrame) -> pd.DataFrame:
    """The gaps as roadmap findings (:data:`rcu_kit.core.findings.FINDING_COLUMNS`, kind ``gap``).

    The subject is the attribute's name, which the roadmap and the report word with the
    engagement's labels (:func:`rcu_kit.core.wording.finding_subjects`).

    Args:
        gaps: from :func:`gap_table`.
    """
    from rcu_kit.core.findings import FINDING_COLUMNS

    rows = [{"kind": "gap", "key": f"gap:{g.gap}:{g.attribute}", "subject": g.attribute,
             "detail_code": g.detail_code, "detail_params": g.detail_params,
             "severity": g.severity} for g in gaps.itertuples(index=False)]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Client-facing tables and files
# ---------------------------------------------------------------------------------------------
def client_tables(engagement: Engagement, matrix: pd.DataFrame, gaps: pd.DataFrame,
                  language: str | None = None) -> dict[str, pd.DataFrame]:
    """The matrix, the gap table and the workstream candidates with translated headers and codes.

    Rates are percentages (0-100, one decimal); attributes show their label. No personal data:
    only counts, rates and format descriptions.

    Returns:
        ``{"matrix": ..., "gaps": ..., "workstreams": ...}``.
    """
    lang = language or engagement.language
    labels = {a.name: a.label(lang) for a in engagement.target_model}

    def yes_no(v: bool) -> str:
        return t("gaps.yes" if v else "gaps.no", lang)

    def pct(s: pd.Series) -> pd.Series:
        return (s * 100).round(1)

    m = pd.DataFrame({
        t("gaps.attribute", lang): matrix["attribute"].map(labels),
        t("gaps.source", lang): matrix["source"],
        t("gaps.mapped", lang): matrix["mapped"].map(yes_no),
        t("gaps.columns", lang): matrix["columns"],
        t("gaps.fill_rate_pct", lang): pct(matrix["fill_rate"]).where(matrix["mapped"]),
        t("gaps.validity_rate_pct", lang): pct(matrix["validity_rate"]),
        t("gaps.format", lang): matrix["format"].map(lambda f: format_label(f, lang)),
    })
    g = pd.DataFrame({
        t("gaps.attribute", lang): gaps["attribute"].map(labels),
        t("gaps.criticity", lang): gaps["criticity"].map(lambda c: t(f"gaps.level_{c}", lang)),
        t("gaps.gap", lang): gaps["gap"].map(lambda k: t(f"gaps.kind_{k}", lang)),
        t("gaps.severity", lang): gaps["severity"].map(lambda s: t(f"gaps.level_{s}", lang)),
        t("gaps.best_source", lang): gaps["best_source"],
        t("gaps.fill_rate_pct", lang): pct(gaps["best_fill_rate"]),
        t("gaps.validity_rate_pct", lang): pct(gaps["best_validity_rate"]),
        t("gaps.detail", lang): finding_details(gaps, lang),
    })
    w = workstream_candidates(engagement, gaps, lang)
    w = pd.DataFrame({
        t("gaps.workstream", lang): w["workstream"],
        t("gaps.severity", lang): w["severity"].map(lambda s: t(f"gaps.level_{s}", lang)),
        t("gaps.attribute", lang): w["attribute"].map(labels),
        t("gaps.detail", lang): w["detail"],
    })
    return {"matrix": m, "gaps": g, "workstreams": w}


def export_gaps(engagement: Engagement, matrix: pd.DataFrame, gaps: pd.DataFrame,
                path: str | Path | None = None) -> Path:
    """Excel workbook, one sheet per table (default: ``<output>/mapping/gap_analysis.xlsx``)."""
    from rcu_kit.core.paths import step_dir

    target = Path(path) if path is not None else step_dir(engagement, "mapping") / "gap_analysis.xlsx"
    lang = engagement.language
    tables = client_tables(engagement, matrix, gaps, lang)
    return write_workbook(target, {t(f"gaps.sheet_{k}", lang): v for k, v in tables.items()})


def save_gap_outputs(engagement: Engagement, matrix: pd.DataFrame, gaps: pd.DataFrame) -> dict[str, Path]:
    """Write the step's outputs where later steps read them (:mod:`rcu_kit.core.paths`).

    ``mapping/gap_matrix.csv`` and ``mapping/gaps.csv`` (raw figures), ``mapping/findings.csv``
    (for the roadmap) and ``mapping/gap_analysis.xlsx`` (for the client).
    """
    from rcu_kit.core.paths import findings_path, step_dir

    folder = step_dir(engagement, "mapping")
    paths = {"matrix": folder / "gap_matrix.csv", "gaps": folder / "gaps.csv",
             "findings": findings_path(engagement, "mapping")}
    matrix.to_csv(paths["matrix"], index=False)
    gaps.to_csv(paths["gaps"], index=False)
    gap_findings(gaps).to_csv(paths["findings"], index=False)
    paths["excel"] = export_gaps(engagement, matrix, gaps)
    return paths


# ---------------------------------------------------------------------------------------------
# The whole step in one call (what a CLI subcommand runs)
# ---------------------------------------------------------------------------------------------
@dataclass
class GapAnalysis:
    """Everything step 3 produced: suggestions, the mapping analysed, matrix, gaps, files."""

    suggestions: pd.DataFrame
    mapping: dict[str, list[MappingEntry]]
    matrix: pd.DataFrame
    gaps: pd.DataFrame
    paths: dict[str, Path] = field(default_factory=dict)
    #: the loading of every source (:func:`rcu_kit.sources.loaders.summarise_sources`): a source
    #: in error is left out of the analysis
    loading: pd.DataFrame | None = None


def run_gap_analysis(engagement: Engagement, *, use_saved_mapping: bool = True,
                     min_confidence: float = 0.5, poor_threshold: float = 0.8,
                     progress: bool = False) -> GapAnalysis:
    """Load the sources, suggest the mapping, analyse the gaps and save the outputs.

    Per source the engagement's saved mapping is analysed when it has one (and
    ``use_saved_mapping``), the suggestions otherwise; the audit's saved semantic types are
    used when notebook 02 ran. Outputs: see :func:`save_gap_outputs`.
    """
    from rcu_kit.mapping.suggest import saved_audit_types, suggest_mapping, working_mapping
    from rcu_kit.sources.loaders import load_all, save_sources_summary, summarise_sources

    loaded = load_all(engagement, progress=progress)
    loading = summarise_sources(loaded, engagement.language)
    save_sources_summary(loaded, engagement, loading)
    suggestions = suggest_mapping(engagement, loaded, saved_audit_types(engagement),
                                  min_confidence=min_confidence, progress=progress)
    in_use = working_mapping(engagement, suggestions, use_saved=use_saved_mapping)
    matrix = gap_matrix(engagement, loaded, in_use, progress=progress)
    gaps = gap_table(engagement, matrix, poor_threshold=poor_threshold)
    return GapAnalysis(suggestions, in_use, matrix, gaps, save_gap_outputs(engagement, matrix, gaps),
                       loading=loading)
