"""GDPR figures measured on handmade records: consent coverage, conflicting opt-ins across
sources for one customer, customers inactive beyond the retention period, the legal basis as a
question, the views' data minimisation findings."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from rcu_kit.core.config import Attribute, Engagement, MappingEntry, Source, View
from rcu_kit.roadmap.gdpr import gdpr_figures, parse_consent, retention_months


def _engagement(**kw) -> Engagement:
    optin = [MappingEntry(column="optin", attribute="email_optin"),
             MappingEntry(column="last", attribute="last_activity_at")]
    return Engagement(
        client="x", sources=[Source(name=n, path=f"{n}.csv") for n in ("crm", "web", "shop")],
        target_model=[
            Attribute(name="last_name", gdpr_category="identity", retention="3 ans après le dernier contact"),
            Attribute(name="email", gdpr_category="contact", retention="36 mois"),
            Attribute(name="email_optin", type="boolean", gdpr_category="contact",
                      retention="Durée du consentement"),
            Attribute(name="last_activity_at", type="date")],
        mapping={"crm": optin, "web": optin,
                 "shop": [MappingEntry(column="last", attribute="last_activity_at")]},
        views=[View(name="Marketing", attributes=["last_name", "email_optin"])], **kw)


# five customers over seven records:
# C1 crm yes + web no     -> a conflict across sources
# C2 crm yes + crm no     -> a yes and a no within one source only: not across sources
# C3 web "peut-être"      -> unreadable: no known consent
# C4 crm oui + web 1      -> known, yes, no conflict
# C5 shop only            -> the shop does not map the consent: not counted for consent
RECORDS = pd.DataFrame([
    ("crm", "1", "oui", "2020-01-15"),
    ("web", "a", "false", "2025-06-01"),
    ("crm", "2", "VRAI", "01/02/2021"),
    ("crm", "3", "non", "2021-03-01"),
    ("web", "b", "peut-être", None),
    ("crm", "4", "oui", "2023-12-31"),
    ("web", "c", "1", "x"),
    ("shop", "s1", None, "2019-05-05"),
], columns=["source", "record_id", "email_optin", "last_activity_at"])
CROSSWALK = pd.DataFrame({"source": RECORDS["source"], "record_id": RECORDS["record_id"],
                          "customer_id": ["C1", "C1", "C2", "C2", "C3", "C4", "C4", "C5"]})


def test_consent_coverage_and_conflicts_across_sources():
    figures = gdpr_figures(_engagement(), RECORDS, CROSSWALK, today=date(2026, 12, 1))
    consent = figures["consent"]
    assert consent["attribute"] == "email_optin" and consent["sources"] == ["crm", "web"]
    # 7 records in crm and web; 6 readable (not "peut-être"); yes: oui, VRAI, oui, 1
    assert (consent["records"], consent["records_known"], consent["records_yes"]) == (7, 6, 4)
    # customers of crm and web: C1-C4; known C1, C2, C4; a yes somewhere: C1, C2, C4
    assert (consent["customers"], consent["customers_known"], consent["customers_yes"]) == (4, 3, 3)
    # only C1 has a yes in one source and a no in another
    assert consent["customers_conflicting"] == 1
    assert figures["legal_basis"] is None and figures["missing"] == []
    # the Marketing view receives an identity attribute without a purpose
    assert figures["minimisation"] == {"no_purpose": 1}


def test_customers_inactive_beyond_the_retention_period():
    figures = gdpr_figures(_engagement(), RECORDS, CROSSWALK, today=date(2026, 12, 1))
    inactive = figures["inactive"]
    # "3 ans" and "36 mois" both read 36 months; the consent's "Durée du consentement" has no figure
    assert (inactive["retention_months"], inactive["retention_from"]) == (36, "target_model")
    # latest activity: C1 2025-06-01, C2 2021-03-01, C3 none, C4 2023-12-31 ("x" unreadable),
    # C5 2019-05-05; limit 2023-12-01: C2 and C5 are inactive, C4 just active
    assert (inactive["customers_dated"], inactive["customers_inactive"]) == (4, 2)
    # the engagement can state another period and a reference date
    later = gdpr_figures(_engagement(), RECORDS, CROSSWALK,
                         settings={"retention_months": 12, "reference_date": "2026-06-01",
                                   "legal_basis": "consent"})
    # limit 2025-06-01: C1's 2025-06-01 is not older than the limit; C2, C4, C5 are
    assert later["inactive"]["customers_inactive"] == 3
    assert later["inactive"]["retention_from"] == "setting" and later["legal_basis"] == "consent"


def test_what_cannot_be_measured_is_said():
    figures = gdpr_figures(_engagement(), None, None)
    assert figures["missing"] == ["no_records", "no_crosswalk"]
    assert figures["consent"]["customers"] is None and figures["inactive"]["customers_inactive"] is None
    bare = Engagement(client="x", target_model=[Attribute(name="email", gdpr_category="contact")])
    assert gdpr_figures(bare)["missing"] == ["no_records", "no_crosswalk", "no_consent_attribute",
                                            "no_activity_attribute", "no_retention"]
    assert retention_months(bare) == (None, "unknown")


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="roadmap.gdpr.legal_basis: 'consentement' is not a legal basis"):
        gdpr_figures(_engagement(), settings={"legal_basis": "consentement"})
    with pytest.raises(ValueError, match="roadmap.gdpr: unknown key"):
        gdpr_figures(_engagement(), settings={"retention": 3})
    with pytest.raises(ValueError, match="retention_months: expected a whole number"):
        gdpr_figures(_engagement(), settings={"retention_months": "3 ans"})


def test_parse_consent():
    assert parse_consent(pd.Series(["Oui", " non", "1", "0", "", None, "maybe"])).tolist() == [
        True, False, True, False, pd.NA, pd.NA, pd.NA]
