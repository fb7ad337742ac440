"""Tests for rcu_kit.mapping.transforms: checking a mapping against the data, applying it."""

from __future__ import annotations

import pandas as pd
import pytest

from rcu_kit.core.config import Engagement, MappingEntry, Source
from rcu_kit.mapping.transforms import MappingError, apply_mapping, apply_transform, validate_mapping
from rcu_kit.vision.model import load_target_model


def test_validate_mapping_names_column_and_attribute():
    eng = Engagement(client="Test", target_model=load_target_model("b2c"),
                     sources=[Source(name="crm", path="a.csv", id_column="id_client")])
    loaded = {"crm": pd.DataFrame({"id_client": ["1"], "nom": ["A"], "mail": ["a@b.fr"]})}
    validate_mapping(eng, loaded, {"crm": [MappingEntry(column="nom", attribute="last_name")]})
    bad = {"crm": [MappingEntry(column="courriel", attribute="email"),
                   MappingEntry(column="nom", attribute="surname")],
           "web": [MappingEntry(column="x", attribute="email")]}
    with pytest.raises(MappingError) as err:
        validate_mapping(eng, loaded, bad)
    message = str(err.value)
    assert ("mapping.crm: column 'courriel' (mapped to 'email') is not in the data of crm; "
            "its columns are: id_client, nom, mail") in message
    assert "mapping.crm: column 'nom' maps to unknown attribute 'surname'; target attributes are: " in message
    assert "mapping.web: source 'web' is not loaded (loaded: crm); it maps 1 column(s)" in message


# -- application ------------------------------------------------------------------------------
def test_apply_mapping_keeps_every_row_and_applies_transforms():
    frame = pd.DataFrame({
        "id": ["A1", None, "A3", "  "],
        "cp": ["1000", "75011", "1000.0", None],
        "naiss": ["1/2/1980", "31/02/1980", "1980-02-01", None],
        "mobile": [None, "0611111111", None, None],
        "fixe": ["0122222222", "0133333333", None, None],
        "nom": [" Dupont ", "", "MARTIN", None]}, dtype=object)
    entries = [MappingEntry(column="cp", attribute="postcode", transform="restore_postcode_zero"),
               MappingEntry(column="naiss", attribute="birth_date", transform="parse_date_dmy"),
               MappingEntry(column="mobile", attribute="phone"),
               MappingEntry(column="fixe", attribute="phone"),
               MappingEntry(column="nom", attribute="last_name", transform="strip")]
    out = apply_mapping(frame, entries, "crm", "id")
    assert list(out.columns) == ["source", "record_id", "postcode", "birth_date", "phone", "last_name"]
    assert out.astype(object).where(out.notna(), None).values.tolist() == [
        # 1000 -> 01000; 1/2/1980 -> ISO; mobile empty so the landline fills phone
        ["crm", "A1", "01000", "1980-02-01", "0122222222", "Dupont"],
        # missing id -> '#2' (its row number); 31/02 is not a date: kept as written;
        # mobile wins over landline; an empty name after strip is NA
        ["crm", "#2", "75011", "31/02/1980", "0611111111", None],
        # spreadsheet float '1000.0' -> 01000; already-ISO date unchanged
        ["crm", "A3", "01000", "1980-02-01", None, "MARTIN"],
        # blank id -> '#4'; an all-empty row is still one output row
        ["crm", "#4", None, None, None, None],
    ]


def test_apply_mapping_without_id_column_numbers_rows():
    frame = pd.DataFrame({"nom": ["A", "B"]}, index=[10, 20])
    out = apply_mapping(frame, [MappingEntry(column="nom", attribute="last_name", transform="upper")], "web")
    assert out.to_dict(orient="list") == {"source": ["web", "web"], "record_id": ["1", "2"],
                                          "last_name": ["A", "B"]}


def test_apply_mapping_missing_column_is_a_clear_error():
    frame = pd.DataFrame({"id": ["1"], "nom": ["A"]})
    with pytest.raises(MappingError, match=r"crm: mapped column\(s\) not in the data: 'prenom' "
                                           r"\(-> 'first_name'\); columns are: id, nom"):
        apply_mapping(frame, [MappingEntry(column="prenom", attribute="first_name")], "crm", "id")
    with pytest.raises(MappingError, match=r"crm: id column 'ident' is not in the data; columns are: id, nom"):
        apply_mapping(frame, [], "crm", "ident")


def test_apply_transform_unknown():
    with pytest.raises(MappingError, match="unknown transform 'lower'"):
        apply_transform(pd.Series(["a"]), "lower")


def test_split_full_name_transform_fills_name_parts():
    frame = pd.DataFrame({"id": ["1", "2", "3", "4"],
                          "client": ["DUPONT Jean", "Jeanne Martin", None, "Mme MARTIN née DUPONT Jeanne"],
                          "nom": [None, None, None, "MARTIN-X"]}, dtype=object)
    entries = [MappingEntry(column="nom", attribute="last_name"),
               MappingEntry(column="client", attribute="full_name", transform="split_full_name")]
    out = apply_mapping(frame, entries, "fact", "id")
    assert list(out.columns) == ["source", "record_id", "last_name", "first_name", "birth_name", "civility"]
    assert out.astype(object).where(out.notna(), None).values.tolist() == [
        # case tells which word is the last name; parts come in the standardiser's upper case
        ["fact", "1", "DUPONT", "JEAN", None, None],
        ["fact", "2", "MARTIN", "JEANNE", None, None],
        ["fact", "3", None, None, None, None],
        # the 'nom' column is listed first, so it wins over the split last name; the married
        # name's "née DUPONT" fills birth_name, "Mme" fills civility
        ["fact", "4", "MARTIN-X", "JEANNE", "DUPONT", "MME"],
    ]


def test_apply_transform_works_per_distinct_value_and_keeps_the_index():
    values = pd.Series(["1000", None, "1000", "75011"], index=[7, 8, 9, 10], dtype=object)
    out = apply_transform(values, "restore_postcode_zero")
    assert out.index.tolist() == [7, 8, 9, 10]
    assert out.tolist() == ["01000", None, "01000", "75011"]
    assert apply_transform(pd.Series([None, None], dtype=object), "upper").tolist() == [None, None]


def test_validate_mapping_skips_a_source_the_loader_could_not_read(tmp_path):
    from rcu_kit.sources.loaders import load_all

    (tmp_path / "a.csv").write_text("id_client;nom\n1;DUPONT\n", encoding="utf-8")
    eng = Engagement(client="Test", target_model=load_target_model("b2c"),
                     sources=[Source(name="crm", path="a.csv", id_column="id_client"),
                              Source(name="web", path="missing.csv", id_column="id")])
    eng.base_dir = tmp_path
    loaded = load_all(eng)
    assert list(loaded) == ["crm"] and list(loaded.failed) == ["web"]
    mapping = {"crm": [MappingEntry(column="nom", attribute="last_name")],
               "web": [MappingEntry(column="mail", attribute="email")]}
    validate_mapping(eng, loaded, mapping)   # web is left out (and reported by the loading)
    # a source neither loaded nor reported (a typo in the mapping) is still an error
    with pytest.raises(MappingError, match="mapping.wbe: source 'wbe' is not loaded"):
        validate_mapping(eng, loaded, {**mapping, "wbe": mapping["web"]})


def test_postcode_and_date_transforms_apply_the_value_rules():
    # the postcode rule's repair (values.postcodes): float renderings with a comma or several
    # zeros too, and nothing else touched
    codes = pd.Series(["1000", "1000,0", "1000.00", " 75011 ", "ABC.0", None])
    assert apply_transform(codes, "restore_postcode_zero").tolist() == [
        "01000", "01000", "01000", "75011", "ABC.0", None]
    # the date rule (values.dates): day first, and every form it reads; impossible or unread
    # dates kept as they are for the audit to count
    dates = pd.Series(["03/02/1985", "3-2-1985 10:00", "3 février 1985", "31/02/2020", "abc", None])
    assert apply_transform(dates, "parse_date_dmy").tolist() == [
        "1985-02-03", "1985-02-03", "1985-02-03", "31/02/2020", "abc", None]
