"""Golden records: survivorship rules on a handmade cluster with conflicting values."""

from __future__ import annotations

import pandas as pd
import pytest

from rcu_kit.core.config import Attribute, Engagement, Source
from rcu_kit.golden.records import (
    SurvivorshipSettings,
    build_golden_records,
    default_survivorship,
    golden_for_engagement,
    write_golden_outputs,
)

COLUMNS = ["source", "record_id", "last_name", "first_name", "email", "phone", "street",
           "postcode", "city", "created_at", "last_activity_at"]
ROWS = [
    # Customer C1: four records that disagree.
    ("crm", "1", "DUPONT", "JP", "jp.dupont@gmail.com", "+33612345678", "12 RUE DES LILAS",
     "75011", "PARIS", "2015-01-10", "2021-05-01"),
    ("web", "7", "DUPONT", "JEAN PIERRE", "jean-pierre.dupont@free.fr", "+33698765432",
     "3 AVENUE FOCH", "69006", "LYON", "2019-03-03", "2024-02-01"),
    ("fid", "3", "DUPOND", "JEAN", "not-an-email", None, None, None, None, "2012-07-07",
     "15/06/2025"),
    ("bill", "5", "DUPONT", "JEAN PIERRE", "jp.dupont@gmail.com", "+33612345678",
     "12 RUE DES LILAS", "75011", "PARIS", None, None),
    # Customer C2: one record.
    ("crm", "2", "MARTIN", "LUC", None, "+33145678901", "1 RUE DE LA PAIX", "75002", "PARIS",
     "2020-01-01", "2020-06-01"),
]
SETTINGS = {
    "source_priority": ["bill", "crm", "web", "fid"],
    "recency": ["last_activity_at"],
    "attributes": {
        "last_name": "most_frequent",
        "first_name": "most_complete",
        "email": "most_recent",
        "phone": {"rule": "source_priority", "sources": ["web", "crm"]},
        "created_at": "earliest",
        "last_activity_at": "latest",
    },
    "groups": {"address": {"attributes": ["street", "postcode", "city"], "rule": "most_recent"}},
}


@pytest.fixture()
def records() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


@pytest.fixture()
def crosswalk(records) -> pd.DataFrame:
    return records[["source", "record_id"]].assign(customer_id=["C1", "C1", "C1", "C1", "C2"])


def test_survivorship_on_a_conflicting_cluster(records, crosswalk):
    result = build_golden_records(records, crosswalk, SETTINGS)
    c1 = result.golden.set_index("customer_id").loc["C1"]
    # DUPONT is held by 3 records against 1 DUPOND.
    assert c1["last_name"] == "DUPONT"
    # JEAN PIERRE (11 characters) beats JEAN and JP.
    assert c1["first_name"] == "JEAN PIERRE"
    # The most recent record (fid, 15/06/2025) has an invalid e-mail: the next one (web, 2024).
    assert c1["email"] == "jean-pierre.dupont@free.fr"
    # Phone by source priority web > crm: web's number, although crm and bill agree on another.
    assert c1["phone"] == "+33698765432"
    # Address kept together from the most recent record that has one (web): no crm street with
    # a Lyon city.
    assert (c1["street"], c1["postcode"], c1["city"]) == ("3 AVENUE FOCH", "69006", "LYON")
    assert c1["created_at"] == "2012-07-07"           # earliest of three dates
    assert c1["last_activity_at"] == "15/06/2025"     # latest, read day first
    assert c1["n_records"] == 4 and c1["sources"] == "bill|crm|fid|web"
    c2 = result.golden.set_index("customer_id").loc["C2"]
    assert (c2["last_name"], c2["email"], c2["n_records"]) == ("MARTIN", None, 1)
    # Every record is counted once.
    assert result.golden["n_records"].sum() == 5


def test_lineage_names_source_record_and_conflict(records, crosswalk):
    result = build_golden_records(records, crosswalk, SETTINGS)
    lin = result.lineage.set_index(["customer_id", "attribute"])
    # Three DUPONT records against one DUPOND: support decided; among the three, the declared
    # update date (recency: last_activity_at) puts web (2024) before crm (2021) and bill (none).
    assert tuple(lin.loc[("C1", "last_name"), ["source", "record_id", "decided_by"]]) == \
        ("web", "7", "support")
    # JEAN PIERRE (11 letters) in web and bill: web is the more recently updated of the two.
    assert tuple(lin.loc[("C1", "first_name"), ["source", "record_id", "decided_by"]]) == \
        ("web", "7", "length")
    email = lin.loc[("C1", "email")]
    # Three usable e-mails (the invalid one left out), two distinct values.
    assert (email["source"], email["candidates"], email["distinct_values"], email["conflict"]) \
        == ("web", 3, 2, True)
    assert tuple(lin.loc[("C1", "city"), ["source", "record_id", "rule"]]) == \
        ("web", "7", "most_recent (address)")
    assert tuple(lin.loc[("C1", "created_at"), ["source", "record_id"]]) == ("fid", "3")
    c2 = lin.loc[("C2", "last_name")]
    assert (c2["candidates"], c2["conflict"]) == (1, False)
    # C2 has no e-mail: no lineage row for it. 9 attributes: C1 9 values, C2 8 (no e-mail).
    assert ("C2", "email") not in lin.index
    assert len(result.lineage) == 17
    assert result.rejected.to_dict("records") == [{"attribute": "email", "records": 1}]
    conflicts = result.conflicts().set_index("attribute")
    # last_name: C1 disagrees (DUPONT/DUPOND), C2 does not.
    assert conflicts.loc["last_name", "conflicts"] == 1
    assert conflicts.loc["last_name", "conflict_rate"] == 0.5


def test_valid_only_off_keeps_the_invalid_value(records, crosswalk):
    settings = {**SETTINGS, "attributes": {**SETTINGS["attributes"],
                                           "email": {"rule": "source_priority", "sources": ["fid"],
                                                     "valid_only": False}}}
    result = build_golden_records(records, crosswalk, settings)
    assert result.golden.set_index("customer_id").loc["C1", "email"] == "not-an-email"
    # Four candidates now (the invalid one counted), three distinct values.
    email = result.lineage.set_index(["customer_id", "attribute"]).loc[("C1", "email")]
    assert (email["candidates"], email["distinct_values"], email["decided_by"]) == \
        (4, 3, "source_priority")


def test_default_rule_and_tie_breaks_are_deterministic(records, crosswalk):
    # No settings: most_frequent everywhere, ties by first appearance of the source.
    golden = build_golden_records(records, crosswalk).golden.set_index("customer_id")
    # Phones: +33612345678 twice (crm, bill) against once.
    assert golden.loc["C1", "phone"] == "+33612345678"
    # First names JEAN PIERRE x2 against JP, JEAN.
    assert golden.loc["C1", "first_name"] == "JEAN PIERRE"
    shuffled = records.sample(frac=1, random_state=3)
    again = build_golden_records(shuffled, crosswalk, source_order=["crm", "web", "fid", "bill"])
    assert again.golden.set_index("customer_id").loc["C1", "city"] == "PARIS"


def test_bad_inputs_name_the_problem(records, crosswalk):
    with pytest.raises(ValueError, match=r"1 record\(s\) have no customer id, e.g. crm/2"):
        build_golden_records(records, crosswalk.iloc[:4])
    with pytest.raises(ValueError, match="unknown survivorship rule 'newest'.*most_recent"):
        build_golden_records(records, crosswalk, {"attributes": {"email": "newest"}})
    with pytest.raises(ValueError, match="unknown key.*priority"):
        SurvivorshipSettings.coerce({"priority": ["crm"]})
    with pytest.raises(ValueError, match="'city' is already in group"):
        SurvivorshipSettings.coerce({"groups": {"a": {"attributes": ["city"]},
                                                "b": {"attributes": ["city", "postcode"]}}})
    with pytest.raises(ValueError, match="attribute\\(s\\) siret not in the records"):
        build_golden_records(records, crosswalk, attributes=["email", "siret"])


def _engagement(tmp_path, survivorship) -> Engagement:
    sources = [Source(name=n, path=f"{n}.csv") for n in ("crm", "web", "fid", "bill")]
    model = [Attribute(name=n, type=t) for n, t in (
        ("last_name", "string"), ("first_name", "string"), ("email", "email"),
        ("phone", "phone"), ("street", "string"), ("postcode", "postcode"), ("city", "string"),
        ("created_at", "date"), ("last_activity_at", "date"), ("siret", "siret"))]
    return Engagement(client="T", sources=sources, target_model=model, base_dir=tmp_path,
                      survivorship=survivorship)


def test_engagement_rules_merge_over_the_defaults(tmp_path, records, crosswalk):
    eng = _engagement(tmp_path, {"source_priority": ["web"],
                                 "attributes": {"last_name": "source_priority"}})
    result = golden_for_engagement(eng, records, crosswalk)
    golden = result.golden.set_index("customer_id")
    # Golden columns: the target model's attributes present in the records (no siret).
    assert list(golden.columns[2:]) == ["last_name", "first_name", "email", "phone", "street",
                                        "postcode", "city", "created_at", "last_activity_at"]
    assert golden.loc["C1", "last_name"] == "DUPONT"  # web's value
    # Defaults kept: phone and address most_recent, but the engagement declares no update date:
    # the evidence decides. Both phones are mobiles held by C1 only: crm and bill agree on
    # +33612345678 (support 2 against 1).
    assert golden.loc["C1", "phone"] == "+33612345678"
    phone = result.lineage.set_index(["customer_id", "attribute"]).loc[("C1", "phone")]
    assert (phone["rule"], phone["decided_by"], phone["note"]) == \
        ("most_recent", "support", "no_update_date")
    # Address: crm and bill (12 RUE DES LILAS, 75011 PARIS) agree, web (LYON) alone; fid has none.
    assert golden.loc["C1", "city"] == "PARIS"
    assert default_survivorship()["groups"]["address"]["rule"] == "most_recent"
    with pytest.raises(ValueError, match="unknown source\\(s\\) erp; sources are: crm, web"):
        golden_for_engagement(_engagement(tmp_path, {"source_priority": ["erp"]}), records,
                              crosswalk)


def test_exports_csv_parquet_and_masked_excel(tmp_path, records, crosswalk):
    result = build_golden_records(records, crosswalk, SETTINGS)
    paths = write_golden_outputs(result, tmp_path / "golden", mask=True, language="en")
    assert pd.read_csv(paths["golden_csv"], dtype=str)["customer_id"].tolist() == ["C1", "C2"]
    assert len(pd.read_parquet(paths["lineage_parquet"])) == 17
    sheets = pd.read_excel(paths["workbook"], sheet_name=None, dtype=str)
    assert list(sheets) == ["Golden records", "Value lineage", "Conflicts per attribute",
                            "What decided"]
    text = " ".join(" ".join(map(str, s.to_numpy().ravel())) for s in sheets.values())
    for raw in ("jean-pierre.dupont@free.fr", "+33698765432", "DUPONT", "3 AVENUE FOCH"):
        assert raw not in text
    raw_book = write_golden_outputs(result, tmp_path / "raw", mask=False)["workbook"]
    assert "DUPONT" in pd.read_excel(raw_book, sheet_name=0, dtype=str)["last_name"].tolist()


def test_settings_from_a_mapping_keep_lists_and_name_bad_types():
    # a tuple (e.g. built in code) is kept as the list the settings declare
    settings = SurvivorshipSettings.coerce({"source_priority": ("crm", "web")})
    assert settings.source_priority == ["crm", "web"]
    # No date is an update date unless declared.
    assert settings.recency == [] and settings.update_dates == []
    assert SurvivorshipSettings(recency=("created_at",)).recency == ["created_at"]
    with pytest.raises(ValueError) as err:
        SurvivorshipSettings.coerce({"priority": ["crm"]})
    assert str(err.value) == ("survivorship: unknown key(s) priority; allowed: attributes, "
                              "default_rule, groups, recency, source_priority, update_dates, "
                              "valid_only")
    with pytest.raises(ValueError) as err:
        SurvivorshipSettings.coerce({"attributes": {"email": {"rul": "most_recent"}}})
    assert str(err.value) == ("survivorship.attributes.email: unknown key(s) rul; allowed: rule, "
                              "sources, valid_only")
    with pytest.raises(TypeError, match="^survivorship must be SurvivorshipSettings or a dict, "
                                        "got list$"):
        SurvivorshipSettings.coerce(["crm"])


def test_exports_one_file_per_consuming_view_and_a_sample_workbook(tmp_path, records, crosswalk):
    from rcu_kit.core.config import View

    result = build_golden_records(records, crosswalk, SETTINGS)
    views = [View(name="Service client", attributes=["last_name", "phone", "siret"]),
             View(name="Site web", attributes=["email"])]
    paths = write_golden_outputs(result, tmp_path, views=views, excel_rows=1, language="en")
    # Each view: customer_id and the attributes it receives that the golden records hold
    # (siret is in no source).
    service = pd.read_csv(paths["view:Service client"], dtype=str)
    assert service.columns.tolist() == ["customer_id", "last_name", "phone"]
    assert service["customer_id"].tolist() == ["C1", "C2"]
    assert paths["view:Site web"] == tmp_path / "views" / "site_web.csv"
    assert (tmp_path / "views" / "site_web.parquet").exists()
    # The golden CSV: customer_id and one column per attribute, nothing else.
    assert pd.read_csv(paths["golden_csv"]).columns.tolist() == ["customer_id"] + list(
        result.golden.columns[3:])
    # Two customers, one shown: the workbook says it is a sample and of how many.
    sheets = pd.read_excel(paths["workbook"], sheet_name=None, dtype=str)
    assert list(sheets)[:2] == ["Read me", "Golden records"]
    assert sheets["Read me"].iloc[0, 0].startswith("A reproducible sample of 1 golden records "
                                                   "out of 2")
    assert len(sheets["Golden records"]) == 1
    # headers in the workbook's language; record ids left out when masked (personal data)
    shown = sheets["Golden records"]["Customer id"].iloc[0]
    lineage = sheets["Value lineage"]
    assert set(lineage["Customer id"]) == {shown}
    assert "Record" not in lineage.columns and "record_id" not in lineage.columns
    assert {"Value kept", "Value in the source", "Source"} <= set(lineage.columns)
    with pytest.raises(ValueError, match="views 'Site web' and 'site-web' would both be written"):
        write_golden_outputs(result, tmp_path, views=views + [View(name="site-web")])


def test_yes_no_values_of_the_sources_become_one_form_and_words_in_the_workbook(tmp_path):
    """C1's three records say oui, TRUE and 1 for the consent: one value, true; C2 says FALSE;
    C3's only value, 'peut-être', is no yes/no value and is left out (counted in rejected)."""
    records = pd.DataFrame({"source": ["crm", "web", "fid", "web", "crm"],
                            "record_id": ["1", "2", "3", "4", "5"],
                            "email_optin": ["oui", "TRUE", "1", "FALSE", "peut-être"]})
    crosswalk = records[["source", "record_id"]].assign(customer_id=["C1", "C1", "C1", "C2", "C3"])
    result = build_golden_records(records, crosswalk, attributes=["email_optin"],
                                  attribute_types={"email_optin": "boolean"})
    assert result.golden.set_index("customer_id")["email_optin"].to_dict() == \
        {"C1": "true", "C2": "false", "C3": None}
    assert result.rejected.to_dict("records") == [{"attribute": "email_optin", "records": 1}]
    c1 = result.lineage[result.lineage["customer_id"] == "C1"].iloc[0]
    assert c1["value"] == "true" and c1["decided_by"] == "agreement"
    write_golden_outputs(result, tmp_path, mask=False, language="fr")
    book = pd.read_excel(tmp_path / "golden_records.xlsx", sheet_name=None, dtype=str)
    [sheet] = [s for s in book.values() if "email_optin" in s.columns]
    assert sheet["email_optin"].tolist()[:2] == ["oui", "non"]
    assert pd.read_csv(tmp_path / "golden_records.csv", dtype=str)["email_optin"].tolist()[:2] == \
        ["true", "false"]


def test_the_workbook_shows_dates_as_the_day_and_keeps_masked_birth_dates():
    from rcu_kit.golden.records import readable_values

    golden = pd.DataFrame({"customer_id": ["C1", "C2"],
                           "last_activity_at": ["2023-01-29T04:08:38", "2024-12-26 11:34:03"],
                           "birth_date": ["1983-**-**", None], "email_optin": ["false", "true"]})
    shown = readable_values(golden, {"last_activity_at": "date", "birth_date": "date",
                                     "email_optin": "boolean"}, "en")
    assert shown.to_dict("list") == {"customer_id": ["C1", "C2"],
                                     "last_activity_at": ["2023-01-29", "2024-12-26"],
                                     "birth_date": ["1983-**-**", None],
                                     "email_optin": ["no", "yes"]}
    assert golden["last_activity_at"][0] == "2023-01-29T04:08:38"   # the data are not changed


def test_an_invalid_birth_dates_parts_are_not_a_customer_attribute():
    # standardise_records keeps 13/00/1949's parts for matching only (invalid_birth_date): the
    # golden record's birth date is the valid one, and the parts are no attribute of their own.
    from rcu_kit.standardise import standardise_records

    raw = pd.DataFrame({"source": ["crm", "web"], "record_id": ["1", "1"],
                        "last_name": ["DUPONT", "DUPONT"], "first_name": ["JEAN", "JEAN"],
                        "birth_date": ["13/00/1949", "13/01/1949"]})
    standardised = standardise_records(raw)
    assert standardised["invalid_birth_date"].tolist()[0] == "1949-00-13"
    crosswalk = raw[["source", "record_id"]].assign(customer_id=["C1", "C1"])
    golden = build_golden_records(standardised, crosswalk).golden
    assert "invalid_birth_date" not in golden.columns
    assert golden.loc[golden.index[0], "birth_date"] == "1949-01-13"
