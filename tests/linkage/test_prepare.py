"""Input contract checks and derived keys of the prepared records."""

from __future__ import annotations

import pandas as pd
import pytest

from rcu_kit.linkage.prepare import french_phonetic, prepare_records


def test_missing_columns_are_added_and_keys_derived():
    df = pd.DataFrame({"source": ["crm", "crm"], "record_id": ["1", "2"],
                       "first_name": ["JEAN PIERRE", "  "], "last_name": ["DUPOND", None],
                       "birth_date": ["1980-03-04", None], "email": ["jp@free.fr", None],
                       "phone": ["+33612345678", "+33145000000"], "postcode": ["75011", None]})
    out = prepare_records(df)
    row = out.iloc[0]
    assert (row.first_initial, row.birth_year, row.department, row.email_local) == \
        ("J", "1980", "75", "jp")
    # The sound key is computed when the standardiser gave none.
    assert row.last_name_phonetic == "DUPON"
    # A blank first name is missing; missing contract columns are all missing.
    assert pd.isna(out.iloc[1].first_name) and out["street_name"].isna().all()
    assert out["phone_is_mobile"].tolist() == [True, False]
    assert out["name_swapped"].tolist() == [False, False]
    # Surname columns share one vocabulary (compared by code).
    assert out["last_name"].cat.categories.equals(out["birth_name"].cat.categories)


def test_contract_errors_name_the_problem():
    with pytest.raises(ValueError, match="column 'record_id' is empty in 1 row\\(s\\) \\(positions \\[1\\]\\)"):
        prepare_records(pd.DataFrame({"source": ["a", "a"], "record_id": ["1", None]}))
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        prepare_records([1, 2])


def test_an_id_repeated_within_a_source_is_refused_not_across_sources():
    # crm/1 twice (positions 0 and 2) is refused with both rows counted; web/1 and web/2 share
    # their ids with crm records, which is allowed: ids are unique within a source.
    ids = pd.DataFrame({"source": ["crm", "crm", "crm", "web", "web"],
                        "record_id": ["1", "2", "1", "1", "2"]})
    with pytest.raises(ValueError, match="2 rows share a \\(source, record_id\\) with another "
                                         "row, e.g. crm/1, crm/1;"):
        prepare_records(ids)
    assert len(prepare_records(ids.iloc[1:])) == 4


def test_french_phonetic_folds_sounds_alike():
    assert french_phonetic("PHILIPPE") == french_phonetic("FILIPE") == "FILIP"
    assert french_phonetic("THOMAS") == french_phonetic("TOMAS")
    assert french_phonetic(None) is None


def test_id_numbers_keep_only_letters_and_digits():
    df = pd.DataFrame({"source": ["crm"] * 3, "record_id": ["1", "2", "3"],
                       "id_number": ["1 80 03 75 123", "18003-75.123", " - "]})
    out = prepare_records(df)
    # Spaces, dashes and dots are typing conventions: both ids become 1800375123;
    # an id made only of separators is missing.
    assert out["id_number"].tolist()[:2] == ["1800375123", "1800375123"]
    assert pd.isna(out["id_number"].iloc[2])
