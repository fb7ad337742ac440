"""Masking of personal values by semantic type."""

import pandas as pd
import pytest

from rcu_kit.values.masking import MASKED_TYPES, is_masked_type, mask_frame, mask_series, mask_value


@pytest.mark.parametrize("value, kind, expected", [
    # e-mail: first letter of the local part and of the host, the suffix kept
    ("jean.dupont@gmail.fr", "email", "j***@g***.fr"),
    ("a@b.co.uk", "email", "a***@b***.uk"),
    # not an e-mail at all: masked word by word
    ("n/a", "email", "n/a"),
    ("inconnu", "email", "i******"),
    # phone: country code (+33) or the first two digits, and the last two digits survive
    ("+33 6 12 34 56 78", "phone", "+33 6 ** ** ** 78"),
    ("06 12 34 56 78", "phone", "06 ** ** ** 78"),
    ("0612345678", "phone", "06******78"),
    ("1234", "phone", "****"),
    # names: first letter of each word, separators kept
    ("DUPONT", "last_name", "D*****"),
    ("Jean-Pierre", "first_name", "J***-P*****"),
    ("DUPONT Jean", "full_name", "D***** J***"),
    ("12 rue des Lilas", "street", "1* r** d** L****"),
    # postcode: the department only
    ("75011", "postcode", "75***"),
    # birth date: the year only
    ("12/03/1985", "birth_date", "**/**/1985"),
    ("1985-03-12", "birth_date", "1985-**-**"),
    # SIREN / SIRET: three first and three last digits
    ("732 829 320", "siren", "732 *** 320"),
    ("73282932000074", "siret", "732********074"),
    # not personal on their own: unchanged
    ("Paris", "city", "Paris"),
    ("M.", "civility", "M."),
    ("C000123", "id", "C000123"),
])
def test_mask_value(value, kind, expected):
    assert mask_value(value, kind) == expected


def test_missing_values_stay_missing():
    assert mask_value(None, "email") is None
    assert pd.isna(mask_value(pd.NA, "email"))
    out = mask_series(pd.Series(["DUPONT", None, pd.NA, "DUPONT"], dtype=object), "last_name")
    assert out.iloc[0] == "D*****" and out.iloc[3] == "D*****"
    assert out.iloc[1] is None and out.iloc[2] is pd.NA


def test_mask_frame_masks_by_column_type_and_leaves_input_alone():
    frame = pd.DataFrame({"mail": ["jean@free.fr"], "ville": ["Lyon"], "autre": ["x"]})
    out = mask_frame(frame, {"mail": "email", "ville": "city"})
    assert out.to_dict("records") == [{"mail": "j***@f***.fr", "ville": "Lyon", "autre": "x"}]
    assert frame.loc[0, "mail"] == "jean@free.fr"  # the input is not modified
    # the policy allows raw values: the very same frame comes back
    assert mask_frame(frame, {"mail": "email"}, enabled=False) is frame


def test_masked_types():
    assert is_masked_type("email") and is_masked_type("text")
    assert not is_masked_type("category") and not is_masked_type(None)
    assert {"email", "phone", "last_name", "first_name", "full_name"} <= MASKED_TYPES
