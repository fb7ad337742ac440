"""Semantic type of each column of an extract: what the column holds (e-mail, phone, name, ...).

The type drives everything the audit measures: which validity rule applies, how values are
masked, which GDPR category the column falls in. It is guessed in two steps:

1. the column *name*, in French or English (``nom``, ``prénom``, ``tel``, ``portable``, ``cp``,
   ``code_postal``, ``courriel``, ``mail``, ``date_naiss``, ``siret``, ...);
2. the *values*: a seeded sample of the filled values is checked against the candidate type
   (``rcu_kit.values.validity``), which confirms the name, contradicts it, or proposes a type when the
   name says nothing.

Each decision comes with a confidence (0-1) and a reason (a code and its figures, worded in
the engagement's language by :mod:`rcu_kit.core.wording`). The consultant can
override any column in the engagement (``sources[].semantic_types: {column: type}``).

Examples:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"courriel": ["a@b.fr", "c@d.com"], "CP": ["75011", "1000"]})
    >>> detect_semantic_types(frame)[["column", "semantic_type", "method"]].values.tolist()
    [['courriel', 'email', 'name+values'], ['CP', 'postcode', 'name+values']]
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
from unidecode import unidecode

from rcu_kit.core.wording import params_json
from rcu_kit.values.validity import INVALID, DistinctValues, check_validity, distinct_values, name_status

__all__ = ["SEMANTIC_TYPES", "name_hint", "normalise_name", "detect_semantic_types",
           "validate_overrides"]

SEMANTIC_TYPES: tuple[str, ...] = (
    "email", "phone", "postcode", "date", "birth_date", "civility", "siren", "siret",
    "last_name", "first_name", "full_name", "street", "city", "country", "id", "boolean",
    "number", "category", "text",
)

# Column-name rules, tried in order (the first that matches wins) on the normalised name:
# lower case, accents removed, every run of other characters turned into '_'.
_B, _E = r"(?:^|_)", r"(?:_|$)"
_NAME_RULES: tuple[tuple[str, str], ...] = (
    ("email", rf"{_B}(?:e_?mail|courriel|mel|mail|adresse_?mail|email_?address){_E}|e?mail(?!ing)"),
    ("siret", r"siret"),
    ("siren", r"siren"),
    ("last_name", r"nom_?(?:de_?)?naissance|nom_?(?:de_?)?jeune_?fille|maiden|birth_?name"),
    ("birth_date", rf"naiss|birth|{_B}(?:dob|ddn){_E}"),
    ("phone", rf"{_B}(?:tel|tels|telephone|phone|portable|mobile|gsm|fixe|fax|cellulaire|"
              rf"num_?tel){_E}|telephone|phone"),
    ("postcode", rf"{_B}(?:cp|code_?postal|codepostal|cpostal|postcode|postal_?code|zip|zip_?code|"
                 rf"zipcode){_E}"),
    ("date", rf"date|{_B}(?:dt|le|creation|modification|maj|created|updated|since){_E}|_at$|_on$"),
    ("civility", rf"{_B}(?:civilite|civ|salutation|title|titre){_E}"),
    ("full_name", r"nom_?complet|full_?name|nom_?prenom|prenom_?nom"),
    ("first_name", r"prenom|first_?name|given_?name|forename"),
    ("last_name", rf"{_B}(?:nom|last_?name|lastname|surname|family_?name|nom_?famille|"
                  rf"nom_?naissance|nom_?usage|nom_?marital){_E}"),
    ("full_name", rf"{_B}(?:name|customer_?name|client_?name|contact_?name){_E}"),
    ("street", rf"adresse|address|{_B}(?:rue|voie|street|addr|adr|ligne_?\d|line_?\d){_E}"),
    ("city", rf"{_B}(?:ville|city|commune|localite|town){_E}"),
    ("country", rf"{_B}(?:pays|country|country_?code){_E}"),
    ("boolean", rf"{_B}(?:is|has|flag|optin|opt_?in|opt_?out|actif|active|consent|consentement|"
                rf"newsletter|accepte?|blacklist|stop_?\w+){_E}"),
    ("number", rf"{_B}(?:montant|amount|total|ca|nb|nombre|qty|quantite|points|solde|age|score|"
               rf"prix|price|panier|revenue|count){_E}"),
    ("id", rf"{_B}(?:id|ident|identifiant|code|num|numero|no|ref|reference|key|cle|matricule)"
           rf"{_E}"),
    ("category", rf"{_B}(?:statut|status|type|segment|categorie|category|canal|channel|source|"
                 rf"origine|sexe|gender|genre|langue|language|csp|profil|niveau|level|tier|"
                 rf"enseigne|magasin|store){_E}"),
    ("text", rf"{_B}(?:comment|commentaire|commentaires|note|notes|remarque|observation|"
             rf"description|message|motif|objet){_E}"),
)
_COMPILED = tuple((kind, re.compile(rx)) for kind, rx in _NAME_RULES)

# Types a column's values alone can reveal, in order of precedence when several fit.
_VALUE_TYPES = ("email", "phone", "date", "postcode", "siret", "siren", "civility", "boolean",
                "number")
_STREET = re.compile(
    r"(?i)^\d|\b(?:rue|r|av|ave|avenue|bd|boulevard|blvd|chemin|chem|che|all[ée]e|all|place|pl|"
    r"impasse|imp|route|rte|quai|cours|square|sq|r[ée]sidence|r[ée]s|lotissement|lot|lieu[ -]dit|"
    r"hameau|faubourg|fbg|passage|sentier|voie|street|st|road|rd|lane)\b")
_COUNTRIES = frozenset({
    "france", "fr", "fra", "belgique", "be", "bel", "suisse", "ch", "che", "luxembourg", "lu",
    "lux", "allemagne", "de", "deu", "espagne", "es", "esp", "italie", "it", "ita",
    "royaume-uni", "royaume uni", "uk", "gb", "gbr", "monaco", "mc", "mco", "canada", "ca", "can",
    "maroc", "ma", "mar", "algerie", "dz", "dza", "tunisie", "tn", "tun", "portugal", "pt", "prt",
    "pays-bas", "nl", "nld", "etats-unis", "us", "usa", "germany", "spain", "italy", "belgium",
    "switzerland", "netherlands", "united kingdom", "united states",
})


def normalise_name(column: object) -> str:
    """A column name as the rules see it: lower case, no accents, ``_`` between words.

    Examples:
        >>> normalise_name("Date de Naissance")
        'date_de_naissance'
        >>> normalise_name("Prénom")
        'prenom'
    """
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", unidecode(str(column).replace("°", " ")))
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def name_hint(column: object) -> str | None:
    """The semantic type a column's name suggests, or None.

    Examples:
        >>> [name_hint(c) for c in ["tel_portable", "code_postal", "date_naiss", "NUM_CARTE", "foo"]]
        ['phone', 'postcode', 'birth_date', 'id', None]
    """
    name = normalise_name(column)
    for kind, rx in _COMPILED:
        if rx.search(name):
            return kind
    return None


def _match_rate(values: pd.Series, kind: str, today: pd.Timestamp | None,
                strict: bool = False) -> float | None:
    """Share of ``values`` (non-empty) that fit ``kind``; None when the type has no value test.

    ``strict`` counts only valid values (to propose a type from values alone); otherwise
    repairable values confirm the type too.
    """
    if values.empty:
        return None
    if kind in ("date", "birth_date", "email", "phone", "postcode", "siren", "siret", "civility",
                "boolean", "number", "last_name", "first_name", "full_name", "city"):
        status = check_validity(values, kind, today=today)
        return float((status == "valid").mean() if strict else (status != INVALID).mean())
    if kind == "street":
        return float(values.str.contains(_STREET).mean())
    if kind == "country":
        return float(values.str.lower().isin(_COUNTRIES).mean())
    if kind == "id":
        # identifiers are (almost) unique and contain a digit
        return float(min(values.nunique() / len(values), values.str.contains(r"\d").mean()))
    if kind == "category":
        return 1.0 if _few_distinct(values) else 0.0
    return 1.0  # text: anything is text


def _few_distinct(values: pd.Series) -> bool:
    return values.nunique() <= max(20, 0.02 * len(values))


def validate_overrides(columns: list[str], overrides: Mapping[str, str] | None,
                       where: str = "semantic_types") -> dict[str, str]:
    """Check consultant overrides: known columns, known types; the error says how to fix it.

    Raises:
        ValueError: an override names a column absent from the extract or an unknown type.
    """
    overrides = dict(overrides or {})
    for column, kind in overrides.items():
        if column not in columns:
            raise ValueError(f"{where}: column {column!r} is not in the extract; its columns are: "
                             f"{', '.join(map(str, columns)) or '(none)'}")
        if kind not in SEMANTIC_TYPES:
            raise ValueError(f"{where}.{column}: unknown semantic type {kind!r}; allowed: "
                             f"{', '.join(SEMANTIC_TYPES)}")
    return overrides


def _detect_one(column: str, values: DistinctValues, override: str | None, sample_size: int,
                seed: int, today: pd.Timestamp | None) -> dict[str, object]:
    def reason(key: str, **values: object) -> dict[str, str]:
        """The reason as a code of :data:`rcu_kit.core.wording.PHRASES` and its figures."""
        return {"reason_code": f"type_{key}", "reason_params": params_json(values)}

    hint = name_hint(column)
    filled = pd.Series(values.values[values.codes[values.filled]], dtype=object)
    sample = filled.sample(n=min(sample_size, len(filled)), random_state=seed) if len(filled) else filled
    sample = sample.reset_index(drop=True)
    row: dict[str, object] = {"column": column, "name_suggestion": hint}

    if override is not None:
        rate = _match_rate(sample, override, today)
        return {**row, "semantic_type": override, "confidence": 1.0, "method": "override",
                "value_match_rate": rate,
                **reason("override")}

    def best_by_values() -> tuple[str | None, float]:
        """The value type most of the sample fits (strictly valid values), and its rate.

        Only asked when the name does not settle the type (most columns are settled by their
        name and values, and skip these nine checks).
        """
        rates = {k: _match_rate(sample, k, today, strict=True) for k in _VALUE_TYPES} if len(sample) else {}
        best = max(rates, key=lambda k: (rates[k] or 0, -_VALUE_TYPES.index(k)), default=None)
        return best, (rates.get(best) or 0.0 if best else 0.0)

    if hint is not None:
        if sample.empty:
            return {**row, "semantic_type": hint, "confidence": 0.5, "method": "name",
                    "value_match_rate": None,
                    **reason("name_empty", hint=hint)}
        rate = _match_rate(sample, hint, today)
        if rate is not None and rate >= 0.5:
            return {**row, "semantic_type": hint, "confidence": round(0.6 + 0.4 * rate, 2),
                    "method": "name+values", "value_match_rate": rate,
                    **reason("name_values", hint=hint, rate=rate)}
        best_value, best_rate = best_by_values()
        if best_value and best_rate >= 0.9 and best_value != hint:
            return {**row, "semantic_type": best_value, "confidence": round(0.7 * best_rate, 2),
                    "method": "values", "value_match_rate": best_rate,
                    **reason("values_not_name", hint=hint, rate=rate or 0.0,
                             best_rate=best_rate, best=best_value)}
        return {**row, "semantic_type": hint, "confidence": round(0.3 + 0.2 * (rate or 0), 2),
                "method": "name", "value_match_rate": rate,
                **reason("name_check", hint=hint, rate=rate or 0.0)}

    if sample.empty:
        return {**row, "semantic_type": "text", "confidence": 0.0, "method": "fallback",
                "value_match_rate": None, **reason("empty_unknown")}
    best_value, best_rate = best_by_values()
    if best_value and best_rate >= 0.8:
        return {**row, "semantic_type": best_value, "confidence": round(0.8 * best_rate, 2),
                "method": "values", "value_match_rate": best_rate,
                **reason("values", rate=best_rate, kind=best_value)}
    if _few_distinct(sample):
        n = sample.nunique()
        return {**row, "semantic_type": "category", "confidence": 0.5, "method": "values",
                "value_match_rate": 1.0,
                **reason("category", n=n)}
    name_rate = float((name_status(sample) != INVALID).mean())
    return {**row, "semantic_type": "text", "confidence": 0.3, "method": "fallback",
            "value_match_rate": None,
            **(reason("text_names", rate=name_rate) if name_rate >= 0.8 else reason("text"))}


def detect_semantic_types(frame: pd.DataFrame, overrides: Mapping[str, str] | None = None, *,
                          sample_size: int = 2000, seed: int = 42,
                          today: pd.Timestamp | str | None = None,
                          distinct: Mapping[str, DistinctValues] | None = None) -> pd.DataFrame:
    """Guess the semantic type of every column of ``frame``.

    Args:
        frame: the extract (values compared as stripped text; blank counts as missing).
        overrides: column -> semantic type set by the consultant; they win, with confidence 1.
        sample_size: filled values checked per column (a seeded random sample).
        seed: random seed of the sample.
        today: reference day for birth-date plausibility (default: today).
        distinct: column -> its :func:`rcu_kit.values.validity.distinct_values`, when already computed
            (the audit shares them between its stages).

    Returns:
        One row per column, in the frame's order: ``column``, ``semantic_type``, ``confidence``
        (0-1), ``method`` (override, name+values, name, values, fallback), ``reason_code`` and
        ``reason_params`` (why, as a code ``type_<...>`` of :data:`rcu_kit.core.wording.PHRASES`
        and its figures in JSON: the table reads the same whatever the report's language;
        :func:`rcu_kit.core.wording.word_column` words it), ``name_suggestion`` and
        ``value_match_rate`` (share of sampled values fitting the type).

    Raises:
        ValueError: an override names an unknown column or type.

    Examples:
        >>> frame = pd.DataFrame({"tel": ["0612345678", "06 11 22 33 44"], "x": ["a@b.fr", "c@d.fr"]})
        >>> detect_semantic_types(frame)[["column", "semantic_type", "confidence"]].values.tolist()
        [['tel', 'phone', 1.0], ['x', 'email', 0.8]]
    """
    columns = [str(c) for c in frame.columns]
    overrides = validate_overrides(columns, overrides)
    now = pd.Timestamp(today) if today is not None else None
    distinct = distinct or {}
    rows = [_detect_one(str(col), distinct[str(col)] if str(col) in distinct else distinct_values(frame[col]),
                        overrides.get(str(col)), sample_size, seed, now)
            for col in frame.columns]
    out = pd.DataFrame(rows, columns=["column", "semantic_type", "confidence", "method",
                                      "reason_code", "reason_params", "name_suggestion",
                                      "value_match_rate"])
    out["value_match_rate"] = out["value_match_rate"].astype(float)
    return out
