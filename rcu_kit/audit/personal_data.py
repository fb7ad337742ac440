"""Personal data (GDPR / RGPD) held by each source column, and of which kind.

Each column gets a verdict (``yes``, ``no`` or ``review``), a GDPR category of the engagement
config (``identity``, ``contact``, ``location``, ``financial``, ``sensitive``, ``none``) and a
reason, saved as a code and its figures (``reason_code``, ``reason_params``: ``gdpr_<...>`` of
:data:`rcu_kit.core.wording.PHRASES`), worded for the client by
:func:`rcu_kit.audit.run.localise_table`. The rules, in order:

1. the column name reveals special-category data (health, religion, political opinion, trade
   union, sexual orientation, biometrics, social-security number NIR, offences): ``sensitive``;
2. the column name reveals financial data (IBAN, RIB, card, income, salary, debt): ``financial``;
3. the column is mapped (``engagement.mapping``) to a target attribute whose ``gdpr_category``
   the consultant set: that category;
4. its semantic type: names, civility, birth date and customer ids are ``identity``; e-mails
   and phones ``contact``; street, postcode, city and country ``location``; free text is to
   ``review`` (comments often hold personal, even sensitive, data); SIREN/SIRET identify a
   company (personal only for sole traders) and dates, numbers, categories are not personal
   on their own.

Examples:
    >>> import pandas as pd
    >>> types = pd.DataFrame({"source": "crm", "column": ["nom", "iban", "segment"],
    ...                       "semantic_type": ["last_name", "id", "category"]})
    >>> classify_personal_data(types)[["column", "personal_data", "gdpr_category"]].values.tolist()
    [['nom', 'yes', 'identity'], ['iban', 'yes', 'financial'], ['segment', 'no', 'none']]
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from rcu_kit.core.wording import params_json
from rcu_kit.values.masking import MASKED_TYPES
from rcu_kit.values.semantic_types import normalise_name

__all__ = ["GDPR_BY_TYPE", "PERSONAL_DATA_COLUMNS", "classify_personal_data", "masking_types"]

_B, _E = r"(?:^|_)", r"(?:_|$)"
_SENSITIVE = re.compile(
    rf"sante|health|medic|maladie|pathologie|handicap|allergi|religion|confession|ethni|racial|"
    rf"politique|political|opinion|syndic|union_member|orientation_sex|sexualite|biometr|"
    rf"genetique|genetic|{_B}(?:nir|num_?secu|secu|securite_sociale|num_?ss|ssn){_E}|casier|"
    rf"condamnation|infraction|criminal")
_FINANCIAL = re.compile(
    rf"{_B}(?:iban|rib|bic|swift|cb|pan|card_?number|num_?carte_?bancaire|carte_?bancaire|"
    rf"salaire|salary|revenu|revenus|income|patrimoine|solvabilite|credit_?score|impaye|impayes|"
    rf"dette|debt|creance){_E}|iban|carte_?bancaire")

GDPR_BY_TYPE: dict[str, tuple[str, str]] = {
    # semantic type: (personal_data, gdpr_category); the reason is saved as code gdpr_<type>,
    # worded in the engagement's language by label audit.gdpr_<type>
    "last_name": ("yes", "identity"),
    "first_name": ("yes", "identity"),
    "full_name": ("yes", "identity"),
    "civility": ("yes", "identity"),
    "birth_date": ("yes", "identity"),
    "id": ("yes", "identity"),
    "email": ("yes", "contact"),
    "phone": ("yes", "contact"),
    "street": ("yes", "location"),
    "postcode": ("yes", "location"),
    "city": ("yes", "location"),
    "country": ("yes", "location"),
    "text": ("review", "none"),
    "siren": ("no", "none"),
    "siret": ("no", "none"),
}
PERSONAL_DATA_COLUMNS = ["source", "column", "semantic_type", "personal_data", "gdpr_category",
                         "reason_code", "reason_params"]


def classify_personal_data(types: pd.DataFrame,
                           mapped_categories: Mapping[tuple[str, str], tuple[str, str]] | None = None
                           ) -> pd.DataFrame:
    """GDPR classification of every source column.

    Args:
        types: a table with ``source``, ``column`` and ``semantic_type`` (the audit's semantic
            type table).
        mapped_categories: ``(source, column) -> (attribute, gdpr_category)`` from the
            engagement's mapping and target model; a category other than ``none`` wins over
            the semantic type.

    Returns:
        Columns :data:`PERSONAL_DATA_COLUMNS`, one row per input row.
    """
    mapped_categories = mapped_categories or {}
    rows = []
    for rec in types.itertuples(index=False):
        source, column, kind = str(rec.source), str(rec.column), str(rec.semantic_type)
        name = normalise_name(column)
        mapped = mapped_categories.get((source, column))
        params: dict[str, str] = {}
        if _SENSITIVE.search(name):
            verdict = ("yes", "sensitive", "gdpr_sensitive")
        elif _FINANCIAL.search(name):
            verdict = ("yes", "financial", "gdpr_financial")
        elif mapped and mapped[1] != "none":
            verdict, params = ("yes", mapped[1], "gdpr_mapped"), {"attribute": mapped[0]}
        elif kind in GDPR_BY_TYPE:
            verdict = (*GDPR_BY_TYPE[kind], f"gdpr_{kind}")
        else:
            verdict, params = ("no", "none", "gdpr_not_personal"), {"kind": kind}
        rows.append({"source": source, "column": column, "semantic_type": kind,
                     "personal_data": verdict[0], "gdpr_category": verdict[1],
                     "reason_code": verdict[2], "reason_params": params_json(params)})
    return pd.DataFrame(rows, columns=PERSONAL_DATA_COLUMNS)


def masking_types(personal: pd.DataFrame, source: str) -> dict[str, str]:
    """Column -> the semantic type to mask it as, for one source.

    A column's own semantic type, except that record ids and the financial or sensitive columns
    whose type is not masked (a health note typed ``category``) are masked as ``text``.

    Examples:
        >>> table = classify_personal_data(pd.DataFrame(
        ...     {"source": "crm", "column": ["iban", "tel"], "semantic_type": ["id", "phone"]}))
        >>> masking_types(table, "crm")
        {'iban': 'text', 'tel': 'phone'}
    """
    out: dict[str, str] = {}
    for rec in personal[personal["source"] == source].itertuples(index=False):
        kind = str(rec.semantic_type)
        if kind == "id" or (rec.gdpr_category in ("financial", "sensitive")
                            and kind not in MASKED_TYPES):
            kind = "text"  # a record id names a person in the client's systems (issue 23)
        out[str(rec.column)] = kind
    return out
