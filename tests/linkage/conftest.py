"""Hand-made standardised records for the linkage tests (the contract of standardise_records).

Every person, household and trap is documented next to its rows; ``TRUTH`` gives the person of
each record so tests can assert the exact clusters.
"""

from __future__ import annotations

import pandas as pd
import pytest

COLUMNS = ["source", "record_id", "civility", "last_name", "birth_name", "first_name",
           "birth_date", "email", "phone", "street_number", "street_name", "postcode", "city"]

DUPONT_ADDRESS = ("12", "RUE DES LILAS", "75011", "PARIS")
DUPONT_LANDLINE = "+33143000001"

# (source, record_id, civility, last, birth, first, birth_date, email, phone, number, street,
#  postcode, city, person)
ROWS = [
    # --- Household DUPONT: one address, one landline, one family e-mail ------------------------
    # P1 Pierre DUPONT (father), twice.
    ("crm", "1", "M", "DUPONT", None, "PIERRE", "1970-05-12", "famille.dupont@free.fr",
     DUPONT_LANDLINE, *DUPONT_ADDRESS, "P1"),
    ("web", "1", "M", "DUPONT", None, "PIERRE", "1970-05-12", "pierre.dupont@gmail.com",
     "+33611111111", *DUPONT_ADDRESS, "P1"),
    # P2 Marie DUPONT née MARTIN (mother): married name, birth name, and an old Lyon address.
    ("crm", "2", "MME", "DUPONT", "MARTIN", "MARIE", "1972-08-30", "famille.dupont@free.fr",
     DUPONT_LANDLINE, *DUPONT_ADDRESS, "P2"),
    ("web", "2", "MME", "DUPONT", "MARTIN", "MARIE", "1972-08-30", "marie.martin@orange.fr",
     "+33622222222", *DUPONT_ADDRESS, "P2"),
    ("loyalty", "1", "MME", "MARTIN", None, "MARIE", "1972-08-30", "marie.martin@orange.fr",
     "+33622222222", "5", "AVENUE FOCH", "69006", "LYON", "P2"),
    # P3 Luc DUPONT (son): same address, landline, surname; different first name.
    ("crm", "3", "M", "DUPONT", None, "LUC", "2001-02-03", "famille.dupont@free.fr",
     DUPONT_LANDLINE, *DUPONT_ADDRESS, "P3"),
    # P4 Pierre DUPONT junior: same name, address and landline as his father, other birth date.
    ("loyalty", "2", "M", "DUPONT", None, "PIERRE", "1998-07-21", None, DUPONT_LANDLINE,
     *DUPONT_ADDRESS, "P4"),
    # --- Homonyms: two Jean MARTIN in Lyon 2e ----------------------------------------------------
    ("crm", "4", "M", "MARTIN", None, "JEAN", "1960-01-15", None, None,
     "3", "RUE VICTOR HUGO", "69002", "LYON", "P5"),
    ("loyalty", "3", "M", "MARTIN", None, "JEAN", "1960-01-15", "jean.martin60@free.fr", None,
     "3", "RUE VICTOR HUGO", "69002", "LYON", "P5"),
    ("web", "3", "M", "MARTIN", None, "JEAN", "1985-11-02", "jmartin85@gmail.com", None,
     "40", "RUE DE LA REPUBLIQUE", "69002", "LYON", "P6"),
    # --- Compound first name: JEAN PIERRE, JP, JEAN -------------------------------------------
    ("crm", "5", "M", "LEROY", None, "JEAN PIERRE", "1955-04-04", None, "+33633333333",
     "8", "BOULEVARD VOLTAIRE", "75011", "PARIS", "P7"),
    ("web", "4", "M", "LEROY", None, "JP", "1955-04-04", "jp.leroy@gmail.com", "+33633333333",
     None, None, None, None, "P7"),
    ("loyalty", "4", "M", "LEROY", None, "JEAN", "1955-04-04", None, None,
     "8", "BOULEVARD VOLTAIRE", "75011", "PARIS", "P7"),
    # --- A typo'd duplicate and a twin sister at the same address -------------------------------
    ("crm", "6", "MME", "BERNARD", None, "SOPHIE", "1990-12-01", "sophie.bernard@yahoo.fr", None,
     "22", "RUE NATIONALE", "59000", "LILLE", "P8"),
    ("service", "1", "MME", "BERNRAD", None, "SOPHIE", "1990-12-01", "sophie.bernard@yahoo.fr",
     None, "22", "RUE NATIONALE", "59000", "LILLE", "P8"),
    ("web", "5", "MME", "BERNARD", None, "CLAIRE", "1990-12-01", "claire.bernard@yahoo.fr", None,
     "22", "RUE NATIONALE", "59000", "LILLE", "P9"),
    # --- A shared family e-mail: Paul and Anne GIRARD --------------------------------------------
    ("crm", "7", "M", "GIRARD", None, "PAUL", "1980-06-06", "famille.girard@orange.fr", None,
     "7", "RUE DU PORT", "13002", "MARSEILLE", "P10"),
    ("loyalty", "5", "M", "GIRARD", None, "PAUL", "1980-06-06", "famille.girard@orange.fr",
     "+33644444444", None, None, "13002", "MARSEILLE", "P10"),
    ("web", "6", "MME", "GIRARD", None, "ANNE", "1982-09-09", "famille.girard@orange.fr", None,
     "7", "RUE DU PORT", "13002", "MARSEILLE", "P11"),
    # --- An all-empty record -----------------------------------------------------------------------
    ("service", "2", None, None, None, None, None, None, None, None, None, None, None, "P12"),
    # --- First and last name swapped in one source -----------------------------------------------
    ("crm", "8", "M", "ROUX", None, "THOMAS", "1975-03-03", "t.roux@free.fr", None,
     None, None, "33000", "BORDEAUX", "P13"),
    ("web", "7", "M", "THOMAS", None, "ROUX", "1975-03-03", "t.roux@free.fr", None,
     None, None, "33000", "BORDEAUX", "P13"),
    # --- Someone who moved: same name and birth date, new address and e-mail -------------------
    ("crm", "9", "MME", "PETIT", None, "JULIE", "1988-10-10", "julie.petit@gmail.com", None,
     "1", "RUE DE LA PAIX", "44000", "NANTES", "P14"),
    ("loyalty", "6", "MME", "PETIT", None, "JULIE", "1988-10-10", "julie.petit@gmail.com",
     "+33655555555", "9", "ALLEE DES PINS", "35000", "RENNES", "P14"),
    # --- Day and month swapped in a birth date -----------------------------------------------------
    ("service", "3", "MME", "FAURE", None, "CHLOE", "1999-03-07", "chloe.faure@laposte.net", None,
     "4", "PLACE DU CAPITOLE", "31000", "TOULOUSE", "P15"),
    ("web", "8", "MME", "FAURE", None, "CHLOE", "1999-07-03", "chloe.faure@laposte.net", None,
     None, None, "31000", "TOULOUSE", "P15"),
    # --- Singletons --------------------------------------------------------------------------------
    ("crm", "10", "M", "LAMBERT", None, "ANTOINE", "1965-02-28", "a.lambert@free.fr", None,
     "15", "COURS PASTEUR", "33000", "BORDEAUX", "P16"),
    ("loyalty", "7", "MME", "MOREL", None, "LEA", "2000-05-05", None, "+33666666666",
     "2", "RUE DES ECOLES", "75005", "PARIS", "P17"),
]

TRUTH = {(r[0], r[1]): r[-1] for r in ROWS}


def make_records(rows=ROWS) -> pd.DataFrame:
    """The rows as a standardised frame (phonetics left to linkage, like a bare contract)."""
    return pd.DataFrame([r[:-1] for r in rows], columns=COLUMNS)


@pytest.fixture
def french_records() -> pd.DataFrame:
    return make_records()
