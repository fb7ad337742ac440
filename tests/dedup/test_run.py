"""The deduplication step end to end on a hand-made engagement of three small sources.

The engagement (written by the ``engagement_file`` fixture) holds 19 loadable records of 11
persons, in three conventions:

* ``crm`` (UTF-8, ``,``, dd/mm/yyyy, ``06 22 22 22 22``): 8 persons, one without id (it becomes
  ``#7``: the 7th data row); a last line of bare commas is not a record (the loader leaves it
  out and reports it);
* ``web`` (latin-1, ``;``, ISO dates, ``+33 6 ...``): 6 records;
* ``fidelite`` (cp1252, tab, upper case, ``0622222222``, postcode ``1000`` for ``01000``): 6 data
  lines, one of them (line 7) unreadable (2 fields instead of 8): 5 records.

Persons (customer = set of records):

==================================  ===========================  =================================
person                              records                      why
==================================  ===========================  =================================
Marie DUPONT                        crm C001, web W01, fid F001  same person, three conventions
Pierre DUPONT (father, 1970)        crm C002, fid F002           household trap: same address and
Pierre DUPONT (son, 1998)           web W02, fid F003            landline as his father
Jean MARTIN (1960)                  crm C004, fid F004           homonym trap: W03 is another
Jean MARTIN (1985)                  web W03                      Jean MARTIN in Lyon 2e
Sophie BERNARD                      crm C005, crm C008, web W04  duplicate within crm; typo BERNRAD
Claire BERNARD (twin sister)        web W06                      same address and birth date
Luc FAURE                           crm C006, fid F006           postcode 01000 written 1000
Hélène PETIT, Karim BENALI          crm C007, web W05            alone
Paul LEROY (no id, nothing else)    crm #7                       a customer of its own
==================================  ===========================  =================================
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
import yaml

from rcu_kit.dedup import run as dedup
from rcu_kit.core.config import load_engagement
from rcu_kit.mapping.transforms import MappingError

CRM = """id_client,civilite,nom,prenom,date_naissance,email,telephone,adresse,code_postal,ville
C001,Mme,DUPONT,Marie,30/08/1972,marie.martin@orange.fr,06 22 22 22 22,12 rue des Lilas,75011,Paris
C002,M.,DUPONT,Pierre,12/05/1970,famille.dupont@free.fr,01 43 00 00 01,12 rue des Lilas,75011,Paris
C004,M.,MARTIN,Jean,15/01/1960,,,3 rue Victor Hugo,69002,Lyon
C005,Mme,BERNARD,Sophie,01/12/1990,sophie.bernard@yahoo.fr,,22 rue Nationale,59000,Lille
C006,M.,FAURE,Luc,03/03/1982,luc.faure@wanadoo.fr,04 74 00 00 00,5 avenue Alsace Lorraine,01000,Bourg-en-Bresse
C007,Mme,PETIT,Hélène,19/09/1965,helene.petit@gmail.com,02 40 00 00 07,8 quai de la Fosse,44000,Nantes
,M.,LEROY,Paul,,,,,,
C008,Mme,Bernard,Sophie,01/12/1990,,06 44 44 44 44,22 r. Nationale,59000,Lille
,,,,,,,,,
"""
WEB = """customer_id;lastname;firstname;birthdate;mail;mobile;address;zip;town
W01;Dupont;Marie;1972-08-30;marie.martin@orange.fr;+33 6 22 22 22 22;12, r. des Lilas;75011;PARIS
W02;Dupont;Pierre;1998-07-21;pierre.dupont98@gmail.com;+33 6 55 55 55 55;12 rue des Lilas;75011;PARIS
W03;Martin;Jean;1985-11-02;jmartin85@gmail.com;+33 6 77 77 77 77;40 rue de la République;69002;LYON
W04;Bernrad;Sophie;1990-12-01;sophie.bernard@yahoo.fr;+33 6 44 44 44 44;22 rue Nationale;59000;LILLE
W05;Benali;Karim;1979-04-14;karim.benali@free.fr;+33 6 88 88 88 88;3 boulevard National;13001;MARSEILLE
W06;Bernard;Claire;1990-12-01;claire.bernard@yahoo.fr;+33 6 99 99 99 99;22 rue Nationale;59000;LILLE
"""
FID = ("NUM_CARTE\tNOM\tPRENOM\tDATE_NAIS\tTEL\tADRESSE\tCP\tVILLE\n"
       "F001\tDUPONT\tMARIE\t30/08/1972\t0622222222\t12 RUE DES LILAS\t75011\tPARIS\n"
       "F002\tDUPONT\tPIERRE\t12/05/1970\t0143000001\t12 RUE DES LILAS\t75011\tPARIS\n"
       "F003\tDUPONT\tPIERRE\t21/07/1998\t0143000001\t12 RUE DES LILAS\t75011\tPARIS\n"
       "F004\tMARTIN\tJEAN\t15/01/1960\t\t3 RUE VICTOR HUGO\t69002\tLYON\n"
       "F006\tFAURE\tLUC\t03/03/1982\t0474000000\t5 AV ALSACE LORRAINE\t1000\tBOURG EN BRESSE\n"
       "F007\tBROKEN LINE\n")

EXPECTED_CUSTOMERS = {
    frozenset({("crm", "C001"), ("web", "W01"), ("fidelite", "F001")}),
    frozenset({("crm", "C002"), ("fidelite", "F002")}),
    frozenset({("web", "W02"), ("fidelite", "F003")}),
    frozenset({("crm", "C004"), ("fidelite", "F004")}),
    frozenset({("web", "W03")}),
    frozenset({("crm", "C005"), ("crm", "C008"), ("web", "W04")}),
    frozenset({("web", "W06")}),
    frozenset({("crm", "C006"), ("fidelite", "F006")}),
    frozenset({("crm", "C007")}),
    frozenset({("web", "W05")}),
    frozenset({("crm", "#7")}),
}


def _entry(column, attribute, transform=None):
    return {"column": column, "attribute": attribute, **({"transform": transform} if transform else {})}


def write_engagement(folder, *, show_raw=False, mapping=None, dedup_section=None, crm=CRM):
    (folder / "crm.csv").write_text(crm, encoding="utf-8")
    (folder / "web.csv").write_text(WEB, encoding="latin-1")
    (folder / "fid.csv").write_text(FID, encoding="cp1252")
    default_mapping = {
        "crm": [_entry("civilite", "civility"), _entry("nom", "last_name"),
                _entry("prenom", "first_name"),
                _entry("date_naissance", "birth_date", "parse_date_dmy"), _entry("email", "email"),
                _entry("telephone", "phone"), _entry("adresse", "street"),
                _entry("code_postal", "postcode"), _entry("ville", "city")],
        "web": [_entry("lastname", "last_name"), _entry("firstname", "first_name"),
                _entry("birthdate", "birth_date"), _entry("mail", "email"),
                _entry("mobile", "phone"), _entry("address", "street"), _entry("zip", "postcode"),
                _entry("town", "city")],
        "fidelite": [_entry("NOM", "last_name"), _entry("PRENOM", "first_name"),
                     _entry("DATE_NAIS", "birth_date", "parse_date_dmy"), _entry("TEL", "phone"),
                     _entry("ADRESSE", "street"), _entry("CP", "postcode", "restore_postcode_zero"),
                     _entry("VILLE", "city")],
    }
    data = {
        "client": "Test", "language": "en",
        "personal_data": {"show_raw_values": show_raw},
        "sources": [
            {"name": "crm", "format": "csv", "path": "crm.csv", "id_column": "id_client"},
            {"name": "web", "format": "csv", "path": "web.csv", "id_column": "customer_id"},
            {"name": "fidelite", "format": "csv", "path": "fid.csv", "id_column": "NUM_CARTE"},
        ],
        "target_model": [{"name": n} for n in ("civility", "last_name", "first_name", "birth_date",
                                               "email", "phone", "street", "postcode", "city")],
        "mapping": default_mapping if mapping is None else mapping,
        "dedup": dedup_section or {},
    }
    path = folder / "engagement.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def engagement_file(tmp_path_factory):
    return write_engagement(tmp_path_factory.mktemp("dedup"))


@pytest.fixture(scope="module")
def engagement(engagement_file):
    return load_engagement(engagement_file)


@pytest.fixture(scope="module")
def run(engagement):
    return dedup.run_dedup(engagement, progress=False)


@pytest.fixture(scope="module")
def outputs(run, engagement):
    return dedup.write_dedup_outputs(run, engagement)


def _customers(crosswalk):
    return {frozenset(zip(g["source"], g["record_id"])) for _, g in crosswalk.groupby("customer_id")}


def test_crosswalk_groups_exactly_the_same_persons(run):
    # 11 persons (table in the module doc): households, homonyms and the twin stay apart.
    assert _customers(run.crosswalk) == EXPECTED_CUSTOMERS


def test_every_loaded_record_is_in_the_crosswalk_once_in_source_order(run):
    # crm 8 rows (C003 does not exist; the 7th row, without id, is "#7"), web 6, fidelite 5.
    keys = list(zip(run.crosswalk["source"], run.crosswalk["record_id"]))
    assert keys == [("crm", i) for i in ("C001", "C002", "C004", "C005", "C006", "C007", "#7", "C008")] \
        + [("web", f"W0{i}") for i in range(1, 7)] \
        + [("fidelite", i) for i in ("F001", "F002", "F003", "F004", "F006")]
    assert len(set(keys)) == 19
    assert run.rows_read == {"crm": 8, "web": 6, "fidelite": 6}
    assert run.records["record_id"].tolist() == run.crosswalk["record_id"].tolist()


def test_the_unreadable_line_is_listed_not_deduplicated(run):
    # fid.csv: header on line 1, five good rows on lines 2-6, then F007 on line 7 with 2 fields
    # instead of 8.
    assert run.bad_lines[["source", "line_number"]].values.tolist() == [["fidelite", 7]]
    assert "expected 8 fields, found 2" in run.bad_lines.loc[0, "error"]
    assert ("fidelite", "F007") not in set(zip(run.crosswalk["source"], run.crosswalk["record_id"]))


def test_headline_figures(run):
    # 19 records, 11 customers: 8 duplicates; 6 customers in 2+ sources (Marie, both Pierre,
    # Jean 1960, Sophie, Luc); the largest customer (Marie, Sophie) has 3 records.
    figures = dict(run.figures)
    split = figures.pop("customer_split")
    assert figures == {"n_records": 19, "n_customers": 11, "n_duplicates": 8,
                       "duplicate_rate": pytest.approx(8 / 19), "n_multi_source_customers": 6,
                       "overlap_rate": pytest.approx(6 / 11), "largest_cluster": 3,
                       "n_sources": 3}
    # the engagement states no rule for its definition of a customer: the 11 are not split
    assert (split["status"], split["n_customers"], split["customers"]) == ("no_rule", 11, None)


def test_summary_json_holds_the_figures_the_roadmap_and_report_read(outputs):
    summary = json.loads(outputs["summary"].read_text(encoding="utf-8"))
    assert summary["n_records"] == 19 and summary["n_customers"] == 11
    assert summary["duplicate_rate"] == pytest.approx(8 / 19)
    assert summary["overlap_rate"] == pytest.approx(6 / 11)
    # crm: 8 records, 7 customers (C005 and C008 are Sophie): 1/8 duplicates within crm; its
    # customers Marie, Pierre (father), Jean 1960, Sophie and Luc are also in another source.
    # web: 6 distinct customers, Marie, Pierre (son) and Sophie shared. fidelite: 5 distinct
    # customers, all shared; 6 data lines read, 1 unreadable.
    assert summary["per_source"] == [
        {"source": "crm", "records": 8, "customers": 7, "duplicate_rate": 0.125,
         "shared_customers": 5, "rows_read": 8, "bad_lines": 0},
        {"source": "web", "records": 6, "customers": 6, "duplicate_rate": 0.0,
         "shared_customers": 3, "rows_read": 6, "bad_lines": 0},
        {"source": "fidelite", "records": 5, "customers": 5, "duplicate_rate": 0.0,
         "shared_customers": 5, "rows_read": 6, "bad_lines": 1},
    ]
    # 10 matched pairs: Marie 3, Sophie 3, Pierre father 1, Pierre son 1, Jean 1, Luc 1.
    assert summary["n_matched_pairs"] == 10
    assert summary["n_bad_lines"] == 1
    assert summary["threshold"] == 0.9
    assert summary["sources"] == ["crm", "web", "fidelite"]
    # 19 records cannot show whether households exist: the French default (rules on) holds.
    assert summary["household_rules"]["active"] is True
    assert summary["household_rules"]["pairs"] < 30


def test_output_files(outputs, run, engagement):
    crosswalk = pd.read_csv(outputs["crosswalk"], dtype=str)
    assert outputs["crosswalk"] == engagement.output_path / "crosswalk.csv"
    pd.testing.assert_frame_equal(crosswalk, run.crosswalk.astype(str))
    pairs = pd.read_parquet(outputs["pairs"])
    assert len(pairs) == 10 and pairs["same_customer"].all()
    assert (pairs["match_probability"] >= 0.9).all()
    assert pairs["evidence"].str.contains("last_name").all()
    overlap = pd.read_csv(outputs["overlap"])
    # customers per exact combination of sources (see the module doc's table)
    assert overlap[["combination", "customers", "records"]].values.tolist() == [
        ["web", 3, 3], ["crm + fidelite", 3, 6], ["crm", 2, 2], ["crm + web", 1, 3],
        ["web + fidelite", 1, 2], ["crm + web + fidelite", 1, 3]]
    per_source = pd.read_csv(outputs["per_source"])
    assert per_source["records"].tolist() == [8, 6, 5]


def test_excel_workbook_sheets_and_masking(outputs):
    book = openpyxl.load_workbook(outputs["excel"], read_only=True)
    assert book.sheetnames == ["Headline figures", "Duplicates per source", "Source overlap",
                               "Group sizes", "Threshold effect", "Blocking passes",
                               "Matched pairs (sample)", "Unreadable lines"]
    pairs = [row for row in book["Matched pairs (sample)"].iter_rows(values_only=True)]
    assert len(pairs) == 1 + 10  # header + every matched pair (fewer than the sample size)
    text = " ".join(str(v) for row in pairs for v in row)
    assert "marie.martin@orange.fr" not in text and "m***@o***.fr" in text
    assert "+33622222222" not in text and "+336******22" in text
    assert "DUPONT" not in text and "D*****" in text
    bad = [row for row in book["Unreadable lines"].iter_rows(values_only=True)]
    assert bad[1][:2] == ("fidelite", 7) and "BROKEN" not in str(bad[1])


def test_raw_values_when_the_policy_allows(tmp_path):
    engagement = load_engagement(write_engagement(tmp_path, show_raw=True))
    run = dedup.run_dedup(engagement, progress=False)
    paths = dedup.write_dedup_outputs(run, engagement)
    book = openpyxl.load_workbook(paths["excel"], read_only=True)
    text = " ".join(str(v) for row in book["Matched pairs (sample)"].iter_rows(values_only=True)
                    for v in row)
    assert "marie.martin@orange.fr" in text and "DUPONT" in text


def test_threshold_effect_reproduces_the_crosswalk_at_the_threshold_used(run):
    effect = run.threshold_effect
    current = effect[effect["current"]]
    assert current["threshold"].tolist() == [0.9]
    assert current["customers"].tolist() == [11] and current["matched_pairs"].tolist() == [10]
    assert effect["threshold"].tolist() == [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99]


def test_sources_subset_and_threshold_override(engagement):
    run = dedup.run_dedup(engagement, ["crm", "web"], threshold=0.95, progress=False)
    # crm 8 + web 6 = 14 records; Marie {C001, W01} and Sophie {C005, C008, W04} merge: 11.
    assert len(run.crosswalk) == 14
    assert run.figures["n_customers"] == 11
    assert run.threshold == 0.95
    assert run.bad_lines.empty


def test_settings_come_from_the_engagement_and_errors_name_the_file(tmp_path):
    path = write_engagement(tmp_path, dedup_section={"threshold": 0.8})
    engagement = load_engagement(path)
    assert dedup.dedup_settings(engagement).threshold == 0.8
    assert dedup.dedup_settings(engagement, threshold=0.97).threshold == 0.97
    with pytest.raises(ValueError, match=r"threshold 1.5 \(given to the run\): .*between 0 and 1"):
        dedup.dedup_settings(engagement, threshold=1.5)
    bad = load_engagement(write_engagement(tmp_path, dedup_section={"treshold": 0.8}))
    with pytest.raises(ValueError, match=r"engagement.yaml: section dedup: .*unknown key\(s\) treshold"):
        dedup.run_dedup(bad, progress=False)


def test_a_source_without_mapping_is_an_error_naming_it(tmp_path):
    mapping = {"crm": [_entry("nom", "last_name")]}
    engagement = load_engagement(write_engagement(tmp_path, mapping=mapping))
    with pytest.raises(MappingError, match="no mapping for source\\(s\\) web, fidelite"):
        dedup.run_dedup(engagement, progress=False)
    # leaving the unmapped sources out works
    assert len(dedup.run_dedup(engagement, ["crm"], progress=False).crosswalk) == 8


def test_a_repeated_record_id_is_an_error_naming_source_column_and_rows(tmp_path):
    crm = CRM.replace("C008,", "C001,")
    engagement = load_engagement(write_engagement(tmp_path, crm=crm))
    with pytest.raises(ValueError, match=r"source crm: the id column 'id_client' repeats 2 .*"
                                         r"\['C001'\] \(loaded rows 1, 8"):
        dedup.run_dedup(engagement, progress=False)


def test_unknown_source_names_the_known_ones(engagement):
    with pytest.raises(KeyError, match="sources are: crm, web, fidelite"):
        dedup.run_dedup(engagement, ["crm", "erp"], progress=False)


def test_pair_examples_are_masked_and_side_by_side(run):
    table = dedup.pair_examples(run, n=3, masked=True, seed=1)
    assert len(table) == 3
    assert table["match_probability"].is_monotonic_decreasing
    assert {"last_name_1", "last_name_2", "email_1", "phone_2"} <= set(table.columns)
    values = " ".join(table.astype(str).to_numpy().ravel())
    assert "DUPONT" not in values and "BERNARD" not in values and "FAURE" not in values


def test_pair_examples_show_an_invalid_birth_dates_parts_only_when_a_record_has_one(run, engagement):
    import dataclasses

    from rcu_kit.dedup.run import matched_pairs

    pairs = matched_pairs(run)
    sophie = pairs[(pairs["record_id_1"] == "C005") & (pairs["record_id_2"] == "C008")]
    assert len(sophie) == 1
    plain = dedup.pair_examples(run, None, masked=False, pairs=sophie)
    assert "invalid_birth_date_1" not in plain.columns and "invalid_birth_date_2" not in plain.columns
    # C008's birth date typed with month 13: no valid date, its parts as read
    records = run.records.copy()
    c008 = (records["source"] == "crm") & (records["record_id"] == "C008")
    records.loc[c008, "birth_date"] = None
    records.loc[c008, "invalid_birth_date"] = "1990-13-01"
    typed = dedup.pair_examples(dataclasses.replace(run, records=records), None, masked=False,
                                pairs=sophie)
    columns = list(typed.columns)
    assert columns.index("invalid_birth_date_1") == columns.index("birth_date_2") + 1
    assert typed[["birth_date_1", "birth_date_2", "invalid_birth_date_1", "invalid_birth_date_2"]] \
        .iloc[0].tolist() == ["1990-12-01", None, None, "1990-13-01"]
    masked = dedup.pair_examples(dataclasses.replace(run, records=records), None, masked=True,
                                 pairs=sophie)
    assert "1990-13-01" not in masked.astype(str).to_numpy().ravel()
    headers = dedup.pair_headers(engagement.target_model, "en")
    assert headers["invalid_birth_date_2"] == "Invalid birth date (as typed) (2)"
    assert headers["last_name_1"].endswith(" (1)")


def test_model_weights_name_the_levels_and_leave_out_what_no_pair_compares(run):
    weights = dedup.model_weights(run)
    email = weights[weights["feature"] == "email"]
    # the exact e-mail level is strong evidence of a match
    assert "exact" in email["level_name"].tolist()
    assert float(email.loc[email["level_name"] == "exact", "weight"].iloc[0]) > 0
    # The engagement's sources hold no identifier: no pair compares one, so that comparison is
    # left out rather than shown with the weights it started from; the other nine are made on
    # at least one pair and shown (the source: the same one or another, every pair).
    assert weights["feature"].unique().tolist() == [
        "last_name", "first_name", "birth_date", "email", "phone", "address", "postcode_city",
        "civility", "source"]
    assert weights.loc[weights["feature"] == "source", "level_name"].tolist() == [
        "other_source", "same_source"]
    assert (run.result.pairs["id_number"].to_numpy() < 0).all()
    assert "id_number" in run.result.model.fit_.features


def test_dedup_command_prints_the_figures_and_paths(engagement_file, capsys):
    from rcu_kit.cli import main

    assert main(["dedup", str(engagement_file), "--sources", "crm,web,fidelite"]) == 0
    out = capsys.readouterr().out
    assert "records:            19" in out
    assert "distinct customers: 11" in out
    assert "duplicate rate:     42.1% (8 duplicate records)" in out
    assert "shared customers:   6 in 2+ sources (54.5% of the customers)" in out
    assert "unreadable lines:   1" in out
    # per source, names padded to the longest (fidelite, 8 characters)
    assert ("    crm       8 records, 7 customers, 12.5% duplicates within, 5 customers also in "
            "another source") in out
    assert "    fidelite  5 records, 5 customers, 0.0% duplicates within" in out
    assert str(engagement_file.parent / "output" / "crosswalk.csv") in out


def test_the_executive_summary_reads_the_same_figures(outputs, engagement):
    from rcu_kit.report.summary import collect_summary

    summary = collect_summary(engagement)
    assert (summary.records, summary.distinct_customers, summary.multi_source_customers) == (19, 11, 6)
    # 19 records, 11 customers: 8 repeated records overall (8/19), of which 1 repeats a customer
    # of its own source (the duplicates shown); the other 7 are customers seen in another source
    assert summary.overall_duplicate_rate == pytest.approx(8 / 19)
    assert summary.duplicate_rate == pytest.approx(1 / 19)


def test_client_headline_table_keeps_counts_as_integers(run, engagement):
    headline = dedup.client_tables(run, engagement)["headline"]
    # English engagement: translated headers; counts are ints, rates in % (8/19 = 42.11 %)
    assert list(headline.columns) == ["Figure", "Value"]
    assert headline["Value"].tolist() == [19, 11, 8, 42.11, 6, 54.55, 0.9, 10, 1]
    assert isinstance(headline["Value"].iloc[0], int)


def test_headline_table_splits_the_customers_by_the_engagements_definition(run, engagement):
    import dataclasses
    from datetime import date

    from rcu_kit.core.config import CustomerRule
    from rcu_kit.dedup.figures import customer_split

    # a rule on web's dates (birth dates here, the only dates of the fixture), 30 years before
    # 2024-12-31: of web's six persons only Pierre the son (W02, 1998) is within; Marie, Jean
    # 1985, Sophie, Karim and Claire are older (lapsed); the five persons not in web have no date
    rule = CustomerRule(attribute="birth_date", within_months=360, sources=["web"],
                        reference_date=date(2024, 12, 31))
    split = customer_split(run.crosswalk, run.records, rule)
    assert (split["customers"], split["prospects"], split["prospects_lapsed"],
            split["prospects_undated"]) == (1, 10, 5, 5)
    ruled = dataclasses.replace(run, figures={**run.figures, "customer_split": split})
    headline = dedup.client_tables(ruled, engagement)["headline"]
    # the split right under the 11 distinct customers, on page 04 and in the workbook
    assert headline.values.tolist()[1:4] == [
        ["Distinct customers", 11], ["… of which customers (the engagement's definition)", 1],
        ["… of which prospects", 10]]
    assert dedup.summary_dict(ruled)["customer_split"] == split


def test_household_sentence_says_whether_the_rules_applied_and_why():
    from types import SimpleNamespace

    from rcu_kit.dedup.run import household_sentence
    from rcu_kit.linkage.classify import HouseholdEvidence

    def run(evidence, setting="auto"):
        return SimpleNamespace(result=SimpleNamespace(household=evidence,
                                                      settings=SimpleNamespace(household_rules=setting)))

    # 1,200 of 1,300 pairs (92.3 %) have different birth dates: households, rules on.
    on = run(HouseholdEvidence(1300, 1200, 1200 / 1300, True))
    assert household_sentence(on, "fr").startswith("Règles foyer et homonymes appliquées : 92,3")
    assert "1\u202f300 paires" in household_sentence(on, "fr")
    assert household_sentence(on, "en").startswith("Household and homonym rules applied: 92.3% of the 1,300 pairs")
    # 4 of 126 (3.2 %): first names mistyped, rules off.
    off = run(HouseholdEvidence(126, 4, 4 / 126, False))
    assert household_sentence(off, "en").startswith("Household and homonym rules not applied: only 3.2% of the 126")
    # 13 pairs: too few, rules on by default; set by the engagement: says so.
    assert "only 13 pairs" in household_sentence(run(HouseholdEvidence(13, 13, 1.0, True)), "en")
    assert household_sentence(run(HouseholdEvidence(13, 13, 1.0, True), False), "fr") == \
        "Règles foyer et homonymes non appliquées par le paramétrage de la mission (household_rules)."


def test_frequent_sentence_names_the_values_set_aside_and_their_sources_masking_contacts():
    from types import SimpleNamespace

    from rcu_kit.dedup.run import _frequent_shown, frequent_sentence
    from rcu_kit.linkage.frequent import frequent_table

    def run(frequent):
        return SimpleNamespace(result=SimpleNamespace(frequent_values=frequent_table(frequent)))

    # 1970-01-01 held by 2,431 CRM records and 12 web ones; an invalid date's parts by 25; a
    # shop's e-mail by 40 loyalty records
    dates = pd.Series([2431, 12, 25], index=pd.MultiIndex.from_tuples(
        [("crm", "1970-01-01"), ("web", "1970-01-01"), ("crm", "1949-00-13")]))
    emails = pd.Series([40], index=pd.MultiIndex.from_tuples([("fidelite", "contact@boutique.fr")]))
    three = run({"birth_date": dates, "email": emails})
    fr = frequent_sentence(three, "fr")
    assert ("date de naissance 01/01/1970 (2\u202f443 enregistrements : crm 2\u202f431, web 12) ; "
            "date de naissance 1949-00-13 (25 enregistrements : crm 25) ; "
            "e-mail c***@b***.fr (40 enregistrements : fidelite 40)") in fr
    assert fr.startswith("Valeurs portées par beaucoup plus d'enregistrements, et de personnes")
    assert ("birth date 1970-01-01 (2,443 records: crm 2,431, web 12); birth date 1949-00-13 "
            "(25 records: crm 25); e-mail contact@boutique.fr (40 records: fidelite 40)"
            in frequent_sentence(three, "en", masked=False))
    assert frequent_sentence(run({}), "en") == (
        "No birth date, e-mail or phone is held by far more records, and people, than a value "
        "usually is: every one counts as evidence.")
    # summary.json: dates as stored, contacts masked whatever the policy
    assert [_frequent_shown(c, v, None, True) for c, v in [("birth_date", "1970-01-01"),
                                                 ("email", "contact@boutique.fr")]] == \
        ["1970-01-01", "c***@b***.fr"]


def test_a_failing_and_an_empty_source_leave_the_others_deduplicated(tmp_path):
    import yaml

    from rcu_kit.dedup.run import summary_dict

    path = write_engagement(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    (tmp_path / "vide.csv").write_text(CRM.splitlines()[0] + "\n", encoding="utf-8")
    data["sources"] += [{"name": "absent", "format": "csv", "path": "absent.csv"},
                        {"name": "vide", "format": "csv", "path": "vide.csv", "id_column": "id_client"}]
    data["mapping"]["absent"] = data["mapping"]["vide"] = data["mapping"]["crm"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    engagement = load_engagement(path)
    run = dedup.run_dedup(engagement, progress=False)
    # The same 19 records and 11 customers as without them; the missing file is said left out.
    assert (run.figures["n_records"], run.figures["n_customers"]) == (19, 11)
    assert list(run.left_out) == ["absent"] and "file not found" in run.left_out["absent"]
    assert run.sources == ["crm", "web", "fidelite", "vide"]
    assert run.loading[["source", "status"]].values.tolist() == [
        ["crm", "ok"], ["web", "ok"], ["fidelite", "warning"], ["absent", "error"], ["vide", "warning"]]
    summary = summary_dict(run)
    assert list(summary["sources_left_out"]) == ["absent"]
    assert {"source": "vide", "records": 0} .items() <= next(
        p for p in summary["per_source"] if p["source"] == "vide").items()
    # Only the empty source: no crash, zero records.
    empty = dedup.run_dedup(engagement, ["vide"], progress=False)
    assert empty.figures["n_records"] == 0 and len(empty.crosswalk) == 0


def test_the_threshold_chosen_by_the_review_labels_is_used_unless_one_is_given(tmp_path):
    engagement = load_engagement(write_engagement(tmp_path, dedup_section={"threshold": 0.8}))
    path = engagement.output_path / "review" / "threshold.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"threshold": 0.85, "previous": 0.8}), encoding="utf-8")
    assert dedup.labelled_threshold(engagement) == 0.85
    assert dedup.dedup_settings(engagement).threshold == 0.85
    assert dedup.dedup_settings(engagement, threshold=0.97).threshold == 0.97
    assert dedup.dedup_settings(engagement, settings={"threshold": 0.7}).threshold == 0.7
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(ValueError, match="threshold.json: not a threshold file"):
        dedup.dedup_settings(engagement)


def test_a_rerun_with_the_same_figures_keeps_the_review_estimates(run, engagement, outputs):
    summary = json.loads(outputs["summary"].read_text(encoding="utf-8"))
    summary["estimates"] = {"n_customers": {"value": 11, "low": 10, "high": 12}}
    outputs["summary"].write_text(json.dumps(summary), encoding="utf-8")
    dedup.write_dedup_outputs(run, engagement)
    kept = json.loads(outputs["summary"].read_text(encoding="utf-8"))
    assert kept["estimates"]["n_customers"]["value"] == 11
    # at another threshold the customers differ: the estimates no longer apply
    other = dedup.run_dedup(engagement, threshold=0.9999, progress=False)
    dedup.write_dedup_outputs(other, engagement)
    assert "estimates" not in json.loads(outputs["summary"].read_text(encoding="utf-8"))
    dedup.write_dedup_outputs(run, engagement)  # leave the module's outputs as they were


def test_model_and_passes_are_worded_for_the_client():
    from rcu_kit.dedup.run import model_weights_table, pass_stats_table

    weights = pd.DataFrame({"feature": ["first_name", "phone", "custom"], "level": [1, 3, 0],
                            "level_name": ["short_form", "exact_mobile", "odd"],
                            "m": [0.1, 0.5, 0.2], "u": [0.01, 0.001, 0.3], "weight": [3.3, 9.0, -0.6]})
    fr = model_weights_table(weights, "fr")
    assert fr["feature"].tolist() == ["Prénom", "Téléphone", "custom"]  # unknown: as given
    assert fr["level_name"].tolist() == ["forme courte (Steph / Stéphanie)", "même mobile", "odd"]
    assert fr[["m", "u", "weight"]].equals(weights[["m", "u", "weight"]])  # figures untouched
    source = pd.DataFrame({"feature": ["source"] * 2, "level": [0, 1],
                           "level_name": ["other_source", "same_source"]})
    assert model_weights_table(source, "fr").drop(columns="level").values.tolist() == [
        ["Source", "sources différentes"], ["Source", "même source"]]
    assert model_weights_table(source, "en")["level_name"].tolist() == [
        "different sources", "same source"]
    stats = pd.DataFrame({"pass": ["phone", "my_pass", "total"], "pairs": [3, 2, 5]})
    assert pass_stats_table(stats, "en")["pass"].tolist() == ["same phone", "my_pass", "total"]
