"""Tests for rcu_kit.values.emails."""

import pandas as pd

from rcu_kit.values.emails import normalise_email, normalise_emails


def test_case_and_spaces_are_normalised():
    assert normalise_email("  Jean.DUPONT@Orange.FR ") == "jean.dupont@orange.fr"
    assert normalise_email("<marie@gmail.com>") == "marie@gmail.com"
    assert normalise_email("MAILTO:marie@gmail.com") == "marie@gmail.com"


def test_valid_tricky_addresses_are_kept():
    assert normalise_email("jean-pierre.o'neil+crm@sub.laposte.net") == \
        "jean-pierre.o'neil+crm@sub.laposte.net"
    assert normalise_email("a_b@x-y.fr") == "a_b@x-y.fr"


def test_invalid_syntax_is_na():
    bad = ["jean.dupont@orange", "jean dupont@orange.fr", "jean@@orange.fr", "@orange.fr",
           "jean@", ".jean@orange.fr", "jean.@orange.fr", "jean..dupont@orange.fr",
           "jean@orange..fr", "jean@-orange.fr", "jean@orange.f", "élodie@orange.fr",
           "jean@orange.fr.", "jean,dupont@orange.fr", "0612345678"]
    for raw in bad:
        assert normalise_email(raw) is None, raw


def test_placeholders_are_na():
    # They would link every customer whose agent typed the same filler.
    for raw in ["noemail@orange.fr", "PASDEMAIL@gmail.com", "jean@example.com", "xxx@xxx.fr"]:
        assert normalise_email(raw) is None, raw


def test_vectorised_blank_and_missing():
    out = normalise_emails(pd.Series(["A@B.FR", "", None, "a@b.fr", "nope"]))
    assert out.tolist() == ["a@b.fr", pd.NA, pd.NA, "a@b.fr", pd.NA]
