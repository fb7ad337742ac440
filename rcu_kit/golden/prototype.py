"""What the RCU prototype page (notebook 04b in the report) shows, computed from its objects.

* :func:`golden_figures`: how many golden records, from how many records, how many values were
  contested and how they were decided (the lineage, summarised);
* :func:`survivorship_table`: per attribute, the rule applied, the customers with a value and
  those whose records disagreed;
* :func:`typed_record`: a record *typed again* from the data, as a web form would receive it
  (names in normal case, a slip in the e-mail, no phone), to show the preventive check;
* :func:`preventive_example`: that record's candidates (masked) and the check's decision, through
  :mod:`rcu_kit.golden.preventive`'s public API.

Computation only: codes and numbers, the headers in the report's language; the notebook shows
them with :func:`rcu_kit.report.tables.client_table`.

Examples:
    >>> import pandas as pd
    >>> records = pd.DataFrame({"source": ["crm", "web"], "record_id": ["1", "a"],
    ...                         "last_name": ["DUPONT", "DUPONT"], "first_name": ["JEAN", "JEAN"],
    ...                         "email": ["jean.dupont@free.fr", None], "phone": [None, None],
    ...                         "postcode": ["75011", "75011"]})
    >>> crosswalk = records[["source", "record_id"]].assign(customer_id=["C1", "C1"])
    >>> typed, customer = typed_record(records, crosswalk)
    >>> typed["last_name"], typed["email"], customer
    ('Dupont', 'jaen.dupont@free.fr', 'C1')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["golden_figures", "survivorship_table", "golden_sample", "typed_record",
           "preventive_example", "TYPED_ATTRIBUTES"]

#: What a web form asks, in this order: the attributes a typed record holds.
TYPED_ATTRIBUTES = ("civility", "last_name", "first_name", "birth_date", "email", "phone",
                    "postcode", "city")


def golden_figures(result: Any, language: str) -> pd.DataFrame:
    """The golden records in a few figures: ``figure`` (worded) and ``value``.

    Rows: golden records (one per customer; with a ``customer_status``, how many are customers
    and prospects by the engagement's definition), records they come from, customers made of
    several records, values kept, values on which a customer's records disagreed (and their
    share), and values left out as invalid.

    Args:
        result: a :class:`rcu_kit.golden.records.GoldenResult`.
        language: ``fr`` or ``en``.
    """
    from rcu_kit.core.i18n import t

    golden, lineage = result.golden, result.lineage
    conflicts = int(lineage["conflict"].sum()) if len(lineage) else 0
    rejected = int(result.rejected["records"].sum()) if len(result.rejected) else 0
    by_rule = [(f"status_{k}", int((golden["customer_status"] == k).sum()))
               for k in ("customer", "prospect")] if "customer_status" in golden else []
    rows = [("golden_records", len(golden)), *by_rule, ("records", int(golden["n_records"].sum())),
            ("merged_customers", int((golden["n_records"] > 1).sum())),
            ("values", len(lineage)), ("contested_values", conflicts),
            ("contested_share", round(100 * conflicts / len(lineage), 1) if len(lineage) else None),
            ("rejected_values", rejected)]
    return pd.DataFrame({"figure": [t(f"golden.fig_{k}", language) for k, _ in rows],
                         "value": pd.Series([v for _, v in rows], dtype=object)})


def survivorship_table(result: Any, language: str,
                       labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per attribute: the survivorship rule, the customers with a value, those whose records
    disagreed (a choice was made) and their share, most contested first (ties: the lineage's
    order). Columns ``attribute``, ``rule``, ``customers``, ``conflicts``, ``conflict_rate``
    (headers: ``golden.<column>``).

    Args:
        result: a :class:`rcu_kit.golden.records.GoldenResult`.
        language: ``fr`` or ``en`` (headers and rule names).
        labels: attribute -> the client's label (the target model's).
    """
    from rcu_kit.core.i18n import t

    labels = labels or {}
    table = result.conflicts()
    rule_of = {a: r.rule for r in result.rules for a in r.attributes}
    table = table.assign(_order=np.arange(len(table))).sort_values(
        ["conflict_rate", "_order"], ascending=[False, True], kind="stable")
    out = pd.DataFrame({
        "attribute": [labels.get(a) or a for a in table["attribute"]],
        "rule": [t(f"golden.rule_{rule_of[a]}", language) if a in rule_of else None
                 for a in table["attribute"]],
        "customers": table["customers"].astype(int).to_numpy(),
        "conflicts": table["conflicts"].astype(int).to_numpy(),
        "conflict_rate": table["conflict_rate"].astype(float).to_numpy()})
    return out


def golden_sample(result: Any, language: str, *, mask: bool, n: int = 10) -> pd.DataFrame:
    """The first ``n`` golden records as the page shows them: personal data masked if asked,
    the sources joined by ``, ``, the customer status (when there is one), yes/no values in words
    and dates as the day (:func:`rcu_kit.golden.records.readable_values`).

    Args:
        result: a :class:`rcu_kit.golden.records.GoldenResult`.
        language: ``fr`` or ``en``.
        mask: mask personal data (``engagement.mask_personal_data``).
        n: golden records shown.
    """
    from rcu_kit.core.i18n import t
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_frame

    from rcu_kit.golden.records import readable_values

    sample = readable_values(mask_frame(result.golden.head(n), ATTRIBUTE_MASK_TYPES, enabled=mask),
                             result.types, language)
    sample["sources"] = [", ".join(str(v).split("|")) for v in sample["sources"]]
    if "customer_status" in sample:
        sample["customer_status"] = [t(f"golden.status_{v}", language)
                                     for v in sample["customer_status"]]
    return sample


def _slip(text: str) -> str:
    """The e-mail's local part with its 2nd and 3rd characters swapped (a typing slip)."""
    local, at, domain = text.partition("@")
    if len(local) < 3 or local[1] == local[2]:
        return text
    return f"{local[0]}{local[2]}{local[1]}{local[3:]}{at}{domain}"


def typed_record(records: pd.DataFrame, crosswalk: pd.DataFrame, seed: int = 42
                 ) -> tuple[dict[str, Any], str]:
    """A record of the data typed again, as a web form would receive it, and its customer.

    Among the records holding a last name, a first name, an e-mail and a postcode, one is drawn
    (seeded; one of a customer with several records when there is one): its names in normal
    case (Dupont, Jean), its e-mail with two letters swapped, no phone. The preventive check
    should still find its customer.

    Args:
        records: the standardised records (``DedupRun.records``, crosswalk order).
        crosswalk: ``source, record_id, customer_id``.
        seed: random seed.

    Returns:
        The typed record (:data:`TYPED_ATTRIBUTES` it holds) and the customer it was drawn from.

    Raises:
        ValueError: no record holds a last name, a first name, an e-mail and a postcode.
    """
    needed = ["last_name", "first_name", "email", "postcode"]
    missing = [c for c in needed if c not in records.columns]
    if missing:
        raise ValueError(f"records: no column {', '.join(missing)}: no record to type again")
    full = records[needed].notna().all(axis=1).to_numpy()
    if not full.any():
        raise ValueError("no record holds a last name, a first name, an e-mail and a postcode: "
                         "no record to type again")
    keyed = crosswalk[["source", "record_id"]].astype(str)
    position = pd.MultiIndex.from_frame(keyed).get_indexer(
        pd.MultiIndex.from_frame(records[["source", "record_id"]].astype(str)))
    customer = crosswalk["customer_id"].astype(str).to_numpy()[position]
    sizes = pd.Series(customer).map(pd.Series(customer).value_counts()).to_numpy()
    pool = np.flatnonzero(full & (sizes > 1)) if (full & (sizes > 1)).any() else np.flatnonzero(full)
    chosen = int(np.random.default_rng(seed).choice(pool))
    row = records.iloc[chosen]
    typed: dict[str, Any] = {}
    for column in TYPED_ATTRIBUTES:
        if column == "phone" or column not in records.columns or pd.isna(row[column]):
            continue
        value = str(row[column])
        if column in ("last_name", "first_name", "city"):
            value = value.title()
        elif column == "email":
            value = _slip(value)
        typed[column] = value
    return typed, str(customer[chosen])


def preventive_example(index: Any, typed: Mapping[str, Any], *, mask: bool, language: str,
                       top: int = 3, expected: str | None = None,
                       labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The preventive check of a typed record, ready to show.

    Args:
        index: the :class:`rcu_kit.golden.preventive.ReferenceIndex`.
        typed: the record (:func:`typed_record`).
        mask: mask personal data (``engagement.mask_personal_data``).
        language: ``fr`` or ``en``.
        top: candidates shown at most.
        expected: the customer the record was typed from (:func:`typed_record`), said found
            or not in ``sentence``.
        labels: attribute -> the client's label (the target model's).

    Returns:
        ``typed`` (``attribute``, its label, and ``typed_value``: the record as typed, masked
        if asked), ``candidates`` (:func:`rcu_kit.golden.preventive.candidates_shown`'s
        ``customer_id``, ``match_probability``, ``source``, ``evidence`` in words and the
        candidate's values, masked if asked; ``record_id`` only when personal data is shown),
        ``decision`` (``same``, ``possible`` or ``new``) and ``best`` (the
        first candidate's customer id, None when there is none) and ``sentence`` (the
        decision in words, and whether the expected customer came first).
    """
    from rcu_kit.golden.preventive import candidates_shown, decision
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_value

    from rcu_kit.core.i18n import fmt_percent, t
    from rcu_kit.golden.review import evidence_words

    labels = labels or {}
    shown = pd.DataFrame({
        "attribute": [labels.get(a) or a for a in typed],
        "typed_value": [mask_value(v, ATTRIBUTE_MASK_TYPES.get(a)) if mask else v
                        for a, v in typed.items()]})
    found = candidates_shown(index, dict(typed), top=top, masked=mask).reset_index(drop=True)

    verdict = decision(found, index.settings.threshold) if len(found) else "new"
    best = str(found["customer_id"].iloc[0]) if len(found) else None
    sentence = t(f"golden.typed_{verdict}", language, customer=best or "",
                 probability=fmt_percent(float(found["match_probability"].iloc[0]), language, 1)
                 if len(found) else "")
    if expected is not None:
        sentence += " " + t("golden.typed_found", language, customer=expected, verdict=t(
            "golden.typed_found_yes" if best == expected else "golden.typed_found_no", language))
    values = [c for c in ("last_name", "first_name", "email", "phone", "postcode") if c in found]
    table = pd.DataFrame({
        "customer_id": found["customer_id"].astype(str).to_numpy(),
        "match_probability": found["match_probability"].to_numpy(float),
        "source": found["source"].astype(str).to_numpy(),
        **({"record_id": found["record_id"].astype(str).to_numpy()}
           if not mask else {}),  # record ids are personal data
        "evidence": [evidence_words(e, language) for e in found["evidence"]],
        **{c: found[c].to_numpy(dtype=object) for c in values}})
    return {"typed": shown, "candidates": table, "decision": verdict, "best": best,
            "sentence": sentence}
