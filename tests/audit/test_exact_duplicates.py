"""First duplicate estimate on exact keys."""

import pandas as pd

from rcu_kit.audit.exact_duplicates import DUPLICATE_COLUMNS, email_key, estimate_exact_duplicates, name_key, phone_key
from rcu_kit.core.wording import word_column

TYPES = {"email": "email", "tel": "phone", "tel2": "phone", "nom": "last_name", "prenom": "first_name",
         "naiss": "birth_date"}


def frame():
    return pd.DataFrame({
        #          0                1               2            3            4           5
        "email": ["jean@free.fr", "JEAN@free.fr ", "n/a",       "n/a",       None,       "zoe@x.fr"],
        "tel":   ["0612345678",   None,            "0699999999", None,        "612345678", None],
        "tel2":  [None,           None,            None,         "0699999999", None,      None],
        "nom":   ["Dupont",       "DUPONT",        "Martin",     "Durand",    "Dupond",   "Zoé"],
        "prenom": ["Jean",        "jean",          "Léa",        "Paul",      "Jean",     "Zoé"],
        "naiss": ["12/03/1985",   "1985-03-12",    None,         "01/01/1990", "12/03/1985", "x"],
    })


def test_keys():
    assert email_key(frame()["email"]).tolist() == ["jean@free.fr", "jean@free.fr", pd.NA, pd.NA, pd.NA, "zoe@x.fr"]
    assert phone_key(frame()["tel"]).tolist() == ["33612345678", pd.NA, "33699999999", pd.NA, "33612345678", pd.NA]
    key, used = name_key(frame(), TYPES)
    assert used == "nom + prenom + naiss"
    assert key.tolist() == ["DUPONT|JEAN|1985-03-12", "DUPONT|JEAN|1985-03-12", pd.NA,
                            "DURAND|PAUL|1990-01-01", "DUPOND|JEAN|1985-03-12", pd.NA]


def test_estimate():
    table = estimate_exact_duplicates(frame(), TYPES, source="crm")
    assert table.columns.tolist() == DUPLICATE_COLUMNS
    got = table.set_index("key")[["rows_with_key", "groups", "duplicate_rows", "largest_group"]].to_dict("index")
    # email: rows 0,1 (same e-mail once normalised) and 5; 'n/a' is not a key -> 3 rows, 2 groups
    assert got["email"] == {"rows_with_key": 3, "groups": 2, "duplicate_rows": 1, "largest_group": 2}
    # phone (tel and tel2): 0 & 4 share 0612345678 / 612345678; 2 & 3 share 0699999999 across columns
    assert got["phone"] == {"rows_with_key": 4, "groups": 2, "duplicate_rows": 2, "largest_group": 2}
    # name + birth date: 0 & 1 (case and date format differ), 3 alone, 4 (Dupond) alone -> 4 rows, 3 groups
    assert got["name_birth_date"] == {"rows_with_key": 4, "groups": 3, "duplicate_rows": 1, "largest_group": 2}
    # any key: {0,1,4} via e-mail and phone, {2,3} via phone, {5} -> 6 rows in 3 groups
    assert got["any_key"] == {"rows_with_key": 6, "groups": 3, "duplicate_rows": 3, "largest_group": 3}
    assert table["duplicate_rate"].tolist() == [1 / 6, 2 / 6, 1 / 6, 3 / 6]
    assert table["columns"].tolist() == ["email", "tel, tel2", "nom + prenom + naiss",
                                         "email, tel, tel2, nom + prenom + naiss"]


def test_full_name_words_in_any_order():
    f = pd.DataFrame({"client": ["DUPONT Jean", "Jean Dupont"], "dn": ["12/03/1985", "12/03/1985"]})
    table = estimate_exact_duplicates(f, {"client": "full_name", "dn": "birth_date"})
    assert table.set_index("key").loc["name_birth_date", "duplicate_rows"] == 1


def test_no_key_columns_empty_and_single_row():
    table = estimate_exact_duplicates(pd.DataFrame({"x": ["a", "a"]}), {"x": "category"}, source="s")
    assert table["rows_with_key"].tolist() == [0, 0, 0, 0]
    assert table["note_code"].tolist() == ["dup_note_email", "dup_note_phone",
                                           "dup_note_name_birth_date", "dup_note_any_key"]
    assert word_column(table["note_code"], table["note_params"], "en").tolist() == [
        "no e-mail column", "no phone column", "needs a birth date and last + first (or full) name",
        "no key column"]
    empty = estimate_exact_duplicates(frame().iloc[:0], TYPES, source="vide")
    assert empty["rows"].tolist() == [0] * 4 and empty["duplicate_rate"].isna().all()
    one = estimate_exact_duplicates(frame().iloc[:1], TYPES, source="un")
    assert one["duplicate_rows"].tolist() == [0] * 4 and one["rows_with_key"].tolist() == [1, 1, 1, 1]


def test_shared_distinct_values_give_the_same_table_and_french_notes():
    from rcu_kit.values.validity import distinct_values

    data = frame()
    shared = {col: distinct_values(data[col]) for col in data.columns}
    for col, kind in TYPES.items():  # as the quality stage does: statuses computed first
        shared[col].status(kind)
    with_shared = estimate_exact_duplicates(data, TYPES, source="crm", distinct=shared)
    pd.testing.assert_frame_equal(with_shared, estimate_exact_duplicates(data, TYPES, source="crm"))
    # no key column at all: every note in French
    table = estimate_exact_duplicates(pd.DataFrame({"x": ["a"]}), {})
    notes = word_column(table["note_code"], table["note_params"], "fr").tolist()
    assert notes == ["aucune colonne e-mail", "aucune colonne téléphone",
                     "il faut une date de naissance et nom + prénom (ou nom complet)", "aucune colonne clé"]


def test_exact_keys_column_by_column_read_only_the_key_columns_they_use():
    from rcu_kit.audit.exact_duplicates import ExactKeys
    from rcu_kit.values.validity import distinct_values

    def unread():
        raise AssertionError("a column that is not part of a key is not reduced to its values")

    data = frame().assign(nom2=["X"] * 6, ville=["Lyon"] * 6)
    keys = ExactKeys(len(data))
    for col in ["ville", "email", "tel", "nom", "nom2", "tel2", "prenom", "naiss"]:
        kind = {**TYPES, "nom2": "last_name", "ville": "city"}[col]
        wanted = col not in ("ville", "nom2")  # a city is no key; nom2 is the second last name
        keys.add(col, kind, (lambda col=col: distinct_values(data[col])) if wanted else unread)
    # the same table as the whole frame's (columns in another order, a second last name ignored)
    expected = estimate_exact_duplicates(frame(), TYPES, source="crm")
    pd.testing.assert_frame_equal(keys.table("crm").drop(columns="columns"),
                                  expected.drop(columns="columns"))
    assert keys.table("crm")["columns"].tolist()[:2] == ["email", "tel, tel2"]
