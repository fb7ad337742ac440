"""The GDPR (RGPD) section of the scoping deliverable, measured on the client's data.

What the data can say, and only when it can say it:

- **consent coverage**: when a consent attribute (``email_optin``, any target attribute whose
  name says opt-in or consent) is mapped, the share of records and of customers with a readable
  yes / no, and how many say yes;
- **conflicting opt-ins**: when the crosswalk links the records of one customer, the customers
  whose sources disagree (yes in one, no in another): which one is the proof of consent?
- **customers inactive beyond the retention period**: when an activity date is mapped
  (``last_activity_at``) and a retention period is known (``roadmap: gdpr: retention_months``,
  else read from the target model's retention, e.g. "3 ans après le dernier contact"), the
  customers whose latest activity is older than that, counted at a stated reference date;
- **the legal basis** of the processing is a question to the client (``roadmap: gdpr:
  legal_basis``: consent, contract, legitimate_interest, legal_obligation), never guessed;
- **data minimisation**: the views' findings (:func:`rcu_kit.vision.views.view_findings`).

Computation only: figures and codes, worded by :mod:`rcu_kit.roadmap.registers` and the report.
No personal value leaves this module, only counts.

Examples:
    >>> import pandas as pd
    >>> from rcu_kit.core.config import Attribute, Engagement, MappingEntry, Source
    >>> optin = [MappingEntry(column="optin", attribute="email_optin")]
    >>> eng = Engagement(client="x", sources=[Source(name=n, path=f"{n}.csv") for n in ("crm", "web")],
    ...                  target_model=[Attribute(name="email_optin", type="boolean")],
    ...                  mapping={"crm": optin, "web": optin})
    >>> records = pd.DataFrame({"source": ["crm", "web"], "record_id": ["1", "a"],
    ...                         "email_optin": ["oui", "0"]})
    >>> crosswalk = records[["source", "record_id"]].assign(customer_id=["C1", "C1"])
    >>> figures = gdpr_figures(eng, records, crosswalk)
    >>> figures["consent"]["customers_conflicting"]
    1
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import pandas as pd

from rcu_kit.core.config import Engagement
from rcu_kit.values.dates import parse_dates
from rcu_kit.values.validity import BOOLEANS, TRUE_WORDS

__all__ = ["LEGAL_BASES", "consent_attribute", "activity_attribute",
           "retention_months", "parse_consent", "gdpr_figures", "load_gdpr_records"]

#: The legal bases of article 6 the client may state (``roadmap: gdpr: legal_basis``).
LEGAL_BASES = ("consent", "contract", "legitimate_interest", "legal_obligation")
_CONSENT_WORDS = ("optin", "opt_in", "consent")
_RETENTION_RE = re.compile(r"(\d+)\s*(ans?|années?|years?|mois|months?)\b", re.IGNORECASE)
_SETTINGS = ("retention_months", "legal_basis", "reference_date")


def consent_attribute(engagement: Engagement) -> str | None:
    """The target attribute holding the marketing consent (its name says opt-in or consent)."""
    for attribute in engagement.target_model:
        if any(word in attribute.name.lower() for word in _CONSENT_WORDS):
            return attribute.name
    return None


def activity_attribute(engagement: Engagement) -> str | None:
    """The date attribute that starts the retention period: ``last_activity_at``, else the first
    date attribute whose name says activity."""
    names = [a.name for a in engagement.target_model]
    if "last_activity_at" in names:
        return "last_activity_at"
    return next((a.name for a in engagement.target_model
                 if a.type == "date" and "activ" in a.name.lower()), None)


def retention_months(engagement: Engagement, settings: dict[str, Any] | None = None
                     ) -> tuple[int | None, str]:
    """The retention period of an inactive customer, in months, and where it comes from.

    ``roadmap: gdpr: retention_months`` when set (``setting``), else the period most personal
    attributes of the target model state in words ("3 ans après le dernier contact": 36,
    ``target_model``), else ``(None, "unknown")``.

    Examples:
        >>> from rcu_kit.core.config import Attribute, Engagement
        >>> eng = Engagement(client="x", target_model=[
        ...     Attribute(name="email", gdpr_category="contact", retention="3 ans après le dernier contact"),
        ...     Attribute(name="created_at", retention="Durée de la relation")])
        >>> retention_months(eng)
        (36, 'target_model')
    """
    given = (settings or {}).get("retention_months")
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
            raise ValueError(f"roadmap.gdpr.retention_months: expected a whole number of months "
                             f"> 0, got {given!r}")
        return given, "setting"
    found = Counter()
    for attribute in engagement.target_model:
        if attribute.gdpr_category == "none":
            continue
        match = _RETENTION_RE.search(attribute.retention or "")
        if match:
            n, unit = int(match.group(1)), match.group(2).lower()
            found[n if unit.startswith(("mois", "month")) else 12 * n] += 1
    if not found:
        return None, "unknown"
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[0][0], "target_model"


def parse_consent(values: pd.Series) -> pd.Series:
    """Yes / no values (oui/non, vrai/faux, true/false, 1/0...) as True / False; anything else,
    blanks included, as missing (a nullable boolean)."""
    text = values.astype("string").str.strip().str.lower()
    known = text.isin(BOOLEANS).fillna(False)
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[known] = text[known].isin(TRUE_WORDS)
    return out


def _check_settings(settings: dict[str, Any]) -> None:
    unknown = set(settings) - set(_SETTINGS)
    if unknown:
        raise ValueError(f"roadmap.gdpr: unknown key(s) {', '.join(sorted(unknown))}; keys are: "
                         f"{', '.join(_SETTINGS)}")
    basis = settings.get("legal_basis")
    if basis is not None and basis not in LEGAL_BASES:
        raise ValueError(f"roadmap.gdpr.legal_basis: {basis!r} is not a legal basis; allowed: "
                         f"{', '.join(LEGAL_BASES)}")


def gdpr_figures(engagement: Engagement, records: pd.DataFrame | None = None,
                 crosswalk: pd.DataFrame | None = None, *, today: date | None = None,
                 settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the data says about consent and retention, and what the client must still state.

    Args:
        engagement: the engagement (target model, mapping, views).
        records: the sources' records in the common layout (``source``, ``record_id``, one
            column per mapped attribute, values as loaded: :func:`load_gdpr_records`); None:
            not available.
        crosswalk: ``source``, ``record_id``, ``customer_id`` (the deduplication's); None:
            customers cannot be counted.
        today: the reference date of the retention count (``settings["reference_date"]``, else
            the date of the run).
        settings: the engagement's ``roadmap: gdpr:`` (``retention_months``, ``legal_basis``,
            ``reference_date``).

    Returns:
        ``consent``: ``attribute`` (None without one), ``sources`` (those mapping it),
        ``records`` (records of those sources), ``records_known`` (a readable yes / no),
        ``records_yes``, ``customers`` (customers with a record in those sources),
        ``customers_known``, ``customers_yes`` (a yes in at least one source),
        ``customers_conflicting`` (a yes and a no from different sources), or None each when the
        data does not allow it; ``inactive``: ``attribute``, ``retention_months``,
        ``retention_from``, ``reference_date`` (ISO), ``customers_dated`` (customers with a
        readable activity date), ``customers_inactive``; ``legal_basis`` (None: to ask);
        ``minimisation`` (the views' findings per issue code) and ``missing`` (codes of what
        could not be measured: ``no_consent_attribute``, ``consent_not_mapped``,
        ``no_records``, ``no_crosswalk``, ``no_activity_attribute``, ``no_retention``).

    Raises:
        ValueError: a bad ``roadmap: gdpr:`` setting (named), or records without ``source`` and
            ``record_id``.
    """
    from rcu_kit.vision.views import view_findings

    settings = dict(settings or {})
    _check_settings(settings)
    if settings.get("reference_date") is not None:
        try:
            today = date.fromisoformat(str(settings["reference_date"]))
        except ValueError:
            raise ValueError("roadmap.gdpr.reference_date: expected a date as YYYY-MM-DD, got "
                             f"{settings['reference_date']!r}") from None
    today = today or date.today()
    missing: list[str] = []
    if records is not None and not {"source", "record_id"} <= set(records.columns):
        raise ValueError("GDPR figures: the records need 'source' and 'record_id' columns "
                         "(the common layout of rcu_kit.dedup.run.map_sources)")
    if records is None:
        missing.append("no_records")
    if crosswalk is None:
        missing.append("no_crosswalk")
    linked = None
    if records is not None and crosswalk is not None:
        linked = records.astype({"source": str, "record_id": str}).merge(
            crosswalk[["source", "record_id", "customer_id"]].astype(str),
            on=["source", "record_id"], how="left")

    consent: dict[str, Any] = dict.fromkeys(
        ("sources", "records", "records_known", "records_yes", "customers", "customers_known",
         "customers_yes", "customers_conflicting"))
    consent["attribute"] = name = consent_attribute(engagement)
    mapped = [s for s, entries in engagement.mapping.items()
              if name and any(e.attribute == name for e in entries)]
    if name is None:
        missing.append("no_consent_attribute")
    elif not mapped:
        missing.append("consent_not_mapped")
    else:
        consent["sources"] = mapped
        if records is not None and name in records.columns:
            mine = records[records["source"].astype(str).isin(mapped)]
            answer = parse_consent(mine[name])
            consent.update(records=int(len(mine)), records_known=int(answer.notna().sum()),
                           records_yes=int(answer.fillna(False).sum()))
        if linked is not None and name in linked.columns:
            mine = linked[linked["source"].isin(mapped)].assign(answer=lambda f: parse_consent(f[name]))
            known = mine[mine["answer"].notna()]
            per = known.groupby("customer_id")
            yes_sources = known[known["answer"].astype(bool)].groupby("customer_id")["source"].agg(set)
            no_sources = known[~known["answer"].astype(bool)].groupby("customer_id")["source"].agg(set)
            both = yes_sources.index.intersection(no_sources.index)
            # a conflict across sources: a yes in one source and a no in another (a yes and a no
            # within one source only is that source's duplicate, not a conflict between sources)
            conflicting = sum(1 for c in both
                              if any(a != b for a in yes_sources[c] for b in no_sources[c]))
            consent.update(customers=int(mine["customer_id"].nunique()),
                           customers_known=int(per.ngroups), customers_yes=int(len(yes_sources)),
                           customers_conflicting=int(conflicting))

    months, origin = retention_months(engagement, settings)
    activity = activity_attribute(engagement)
    inactive: dict[str, Any] = {"attribute": activity, "retention_months": months,
                                "retention_from": origin, "reference_date": today.isoformat(),
                                "customers_dated": None, "customers_inactive": None}
    if activity is None:
        missing.append("no_activity_attribute")
    if months is None:
        missing.append("no_retention")
    if activity and months and linked is not None and activity in linked.columns:
        dates = linked.assign(when=parse_dates(linked[activity].astype("string")))
        latest = dates.dropna(subset=["when"]).groupby("customer_id")["when"].max()
        limit = pd.Timestamp(today) - pd.DateOffset(months=months)
        inactive.update(customers_dated=int(len(latest)),
                        customers_inactive=int((latest < limit).sum()))

    findings = view_findings(engagement)
    return {"consent": consent, "inactive": inactive,
            "legal_basis": settings.get("legal_basis"),
            "minimisation": {k: int(v) for k, v in findings["issue"].value_counts().sort_index().items()},
            "missing": missing}


def load_gdpr_records(engagement: Engagement) -> pd.DataFrame | None:
    """The sources' records in the common layout, reduced to what the GDPR figures read
    (``source``, ``record_id``, the consent and activity attributes); None when no source loads
    or a source is not mapped yet (the figures then say so)."""
    from rcu_kit.dedup.run import map_sources
    from rcu_kit.mapping.transforms import MappingError
    from rcu_kit.sources.loaders import load_all

    wanted = [a for a in (consent_attribute(engagement), activity_attribute(engagement)) if a]
    loaded = load_all(engagement)
    if not loaded or not wanted:
        return None
    try:
        mapped = map_sources(engagement, loaded)
    except (MappingError, ValueError):
        return None
    return mapped[["source", "record_id", *[a for a in wanted if a in mapped.columns]]]
