"""The audit end to end on sources built by hand (no files: LoadedSource frames)."""

import openpyxl
import pandas as pd
import pytest

from rcu_kit.audit.run import TABLES, audit_frames, export_audit, load_audit, localise_table, save_audit
from rcu_kit.core.config import Engagement
from rcu_kit.sources.loaders import BadLine, LoadedSource

TODAY = "2026-01-01"


def engagement(tmp_path, show_raw=False, **crm):
    return Engagement(
        client="Test", base_dir=tmp_path, language="fr",
        personal_data={"show_raw_values": show_raw},
        sources=[{"name": "crm", "path": "crm.csv", "system": "CRM maison", "owner": "Ventes",
                  "refresh": "daily", "volume_per_period": 100, "peak": 500, **crm},
                 {"name": "vide", "path": "vide.csv"},
                 {"name": "un", "path": "un.csv"}])


def loaded():
    crm = pd.DataFrame({
        "email": ["jean@free.fr", "JEAN@free.fr", "paul@orange.fr", "n/a"],
        "tel": ["0612345678", "06 12 34 56 78", None, "12"],
        "cp": ["75011", "1000", "69003", None],
        "date_creation": ["01/02/2020", "2024-12-31", "hier", "15/06/2022"],
        "fax": [None, None, None, None],
    })
    return {
        "crm": LoadedSource(name="crm", format="csv", location="crm.csv", frame=crm, rows_read=5,
                            bad_lines=[BadLine(line_number=3, content="x;y", error="2 fields")],
                            encoding="cp1252", encoding_detected=True, separator=";",
                            separator_detected=True, seconds=0.5),
        "vide": LoadedSource(name="vide", format="csv", location="vide.csv",
                             frame=pd.DataFrame({"nom": pd.Series([], dtype=object)}), rows_read=0),
        "un": LoadedSource(name="un", format="csv", location="un.csv",
                           frame=pd.DataFrame({"nom": ["DUPONT"], "mail": ["a@b.fr"]}), rows_read=1),
    }


@pytest.fixture
def result(tmp_path):
    return audit_frames(engagement(tmp_path), loaded(), profile=False, progress=False, today=TODAY)


def test_inventory(result):
    inv = result.inventory.set_index("source")
    assert inv.index.tolist() == ["crm", "vide", "un"]
    crm = inv.loc["crm"]
    assert (crm.system, crm.owner, crm.refresh, crm.volume_per_period, crm.peak) == ("CRM maison", "Ventes", "daily", 100, 500)
    assert (crm.encoding, crm.encoding_detected, crm.separator) == ("cp1252", True, ";")
    # 5 data rows read, one unreadable: 4 rows in the frame, 5 columns
    assert (crm.rows_read, crm.rows, crm.columns, crm.bad_lines) == (5, 4, 5, 1)
    # freshness from date_creation: 'hier' does not parse; 2020-02-01 .. 2024-12-31
    assert crm.date_columns == "date_creation"
    assert (crm.oldest_date, crm.newest_date) == (pd.Timestamp("2020-02-01"), pd.Timestamp("2024-12-31"))
    assert inv.loc["vide", "rows"] == 0 and pd.isna(inv.loc["vide", "oldest_date"])


def test_kpis_exact(result):
    k = result.kpis.set_index(["source", "column"])
    email = k.loc[("crm", "email")]
    # 4 filled; 'n/a' invalid -> 3 valid; distinct values 4 (case differs, raw values compared)
    assert (email.filled, email.valid, email.invalid, email.validity, email.distinct) == (4, 3, 1, 0.75, 4)
    tel = k.loc[("crm", "tel")]
    # 3 filled of 4; two French mobiles valid, '12' invalid
    assert (tel.completeness, tel.valid, tel.invalid) == (0.75, 2, 1)
    cp = k.loc[("crm", "cp")]
    assert (cp.valid, cp.repairable, cp.invalid) == (2, 1, 0)
    fax = k.loc[("crm", "fax")]
    # notes saved as codes, worded in the engagement's language (French here) for the client
    assert (fax.filled, fax.completeness, fax.note_code) == (0, 0.0, "note_empty_column")
    assert k.loc[("vide", "nom"), "note_code"] == "note_no_rows"
    shown = localise_table(result.kpis, "fr").set_index(["Source", "Colonne"])
    assert shown.loc[("crm", "fax"), "Remarque"] == "colonne vide à 100\u00a0%"
    assert shown.loc[("vide", "nom"), "Remarque"] == "aucune ligne"
    assert shown.loc[("crm", "date_creation"), "Règle des valeurs atypiques"] == \
        "avant le 01/01/1900 ou après le 01/01/2026"
    assert k.loc[("un", "nom"), "filled"] == 1


def test_values_masked_by_default(result, tmp_path):
    tops = result.top_values
    shown = set(tops["value"])
    assert "j***@f***.fr" in shown and "06******78" in shown
    assert not {"jean@free.fr", "0612345678", "DUPONT"} & shown
    raw = audit_frames(engagement(tmp_path, show_raw=True), loaded(), profile=False, progress=False, today=TODAY)
    assert "jean@free.fr" in set(raw.top_values["value"]) and raw.masked is False


def test_duplicates_and_personal_data(result):
    dup = result.duplicates.set_index(["source", "key"])
    # jean@free.fr twice (case-insensitive) and the same phone twice, on rows 0 and 1
    assert dup.loc[("crm", "email"), "duplicate_rows"] == 1
    assert dup.loc[("crm", "phone"), "duplicate_rows"] == 1
    assert dup.loc[("crm", "any_key"), ["rows_with_key", "groups", "duplicate_rows"]].tolist() == [3, 2, 1]
    pdata = result.personal_data.set_index(["source", "column"])
    assert pdata.loc[("crm", "email"), "gdpr_category"] == "contact"
    assert pdata.loc[("crm", "cp"), "gdpr_category"] == "location"
    assert pdata.loc[("crm", "date_creation"), "personal_data"] == "no"


def test_messages(result):
    # saved: a code and its figures (the validity as a share, the count as a number)
    saved = result.messages[["source", "column", "level", "message_code", "message_params"]].values.tolist()
    assert ["crm", "", "warning", "msg_bad_lines", '{"count": 1}'] in saved
    assert ["crm", "fax", "warning", "msg_empty_column", "{}"] in saved
    assert ["crm", "tel", "warning", "msg_low_validity", '{"validity": 0.6666666666666666}'] in saved
    assert ["vide", "", "warning", "msg_empty_source", "{}"] in saved
    # shown: the sentences in the client's language
    msgs = localise_table(result.messages, "fr").values.tolist()
    assert ["crm", "", "warning", "1 ligne(s) illisible(s) écartée(s) au chargement (voir le chargement)."] in msgs
    assert ["crm", "fax", "warning", "Colonne vide à 100\u00a0%."] in msgs
    assert ["crm", "tel", "warning", "Validité faible : 67\u00a0% des valeurs renseignées."] in msgs
    assert ["vide", "", "warning", "La source ne contient aucune ligne : aucun indicateur ni profil."] in msgs
    english = localise_table(result.messages, "en")
    assert english.columns.tolist() == ["Source", "Column", "Level", "Message"]
    assert ["crm", "tel", "warning", "Low validity: 67% of filled values."] in english.values.tolist()


def test_loading_notes_and_sources_left_out_are_messages_with_codes(tmp_path):
    from rcu_kit.sources.loaders import LoadedSources, LoadNote

    sources = loaded()
    sources["un"].notes = [LoadNote("blank_lines", [3, 5])]
    failed = LoadedSource(name="vide", format="csv", location="vide.csv", frame=pd.DataFrame(),
                          rows_read=0, error="file not found")
    sources = LoadedSources([sources["crm"], failed, sources["un"]])
    result = audit_frames(engagement(tmp_path), sources, profile=False, progress=False, today=TODAY)
    saved = result.messages[result.messages["source"].isin(["un", "vide"])]
    # in the sources' declared order: vide (left out), then un (a note of its loader)
    assert saved[["source", "level", "message_code", "message_params"]].values.tolist() == [
        ["vide", "error", "source_left_out", '{"error": "file not found"}'],
        ["un", "info", "load_blank_lines", '{"n": 2, "lines": "3, 5"}']]
    assert localise_table(saved, "fr")["Message"].tolist() == [
        "Source non chargée, laissée de côté : file not found",
        "2 ligne(s) vide(s) ignorée(s) : lignes 3, 5"]
    assert localise_table(saved, "en")["Message"].tolist() == [
        "Source not loaded, left out: file not found", "2 blank line(s) skipped: lines 3, 5"]


def test_overrides_checked_with_source_in_message(tmp_path):
    eng = engagement(tmp_path, semantic_types={"telephone": "phone"})
    with pytest.raises(ValueError, match=r"sources.crm.semantic_types: column 'telephone' is not in the extract"):
        audit_frames(eng, loaded(), profile=False, progress=False)
    eng = engagement(tmp_path, semantic_types={"fax": "phone", "cp": "category"})
    result = audit_frames(eng, loaded(), profile=False, progress=False, today=TODAY)
    types = result.semantic_types.set_index(["source", "column"])
    assert types.loc[("crm", "cp"), ["semantic_type", "method", "confidence"]].tolist() == ["category", "override", 1.0]


def test_save_load_export(result, tmp_path):
    eng = engagement(tmp_path)
    folder = save_audit(result, eng)
    assert folder == tmp_path / "output" / "audit"
    back = load_audit(eng)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name).reset_index(drop=True),
                                      getattr(result, name).reset_index(drop=True), check_dtype=False)
    # findings for the roadmap: columns under 90 % validity (cp 67 %, date 75 %, e-mail 75 %, tel 67 %)
    findings = pd.read_csv(folder / "findings.csv")
    assert sorted(findings["subject"]) == ["crm.cp", "crm.date_creation", "crm.email", "crm.tel"]
    path = export_audit(result, eng)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["Inventaire des points de collec", "Types détectés", "Indicateurs qualité",
                               "Valeurs fréquentes", "Formes de valeurs", "Doublons exacts",
                               "Données personnelles", "Profils détaillés", "Points d'attention"]
    header = [c.value for c in next(book["Indicateurs qualité"].iter_rows(max_row=1))]
    assert header[:6] == ["Source", "Colonne", "Type sémantique", "Lignes", "Renseignées", "Complétude"]
    # an engagement that lists its flows gets them as one more sheet
    from rcu_kit.core.config import Flow

    eng.flows = [Flow(name="web", from_system="Site", to_system="CRM")]
    book = openpyxl.load_workbook(export_audit(result, eng), read_only=True)
    assert book.sheetnames[-1] == "Flux"
    rows = list(book["Flux"].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][:2] == ("web", "Site → CRM")


def test_load_audit_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="run notebook 02-source-audit or `rcu-kit audit ENGAGEMENT.yaml` first"):
        load_audit(engagement(tmp_path))


def test_client_facing_text_in_the_engagements_language(result):
    types = result.semantic_types.set_index(["source", "column"])
    # 'email': the name says e-mail and 3 of its 4 values are e-mails ('n/a' is not)
    assert types.loc[("crm", "email"), "reason_code"] == "type_name_values"   # saved: the code
    shown = localise_table(result.semantic_types, "fr").set_index(["Source", "Colonne"])
    assert shown.loc[("crm", "email"), "Justification"] == \
        "le nom de colonne suggère email ; 75\u00a0% des valeurs échantillonnées sont conformes"
    personal = localise_table(result.personal_data, "fr").set_index(["Source", "Colonne"])
    assert personal.loc[("crm", "tel"), "Justification"] == "numéro de téléphone"
    assert result.personal_data.set_index(["source", "column"]).loc[("crm", "tel"), "reason_code"] == \
        "gdpr_phone"
    duplicates = localise_table(result.duplicates, "fr").set_index(["Source", "Clé"])
    # source 'un' has a name but no birth date: no name + birth-date key
    assert duplicates.loc[("un", "name_birth_date"), "Remarque"] == \
        "il faut une date de naissance et nom + prénom (ou nom complet)"


def test_saved_tables_do_not_depend_on_the_language(tmp_path):
    french = audit_frames(engagement(tmp_path), loaded(), profile=False, progress=False, today=TODAY)
    eng = engagement(tmp_path)
    eng.language = "en"
    english = audit_frames(eng, loaded(), profile=False, progress=False, today=TODAY)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(french, name), getattr(english, name))


def test_wall_and_cpu_time_per_stage(result):
    # profile=False: every other stage is timed, wall and CPU, in the order they run
    stages = ["values", "types", "personal_data", "quality", "duplicates"]
    assert list(result.seconds) == stages and list(result.cpu_seconds) == stages
    assert all(v >= 0 for v in [*result.seconds.values(), *result.cpu_seconds.values()])
