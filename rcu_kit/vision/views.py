"""Views per role and per consuming application: who receives which golden attributes, and why.

The data are unique, the views are not: sales, customer service, marketing, finance and each
consuming application receive only the golden attributes they need. The engagement lists them
(``views``: name, kind, attributes, purpose); this module lays them out as a role x attribute
matrix, checks them against the target model's GDPR categories and retention (data
minimisation); the golden records are written per view by
:func:`rcu_kit.golden.write_golden_outputs`. The findings are codes;
:func:`views_table` and :func:`view_findings_table` word them for the client (``vision.*``).

Examples:
    >>> from rcu_kit.core.config import Attribute, Engagement, View
    >>> eng = Engagement(client="x", target_model=[Attribute(name="last_name",
    ...     gdpr_category="identity", retention="3 ans")],
    ...     views=[View(name="Marketing", attributes=["last_name"])])
    >>> view_findings(eng)[["view", "attribute", "issue"]].values.tolist()
    [['Marketing', 'last_name', 'no_purpose']]
"""

from __future__ import annotations

import pandas as pd

from rcu_kit.core.config import Engagement

__all__ = ["PURPOSE_NEEDED", "view_matrix", "view_findings", "views_table", "view_findings_table"]

# GDPR categories a view may receive only with a stated purpose (data minimisation)
PURPOSE_NEEDED = ("identity", "financial", "sensitive")
FINDING_COLUMNS = ["view", "kind", "attribute", "gdpr_category", "issue"]


def view_matrix(engagement: Engagement) -> pd.DataFrame:
    """One row per target attribute (target-model order), one boolean column per view: True when
    the view receives the attribute."""
    attributes = [a.name for a in engagement.target_model]
    return pd.DataFrame({v.name: [a in v.attributes for a in attributes]
                         for v in engagement.views}, index=pd.Index(attributes, name="attribute"))


def view_findings(engagement: Engagement) -> pd.DataFrame:
    """What data minimisation asks about each view, one row per (view, attribute, issue):

    * ``no_purpose``: the view receives an identity, financial or sensitive attribute
      (:data:`PURPOSE_NEEDED`) and states no purpose;
    * ``no_retention``: it receives a personal attribute (any GDPR category but ``none``) whose
      retention the target model does not state.

    Returns:
        ``view, kind, attribute, gdpr_category, issue``, in the order of the views then of
        their attributes.
    """
    categories = {a.name: a for a in engagement.target_model}
    rows = []
    for view in engagement.views:
        for name in view.attributes:
            attribute = categories.get(name)
            if attribute is None:
                continue
            if attribute.gdpr_category in PURPOSE_NEEDED and not view.purpose.strip():
                rows.append((view.name, view.kind, name, attribute.gdpr_category, "no_purpose"))
            if attribute.gdpr_category != "none" and not attribute.retention.strip():
                rows.append((view.name, view.kind, name, attribute.gdpr_category, "no_retention"))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def views_table(engagement: Engagement, language: str | None = None) -> pd.DataFrame:
    """Client-facing role x attribute matrix: one row per target attribute (its label and GDPR
    category in ``language``), one column per view, ``✓`` where the view receives it."""
    from rcu_kit.core.i18n import t

    lang = language or engagement.language
    matrix = view_matrix(engagement)
    out = pd.DataFrame({
        t("vision.label", lang): [a.label(lang) for a in engagement.target_model],
        t("vision.gdpr_category", lang): [t(f"vision.gdpr_{a.gdpr_category}", lang)
                                          for a in engagement.target_model]})
    for view in engagement.views:
        out[view.name] = ["✓" if x else "" for x in matrix[view.name]]
    return out


def view_findings_table(engagement: Engagement, language: str | None = None) -> pd.DataFrame:
    """Client-facing :func:`view_findings`: view, attribute label, GDPR category and the finding
    in words."""
    from rcu_kit.core.i18n import t

    lang = language or engagement.language
    found = view_findings(engagement)
    labels = {a.name: a.label(lang) for a in engagement.target_model}
    return pd.DataFrame({
        t("vision.view", lang): found["view"].tolist(),
        t("vision.label", lang): [labels.get(a, a) for a in found["attribute"]],
        t("vision.gdpr_category", lang): [t(f"vision.gdpr_{c}", lang) for c in found["gdpr_category"]],
        t("vision.view_finding", lang): [t(f"vision.view_{i}", lang) for i in found["issue"]]})
