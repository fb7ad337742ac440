"""Data mapping (step 3 of the method): which source column feeds which target attribute.

The suggestion and the mapping tables live here, all computation (the ipywidgets editor is :mod:`rcu_kit.mapping.widgets`):

- :func:`suggest_mapping` proposes, for every column of every loaded source, the target
  attribute it most likely holds, with a confidence and the reason, from three kinds of evidence:
  the column's *name* against French and English synonyms of each attribute, the column's
  *semantic type* (from the audit, or sniffed from the values when no audit is given), and the
  *overlap of its values* with columns of other sources that are already mapped with confidence.
- :func:`mapping_table`, :func:`mapping_from_table`, :func:`compare_mappings` and
  :func:`working_mapping` move a mapping between the engagement, the editor's table and the
  suggestion.

Checking a mapping against the data and applying it live in :mod:`rcu_kit.mapping.transforms`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rcu_kit.core.progress import bar
from unidecode import unidecode

from rcu_kit.core.config import (DERIVED_ATTRIBUTES, Attribute, ConfigError, Engagement, MappingEntry,
                                 save_engagement)
from rcu_kit.core.i18n import t
from rcu_kit.core.wording import params_json, word_column, word_table
from rcu_kit.mapping.transforms import MappingError, frame_of
from rcu_kit.values.validity import check_validity

__all__ = [
    "SUGGESTION_COLUMNS",
    "SYNONYMS",
    "normalise_column_name",
    "name_score",
    "column_types",
    "suggest_mapping",
    "suggestions_to_mapping",
    "mapping_table",
    "mapping_from_table",
    "compare_mappings",
    "saved_audit_types",
    "working_mapping",
    "suggestions_table",
    "suggestion_reasons",
    "MAPPING_COLUMNS",
    "SavedMapping",
    "save_suggested_mapping",
    "not_validated",
]

# A suggestion's reason is a code of rcu_kit.core.wording.PHRASES (map_...) and its figures
# (JSON), worded for the client by suggestions_table: the table reads the same in any language.
SUGGESTION_COLUMNS = ["source", "column", "attribute", "transform", "confidence", "reason_code",
                      "reason_params"]
# A mapping as the engagement holds it (MappingEntry): its reason is a note for humans, worded in
# the engagement's language when a suggestion becomes an entry.
MAPPING_COLUMNS = ["source", "column", "attribute", "transform", "confidence", "reason"]


# ---------------------------------------------------------------------------------------------
# Name evidence
# ---------------------------------------------------------------------------------------------
# Column names (normalised: ASCII, lower case, words joined by "_") that designate each
# attribute, in French and English, as found in French CRM, ERP, e-commerce and loyalty extracts.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "civility": ("civilite", "civ", "titre", "title", "salutation", "honorific", "code_civilite",
                 "lib_civilite", "mr_mme"),
    "last_name": ("nom", "nom_famille", "nom_de_famille", "nom_usage", "nom_d_usage", "last_name",
                  "lastname", "surname", "family_name", "lname", "nom_client", "nom_contact"),
    "birth_name": ("nom_naissance", "nom_de_naissance", "nom_jeune_fille", "njf", "maiden_name",
                   "birth_name", "nom_patronymique"),
    "first_name": ("prenom", "prenoms", "first_name", "firstname", "given_name", "fname", "forename",
                   "prenom_client", "prenom_contact"),
    "full_name": ("nom_complet", "nom_prenom", "nom_et_prenom", "prenom_nom", "full_name", "fullname",
                  "identite", "name", "customer_name", "client_name", "contact_name", "titulaire",
                  "nom_titulaire", "porteur", "nom_porteur", "destinataire", "interlocuteur"),
    "birth_date": ("date_naissance", "date_de_naissance", "dt_naiss", "dt_naissance", "ddn",
                   "birth_date", "birthdate", "dob", "date_of_birth", "naissance", "date_naiss", "naiss",
                   "ne_le", "nee_le", "anniversaire", "birthday"),
    "email": ("email", "e_mail", "mail", "courriel", "adresse_email", "adresse_mail", "mel",
              "email_address", "adr_mail", "login"),
    "phone": ("telephone", "tel", "phone", "portable", "mobile", "gsm", "tel_mobile", "tel_fixe",
              "tel_portable", "num_tel", "numero_tel", "numero_telephone", "phone_number",
              "telephone_mobile", "telephone_fixe", "tel_domicile", "mobile_phone", "cell"),
    "street": ("adresse", "adresse1", "adresse_1", "adr", "adr1", "rue", "street", "address",
               "address1", "address_line1", "address_line_1", "voie", "ligne_adresse",
               "adresse_ligne1", "adresse_ligne_1", "adresse_postale", "numero_et_voie", "adr_ligne1"),
    "postcode": ("code_postal", "cp", "postcode", "postal_code", "zip", "zipcode", "zip_code",
                 "cod_post", "codepostal", "cde_postal"),
    "city": ("ville", "commune", "localite", "city", "town", "libelle_commune", "nom_commune",
             "bureau_distributeur"),
    "country": ("pays", "country", "code_pays", "country_code", "lib_pays"),
    "email_optin": ("optin", "opt_in", "optin_email", "email_optin", "optin_mail", "consentement",
                    "consentement_email", "consent", "newsletter", "abonne_newsletter", "accord_email",
                    "accepte_email", "accord_commercial", "marketing_consent"),
    "created_at": ("date_creation", "date_de_creation", "dt_creation", "created", "created_at",
                   "creation_date", "date_inscription", "date_ouverture", "date_adhesion",
                   "date_entree", "inscription", "signup_date", "customer_since", "client_depuis",
                   "cree_le", "cree", "date_cree", "created_on", "creation"),
    "last_activity_at": ("date_dernier_achat", "dernier_achat", "derniere_activite",
                         "date_derniere_activite", "last_purchase", "last_purchase_date",
                         "last_activity", "last_activity_at", "date_derniere_commande",
                         "derniere_commande", "date_dernier_contact", "dernier_contact",
                         "last_order_date", "last_order", "derniere_visite", "date_derniere_visite",
                         "derniere_facture", "date_derniere_facture", "last_seen", "last_login",
                         "date_dernier_passage", "dernier_passage", "date_dernier_appel",
                         # the last update of the record, the usual proxy for activity in CRM extracts
                         "date_modification", "date_modif", "date_maj", "date_mise_a_jour", "dt_maj",
                         "maj", "maj_le", "modifie_le", "mis_a_jour_le",
                         "updated_at", "last_modified", "modified_at", "last_update"),
    "company_name": ("raison_sociale", "societe", "entreprise", "company", "company_name",
                     "denomination", "nom_societe", "nom_entreprise", "organisation", "organization",
                     "enseigne", "rs"),
    "siren": ("siren", "num_siren", "numero_siren", "siren_number", "n_siren"),
    "siret": ("siret", "num_siret", "numero_siret", "siret_number", "n_siret"),
    "naf_code": ("naf", "code_naf", "ape", "code_ape", "naf_code", "naf_ape", "activity_code"),
    "contact_role": ("fonction", "poste", "role", "job_title", "titre_poste", "contact_role",
                     "fonction_contact", "job"),
}

# Words that qualify a column name without changing what it holds ("nom_client", "cust_email").
_NOISE_WORDS = frozenset({"client", "clients", "cli", "clt", "customer", "cust", "contact", "ctc",
                          "de", "du", "des", "la", "le", "les", "d", "l", "the", "of", "principal",
                          "principale", "main", "perso", "personnel", "usuel", "x", "val", "value",
                          "txt", "lib", "libelle", "code", "num", "numero", "no", "n"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_column_name(name: str) -> str:
    """ASCII, lower-case, words joined by ``_`` (``"Date de Naissance"`` -> ``date_de_naissance``).

    Examples:
        >>> normalise_column_name("E-Mail")
        'e_mail'
        >>> normalise_column_name("dateNaissance")
        'date_naissance'
        >>> normalise_column_name("N° Téléphone")
        'n_telephone'
    """
    text = _CAMEL.sub("_", unidecode(str(name).replace("°", " ")).strip())
    return _NON_ALNUM.sub("_", text.lower()).strip("_")


def _without_noise(normalised: str) -> str:
    words = [w for w in normalised.split("_") if w and not w.isdigit()]
    kept = [w for w in words if w not in _NOISE_WORDS]
    return "_".join(kept or words)


def name_score(column: str, synonyms: Iterable[str]) -> tuple[float, str]:
    """How well a column name matches a list of synonyms: a score in [0, 1] and the synonym.

    1.0 for an exact match of the normalised name; 0.95 once qualifying words ("client",
    "contact", "de", digits) are removed; 0.75 when a synonym appears as whole words inside the
    name ("tel_mobile_2" contains "tel"); otherwise a fuzzy similarity (spelling variants,
    abbreviations) scaled to at most 0.8 and counted only from a similarity of 0.8.

    Examples:
        >>> name_score("Prénom", ["prenom", "first_name"])
        (1.0, 'prenom')
        >>> name_score("nom_client", ["nom"])
        (0.95, 'nom')
    """
    norm = normalise_column_name(column)
    core = _without_noise(norm)
    words = set(norm.split("_"))
    best, best_syn = 0.0, ""
    for syn in synonyms:
        if norm == syn:
            return 1.0, syn
        if core == syn or core.replace("_", "") == syn.replace("_", ""):
            score = 0.95
        elif set(syn.split("_")) <= words and len(syn) >= 2:
            score = 0.75
        else:
            ratio = max(fuzz.ratio(core, syn), fuzz.ratio(norm, syn)) / 100.0
            score = 0.8 * ratio if ratio >= 0.8 and min(len(core), len(syn)) >= 4 else 0.0
        if score > best:
            best, best_syn = score, syn
    return round(best, 4), best_syn


def _synonyms_for(attr: Attribute) -> tuple[str, ...]:
    own = [normalise_column_name(x) for x in (attr.name, attr.label_fr, attr.label_en) if x]
    return tuple(dict.fromkeys([*SYNONYMS.get(attr.name, ()), *own]))


# ---------------------------------------------------------------------------------------------
# Type evidence
# ---------------------------------------------------------------------------------------------
# Semantic types (rcu_kit.values.semantic_types) that the *values* reveal, and the attribute types they
# fit. A column of such a type contradicts any attribute of another type.
_VALUE_TYPE_FITS: dict[str, frozenset[str]] = {
    "email": frozenset({"email"}),
    "phone": frozenset({"phone"}),
    "postcode": frozenset({"postcode"}),
    "date": frozenset({"date"}),
    "birth_date": frozenset({"date"}),
    "civility": frozenset({"civility"}),
    "siren": frozenset({"siren"}),
    "siret": frozenset({"siret"}),
    "boolean": frozenset({"boolean"}),
}
# Semantic types that fit the attribute of the same name (and say nothing against the others).
_NAMED_TYPES = frozenset({"last_name", "first_name", "full_name", "street", "city", "country",
                          "birth_date"})
# Types distinctive enough that the values alone justify a suggestion (no name evidence needed).
_DISTINCTIVE = frozenset({"email", "phone", "postcode", "civility", "siren", "siret"})
# Attribute types whose validity rule is checked on the values when the audit said nothing: a
# name match whose values mostly fail the rule is cut to 30 %.
_CHECKED_TYPES = frozenset({"email", "phone", "postcode", "civility", "siren", "siret", "date", "boolean"})
# How the audit decided a type: only these reflect the values (a name-only guess would count
# the name evidence twice).
_VALUE_METHODS = frozenset({"values", "name+values", "override"})


# Person-name types exclude each other (a column of first names is not a last name), except that
# a birth name is a last name.
_PERSON_NAMES = frozenset({"last_name", "first_name", "full_name", "birth_name"})


def _type_evidence(semantic_type: str | None, attr_name: str, attr_type: str) -> int:
    """+1 the column's semantic type fits the attribute, -1 it contradicts it, 0 says nothing."""
    if semantic_type is None:
        return 0
    if semantic_type in _NAMED_TYPES and semantic_type == attr_name:
        return 1
    if semantic_type in _PERSON_NAMES and attr_name in _PERSON_NAMES:
        return 0 if {semantic_type, attr_name} == {"last_name", "birth_name"} else -1
    fits = _VALUE_TYPE_FITS.get(semantic_type)
    if fits is None:
        return 0
    return 1 if attr_type in fits else -1


def _audit_types(audit: Any) -> dict[tuple[str, str], str | None]:
    """(source, column) -> semantic type from the values, from an audit result.

    ``audit`` is a table (or an object holding one as ``columns``/``semantic_types``/...) with
    columns ``source``, ``column``, ``semantic_type`` and optionally ``method``; types decided
    from the column name alone are dropped (the name is weighed separately).
    """
    table = audit
    for attr in ("semantic_types", "columns", "column_profiles", "profiles", "kpis", "table"):
        if not isinstance(table, pd.DataFrame) and hasattr(table, attr):
            table = getattr(table, attr)
    if not isinstance(table, pd.DataFrame) or not {"source", "column", "semantic_type"} <= set(table.columns):
        raise TypeError("audit: expected a table (or an object holding one) with columns "
                        "source, column, semantic_type")
    methods = table["method"] if "method" in table.columns else pd.Series("values", index=table.index)
    return {(src, col): (sem if isinstance(sem, str) and meth in _VALUE_METHODS else None)
            for src, col, sem, meth in zip(table["source"], table["column"], table["semantic_type"], methods)}


def column_types(engagement: Engagement, loaded: Mapping[str, Any], progress: bool = False) -> pd.DataFrame:
    """The audit's semantic type of every column of every loaded source.

    Runs :func:`rcu_kit.values.semantic_types.detect_semantic_types` (with the consultant's overrides
    from ``Source.semantic_types`` and the engagement seed) and returns a table ``source``,
    ``column``, ``semantic_type``, ``method``: what :func:`suggest_mapping` accepts as ``audit``.
    """
    from rcu_kit.values.semantic_types import detect_semantic_types

    frames = []
    overrides_of = {src.name: src.semantic_types for src in engagement.sources}
    for name, loaded_source in bar(loaded.items(), step="semantic_types", total=len(loaded),
                                   disable=not progress):
        frame = frame_of(loaded_source)
        overrides = {k: v for k, v in overrides_of.get(name, {}).items() if k in frame.columns} or None
        detected = detect_semantic_types(frame, overrides, seed=engagement.seed)
        frames.append(detected[["column", "semantic_type", "method"]].assign(source=name))
    columns = ["source", "column", "semantic_type", "method"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


# ---------------------------------------------------------------------------------------------
# Value evidence
# ---------------------------------------------------------------------------------------------
def _value_set(values: pd.Series, limit: int = 5000) -> set[str]:
    s = values.dropna().astype(str).str.strip()
    s = s[s != ""].drop_duplicates()
    if len(s) > limit:
        s = s.sort_values().iloc[:: max(1, len(s) // limit)]
    return {unidecode(v).upper() for v in s}


_WORD_SPLIT = re.compile(r"[\s\-']+")


def _name_words_share(values: pd.Series, reference: tuple[set[str], str]) -> tuple[float, str]:
    """Share of a column's distinct values made of two or more words, all known name words.

    A column of "DUPONT Jean" holds full names when its words are the last and first names
    found in other sources.
    """
    words, label = reference
    distinct = _value_set(values)
    if not distinct or not words:
        return 0.0, label
    hits = 0
    for v in distinct:
        parts = [p for p in _WORD_SPLIT.split(v) if p]
        hits += len(parts) >= 2 and all(p in words for p in parts)
    return hits / len(distinct), label


def _overlap(column_values: set[str], reference: set[str]) -> float:
    """Share of a column's distinct values also found in a reference column."""
    if not column_values or not reference:
        return 0.0
    return len(column_values & reference) / len(column_values)


# ---------------------------------------------------------------------------------------------
# Suggestion
# ---------------------------------------------------------------------------------------------
@dataclass
class _Candidate:
    column: str
    attribute: str
    confidence: float
    reason_code: str
    reason_params: dict[str, Any]


def _suggest_transform(attr: Attribute | None, attribute: str, values: pd.Series) -> str | None:
    if attribute == "full_name":
        return "split_full_name"
    if attr is None:
        return None
    s = values.dropna().astype(str).str.strip()
    s = s[s != ""].head(5000)
    if s.empty:
        return None
    if attr.type == "postcode" and (s.str.fullmatch(r"\d{4}(?:\.0)?")).any():
        return "restore_postcode_zero"
    if attr.type == "date":
        dmy = s.str.match(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}").mean()
        if dmy >= 0.5:
            return "parse_date_dmy"
    return None


def suggest_mapping(engagement: Engagement, loaded: Mapping[str, Any], audit: Any = None, *,
                    min_confidence: float = 0.5, overlap_threshold: float = 0.3,
                    progress: bool = False) -> pd.DataFrame:
    """Suggest, for each column of each loaded source, the target attribute it holds.

    The evidence, combined into one confidence in [0, 1]:

    1. name: :func:`name_score` of the column name against the attribute's French and English
       synonyms (:data:`SYNONYMS`, plus the attribute's own name and labels);
    2. semantic type: from ``audit`` (a table with ``source``, ``column``, ``semantic_type``) or,
       without an audit, :func:`rcu_kit.values.semantic_types.detect_semantic_types` (types guessed
       from the name alone are ignored here). A fitting type raises the confidence half
       way to 1; a contradicting type (an e-mail column named "tel") cuts it to 30 %; for
       distinctive types (e-mail, phone, postcode, civility, SIREN, SIRET) the type alone gives 0.5;
    3. value overlap: a column still unmapped whose distinct values are at least
       ``overlap_threshold`` shared with a confidently mapped column of another source takes that
       column's attribute (confidence 0.4 + 0.5 x overlap).

    Within a source each column gets at most one attribute and each attribute at most one column
    (best confidence first). The record id column (``Source.id_column``) is never mapped.

    Args:
        engagement: gives the target model and the sources' id columns.
        loaded: source name -> loaded source (``LoadedSource`` with ``.frame``, or a DataFrame).
        audit: optional audit result giving each column's semantic type.
        min_confidence: suggestions below it are left unmapped (attribute empty).
        overlap_threshold: the least value overlap that counts as evidence.
        progress: show a progress bar over the sources.

    Returns:
        One row per source column (sources in engagement order, columns in file order), columns
        :data:`SUGGESTION_COLUMNS`; ``attribute`` and ``transform`` are None when nothing fits;
        the reason is a code and its figures (``reason_code``, ``reason_params``), worded by
        :func:`suggestions_table` or :func:`suggestion_reasons`.
    """
    attributes = {a.name: a for a in engagement.target_model}
    if not attributes:
        raise ConfigError("suggest_mapping: the engagement has no target_model; define the target "
                          "customer record first (notebook 01, rcu_kit.vision.model.start_vision)")
    candidates_attrs: dict[str, Attribute | None] = dict(attributes)
    # full_name is offered only where both parts it splits into are in the target model.
    for derived, parts in DERIVED_ATTRIBUTES.items():
        if all(p in attributes for p in parts):
            candidates_attrs[derived] = None
    synonyms = {name: (_synonyms_for(a) if a is not None else SYNONYMS.get(name, (name,)))
                for name, a in candidates_attrs.items()}
    types = _audit_types(audit if audit is not None else column_types(engagement, loaded, progress=progress))
    order = [s.name for s in engagement.sources if s.name in loaded]
    order += [name for name in loaded if name not in order]
    id_columns = {s.name: s.id_column for s in engagement.sources}

    fits_cache: dict[tuple[int, str, str], float | None] = {}

    def fit_rate(frame: pd.DataFrame, column: str, attr_type: str) -> float | None:
        """Share of a sample of the column's values valid (or repairable) for ``attr_type``."""
        key = (id(frame), column, attr_type)
        if key not in fits_cache:
            sample = frame[column].dropna().head(500)
            status = check_validity(sample, attr_type) if len(sample) else None
            fits_cache[key] = None if status is None or status.notna().sum() == 0 else \
                float((status[status.notna()] != "invalid").mean())
        return fits_cache[key]

    # Pass 1: name and type evidence.
    per_source: dict[str, dict[str, list[_Candidate]]] = {}
    for src in bar(order, step="mapping_suggestions", disable=not progress):
        frame = frame_of(loaded[src])
        per_source[src] = {}
        for column in frame.columns:
            if column == id_columns.get(src):
                continue
            sem = types.get((src, column))
            cands = []
            for attr_name, attr in candidates_attrs.items():
                score, syn = name_score(column, synonyms[attr_name])
                attr_type = attr.type if attr is not None else "string"
                evidence = _type_evidence(sem, attr_name, attr_type)
                # the evidence, in order: "name", then "type", "type_only", "type_conflict" or
                # "not_type"; the reason code joins them (map_name_type...: core.wording.PHRASES)
                evidence_kinds = ["name"] if score else []
                params: dict[str, Any] = {"synonym": syn, "score": score} if score else {}
                if evidence > 0 and score:
                    score = score + (1 - score) * 0.5
                    evidence_kinds.append("type")
                    params["type"] = sem
                elif evidence > 0 and sem in _DISTINCTIVE:
                    score = 0.5
                    evidence_kinds.append("type_only")
                    params["type"] = sem
                elif (not score and sem not in _VALUE_TYPE_FITS and sem != "number"
                      and attr_type in _DISTINCTIVE):
                    # the audit saw no value type (an id, a text...): the values may still be
                    # unmistakably phones or e-mails
                    fit = fit_rate(frame, column, attr_type)
                    if fit is not None and fit >= 0.9:
                        score = 0.5
                        evidence_kinds.append("type_only")
                        params["type"] = attr_type
                elif evidence < 0 and score:
                    score *= 0.3
                    evidence_kinds.append("type_conflict")
                    params["type"] = sem
                elif evidence == 0 and score and attr_type in _CHECKED_TYPES:
                    fit = fit_rate(frame, column, attr_type)
                    if fit is not None and fit < 0.5:
                        score *= 0.3
                        evidence_kinds.append("not_type")
                        params.update(type=attr_type, share=fit)
                if score > 0:
                    cands.append(_Candidate(column, attr_name, round(min(score, 1.0), 4),
                                            "map_" + "_".join(evidence_kinds), params))
            per_source[src][column] = cands

    chosen = {src: _assign(per_source[src], min_confidence) for src in order}

    # Pass 2: value overlap for the columns still unmapped.
    confident = [(src, c.column, c.attribute) for src in order for c in chosen[src].values()
                 if c.confidence >= 0.75]
    ref_values: dict[tuple[str, str], set[str]] = {}
    words_cache: list[tuple[set[str], str]] = []

    def name_words() -> tuple[set[str], str]:
        """Words of the confidently mapped last and first names of all sources."""
        if not words_cache:
            cols = [(s_, c_) for s_, c_, a_ in confident if a_ in ("last_name", "first_name")]
            words: set[str] = set()
            for s_, c_ in cols:
                for v in _value_set(frame_of(loaded[s_])[c_]):
                    words.update(_WORD_SPLIT.split(v))
            words_cache.append((words - {""}, ", ".join(f"{s_}.{c_}" for s_, c_ in cols)))
        return words_cache[0]

    for src in order:
        frame = frame_of(loaded[src])
        taken = {c.attribute for c in chosen[src].values()}
        extra: dict[str, list[_Candidate]] = {}
        for column in per_source[src]:
            if column in chosen[src]:
                continue
            values = _value_set(frame[column])
            best: _Candidate | None = None
            for other_src, other_col, attr_name in confident:
                if other_src == src or attr_name in taken:
                    continue
                key = (other_src, other_col)
                if key not in ref_values:
                    ref_values[key] = _value_set(frame_of(loaded[other_src])[other_col])
                share = _overlap(values, ref_values[key])
                if share >= overlap_threshold and (best is None or 0.4 + 0.5 * share > best.confidence):
                    best = _Candidate(column, attr_name, round(0.4 + 0.5 * share, 4), "map_overlap",
                                      {"share": share, "other": f"{other_src}.{other_col}"})
            if "full_name" in candidates_attrs and not taken & {"full_name", "last_name", "first_name"}:
                share, others = _name_words_share(frame[column], name_words())
                if share >= overlap_threshold and (best is None or 0.4 + 0.5 * share > best.confidence):
                    best = _Candidate(column, "full_name", round(0.4 + 0.5 * share, 4),
                                      "map_name_words", {"share": share, "other": others})
            if best is not None:
                extra[column] = [best]
        for column, cand in _assign(extra, min_confidence, taken=taken).items():
            chosen[src][column] = cand

    rows = []
    for src in order:
        frame = frame_of(loaded[src])
        for column in frame.columns:
            if column == id_columns.get(src):
                rows.append({"source": src, "column": column, "attribute": None, "transform": None,
                             "confidence": None, "reason_code": "map_id", "reason_params": "{}"})
                continue
            cand = chosen[src].get(column)
            if cand is None:
                near = max(per_source[src].get(column, []), key=lambda c: c.confidence, default=None)
                code, params = (("map_weak", {"attribute": near.attribute, "score": near.confidence})
                                if near else ("map_none", {}))
                rows.append({"source": src, "column": column, "attribute": None, "transform": None,
                             "confidence": None, "reason_code": code,
                             "reason_params": params_json(params)})
                continue
            rows.append({"source": src, "column": column, "attribute": cand.attribute,
                         "transform": _suggest_transform(candidates_attrs.get(cand.attribute),
                                                         cand.attribute, frame[column]),
                         "confidence": cand.confidence, "reason_code": cand.reason_code,
                         "reason_params": params_json(cand.reason_params)})
    out = pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)
    out["confidence"] = out["confidence"].astype(float)
    return out


def _assign(candidates: Mapping[str, list[_Candidate]], min_confidence: float,
            taken: set[str] | None = None) -> dict[str, _Candidate]:
    """Greedy one-to-one assignment, best confidence first (ties: column order, then attribute)."""
    columns = list(candidates)
    flat = [c for col in columns for c in candidates[col] if c.confidence >= min_confidence]
    flat.sort(key=lambda c: (-c.confidence, columns.index(c.column), c.attribute))
    used_attrs = set(taken or ())
    out: dict[str, _Candidate] = {}
    for c in flat:
        if c.column in out or c.attribute in used_attrs:
            continue
        # full_name and its parts are exclusive in one source.
        parts = DERIVED_ATTRIBUTES.get(c.attribute, ())
        owners = [d for d, ps in DERIVED_ATTRIBUTES.items() if c.attribute in ps]
        if any(p in used_attrs for p in parts) or any(d in used_attrs for d in owners):
            continue
        out[c.column] = c
        used_attrs.add(c.attribute)
    return out


# ---------------------------------------------------------------------------------------------
# Mapping tables <-> config
# ---------------------------------------------------------------------------------------------
def suggestion_reasons(table: pd.DataFrame, language: str) -> pd.Series:
    """Each row's reason as a person reads it: its code worded in ``language`` when the table
    holds codes (a suggestion table), else its ``reason`` column (a mapping table), else blank.

    Examples:
        >>> table = pd.DataFrame({"reason_code": ["map_overlap"],
        ...                       "reason_params": ['{"share": 0.75, "other": "web.mail"}']})
        >>> suggestion_reasons(table, "fr").tolist(), suggestion_reasons(table, "en").tolist()
        (['75\xa0% des valeurs communes avec web.mail'], ['75% of values shared with web.mail'])
    """
    if {"reason_code", "reason_params"} <= set(table.columns):
        return word_column(table["reason_code"], table["reason_params"], language)
    if "reason" in table.columns:
        return table["reason"].astype(object).where(table["reason"].notna(), "")
    return pd.Series("", index=table.index, dtype=object)


def suggestions_to_mapping(suggestions: pd.DataFrame, *, validated: bool = False,
                           min_confidence: float = 0.0,
                           language: str = "fr") -> dict[str, list[MappingEntry]]:
    """The mapped rows of a suggestion (or edited mapping) table as config entries per source.

    Each entry's ``reason`` is the suggestion's reason worded in ``language`` (the engagement's):
    in the engagement file it is a note for the people who read it.
    """
    return mapping_from_table(suggestions[suggestions["attribute"].notna()
                                          & (suggestions["confidence"].fillna(1.0) >= min_confidence)],
                              validated=validated, language=language)


def mapping_table(engagement: Engagement) -> pd.DataFrame:
    """The engagement's current mapping as a table (:data:`MAPPING_COLUMNS` + ``validated``)."""
    rows = [{"source": src, "column": e.column, "attribute": e.attribute, "transform": e.transform,
             "confidence": e.confidence, "reason": e.reason, "validated": e.validated}
            for src, entries in engagement.mapping.items() for e in entries]
    out = pd.DataFrame(rows, columns=[*MAPPING_COLUMNS, "validated"])
    out["confidence"] = out["confidence"].astype(float)
    return out


def mapping_from_table(table: pd.DataFrame, *, validated: bool | None = None,
                       language: str = "fr") -> dict[str, list[MappingEntry]]:
    """Config entries per source from a table with ``source``, ``column``, ``attribute`` columns.

    Rows without an attribute are skipped (the column is deliberately left unmapped). Errors name
    the row (1-based), the source and the column. A reason given as a code (``reason_code``,
    ``reason_params``) is worded in ``language`` (:func:`suggestion_reasons`).
    """
    missing = {"source", "column", "attribute"} - set(table.columns)
    if missing:
        raise MappingError(f"mapping table lacks column(s): {', '.join(sorted(missing))}")
    table = table.assign(reason=suggestion_reasons(table, language)) if len(table) else table
    out: dict[str, list[MappingEntry]] = {}
    for i, row in enumerate(table.to_dict(orient="records"), start=1):
        attribute = row.get("attribute")
        if attribute is None or (isinstance(attribute, float) and np.isnan(attribute)) or attribute == "":
            continue
        values: dict[str, Any] = {"column": row["column"], "attribute": attribute}
        for key in ("transform", "confidence", "reason"):
            v = row.get(key)
            if v is not None and not (isinstance(v, float) and np.isnan(v)) and v != "":
                values[key] = v
        if validated is not None:
            values["validated"] = validated
        elif "validated" in row and row["validated"] is not None and not pd.isna(row["validated"]):
            values["validated"] = bool(row["validated"])
        try:
            out.setdefault(row["source"], []).append(MappingEntry.model_validate(values))
        except Exception as exc:  # pydantic ValidationError: keep its words, add where
            msg = exc.errors()[0]["msg"] if hasattr(exc, "errors") else str(exc)
            raise MappingError(f"mapping table, row {i} ({row['source']}.{row['column']} -> "
                               f"{attribute}): {msg.removeprefix('Value error, ')}") from None
    return out


def compare_mappings(suggested: Mapping[str, Iterable[MappingEntry]] | pd.DataFrame,
                     expected: Mapping[str, Iterable[MappingEntry]]) -> dict[str, Any]:
    """Precision and recall of a suggested mapping against the expected one.

    A pair (source, column, attribute) is a true positive when both contain it; a suggested pair
    not expected is a false positive; an expected pair not suggested is a false negative.

    Returns:
        ``{"precision", "recall", "true_positives", "false_positives", "false_negatives",
        "errors"}`` where ``errors`` is a table of the disagreeing columns.
    """
    if isinstance(suggested, pd.DataFrame):
        suggested = suggestions_to_mapping(suggested)
    got = {(s, e.column, e.attribute) for s, es in suggested.items() for e in es}
    want = {(s, e.column, e.attribute) for s, es in expected.items() for e in es}
    tp, fp, fn = got & want, got - want, want - got
    rows = [{"source": s, "column": c, "suggested": a, "expected": None} for s, c, a in sorted(fp)]
    rows += [{"source": s, "column": c, "suggested": None, "expected": a} for s, c, a in sorted(fn)]
    return {"precision": len(tp) / len(got) if got else 1.0,
            "recall": len(tp) / len(want) if want else 1.0,
            "true_positives": len(tp), "false_positives": len(fp), "false_negatives": len(fn),
            "errors": pd.DataFrame(rows, columns=["source", "column", "suggested", "expected"])}


def saved_audit_types(engagement: Engagement) -> pd.DataFrame | None:
    """The semantic types saved by the audit (notebook 02), or None when no audit was saved.

    Passing them to :func:`suggest_mapping` saves detecting the types again.
    """
    from rcu_kit.audit.run import load_audit

    try:
        return load_audit(engagement).semantic_types
    except FileNotFoundError:
        return None


def working_mapping(engagement: Engagement, suggestions: pd.DataFrame, *,
                    use_saved: bool = True) -> dict[str, list[MappingEntry]]:
    """The mapping to analyse: per source, the engagement's saved entries when ``use_saved`` and
    the source has some, else the suggested ones (sources without either map nothing)."""
    suggested = suggestions_to_mapping(suggestions, language=engagement.language)
    out: dict[str, list[MappingEntry]] = {}
    for src in dict.fromkeys([*suggestions["source"], *engagement.mapping]):
        if use_saved and engagement.mapping.get(src):
            out[src] = list(engagement.mapping[src])
        elif suggested.get(src):
            out[src] = suggested[src]
    return out


@dataclass(frozen=True)
class SavedMapping:
    """What :func:`save_suggested_mapping` wrote: the file, the sources whose suggestion was saved
    (with their entry counts) and the sources whose mapping already in the file was kept."""

    path: Path
    saved: dict[str, int]
    kept: list[str]


def save_suggested_mapping(engagement: Engagement, suggestions: pd.DataFrame, *,
                           replace: bool = False) -> SavedMapping:
    """Write the suggested mapping into the engagement file, marked ``validated: false``.

    Sources that already have a mapping in the engagement keep it unless ``replace``; a source
    without a suggested entry is left as it is. The file keeps its comments, key order and quoting
    (:func:`rcu_kit.core.config.save_engagement`); each saved entry carries its confidence and
    reason (in the engagement's language) and ``validated: false`` until a person checks it.

    Examples:
        >>> saved = save_suggested_mapping(engagement, suggest_mapping(engagement, loaded))  # doctest: +SKIP
        >>> saved.saved, saved.kept  # doctest: +SKIP
        ({'crm': 9, 'web': 6}, [])
    """
    if engagement.file is None:
        raise ConfigError("save_suggested_mapping: the engagement was not read from a file")
    suggested = suggestions_to_mapping(suggestions, validated=False, language=engagement.language)
    saved: dict[str, int] = {}
    kept: list[str] = []
    mapping = dict(engagement.mapping)
    for source, entries in suggested.items():
        if mapping.get(source) and not replace:
            kept.append(source)
            continue
        mapping[source] = entries
        saved[source] = len(entries)
    engagement.mapping = mapping
    return SavedMapping(path=save_engagement(engagement), saved=saved, kept=kept)


def not_validated(engagement: Engagement) -> dict[str, list[str]]:
    """Per source, the columns of the engagement's mapping still marked ``validated: false``.

    Examples:
        >>> from rcu_kit.core.config import Engagement
        >>> eng = Engagement(client="x", sources=[{"name": "crm", "path": "crm.csv"}],
        ...                  target_model=[{"name": "email"}],
        ...                  mapping={"crm": [{"column": "mail", "attribute": "email",
        ...                                    "validated": False}]})
        >>> not_validated(eng)
        {'crm': ['mail']}
    """
    out = {source: [e.column for e in entries if not e.validated]
           for source, entries in engagement.mapping.items()}
    return {source: columns for source, columns in out.items() if columns}


def suggestions_table(suggestions: pd.DataFrame, language: str) -> pd.DataFrame:
    """The suggestions with client-facing headers, confidence in percent, empty cells blank and
    the reason worded in ``language`` (one ``reason`` column in place of its code and figures)."""
    out = word_table(suggestions, language)
    out["confidence"] = (out["confidence"] * 100).round(0)
    out = out.astype(object).where(out.notna(), "")
    return out.rename(columns={c: t(f"mapping.{c}", language) for c in out.columns})


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
