"""Golden records: one row per customer, each value chosen by a survivorship rule, with lineage.

After deduplication a customer is a cluster of records (the crosswalk). The *golden record* keeps
one value per attribute, chosen among the cluster's records by the attribute's survivorship rule,
and the *lineage* says which source and record each value came from and how contested it was.

Rules (:data:`RULES`), set per attribute in the engagement's ``survivorship:`` section:

==================  =====================================================================
``source_priority`` the value of the best-ranked source (``sources:`` of the attribute, else
                    the section's ``source_priority``, else the engagement's source order)
``most_recent``     the value of the most recent record (first non-empty ``recency`` column)
``most_complete``   the longest value (a group: the record filling most of its attributes)
``most_frequent``   the value held by most records of the customer
``earliest``        the smallest value (dates compared as dates): a creation date
``latest``          the largest value: a last-activity date
==================  =====================================================================

``valid_only`` (default true) leaves out values failing the attribute type's validity check
(e-mail syntax, phone plan, postcode, real and plausible dates; see :mod:`rcu_kit.values.validity`).
Ties are broken by source priority, then recency, then input order, so the result is
deterministic. A *group* (``groups: {address: {attributes: [street, postcode, city]}}``) keeps
its attributes together: they all come from the one record the group's rule picks, so a street is
never paired with another record's city.

The schema of the engagement's section (every key optional)::

    survivorship:
      source_priority: [crm, facturation, ecommerce, fidelite, service_client]
      recency: [last_activity_at, created_at]   # how recent a record is: first non-empty
      default_rule: most_frequent               # attributes not listed below
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
    >>> result = build_golden_records(records, crosswalk, {"attributes": {"email": "most_recent"}})
    >>> result.golden.loc[0, "email"], result.lineage.loc[0, "source"]
    ('a@new.fr', 'web')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.values import validity
from rcu_kit.values.dates import birth_date_status, date_status, parse_dates
from rcu_kit.values.emails import email_status
from rcu_kit.values.phones import phone_status
from rcu_kit.values.postcodes import FRENCH_POSTCODE_COUNTRIES, postcode_status
from rcu_kit.core.settings import check_known_keys, coerce_settings

__all__ = [
    "RULES",
    "SurvivorshipRule",
    "SurvivorshipSettings",
    "GoldenResult",
    "default_survivorship",
    "build_golden_records",
    "golden_for_engagement",
    "write_golden_outputs",
]

RULES = ("source_priority", "most_recent", "most_complete", "most_frequent", "earliest", "latest")

# Attribute types of the standardised columns when the engagement's target model is not given.
_DEFAULT_TYPES = {"email": "email", "phone": "phone", "postcode": "postcode",
                  "birth_date": "date", "created_at": "date", "last_activity_at": "date"}
_META_COLUMNS = ("source", "record_id", "customer_id")


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
        recency: columns telling how recent a record is; the first non-empty one counts.
        default_rule: rule of the attributes not listed.
        valid_only: default of each attribute's ``valid_only``.
        attributes: attribute -> rule name or ``{rule, sources, valid_only}``.
        groups: group name -> ``{attributes: [...], rule, sources, valid_only}``.
    """

    source_priority: list[str] = field(default_factory=list)
    recency: list[str] = field(default_factory=lambda: ["last_activity_at", "created_at"])
    default_rule: str = "most_frequent"
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

    Current contact details (e-mail, phone, address, consent) come from the most recent record;
    a first name is kept in its most complete form (JEAN PIERRE over JP); identity attributes
    take the value most records agree on; the creation date is the earliest one.

    Examples:
        >>> default_survivorship()["attributes"]["first_name"]
        'most_complete'
    """
    return {
        "recency": ["last_activity_at", "created_at"],
        "default_rule": "most_frequent",
        "valid_only": True,
        "attributes": {
            "civility": "most_frequent", "last_name": "most_recent", "birth_name": "most_frequent",
            "first_name": "most_complete", "birth_date": "most_frequent", "email": "most_recent",
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
        lineage: one row per golden value: ``customer_id, attribute, value, source, record_id,
            rule, candidates`` (records offering a usable value), ``distinct_values`` and
            ``conflict`` (the records disagreed).
        rejected: per attribute, values left out by ``valid_only``: ``attribute, records``.
        rules: the rules applied.
    """

    golden: pd.DataFrame
    lineage: pd.DataFrame
    rejected: pd.DataFrame
    rules: list[SurvivorshipRule]

    def conflicts(self) -> pd.DataFrame:
        """Per attribute: customers with a value and customers whose records disagreed."""
        table = self.lineage.groupby("attribute", sort=False).agg(
            customers=("customer_id", "size"), conflicts=("conflict", "sum")).reset_index()
        table["conflict_rate"] = table["conflicts"] / table["customers"].where(
            table["customers"] > 0)
        return table


# -- computation ----------------------------------------------------------------------------------

def _text(series: pd.Series) -> np.ndarray:
    """Values as object strings, None for missing or blank."""
    values = series.astype("string").str.strip()
    values = values.where(values != "")
    return values.astype(object).where(values.notna(), None).to_numpy()


def _valid(values: np.ndarray, attr_type: str, attribute: str, country: np.ndarray | None
           ) -> np.ndarray:
    """True where a present value passes its type's check (types without a check pass)."""
    present = np.array([v is not None for v in values], dtype=bool)
    series = pd.Series(values, dtype=object)
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
    elif attr_type == "siren":
        status = validity.siren_status(series)
    elif attr_type == "siret":
        status = validity.siret_status(series)
    else:
        return present
    return present & (status.astype(object) == "valid").to_numpy(dtype=bool)


def _dates(values: np.ndarray) -> np.ndarray:
    """Dates as float nanoseconds (NaN when missing or unreadable)."""
    parsed = parse_dates(pd.Series(values, dtype=object))
    out = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
    out[parsed.isna().to_numpy()] = np.nan
    return out


def _codes(values: np.ndarray) -> np.ndarray:
    return pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)[0].astype(np.int64)


def _first_per_group(group: np.ndarray, keys: list[np.ndarray]) -> np.ndarray:
    """Position (into the arrays) of the best row of each group: sort by ``keys`` (most
    significant first, ascending) within the group."""
    order = np.lexsort(tuple(reversed([group, *keys])))
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.zeros(0, np.int64)
    return order[starts]


def build_golden_records(records: pd.DataFrame, crosswalk: pd.DataFrame,
                         settings: SurvivorshipSettings | Mapping[str, Any] | None = None,
                         attributes: Sequence[str] | None = None,
                         attribute_types: Mapping[str, str] | None = None,
                         source_order: Sequence[str] | None = None) -> GoldenResult:
    """One golden record per customer of ``crosswalk``, with the lineage of every value.

    Args:
        records: standardised records (``source``, ``record_id`` and attribute columns; the
            recency columns too when a rule uses them).
        crosswalk: ``source, record_id, customer_id``, one row per record.
        settings: :class:`SurvivorshipSettings` or the engagement's ``survivorship:`` dict.
        attributes: the golden columns, in order (default: every record column but the
            identifiers, phonetic keys and parsed address parts).
        attribute_types: attribute -> type (``email``, ``phone``, ``postcode``, ``date`` ...)
            for the validity checks (default: the usual names).
        source_order: tie-break order of sources after ``source_priority`` (default: the
            order they first appear in ``records``).

    Returns:
        A :class:`GoldenResult`; ``golden`` has one row per customer and its ``n_records``
        add up to the number of records.

    Raises:
        ValueError: missing identifiers, a record absent from the crosswalk (or the other way
            round), an attribute not in the records; the message names them.
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

    if attributes is None:
        # Recency columns other than the usual dates are not customer attributes.
        skip = set(_META_COLUMNS) | (set(settings.recency) - {"last_activity_at", "created_at"})
        skip |= {"street_number", "street_number_suffix", "street_name", "phone_type",
                 "name_swapped"}
        attributes = [c for c in records.columns if c not in skip
                      and not str(c).endswith("_phonetic")]
    attributes = list(attributes)
    unknown = [a for a in attributes if a not in records.columns]
    if unknown:
        raise ValueError(f"golden records: attribute(s) {', '.join(unknown)} not in the records "
                         f"(columns are: {', '.join(map(str, records.columns))})")
    types = {**_DEFAULT_TYPES, **dict(attribute_types or {})}

    customer_codes, customers = pd.factorize(joined["customer_id"], sort=True)
    customer_codes = customer_codes.astype(np.int64)
    n_customers = len(customers)
    source = keys["source"].to_numpy(dtype=object)
    record_id = keys["record_id"].to_numpy(dtype=object)
    position = np.arange(len(keys), dtype=np.int64)
    appearance = list(dict.fromkeys(source_order or [])) + [
        s for s in pd.unique(source) if s not in (source_order or [])]

    recency = np.full(len(keys), np.nan)
    for column in settings.recency:
        if column in records.columns:
            fill = np.isnan(recency)
            recency[fill] = _dates(_text(records[column].reset_index(drop=True)))[fill]
    recency_key = np.where(np.isnan(recency), np.inf, -recency)
    country = _text(records["country"].reset_index(drop=True)) \
        if "country" in records.columns else None

    def source_rank(order: Sequence[str]) -> np.ndarray:
        ranked = list(dict.fromkeys(list(order) + list(settings.source_priority) + appearance))
        lookup = {s: i for i, s in enumerate(ranked)}
        return np.array([lookup[s] for s in source], dtype=np.int64)

    default_rank = source_rank(())
    golden: dict[str, np.ndarray] = {}
    lineage_parts: list[pd.DataFrame] = []
    rejected_rows: list[dict[str, Any]] = []
    rules = settings.rules_for(attributes)
    for rule in rules:
        values = {a: _text(records[a].reset_index(drop=True)) for a in rule.attributes}
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
        cust = customer_codes[usable]
        combo = np.zeros(len(usable), dtype=np.int64)
        for v in values.values():
            codes = _codes(v[usable])
            combo = combo * (int(codes.max(initial=-1)) + 2) + codes + 1
        combo = pd.factorize(combo)[0].astype(np.int64)
        # Candidates and distinct values per customer (for the lineage).
        per_customer = np.bincount(cust, minlength=n_customers)
        distinct = np.bincount(cust[np.unique(cust * (len(usable) + 1) + combo,
                                              return_index=True)[1]], minlength=n_customers)
        rank = source_rank(rule.sources)[usable] if rule.sources else default_rank[usable]
        if rule.rule == "source_priority":
            primary = [rank]
        elif rule.rule == "most_recent":
            primary = [recency_key[usable]]
        elif rule.rule == "most_complete":
            filled = sum(np.array([x is not None for x in v[usable]], dtype=np.int64)
                         for v in values.values())
            length = sum(np.array([len(x) if x is not None else 0 for x in v[usable]],
                                  dtype=np.int64) for v in values.values())
            primary = [-filled, -length]
        elif rule.rule == "most_frequent":
            pair = cust * (len(usable) + 1) + combo
            _, inverse, counts = np.unique(pair, return_inverse=True, return_counts=True)
            primary = [-counts[inverse.ravel()]]
        else:  # earliest / latest: compare the (first) attribute's values
            lead = values[rule.attributes[0]][usable]
            if types.get(rule.attributes[0]) == "date":
                as_date = _dates(lead)
                key = np.where(np.isnan(as_date), np.inf,
                               as_date if rule.rule == "earliest" else -as_date)
            else:
                order_codes, _ = pd.factorize(pd.Series(lead, dtype=object), sort=True)
                key = order_codes.astype(float) * (1 if rule.rule == "earliest" else -1)
            primary = [key]
        best = _first_per_group(cust, [*primary, rank, recency_key[usable], position[usable]])
        winners = usable[best]
        winner_customer = customer_codes[winners]
        for a, v in values.items():
            column = np.full(n_customers, None, dtype=object)
            column[winner_customer] = v[winners]
            golden[a] = column
            filled = np.array([x is not None for x in v[winners]], dtype=bool)
            w, wc = winners[filled], winner_customer[filled]
            lineage_parts.append(pd.DataFrame({
                "customer_id": np.asarray(customers, dtype=object)[wc],
                "attribute": a, "value": v[w], "source": source[w], "record_id": record_id[w],
                "rule": rule.rule if len(rule.attributes) == 1 else f"{rule.rule} ({rule.name})",
                "candidates": per_customer[wc], "distinct_values": distinct[wc],
                "conflict": distinct[wc] > 1}))

    counts = np.bincount(customer_codes, minlength=n_customers)
    source_sets = (pd.DataFrame({"c": customer_codes, "s": source}).drop_duplicates()
                   .sort_values(["c", "s"]).groupby("c")["s"].agg("|".join))
    table = pd.DataFrame({"customer_id": np.asarray(customers, dtype=object),
                          "n_records": counts,
                          "sources": source_sets.reindex(range(n_customers)).to_numpy()})
    for a in attributes:
        table[a] = golden[a]
    lineage_columns = ["customer_id", "attribute", "value", "source", "record_id", "rule",
                       "candidates", "distinct_values", "conflict"]
    lineage = (pd.concat(lineage_parts, ignore_index=True) if lineage_parts
               else pd.DataFrame(columns=lineage_columns))
    order = {a: i for i, a in enumerate(attributes)}
    lineage = lineage.assign(_o=lineage["attribute"].map(order)).sort_values(
        ["customer_id", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    rejected = pd.DataFrame(rejected_rows, columns=["attribute", "records"])
    return GoldenResult(golden=table, lineage=lineage[lineage_columns], rejected=rejected,
                        rules=rules)


# -- engagement level -----------------------------------------------------------------------------

def golden_for_engagement(engagement: Any, records: pd.DataFrame, crosswalk: pd.DataFrame
                          ) -> GoldenResult:
    """Golden records with the engagement's survivorship rules, target model and sources.

    The engagement's ``survivorship:`` section is merged over :func:`default_survivorship`
    (``attributes`` and ``groups`` key by key); the golden columns are the target model's
    attributes present in the records, in target-model order.

    Args:
        engagement: the :class:`~rcu_kit.core.config.Engagement`.
        records: the standardised records of the deduplication run.
        crosswalk: its crosswalk.
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
    return build_golden_records(records, crosswalk, settings, attributes=attributes,
                                attribute_types=types, source_order=known)


def write_golden_outputs(result: GoldenResult, folder: str | Path, *, mask: bool = True,
                         language: str = "fr") -> dict[str, Path]:
    """Write the golden table and its lineage as CSV, Parquet and one Excel workbook.

    CSV and Parquet are the data themselves (the prototype of the RCU, kept in the engagement's
    output folder). The Excel workbook is what a client is sent: its personal data is masked
    when ``mask`` is true (pass ``engagement.mask_personal_data``).

    Args:
        result: :func:`build_golden_records` output.
        folder: where to write (``rcu_kit.core.paths.step_dir(engagement, "golden")``).
        mask: mask personal data in the workbook.
        language: language of the workbook's sheet names.

    Returns:
        name -> path: ``golden_csv``, ``golden_parquet``, ``lineage_csv``, ``lineage_parquet``,
        ``workbook``.
    """
    from rcu_kit.core.excel import write_workbook
    from rcu_kit.core.i18n import t
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_frame, mask_value

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"golden_csv": folder / "golden_records.csv",
             "golden_parquet": folder / "golden_records.parquet",
             "lineage_csv": folder / "golden_lineage.csv",
             "lineage_parquet": folder / "golden_lineage.parquet",
             "workbook": folder / "golden_records.xlsx"}
    golden = result.golden.astype({c: "string" for c in result.golden.columns
                                   if c not in ("n_records",)})
    lineage = result.lineage.astype({"value": "string"})
    golden.to_csv(paths["golden_csv"], index=False)
    golden.to_parquet(paths["golden_parquet"], index=False)
    lineage.to_csv(paths["lineage_csv"], index=False)
    lineage.to_parquet(paths["lineage_parquet"], index=False)
    shown_golden = mask_frame(golden, ATTRIBUTE_MASK_TYPES, enabled=mask)
    shown_lineage = lineage.copy()
    if mask:
        shown_lineage["value"] = [mask_value(v, ATTRIBUTE_MASK_TYPES.get(a))
                                  for v, a in zip(lineage["value"], lineage["attribute"])]
    write_workbook(paths["workbook"], {
        t("golden.sheet_golden", language): shown_golden,
        t("golden.sheet_lineage", language): shown_lineage,
        t("golden.sheet_conflicts", language): result.conflicts().rename(columns={
            c: t(f"golden.{c}", language) for c in ("attribute", "customers", "conflicts",
                                                    "conflict_rate")}),
    })
    return paths
