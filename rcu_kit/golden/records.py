"""Golden records: one row per customer, each value chosen by a survivorship rule, with lineage.

After deduplication a customer is a cluster of records (the crosswalk). The *golden record* keeps
one value per attribute, chosen among the cluster's records by the attribute's survivorship rule,
and the *lineage* says which source and record each value came from and how contested it was.

Rules (:data:`RULES`), set per attribute in the engagement's ``survivorship:`` section. Each rule
ranks the customer's candidate values on *evidence levels* (see :mod:`rcu_kit.golden.survivorship`)
and the lineage says which level decided:

==================  =====================================================================
``evidence``        the value with the best evidence of quality: a mobile over a landline,
                    an e-mail or phone no other customer holds, then the support of the
                    customer's records (a first name counting its short forms), not a typo
                    of a more common value, not the birth name (last name), in the reference
                    lists (first names, last names, communes), then the update date, then
                    the value whose words more customers use
``most_recent``     the value of the most recently updated record, on the dates declared as
                    update dates (``update_dates``); a value that is a typo of a more common
                    one is passed over first. Without an update date the evidence decides,
                    and the lineage says so (``note: no_update_date``)
``source_priority`` the value of the best-ranked source (``sources:`` of the attribute, else
                    the section's ``source_priority``, else the engagement's source order)
``most_complete``   the longest value (a group: the record filling most of its attributes)
``most_frequent``   the value held by most records of the customer
``earliest``        the smallest value (dates compared as dates): a creation date
``latest``          the largest value: a last-activity date
==================  =====================================================================

After its own criterion every rule goes on with the evidence levels, then with how often each
source agrees with the customers' clear majorities (``source_trust``), then the input order, so
the result is deterministic. ``valid_only`` (default true) leaves out values failing the
attribute type's validity check (e-mail syntax, phone plan, postcode, real and plausible dates;
see :mod:`rcu_kit.values.validity`). A *group* (``groups: {address: {attributes: [street,
postcode, city]}}``) keeps its attributes together: they all come from the one record the group's
rule picks, the most complete first, so a street is never paired with another record's city.
First names are decided before last names, and a last name equal to the chosen first name is
passed over (a record with the two fields swapped).

Dates mean "this record was updated then" only where declared: ``update_dates`` lists the date
columns that are update dates in every source, or maps a source to its own (a sign-up date is not
one). ``recency`` is the former name of the list and still read.

The schema of the engagement's section (every key optional)::

    survivorship:
      source_priority: [crm, facturation, ecommerce, fidelite, service_client]
      update_dates: {crm: [last_activity_at]}   # or a list for every source
      default_rule: evidence                    # attributes not listed below
      valid_only: true
      attributes:
        email: most_recent                      # shorthand for {rule: most_recent}
        last_name: {rule: source_priority, sources: [crm, facturation]}
        created_at: earliest
      groups:
        address: {attributes: [street, postcode, city, country], rule: most_recent}

Examples:
    >>> import pandas as pd
    >>> records = pd.DataFrame({"source": ["crm", "web"], "record_id": ["1", "9"],
    ...                         "email": ["a@old.fr", "a@new.fr"],
    ...                         "last_activity_at": ["2020-01-01", "2024-01-01"]})
    >>> crosswalk = records[["source", "record_id"]].assign(customer_id="C1")
    >>> result = build_golden_records(records, crosswalk, {"attributes": {"email": "most_recent"},
    ...                                                    "update_dates": ["last_activity_at"]})
    >>> result.golden.loc[0, "email"], result.lineage.loc[0, "source"]
    ('a@new.fr', 'web')
    >>> result.lineage.loc[0, "decided_by"]
    'update_date'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.linkage.prepare import AS_READ_BIRTH_DATE
from rcu_kit.golden import survivorship
from rcu_kit.values import validity
from rcu_kit.values.dates import birth_date_status, date_status, parse_dates
from rcu_kit.values.emails import email_status
from rcu_kit.values.phones import phone_status
from rcu_kit.values.postcodes import FRENCH_POSTCODE_COUNTRIES, postcode_status
from rcu_kit.core.settings import check_known_keys, coerce_settings

__all__ = [
    "RULES",
    "LINEAGE_COLUMNS",
    "SurvivorshipRule",
    "SurvivorshipSettings",
    "GoldenResult",
    "default_survivorship",
    "build_golden_records",
    "golden_for_engagement",
    "write_golden_outputs",
    "view_file_name",
]

RULES = ("evidence", "source_priority", "most_recent", "most_complete", "most_frequent",
         "earliest", "latest")

# Attribute types of the standardised columns when the engagement's target model is not given.
_DEFAULT_TYPES = {"email": "email", "phone": "phone", "postcode": "postcode",
                  "birth_date": "date", "created_at": "date", "last_activity_at": "date"}
_META_COLUMNS = ("source", "record_id", "customer_id")
# Decided first, in this order (a last name is checked against the chosen first name, an
# e-mail against both).
_FIRST = ("first_name", "last_name")
# Raw column shown for an attribute whose own raw column is empty (a split full name).
_RAW_FALLBACK = {"last_name": "full_name", "first_name": "full_name", "birth_name": "last_name",
                 "civility": "full_name"}
LINEAGE_COLUMNS = ["customer_id", "attribute", "value", "raw_value", "source", "record_id", "rule",
                   "decided_by", "note", "candidates", "distinct_values", "conflict"]


@dataclass
class SurvivorshipRule:
    """How one attribute (or one group of attributes kept together) survives.

    Attributes:
        name: the attribute, or the group's name.
        attributes: the attributes decided together (one for a plain attribute).
        rule: one of :data:`RULES`.
        sources: source order for ``source_priority`` (and tie-breaks); empty: the settings'.
        valid_only: leave out values failing their type's validity check.
    """

    name: str
    attributes: tuple[str, ...]
    rule: str
    sources: tuple[str, ...] = ()
    valid_only: bool = True


@dataclass
class SurvivorshipSettings:
    """The ``survivorship:`` section of an engagement as an object (see the module doc).

    Attributes:
        source_priority: best source first; sources not listed come after, in input order.
        update_dates: the date columns that are update dates: a list (every source) or
            source -> list; the first non-empty one of a record counts.
        recency: former name of ``update_dates`` as a list (still read: added to it).
        default_rule: rule of the attributes not listed.
        valid_only: default of each attribute's ``valid_only``.
        attributes: attribute -> rule name or ``{rule, sources, valid_only}``.
        groups: group name -> ``{attributes: [...], rule, sources, valid_only}``.
    """

    source_priority: list[str] = field(default_factory=list)
    update_dates: Any = field(default_factory=list)
    recency: list[str] = field(default_factory=list)
    default_rule: str = "evidence"
    valid_only: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_rule(self.default_rule, "survivorship.default_rule")
        for key, value in (("source_priority", self.source_priority), ("recency", self.recency)):
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"survivorship.{key}: give a list of names, e.g. [crm, ecommerce]; "
                                 f"got {value!r}")
            setattr(self, key, list(value))  # a tuple from the caller becomes the list declared
        dates = self.update_dates
        if isinstance(dates, Mapping):
            for source, columns in dates.items():
                if isinstance(columns, str):
                    columns = [columns]
                if not all(isinstance(c, str) for c in columns):
                    raise ValueError(f"survivorship.update_dates.{source}: give the list of date "
                                     f"columns that are update dates, got {columns!r}")
            self.update_dates = {str(s): [c] if isinstance(c, str) else list(c)
                                 for s, c in dates.items()}
        elif isinstance(dates, str) or not all(isinstance(c, str) for c in dates):
            raise ValueError("survivorship.update_dates: give a list of date columns (every "
                             "source), e.g. [last_activity_at], or a mapping source -> list, e.g. "
                             f"{{crm: [last_activity_at]}}; got {dates!r}")
        else:
            self.update_dates = list(dates)
        for name, spec in self.attributes.items():
            self._spec(spec, f"survivorship.attributes.{name}", group=False)
        seen: dict[str, str] = {}
        for name, spec in self.groups.items():
            where = f"survivorship.groups.{name}"
            parsed = self._spec(spec, where, group=True)
            for attr in parsed["attributes"]:
                if attr in seen:
                    raise ValueError(f"{where}: attribute {attr!r} is already in group "
                                     f"{seen[attr]!r}; an attribute belongs to one group at most")
                if attr in self.attributes:
                    raise ValueError(f"{where}: attribute {attr!r} also has its own rule under "
                                     "survivorship.attributes; keep one of the two")
                seen[attr] = name

    @staticmethod
    def _spec(spec: Any, where: str, group: bool) -> dict[str, Any]:
        if isinstance(spec, str) and not group:
            spec = {"rule": spec}
        if not isinstance(spec, Mapping):
            raise ValueError(f"{where}: expected a rule name or a mapping {{rule: ..., sources: "
                             f"[...]}}, got {spec!r}")
        check_known_keys(spec, {"rule", "sources", "valid_only"} |
                         ({"attributes"} if group else set()), where)
        if "rule" in spec:
            _check_rule(spec["rule"], f"{where}.rule")
        if group:
            attrs = spec.get("attributes")
            if not attrs or isinstance(attrs, str) or not all(isinstance(a, str) for a in attrs):
                raise ValueError(f"{where}.attributes: give the list of attributes kept together, "
                                 "e.g. [street, postcode, city]")
        sources = spec.get("sources", [])
        if isinstance(sources, str):
            raise ValueError(f"{where}.sources: give a list of source names, got {sources!r}")
        return dict(spec)

    @classmethod
    def coerce(cls, settings: "SurvivorshipSettings | Mapping[str, Any] | None"
               ) -> "SurvivorshipSettings":
        """Settings from an object, a dict (the engagement's section) or None (defaults)."""
        return coerce_settings(cls, settings, "survivorship")

    def update_columns(self, source: str) -> list[str]:
        """The update-date columns of ``source``, in order (``recency`` counts for every source)."""
        dates = self.update_dates
        declared = dates.get(source, []) if isinstance(dates, Mapping) else dates
        return list(dict.fromkeys([*declared, *self.recency]))

    def rules_for(self, attributes: Sequence[str]) -> list[SurvivorshipRule]:
        """One rule per plain attribute and per group, in ``attributes`` order (groups placed
        at their first attribute); group attributes absent from ``attributes`` are ignored."""
        in_group = {a: g for g, spec in self.groups.items() for a in spec["attributes"]}
        out: list[SurvivorshipRule] = []
        done: set[str] = set()
        for attr in attributes:
            group = in_group.get(attr)
            if group is not None:
                if group in done:
                    continue
                done.add(group)
                spec = self.groups[group]
                members = tuple(a for a in spec["attributes"] if a in attributes)
                out.append(SurvivorshipRule(group, members, spec.get("rule", self.default_rule),
                                            tuple(spec.get("sources", ())),
                                            bool(spec.get("valid_only", self.valid_only))))
                continue
            spec = self.attributes.get(attr, {})
            spec = {"rule": spec} if isinstance(spec, str) else spec
            out.append(SurvivorshipRule(attr, (attr,), spec.get("rule", self.default_rule),
                                        tuple(spec.get("sources", ())),
                                        bool(spec.get("valid_only", self.valid_only))))
        return out


def _check_rule(rule: Any, where: str) -> None:
    if rule not in RULES:
        raise ValueError(f"{where}: unknown survivorship rule {rule!r}; allowed: {', '.join(RULES)}")


def default_survivorship() -> dict[str, Any]:
    """Sensible rules for French B2C customer records (a starting point for the engagement).

    Identity and contact values go by the evidence of quality (see the module doc); contact
    details (e-mail, phone, address, consent) from the most recently updated record when the
    engagement declares update dates, else by the evidence too; the address is one group taken
    whole from one record; the creation date is the earliest, the last activity the latest.

    Examples:
        >>> default_survivorship()["attributes"]["first_name"]
        'evidence'
    """
    return {
        "default_rule": "evidence",
        "valid_only": True,
        "attributes": {
            "civility": "evidence", "last_name": "evidence", "birth_name": "evidence",
            "first_name": "evidence", "birth_date": "evidence", "email": "most_recent",
            "phone": "most_recent", "email_optin": "most_recent", "created_at": "earliest",
            "last_activity_at": "latest",
        },
        "groups": {"address": {"attributes": ["street", "postcode", "city", "country"],
                               "rule": "most_recent"}},
    }


@dataclass
class GoldenResult:
    """What :func:`build_golden_records` made.

    Attributes:
        golden: one row per customer (sorted by id): ``customer_id, n_records, sources`` then one
            column per attribute.
        lineage: one row per golden value (:data:`LINEAGE_COLUMNS`): ``customer_id, attribute,
            value`` (standardised), ``raw_value`` (as the source wrote it, when the raw records
            were given), ``source, record_id`` it came from, ``rule`` (the configured rule),
            ``decided_by`` (the evidence level that beat the best other value, see
            :data:`rcu_kit.golden.survivorship.LEVELS`; ``single_value`` when one record offered
            a value, ``agreement`` when all agreed), ``note`` (``no_update_date``: the rule is
            ``most_recent`` but no candidate had a declared update date), ``candidates``
            (records offering a usable value), ``distinct_values`` and ``conflict``.
        rejected: per attribute, values left out by ``valid_only``: ``attribute, records``.
        rules: the rules applied.
        types: attribute -> type (``boolean`` values are ``true`` / ``false``).
    """

    golden: pd.DataFrame
    lineage: pd.DataFrame
    rejected: pd.DataFrame
    rules: list[SurvivorshipRule]
    types: dict[str, str] = field(default_factory=dict)

    def conflicts(self) -> pd.DataFrame:
        """Per attribute: customers with a value and customers whose records disagreed."""
        table = self.lineage.groupby("attribute", sort=False).agg(
            customers=("customer_id", "size"), conflicts=("conflict", "sum")).reset_index()
        table["conflict_rate"] = table["conflicts"] / table["customers"].where(
            table["customers"] > 0)
        return table

    def decisions(self) -> pd.DataFrame:
        """Per attribute and ``decided_by``: golden values, in attribute then level order."""
        order = {name: i for i, name in enumerate(
            ("single_value", "agreement", *survivorship.LEVELS, "earliest", "latest", "length"))}
        table = (self.lineage.groupby(["attribute", "decided_by"], sort=False).size()
                 .rename("values").reset_index())
        attrs = {a: i for i, a in enumerate(pd.unique(self.lineage["attribute"]))}
        return (table.assign(_a=table["attribute"].map(attrs),
                             _d=table["decided_by"].map(order).fillna(len(order)))
                .sort_values(["_a", "_d"]).drop(columns=["_a", "_d"]).reset_index(drop=True))


# -- computation ----------------------------------------------------------------------------------

def _text(series: pd.Series) -> np.ndarray:
    """Values as object strings, None for missing or blank (worked on the distinct values)."""
    codes, uniques = pd.factorize(series.reset_index(drop=True), use_na_sentinel=True)
    clean = pd.Series(uniques, dtype=object).astype("string").str.strip()
    clean = clean.where(clean != "")
    lookup = np.append(clean.astype(object).where(clean.notna(), None).to_numpy(), None)
    return lookup[codes]


def _valid(values: np.ndarray, attr_type: str, attribute: str, country: np.ndarray | None
           ) -> np.ndarray:
    """True where a present value passes its type's check (types without a check pass)."""
    present = np.array([v is not None for v in values], dtype=bool)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    if country is not None and attr_type == "postcode":
        codes, uniques = np.arange(len(values)), values  # checked with each record's country
    series = pd.Series(uniques, dtype=object)
    if attr_type == "email":
        status = email_status(series)
    elif attr_type == "phone":
        status = phone_status(series)
    elif attr_type == "postcode":
        status = postcode_status(series)
        if country is not None:  # a foreign postcode is not checked against La Poste's rules
            foreign = pd.Series(country, dtype=object).notna().to_numpy() & ~pd.Series(
                country, dtype=object).isin(FRENCH_POSTCODE_COUNTRIES).to_numpy()
            status = status.where(~foreign, "valid")
    elif attr_type == "date":
        status = (birth_date_status(series) if attribute == "birth_date"
                  else date_status(series))
    elif attr_type == "boolean":
        status = validity.boolean_status(series)
    elif attr_type == "siren":
        status = validity.siren_status(series)
    elif attr_type == "siret":
        status = validity.siret_status(series)
    else:
        return present
    ok = np.append((status.astype(object) == "valid").to_numpy(dtype=bool), False)
    return present & ok[codes]


def _dates(values: np.ndarray) -> np.ndarray:
    """Dates as float nanoseconds (NaN when missing or unreadable)."""
    parsed = parse_dates(pd.Series(values, dtype=object))
    out = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
    out[parsed.isna().to_numpy()] = np.nan
    return out


def _email_domains(vocabulary: np.ndarray) -> np.ndarray:
    return np.array([v.rpartition("@")[2] for v in vocabulary], dtype=object)


class _Unit:
    """The candidates of one rule (an attribute or a group) and their evidence levels."""

    def __init__(self, values: dict[str, np.ndarray], usable: np.ndarray, customer: np.ndarray,
                 types: Mapping[str, str]) -> None:
        self.usable = usable
        self.customer = customer[usable]
        self.values = {a: v[usable] for a, v in values.items()}
        self.types = types
        self.code: dict[str, np.ndarray] = {}
        self.vocabulary: dict[str, np.ndarray] = {}
        for a, v in self.values.items():
            code, vocab = pd.factorize(pd.Series(v, dtype=object), use_na_sentinel=True)
            self.code[a], self.vocabulary[a] = code.astype(np.int64), np.asarray(vocab, dtype=object)
        combo = np.zeros(len(usable), dtype=np.int64)
        for code in self.code.values():
            combo = combo * (int(code.max(initial=-1)) + 2) + code + 1
        self.combo = pd.factorize(combo)[0].astype(np.int64)
        self._support: dict[str, np.ndarray] = {}

    def support(self, attribute: str) -> np.ndarray:
        if attribute not in self._support:
            code = self.code[attribute]
            if attribute == "first_name":
                found = survivorship.first_name_support(self.customer, code,
                                                        self.vocabulary[attribute])
            else:
                found = survivorship.support(self.customer, code)
            self._support[attribute] = found
        return self._support[attribute]

    def total(self, per_attribute) -> np.ndarray:
        return sum((per_attribute(a) for a in self.values), np.zeros(len(self.usable), np.int64))

    def word_frequency(self, attribute: str) -> np.ndarray:
        """Per candidate with a spelling variant among its customer's values: how many
        customers hold its words, on average; 0 otherwise (and if missing)."""
        code, vocab = self.code[attribute], self.vocabulary[attribute]
        freq = survivorship.token_frequency(self.customer, code, vocab)
        variant = survivorship.spelling_variants(self.customer, code, vocab)
        return np.where((code >= 0) & variant, freq[np.maximum(code, 0)], 0.0)

    def typo(self, attribute: str) -> np.ndarray:
        code, vocab = self.code[attribute], self.vocabulary[attribute]
        if self.types.get(attribute) == "email":
            domain, domains = pd.factorize(pd.Series(_email_domains(vocab), dtype=object))
            freq = survivorship.base_frequency(self.customer, np.where(code >= 0, domain[
                np.maximum(code, 0)], -1), len(domains))[domain]
        else:
            freq = survivorship.token_frequency(self.customer, code, vocab)
        return survivorship.typo_flags(self.customer, code, vocab, freq)


def _levels(unit: _Unit, rule: SurvivorshipRule, *, group: bool, rank: np.ndarray,
            declared_rank: bool, recency: np.ndarray, trust: np.ndarray, position: np.ndarray,
            first_name: np.ndarray | None, last_name: np.ndarray | None,
            birth_names: pd.DataFrame | None) -> list[tuple[str, np.ndarray]]:
    """The evidence levels of ``rule`` for the unit's candidates, most significant first."""
    attrs = list(unit.values)
    n = len(unit.usable)

    def complete() -> np.ndarray:
        # The country says little about how complete an address is (often a default); a street
        # line without a letter (a number alone) is no street.
        counted = [a for a in attrs if a != "country"] or attrs
        return -sum(_informative(unit.values[a]) if a == "street" else
                    (unit.code[a] >= 0).astype(np.int64) for a in counted)

    prefs: list[tuple[str, np.ndarray]] = []
    for a in attrs:
        kind = unit.types.get(a)
        if kind == "phone":
            prefs.append(("mobile", survivorship.mobile_flags(unit.vocabulary[a], unit.code[a])))
        if kind in ("phone", "email"):
            prefs.append(("exclusive", survivorship.exclusive_flags(
                unit.customer, unit.code[a], len(unit.vocabulary[a]))))
        if kind == "email" and first_name is not None and last_name is not None:
            prefs.append(("name_match", survivorship.email_name_flags(
                unit.vocabulary[a], unit.code[a], first_name[unit.customer],
                last_name[unit.customer])))
        if a == "last_name" and first_name is not None:
            chosen = first_name[unit.customer]
            same = np.fromiter((c is not None and v == c for v, c in
                                zip(unit.values[a], chosen)), dtype=bool, count=n)
            prefs.append(("other_name_field", same.astype(np.int64)))
    support = ("support", -unit.total(unit.support))
    typo = ("typo", unit.total(unit.typo))
    later: list[tuple[str, np.ndarray]] = []
    if "last_name" in attrs and birth_names is not None and len(birth_names):
        later.append(("usage_name", _usage_name(unit, birth_names)))
    postcode = unit.values.get("postcode")
    reference = sum((survivorship.reference_flags(a, unit.vocabulary[a], unit.code[a],
                                                  postcode) for a in attrs
                     if a in ("first_name", "last_name", "birth_name")
                     or (a == "city" and postcode is not None)),
                    np.zeros(n, dtype=np.int64))
    later.append(("reference", reference))
    update = ("update_date", recency[unit.usable])
    common = [a for a in attrs if unit.types.get(a, "string") == "string"]
    if common:
        later_words = -sum(unit.word_frequency(a) for a in common)
        tail = [("common_words", later_words), ("source_trust", trust),
                ("input_order", position[unit.usable])]
    else:
        tail = [("source_trust", trust), ("input_order", position[unit.usable])]
    declared = [("source_priority", rank)] if declared_rank else []
    head = [("complete", complete())] if group else []
    if rule.rule == "evidence":
        levels = head + prefs + [support, typo] + later + [update] + declared + tail
    elif rule.rule == "most_recent":
        levels = head + prefs + [typo, update, support] + later + declared + tail
    elif rule.rule == "most_frequent":
        exact = ("support", -sum(survivorship.support(unit.customer, unit.code[a])
                                 for a in attrs))
        levels = head + [exact] + prefs + [typo] + later + [update] + declared + tail
    elif rule.rule == "most_complete":
        length = -sum(np.fromiter((len(v) if v is not None else 0 for v in unit.values[a]),
                                  dtype=np.int64, count=n) for a in attrs)
        levels = head + [("length", length)] + prefs + [support, typo] + later + [update] \
            + declared + tail
    elif rule.rule == "source_priority":
        levels = [("source_priority", rank)] + head + prefs + [support, typo] + later \
            + [update] + tail
    else:  # earliest / latest: compare the (first) attribute's values
        lead = unit.values[attrs[0]]
        if unit.types.get(attrs[0]) == "date":
            as_date = _dates(lead)
            key = np.where(np.isnan(as_date), np.inf,
                           as_date if rule.rule == "earliest" else -as_date)
        else:
            order_codes, _ = pd.factorize(pd.Series(lead, dtype=object), sort=True)
            key = order_codes.astype(float) * (1 if rule.rule == "earliest" else -1)
        levels = [(rule.rule, key)] + declared + tail
    return levels


def _informative(values: np.ndarray) -> np.ndarray:
    """1 where a street line holds a letter (not a house number alone), else 0."""
    return np.fromiter((v is not None and any(c.isalpha() for c in v) for v in values),
                       dtype=np.int64, count=len(values))


def _usage_name(unit: _Unit, birth_names: pd.DataFrame) -> np.ndarray:
    """1 where a last-name candidate is its customer's birth name (or one edit from it)."""
    frame = pd.DataFrame({"c": unit.customer, "v": unit.values["last_name"],
                          "i": np.arange(len(unit.usable))})
    joined = frame.merge(birth_names, on="c")
    if joined.empty:
        return np.zeros(len(unit.usable), dtype=np.int64)
    hit = np.fromiter((v == b or survivorship.one_edit(v, b) for v, b in
                       zip(joined["v"], joined["b"])), dtype=bool, count=len(joined))
    out = np.zeros(len(unit.usable), dtype=np.int64)
    out[joined.loc[hit, "i"].to_numpy()] = 1
    return out


def build_golden_records(records: pd.DataFrame, crosswalk: pd.DataFrame,
                         settings: SurvivorshipSettings | Mapping[str, Any] | None = None,
                         attributes: Sequence[str] | None = None,
                         attribute_types: Mapping[str, str] | None = None,
                         source_order: Sequence[str] | None = None,
                         raw: pd.DataFrame | None = None) -> GoldenResult:
    """One golden record per customer of ``crosswalk``, with the lineage of every value.

    Args:
        records: standardised records (``source``, ``record_id`` and attribute columns; the
            update-date columns too when a rule uses them).
        crosswalk: ``source, record_id, customer_id``, one row per record.
        settings: :class:`SurvivorshipSettings` or the engagement's ``survivorship:`` dict.
        attributes: the golden columns, in order (default: every record column but the
            identifiers, phonetic keys and parsed address parts).
        attribute_types: attribute -> type (``email``, ``phone``, ``postcode``, ``date`` ...)
            for the validity checks and the evidence (default: the usual names).
        source_order: order of sources after ``source_priority`` (default: the order they first
            appear in ``records``).
        raw: the same records before standardisation (``source``, ``record_id`` and raw
            attribute columns), for the lineage's ``raw_value``; None leaves it empty.

    Returns:
        A :class:`GoldenResult`; ``golden`` has one row per customer and its ``n_records``
        add up to the number of records.

    Raises:
        ValueError: missing identifiers, a record absent from the crosswalk (or the other way
            round), an attribute not in the records, raw records that are not these records;
            the message names them.
    """
    settings = SurvivorshipSettings.coerce(settings)
    for name, frame in (("records", records), ("crosswalk", crosswalk)):
        wanted = ("source", "record_id") + (("customer_id",) if name == "crosswalk" else ())
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: column(s) {', '.join(missing)} missing (columns are: "
                             f"{', '.join(map(str, frame.columns))})")
    keys = records[["source", "record_id"]].astype(str).reset_index(drop=True)
    cw = crosswalk[["source", "record_id", "customer_id"]].astype(str)
    if cw.duplicated(["source", "record_id"]).any():
        dup = cw[cw.duplicated(["source", "record_id"], keep=False)].head(5)
        raise ValueError("crosswalk: a (source, record_id) has several customer ids, e.g. "
                         + ", ".join(f"{s}/{r}" for s, r, _ in dup.itertuples(index=False)))
    joined = keys.merge(cw, on=["source", "record_id"], how="left", validate="many_to_one")
    if joined["customer_id"].isna().any():
        lost = joined[joined["customer_id"].isna()].head(10)
        raise ValueError(f"crosswalk: {int(joined['customer_id'].isna().sum())} record(s) have no "
                         "customer id, e.g. " + ", ".join(
                             f"{s}/{r}" for s, r, _ in lost.itertuples(index=False))
                         + "; build the golden records from the crosswalk of these very records")
    extra = len(cw) - len(cw.merge(keys, on=["source", "record_id"]))
    if extra:
        raise ValueError(f"crosswalk: {extra} row(s) name records that are not in the records; "
                         "give the records the crosswalk was built from")

    dated = {c for s in pd.unique(keys["source"]) for c in settings.update_columns(s)}
    if attributes is None:
        # Update-date columns other than the usual dates are not customer attributes.
        skip = set(_META_COLUMNS) | (dated - {"last_activity_at", "created_at"})
        skip |= {"street_number", "street_number_suffix", "street_name", "phone_type",
                 "name_swapped", AS_READ_BIRTH_DATE}
        attributes = [c for c in records.columns if c not in skip
                      and not str(c).endswith("_phonetic")]
    attributes = list(attributes)
    unknown = [a for a in attributes if a not in records.columns]
    if unknown:
        raise ValueError(f"golden records: attribute(s) {', '.join(unknown)} not in the records "
                         f"(columns are: {', '.join(map(str, records.columns))})")
    types = {**_DEFAULT_TYPES, **dict(attribute_types or {})}
    raw_values = _raw_columns(raw, keys, attributes)

    customer_codes, customers = pd.factorize(joined["customer_id"], sort=True)
    customer_codes = customer_codes.astype(np.int64)
    n_customers = len(customers)
    customer_names = np.asarray(customers, dtype=object)
    source = keys["source"].to_numpy(dtype=object)
    record_id = keys["record_id"].to_numpy(dtype=object)
    appearance = list(dict.fromkeys(source_order or [])) + [
        s for s in pd.unique(source) if s not in (source_order or [])]
    order_of = {s: i for i, s in enumerate(appearance)}
    position = np.array([order_of[s] for s in source], dtype=np.int64) * (len(keys) + 1) \
        + np.arange(len(keys), dtype=np.int64)

    recency = np.full(len(keys), np.nan)
    for src in pd.unique(source):
        rows = source == src
        for column in settings.update_columns(src):
            if column in records.columns:
                fill = rows & np.isnan(recency)
                recency[fill] = _dates(_text(records[column].reset_index(drop=True)))[fill]
    recency_key = np.where(np.isnan(recency), np.inf, -recency)
    country = _text(records["country"].reset_index(drop=True)) \
        if "country" in records.columns else None

    def source_rank(order: Sequence[str]) -> np.ndarray:
        ranked = list(dict.fromkeys(list(order) + list(settings.source_priority) + appearance))
        lookup = {s: i for i, s in enumerate(ranked)}
        return np.array([lookup[s] for s in source], dtype=np.int64)

    golden: dict[str, np.ndarray] = {}
    lineage_parts: list[tuple[int, pd.DataFrame]] = []
    rejected_rows: list[dict[str, Any]] = []
    rules = settings.rules_for(attributes)
    first_name: np.ndarray | None = None
    last_name: np.ndarray | None = None
    birth_names = None
    if "birth_name" in records.columns:
        b = _text(records["birth_name"].reset_index(drop=True))
        has = np.array([v is not None for v in b], dtype=bool)
        birth_names = pd.DataFrame({"c": customer_codes[has], "b": b[has]}).drop_duplicates()
    ordered = sorted(range(len(rules)), key=lambda i: (min(
        [_FIRST.index(a) for a in rules[i].attributes if a in _FIRST] or [len(_FIRST)]), i))
    for i in ordered:
        rule = rules[i]
        values = {a: _text(records[a].reset_index(drop=True)) for a in rule.attributes}
        for a in values:
            if types.get(a) == "boolean":  # oui / TRUE / 1 from different sources: one form
                values[a] = validity.normalise_booleans(
                    pd.Series(values[a], dtype=object)).to_numpy(dtype=object)
        present = np.zeros(len(keys), dtype=bool)
        valid = np.ones(len(keys), dtype=bool)
        for a, v in values.items():
            has = np.array([x is not None for x in v], dtype=bool)
            present |= has
            if rule.valid_only:
                ok = _valid(v, types.get(a, "string"), a, country)
                valid &= ~has | ok
                if (has & ~ok).any():
                    rejected_rows.append({"attribute": a, "records": int((has & ~ok).sum())})
        usable = np.flatnonzero(present & valid)
        unit = _Unit(values, usable, customer_codes, types)
        cust = unit.customer
        per_customer = np.bincount(cust, minlength=n_customers)
        distinct = np.bincount(cust[np.unique(cust * (len(usable) + 1) + unit.combo,
                                              return_index=True)[1]], minlength=n_customers)
        rank = source_rank(rule.sources)[usable]
        trust_of = survivorship.source_trust(cust, unit.combo, source[usable])
        trust = -np.array([trust_of.get(s, 0.5) for s in source[usable]], dtype=float)
        levels = _levels(unit, rule, group=len(rule.attributes) > 1, rank=rank,
                         declared_rank=bool(rule.sources or settings.source_priority
                                            or rule.rule == "source_priority"),
                         recency=recency_key, trust=trust, position=position,
                         first_name=first_name, last_name=last_name, birth_names=birth_names)
        best, _, decided = survivorship.rank_candidates(cust, unit.combo, levels)
        winners = usable[best]
        winner_customer = customer_codes[winners]
        names = np.array([name for name, _ in levels], dtype=object)
        decided_by = np.where(decided >= 0, names[np.maximum(decided, 0)],
                              np.where(per_customer[winner_customer] > 1, "agreement",
                                       "single_value")).astype(object)
        note = np.full(len(winners), "", dtype=object)
        if rule.rule == "most_recent":
            dated_customer = np.bincount(cust[np.isfinite(recency_key[usable])],
                                         minlength=n_customers) > 0
            note[~dated_customer[winner_customer] & (per_customer[winner_customer] > 1)] = \
                "no_update_date"
        for a, v in values.items():
            column = np.full(n_customers, None, dtype=object)
            column[winner_customer] = v[winners]
            golden[a] = column
            if a == "first_name":
                first_name = column
            if a == "last_name":
                last_name = column
            filled = np.array([x is not None for x in v[winners]], dtype=bool)
            w, wc = winners[filled], winner_customer[filled]
            raw_column = raw_values.get(a)
            lineage_parts.append((attributes.index(a), pd.DataFrame({
                "customer_id": customer_names[wc], "attribute": a, "value": v[w],
                "raw_value": raw_column[w] if raw_column is not None else None,
                "source": source[w], "record_id": record_id[w],
                "rule": rule.rule if len(rule.attributes) == 1 else f"{rule.rule} ({rule.name})",
                "decided_by": decided_by[filled], "note": note[filled],
                "candidates": per_customer[wc], "distinct_values": distinct[wc],
                "conflict": distinct[wc] > 1})))

    counts = np.bincount(customer_codes, minlength=n_customers)
    source_sets = (pd.DataFrame({"c": customer_codes, "s": source}).drop_duplicates()
                   .sort_values(["c", "s"]).groupby("c")["s"].agg("|".join))
    table = pd.DataFrame({"customer_id": customer_names, "n_records": counts,
                          "sources": source_sets.reindex(range(n_customers)).to_numpy()})
    for a in attributes:
        table[a] = golden[a]
    lineage_parts.sort(key=lambda part: part[0])
    lineage = (pd.concat([p for _, p in lineage_parts], ignore_index=True) if lineage_parts
               else pd.DataFrame(columns=LINEAGE_COLUMNS))
    order = {a: i for i, a in enumerate(attributes)}
    lineage = lineage.assign(_o=lineage["attribute"].map(order)).sort_values(
        ["customer_id", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    rejected = pd.DataFrame(rejected_rows, columns=["attribute", "records"])
    return GoldenResult(golden=table, lineage=lineage[LINEAGE_COLUMNS], rejected=rejected,
                        rules=rules, types=dict(types))


def _raw_columns(raw: pd.DataFrame | None, keys: pd.DataFrame, attributes: Sequence[str]
                 ) -> dict[str, np.ndarray]:
    """Raw values per attribute aligned on ``keys`` (a split full name for names without their
    own raw column)."""
    if raw is None:
        return {}
    missing = [c for c in ("source", "record_id") if c not in raw.columns]
    if missing:
        raise ValueError(f"raw records: column(s) {', '.join(missing)} missing; give the mapped "
                         "records the standardised ones were made from")
    raw_keys = raw[["source", "record_id"]].astype(str).reset_index(drop=True)
    where = pd.MultiIndex.from_frame(raw_keys).get_indexer(pd.MultiIndex.from_frame(keys))
    if (where < 0).any() or raw_keys.duplicated().any():
        lost = keys[where < 0].head(3)
        raise ValueError(f"raw records: {int((where < 0).sum())} record(s) not found (or repeated)"
                         " in the raw records, e.g. " + ", ".join(
                             f"{s}/{r}" for s, r in lost.itertuples(index=False))
                         + "; give the mapped records the standardised ones were made from")
    out: dict[str, np.ndarray] = {}
    for a in attributes:
        column = _text(raw[a].reset_index(drop=True))[where] if a in raw.columns else None
        fallback = _RAW_FALLBACK.get(a)
        if fallback in raw.columns:
            other = _text(raw[fallback].reset_index(drop=True))[where]
            column = other if column is None else np.where(
                pd.isna(column.astype(object)), other, column)
        if column is not None:
            out[a] = column
    return out


# -- engagement level -----------------------------------------------------------------------------

def golden_for_engagement(engagement: Any, records: pd.DataFrame, crosswalk: pd.DataFrame,
                          raw: pd.DataFrame | None = None) -> GoldenResult:
    """Golden records with the engagement's survivorship rules, target model and sources.

    The engagement's ``survivorship:`` section is merged over :func:`default_survivorship`
    (``attributes`` and ``groups`` key by key); the golden columns are the target model's
    attributes present in the records, in target-model order.

    Args:
        engagement: the :class:`~rcu_kit.core.config.Engagement`.
        records: the standardised records of the deduplication run.
        crosswalk: its crosswalk.
        raw: the mapped records before standardisation, for the lineage's raw values.

    When the engagement states its definition of a customer as a rule
    (``definition_rules.customer``) and the records hold its dates, the golden records get a
    ``customer_status`` column after ``sources``: ``customer`` or ``prospect``
    (:func:`rcu_kit.dedup.figures.customer_split`).
    """
    section = dict(engagement.survivorship or {})
    merged = default_survivorship()
    for key, value in section.items():
        if key in ("attributes", "groups") and isinstance(value, Mapping):
            merged[key] = {**merged.get(key, {}), **dict(value)}
            if key == "attributes":  # an attribute given its own rule leaves its default group
                for group in merged.get("groups", {}).values():
                    group["attributes"] = [a for a in group["attributes"] if a not in value]
        else:
            merged[key] = value
    if "groups" in section and isinstance(section["groups"], Mapping):
        taken = {a for g in section["groups"].values() if isinstance(g, Mapping)
                 for a in g.get("attributes", [])}
        merged["attributes"] = {a: r for a, r in merged["attributes"].items() if a not in taken}
        for name, group in merged["groups"].items():
            if name not in section["groups"]:
                group["attributes"] = [a for a in group["attributes"] if a not in taken]
    merged["groups"] = {n: g for n, g in merged.get("groups", {}).items() if g["attributes"]}
    settings = SurvivorshipSettings.coerce(merged)
    known = [s.name for s in engagement.sources]
    unknown = [s for s in settings.source_priority if s not in known]
    if unknown:
        raise ValueError(f"survivorship.source_priority: unknown source(s) {', '.join(unknown)}; "
                         f"sources are: {', '.join(known)}")
    attributes = [a.name for a in engagement.target_model if a.name in records.columns]
    types = {a.name: a.type for a in engagement.target_model}
    result = build_golden_records(records, crosswalk, settings, attributes=attributes,
                                  attribute_types=types, source_order=known, raw=raw)
    rule = (getattr(engagement, "definition_rules", None) or {}).get("customer")
    if rule is not None:  # the engagement's definition of a customer, applied where data allow
        from rcu_kit.dedup.figures import customer_split

        _, status = customer_split(crosswalk, records, rule, statuses=True)
        if status is not None:
            kind = result.golden["customer_id"].astype(str).map(status)
            result.golden.insert(3, "customer_status",
                                 np.where(kind == "customer", "customer", "prospect"))
    return result


def readable_values(golden: pd.DataFrame, types: Mapping[str, str], language: str
                    ) -> pd.DataFrame:
    """``golden`` as a person reads it: its boolean attributes' ``true`` / ``false`` in words
    (oui / non, yes / no) and its date attributes as the day (``2023-01-29``, not
    ``2023-01-29T04:08:38``); a value that is no date (a masked ``1983-**-**``) is kept. The saved
    files keep the values as they are.

    Examples:
        >>> readable_values(pd.DataFrame({"email_optin": ["true", None],
        ...                               "last_activity_at": ["2023-01-29T04:08:38", "1983-**-**"]}),
        ...                 {"email_optin": "boolean", "last_activity_at": "date"}, "fr").to_dict("list")
        {'email_optin': ['oui', None], 'last_activity_at': ['2023-01-29', '1983-**-**']}
    """
    from rcu_kit.core.i18n import t
    from rcu_kit.values.dates import normalise_dates

    out = golden.copy()
    words = {"true": t("golden.value_true", language), "false": t("golden.value_false", language)}
    for column in out.columns:
        if types.get(column) == "boolean":
            out[column] = [words.get(v, v) if isinstance(v, str) else v for v in out[column]]
        elif types.get(column) == "date":
            values = out[column].astype(object)
            day = normalise_dates(values, kind="any").astype(object)
            out[column] = day.where(day.notna(), values).where(values.notna(), None).to_numpy()
    return out


#: Golden records the Excel workbook lists at most (a reproducible sample beyond: a workbook is
#: for people; CSV and Parquet hold them all).
EXCEL_ROWS = 1000


def view_file_name(name: str) -> str:
    """A view's file name stem: lower case ASCII letters and digits, ``_`` between words.

    Examples:
        >>> view_file_name("Service client (appels)")
        'service_client_appels'
    """
    from unidecode import unidecode

    return re.sub(r"[^a-z0-9]+", "_", unidecode(name).lower()).strip("_") or "view"


def write_golden_outputs(result: GoldenResult, folder: str | Path, *, mask: bool = True,
                         language: str = "fr", seed: int = 42,
                         excel_rows: int = EXCEL_ROWS,
                         views: Sequence[Any] = ()) -> dict[str, Path]:
    """Write the golden table and its lineage as CSV, Parquet and one Excel workbook.

    CSV and Parquet are the data themselves (the prototype of the RCU, kept in the engagement's
    output folder): ``golden_records`` has ``customer_id`` and one column per attribute,
    ``golden_lineage`` the :data:`LINEAGE_COLUMNS` (the raw value beside the standardised one).
    The Excel workbook is what a client is sent, sized for people: the golden records (a
    reproducible sample of ``excel_rows`` customers when there are more) with their lineage, the
    conflicts per attribute and what decided each value; its personal data is masked when
    ``mask`` is true (pass ``engagement.mask_personal_data``).

    Args:
        result: :func:`build_golden_records` output.
        folder: where to write (``rcu_kit.core.paths.step_dir(engagement, "golden")``).
        mask: mask personal data in the workbook.
        language: language of the workbook's sheet and column names.
        seed: seed of the workbook's sample.
        excel_rows: golden records in the workbook at most.
        views: the engagement's consuming views (``engagement.views``: a ``name`` and the
            ``attributes`` it receives): each gets ``views/<name>.csv`` and ``.parquet``,
            ``customer_id`` and its attributes the golden records hold (data minimisation).

    Returns:
        name -> path: ``golden_csv``, ``golden_parquet``, ``lineage_csv``, ``lineage_parquet``,
        ``workbook``, and ``view:<name>`` (its CSV) per view.

    Raises:
        ValueError: two views whose names give the same file name.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyarrow import csv

    from rcu_kit.core.excel import write_workbook
    from rcu_kit.core.i18n import fmt_number, t
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_frame, mask_value

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"golden_csv": folder / "golden_records.csv",
             "golden_parquet": folder / "golden_records.parquet",
             "lineage_csv": folder / "golden_lineage.csv",
             "lineage_parquet": folder / "golden_lineage.parquet",
             "workbook": folder / "golden_records.xlsx"}
    columns = [c for c in result.golden.columns if c not in ("n_records", "sources")]
    golden = result.golden[columns].astype("string")
    lineage = result.lineage.astype({"value": "string", "raw_value": "string"})
    for frame, name in ((golden, "golden"), (lineage, "lineage")):
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, paths[f"{name}_parquet"])
        # Arrow's writer: several times faster than pandas' on the lineage (a row per value).
        csv.write_csv(table, paths[f"{name}_csv"],
                      write_options=csv.WriteOptions(quoting_style="needed"))

    stems: dict[str, str] = {}
    for view in views:
        stem = view_file_name(view.name)
        if stem in stems:
            raise ValueError(f"views {stems[stem]!r} and {view.name!r} would both be written to "
                             f"views/{stem}.csv: rename one of them in the engagement")
        stems[stem] = view.name
        kept = ["customer_id"] + [a for a in view.attributes if a in golden.columns]
        table = pa.Table.from_pandas(golden[kept], preserve_index=False)
        (folder / "views").mkdir(exist_ok=True)
        paths[f"view:{view.name}"] = folder / "views" / f"{stem}.csv"
        csv.write_csv(table, paths[f"view:{view.name}"],
                      write_options=csv.WriteOptions(quoting_style="needed"))
        pq.write_table(table, folder / "views" / f"{stem}.parquet")

    shown = result.golden
    if len(shown) > excel_rows:
        shown = shown.sample(n=excel_rows, random_state=seed).sort_values("customer_id")
    shown = shown.astype({c: "string" for c in shown.columns if c != "n_records"})
    shown_lineage = lineage[lineage["customer_id"].isin(shown["customer_id"])].copy()
    shown_golden = readable_values(mask_frame(shown, ATTRIBUTE_MASK_TYPES, enabled=mask),
                                   result.types, language)
    if mask:
        for column in ("value", "raw_value"):
            shown_lineage[column] = [mask_value(v, ATTRIBUTE_MASK_TYPES.get(a))
                                     if not pd.isna(v) else v
                                     for v, a in zip(shown_lineage[column],
                                                     shown_lineage["attribute"])]
    if mask:  # record ids are personal data: not in the client's workbook
        shown_lineage = shown_lineage.drop(columns=["record_id"], errors="ignore")
    headers = {c: t(f"golden.{c}", language) for c in [*LINEAGE_COLUMNS, "n_records", "sources"]}
    shown_lineage = shown_lineage.rename(columns=headers)
    shown_golden = shown_golden.rename(columns={c: headers[c] for c in ("customer_id", "n_records",
                                                                        "sources")})
    if "customer_status" in shown_golden.columns:  # customer / prospect, in words
        shown_golden["customer_status"] = [t(f"golden.status_{v}", language)
                                           for v in shown_golden["customer_status"]]
        shown_golden = shown_golden.rename(
            columns={"customer_status": t("golden.customer_status", language)})
    sheets = {}
    if len(shown) < len(result.golden):
        sheets[t("golden.sheet_about", language)] = pd.DataFrame({
            t("golden.about", language): [t("golden.sampled", language,
                                            shown=fmt_number(len(shown), language),
                                            total=fmt_number(len(result.golden), language))]})
    sheets[t("golden.sheet_golden", language)] = shown_golden
    sheets[t("golden.sheet_lineage", language)] = shown_lineage
    sheets[t("golden.sheet_conflicts", language)] = result.conflicts().rename(columns={
        c: t(f"golden.{c}", language) for c in ("attribute", "customers", "conflicts",
                                                "conflict_rate")})
    sheets[t("golden.sheet_decisions", language)] = result.decisions().rename(columns={
        c: t(f"golden.{c}", language) for c in ("attribute", "decided_by", "values")})
    write_workbook(paths["workbook"], sheets)
    return paths
