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


def test_one_value_equals_the_vectorised_rule_on_many_values():
    # normalise_email answers a missing value at once and printable ASCII text in plain Python
    # (the preventive match's path): it must give normalise_emails' answer on every value.
    # 8 locals x 5 separators x 8 domains x 3 wrappers = 960 built values, plus missing values,
    # control characters, non-ASCII text and a number.
    locals_ = ["Jean.Dupont", "jean..dupont", "jean dupont", "x", "noemail", "a+b", ".j", "é"]
    separators = ["@", " @", "@ ", "@@", ""]
    domains = ["free.fr", "Orange.FR", "free,fr", "example.com", "x-y.photography", "orange",
               "-a.fr", "sub. laposte.net"]
    wrappers = [("", ""), ("mailto:", ""), ("<", ">")]
    values = [f"{a}{loc}{sep}{dom}{b}" for loc in locals_ for sep in separators
              for dom in domains for a, b in wrappers]
    values += [None, float("nan"), pd.NA, "", "  ", " Jean@Free.fr ", "jean@free.fr\t",
               "jean\u00a0@free.fr", 612345678]
    expected = [None if v is pd.NA else v
                for v in normalise_emails(pd.Series(values, dtype=object)).tolist()]
    assert len(values) == 969
    assert [normalise_email(v) for v in values] == expected
