"""Tests for rcu_kit.mapping.gaps on a small handmade engagement where every figure is known."""

from __future__ import annotations

import json
import math

import openpyxl
import pandas as pd
import pytest

from rcu_kit.core.config import Attribute, Engagement, MappingEntry, Source
from rcu_kit.core.wording import finding_details
from rcu_kit.mapping.gaps import (
    GAP_COLUMNS,
    MATRIX_COLUMNS,
    attribute_summary,
    client_tables,
    dominant_format,
    gap_findings,
    gap_matrix,
    gap_table,
    save_gap_outputs,
    validity_type,
    value_formats,
    workstream_candidates,
)
from rcu_kit.mapping.transforms import MappingError


def _engagement(tmp_path=None, **kw) -> Engagement:
    extra = {"base_dir": tmp_path} if tmp_path is not None else {}
    return Engagement(
        client="Test", language="en", **extra,
        sources=[Source(name="crm", path="a.csv", id_column="id"), Source(name="web", path="b.csv", id_column="id")],
        target_model=[
            Attribute(name="last_name", label_en="Last name", criticity="high", required=True),
            Attribute(name="first_name", label_en="First name", criticity="high"),
            Attribute(name="email", label_en="E-mail", type="email", criticity="high"),
            Attribute(name="phone", label_en="Phone", type="phone", criticity="medium"),
            Attribute(name="birth_date", label_en="Birth date", type="date", criticity="low"),
            Attribute(name="loyalty_tier", label_en="Loyalty tier", type="category", criticity="low",
                      **kw),
        ],
        mapping={"crm": [MappingEntry(column="nom", attribute="last_name"),
                         MappingEntry(column="mail", attribute="email"),
                         MappingEntry(column="tel", attribute="phone"),
                         MappingEntry(column="naiss", attribute="birth_date", transform="parse_date_dmy")],
                 "web": [MappingEntry(column="full", attribute="full_name", transform="split_full_name"),
                         MappingEntry(column="email", attribute="email"),
                         MappingEntry(column="dob", attribute="birth_date")]})


def _loaded() -> dict[str, pd.DataFrame]:
    crm = pd.DataFrame({"id": ["1", "2", "3", "4"],
                        "nom": ["DUPONT", "MARTIN", "DURAND", None],
                        "mail": ["a@b.fr", "bad", None, "c@d.fr"],
                        "tel": ["06 12 34 56 78", "06 11 22 33 44", "0612345678", None],
                        "naiss": ["01/02/1980", None, None, None]}, dtype=object)
    web = pd.DataFrame({"id": ["w1", "w2"], "full": ["Jean Dupont", "Anne Martin"],
                        "email": ["xavier@y.fr", "zoe@w.com"], "dob": ["1980-02-01", "1975-03-04"]}, dtype=object)
    return {"crm": crm, "web": web}


def _clean(frame: pd.DataFrame) -> list[list]:
    return [[None if (isinstance(v, float) and math.isnan(v)) else v for v in row]
            for row in frame.astype(object).values.tolist()]


def test_gap_matrix_is_exact():
    m = gap_matrix(_engagement(), _loaded())
    assert list(m.columns) == MATRIX_COLUMNS
    m = m.assign(fill_rate=m["fill_rate"].round(4), validity_rate=m["validity_rate"].round(4),
                 quality=m["quality"].round(4))
    # attribute, source, mapped, columns, records, filled, fill, valid, repairable, validity,
    # quality (= fill x validity), main format
    assert _clean(m) == [
        # 3 of 4 names filled, all valid names
        ["last_name", "crm", True, "nom", 4, 3, 0.75, 3, 0, 1.0, 0.75, "UPPER CASE"],
        # fed by the full name 'Jean Dupont' (split later): counts as mapped, checked as a full name
        ["last_name", "web", True, "full", 2, 2, 1.0, 2, 0, 1.0, 1.0, "Capitalised"],
        ["first_name", "crm", False, "", 4, 0, 0.0, 0, 0, None, 0.0, None],
        ["first_name", "web", True, "full", 2, 2, 1.0, 2, 0, 1.0, 1.0, "Capitalised"],
        # 3 filled, 'bad' is not an e-mail: validity 2/3, quality 0.75 x 2/3 = 0.5
        ["email", "crm", True, "mail", 4, 3, 0.75, 2, 0, 0.6667, 0.5, "lower case"],
        ["email", "web", True, "email", 2, 2, 1.0, 2, 0, 1.0, 1.0, "lower case"],
        # two spaced numbers and one compact: the spaced format dominates
        ["phone", "crm", True, "tel", 4, 3, 0.75, 3, 0, 1.0, 0.75, "0X XX XX XX XX"],
        ["phone", "web", False, "", 2, 0, 0.0, 0, 0, None, 0.0, None],
        # one date of four, read as written (the mapping's transform is not applied here)
        ["birth_date", "crm", True, "naiss", 4, 1, 0.25, 1, 0, 1.0, 0.25, "dd/mm/yyyy"],
        ["birth_date", "web", True, "dob", 2, 2, 1.0, 2, 0, 1.0, 1.0, "yyyy-mm-dd"],
        ["loyalty_tier", "crm", False, "", 4, 0, 0.0, 0, 0, None, 0.0, None],
        ["loyalty_tier", "web", False, "", 2, 0, 0.0, 0, 0, None, 0.0, None],
    ]


def test_gap_table_kinds_severities_and_order():
    eng = _engagement()
    gaps = gap_table(eng, gap_matrix(eng, _loaded()), poor_threshold=0.8)
    assert list(gaps.columns) == GAP_COLUMNS
    assert gaps[["attribute", "gap", "severity", "best_source"]].values.tolist() == [
        # medium: phone (criticity medium) best quality 0.75 < 0.8 -> poor, at its criticity
        ["phone", "poor_quality", "medium", "crm"],
        # first name only in web: one level below its high criticity
        ["first_name", "single_source", "medium", "web"],
        # last name UPPER CASE in crm, Capitalised in web
        ["last_name", "conflicting_formats", "medium", "web"],
        # low: loyalty tier mapped nowhere, criticity low, not required
        ["loyalty_tier", "missing_everywhere", "low", None],
        ["phone", "single_source", "low", "crm"],
        ["birth_date", "conflicting_formats", "low", "web"],
    ]
    # e-mail: best source web at 100 %, same format in both sources -> no gap
    assert "email" not in set(gaps["attribute"])
    # the table (saved as gaps.csv) holds codes and figures, not sentences
    assert gaps["detail_code"].tolist() == ["gap_poor", "gap_single", "gap_formats", "gap_missing",
                                            "gap_single", "gap_formats"]
    assert json.loads(gaps.loc[0, "detail_params"]) == {"source": "crm", "fill": 0.75, "valid": 1.0,
                                                        "threshold": 0.8}
    assert json.loads(gaps.loc[2, "detail_params"]) == {"formats": {"crm": "UPPER CASE",
                                                                    "web": "Capitalised"}}
    assert gaps.loc[3, "detail_params"] == "{}"
    # worded at display time, the same sentences as before in English...
    en = finding_details(gaps, "en")
    assert en[0] == "Best source crm: filled 75%, valid 100% (threshold 80%)"
    assert en[2] == "Formats: crm: UPPER CASE; web: Capitalised"
    assert en[3] == "No source provides it"
    # ...and in French, word labels translated too, percentages with a no-break space
    fr = finding_details(gaps, "fr")
    assert fr[0] == "Meilleure source crm: remplissage 75\u00a0%, validité 100\u00a0% (seuil 80\u00a0%)"
    assert fr[2] == "Formats: crm: MAJUSCULES; web: Initiale majuscule"


def test_client_tables_translate_format_labels_and_show_no_phone_number():
    from rcu_kit.mapping.gaps import client_tables, format_label
    from rcu_kit.values.pii_scan import find_personal_data

    eng = _engagement()
    matrix = gap_matrix(eng, _loaded())
    tables = client_tables(eng, matrix, gap_table(eng, matrix), language="fr")
    # matrix rows in test_gap_matrix_exact order: last_name crm (UPPER CASE), web (Capitalised),
    # first_name crm (not mapped), web (Capitalised), ..., phone crm (spaced shape)
    assert tables["matrix"]["Format principal"].tolist()[:4] == [
        "MAJUSCULES", "Initiale majuscule", None, "Initiale majuscule"]
    assert "0X XX XX XX XX" in tables["matrix"]["Format principal"].tolist()
    # no cell of any table reads as a phone number or an e-mail (the report would redact it)
    text = "\n".join(df.to_csv() for df in tables.values())
    assert find_personal_data(text) == []
    assert format_label("1000 (zero lost)", "fr") == "1000 (zéro initial perdu)"
    assert format_label("dd/mm/yyyy", "en") == "dd/mm/yyyy" and format_label(None, "fr") is None


def test_required_attribute_missing_everywhere_is_high():
    eng = _engagement(required=True)
    gaps = gap_table(eng, gap_matrix(eng, _loaded()))
    assert gaps.loc[0, ["attribute", "gap", "severity"]].tolist() == ["loyalty_tier", "missing_everywhere", "high"]


def test_poor_threshold_changes_the_verdict():
    eng = _engagement()
    gaps = gap_table(eng, gap_matrix(eng, _loaded()), poor_threshold=0.7)
    # phone's best quality 0.75 is now enough
    assert "poor_quality" not in set(gaps["gap"])


def test_summary_candidates_and_findings():
    eng = _engagement()
    matrix = gap_matrix(eng, _loaded())
    gaps = gap_table(eng, matrix)
    summary = attribute_summary(eng, matrix, gaps)
    assert summary[["attribute", "sources_mapped", "sources", "best_source", "gaps"]].values.tolist() == [
        ["last_name", 2, "crm, web", "web", "conflicting_formats"],
        ["first_name", 1, "web", "web", "single_source"],
        ["email", 2, "crm, web", "web", ""],
        ["phone", 1, "crm", "crm", "poor_quality, single_source"],
        ["birth_date", 2, "crm, web", "web", "conflicting_formats"],
        ["loyalty_tier", 0, "", None, "missing_everywhere"],
    ]
    cands = workstream_candidates(eng, gaps)
    assert cands["workstream"].tolist() == [
        "Improve the quality of 'Phone'", "Secure the single source of 'First name'",
        "Harmonise the formats of 'Last name'", "Collect 'Loyalty tier'",
        "Secure the single source of 'Phone'", "Harmonise the formats of 'Birth date'"]
    fr = workstream_candidates(eng, gaps, "fr")
    assert fr["workstream"].iloc[3] == "Collecter « loyalty_tier »"  # no French label: the name
    findings = gap_findings(gaps)
    assert list(findings.columns) == ["kind", "key", "subject", "detail_code", "detail_params",
                                      "severity"]
    assert findings["detail_code"].tolist() == gaps["detail_code"].tolist()
    assert findings["key"].tolist()[:2] == ["gap:poor_quality:phone", "gap:single_source:first_name"]
    assert set(findings["kind"]) == {"gap"}
    # the subject is the attribute's name (the roadmap words it with the engagement's labels)
    assert findings["subject"].tolist()[:2] == ["phone", "first_name"]


def test_outputs_feed_the_roadmap_and_the_client_workbook(tmp_path):
    from rcu_kit.roadmap.run import collect_findings

    eng = _engagement(tmp_path)
    matrix = gap_matrix(eng, _loaded())
    gaps = gap_table(eng, matrix)
    paths = save_gap_outputs(eng, matrix, gaps)
    assert paths["findings"] == tmp_path / "output" / "mapping" / "findings.csv"
    findings, missing = collect_findings(eng)
    assert "mapping" not in missing
    assert len(findings[findings["kind"] == "gap"]) == 6
    wb = openpyxl.load_workbook(paths["excel"])
    assert wb.sheetnames == ["Attribute x source matrix", "Gaps", "Candidate workstreams"]
    # header + 12 matrix rows, header + 6 gaps, header + 6 workstreams
    assert [wb[s].max_row for s in wb.sheetnames] == [13, 7, 7]
    tables = client_tables(eng, matrix, gaps, "fr")
    assert list(tables) == ["matrix", "gaps", "workstreams"]
    m = tables["matrix"]
    assert m.columns.tolist() == ["Attribut", "Source", "Mappé", "Colonnes source",
                                  "Taux de remplissage (%)", "Taux de validité (%)", "Format principal"]
    # e-mail in crm: 75 % filled, 66.7 % valid
    assert m.iloc[4].tolist()[2:6] == ["Oui", "mail", 75.0, 66.7]


def test_mapping_to_a_missing_column_is_a_clear_error():
    eng = _engagement()
    loaded = _loaded()
    loaded["crm"] = loaded["crm"].drop(columns=["tel"])
    with pytest.raises(MappingError, match=r"mapping.crm: column 'tel' \(mapped to 'phone'\) is not in "
                                           r"the data of crm; its columns are: id, nom, mail, naiss"):
        gap_matrix(eng, loaded)


@pytest.mark.parametrize("values, attr, expected", [
    (["01/02/2020", "1/2/2020", "2020-02-01", "2020-02-01T10:00:00", "n/a"], Attribute(name="d", type="date"),
     ["dd/mm/yyyy", "d/m/yyyy", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "other"]),
    # phone formats are shapes (digits as X): an example number would read as personal data
    (["+33 6 12 34 56 78", "33612345678", "06.12.34.56.78", "612345678"], Attribute(name="p", type="phone"),
     ["+33 X XX XX XX XX", "33XXXXXXXXX", "0X.XX.XX.XX.XX", "XXXXXXXXX"]),
    (["Mme", "MONSIEUR", "Mr", "?"], Attribute(name="c", type="civility"),
     ["M./Mme", "Monsieur/Madame", "Mr/Mrs", "other"]),
    (["oui", "TRUE", "1"], Attribute(name="b", type="boolean"), ["oui/non", "true/false", "1/0"]),
    (["FR", "France"], Attribute(name="country"), ["ISO code", "name"]),
    (["DUPONT", "Dupont", "dupont", "DuPont", "Jean-Pierre"], Attribute(name="first_name"),
     ["UPPER CASE", "Capitalised", "lower case", "Mixed", "Capitalised"]),
])
def test_value_formats(values, attr, expected):
    assert value_formats(pd.Series(values), attr).tolist() == expected


def test_dominant_format_and_validity_type():
    attr = Attribute(name="cp", type="postcode")
    # two 5-digit postcodes against one that lost its zero
    assert dominant_format(pd.Series(["75011", "1000", "69003"]), attr) == "75011"
    assert dominant_format(pd.Series([], dtype=object), attr) is None
    assert value_formats(pd.Series(["x"]), Attribute(name="segment", type="category")) is None
    assert [validity_type(Attribute(name=n, type=ty)) for n, ty in
            [("last_name", "string"), ("email", "email"), ("street", "string"), ("optin", "boolean")]] == \
        ["last_name", "email", None, "boolean"]


def test_run_gap_analysis_from_files(tmp_path):
    """The whole step from files: the saved crm mapping is used, web's columns are suggested."""
    from rcu_kit.core.config import save_engagement
    from rcu_kit.mapping.gaps import run_gap_analysis

    loaded = _loaded()
    loaded["crm"].to_csv(tmp_path / "a.csv", index=False, sep=";")
    loaded["web"].to_csv(tmp_path / "b.csv", index=False, sep=";")
    eng = _engagement(tmp_path)
    eng.mapping = {"crm": eng.mapping["crm"]}  # web: nothing saved
    eng.file = tmp_path / "engagement.yaml"
    save_engagement(eng)
    from rcu_kit.core.config import load_engagement

    result = run_gap_analysis(load_engagement(tmp_path / "engagement.yaml"))
    # web's columns are suggested: email and dob by name; 'full' is no synonym and, with no
    # first names mapped anywhere, 'JEAN' and 'ANNE' are unknown name words: it stays unmapped
    assert [(e.column, e.attribute) for e in result.mapping["web"]] == [("email", "email"), ("dob", "birth_date")]
    assert [(e.column, e.attribute) for e in result.mapping["crm"]] == [
        ("nom", "last_name"), ("mail", "email"), ("tel", "phone"), ("naiss", "birth_date")]
    assert len(result.matrix) == 12
    assert result.paths["findings"].exists() and result.paths["excel"].exists()


def test_run_gap_analysis_goes_on_without_a_source_that_cannot_be_loaded(tmp_path, capsys):
    """web's file is missing: crm is analysed, the loading says which source was left out, and
    the command exits 1 after writing its outputs."""
    from rcu_kit.cli import main
    from rcu_kit.core.config import load_engagement, save_engagement
    from rcu_kit.mapping.gaps import run_gap_analysis

    _loaded()["crm"].to_csv(tmp_path / "a.csv", index=False, sep=";")
    eng = _engagement(tmp_path)
    eng.file = tmp_path / "engagement.yaml"
    save_engagement(eng)
    result = run_gap_analysis(load_engagement(tmp_path / "engagement.yaml"))
    assert result.loading[["source", "status"]].values.tolist() == [["crm", "ok"], ["web", "error"]]
    assert set(result.matrix.loc[result.matrix["mapped"], "source"]) == {"crm"}
    saved = pd.read_csv(tmp_path / "output" / "sources_summary.csv")
    assert saved["status"].tolist() == ["ok", "error"]
    assert main(["gaps", str(tmp_path / "engagement.yaml")]) == 1
    assert "1 source(s) in error, left out: web" in capsys.readouterr().err
