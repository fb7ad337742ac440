"""Tests of rcu_kit.values.pii_scan: e-mails and French phones found and masked in free text."""

from __future__ import annotations

import pytest

from rcu_kit.values.pii_scan import find_personal_data, redact_json, redact_text


@pytest.mark.parametrize("text", [
    "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "0612345678", "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78", "0033612345678", "33612345678", "612345678", "01 45 67 89 10",
])
def test_every_french_phone_spelling_is_found_whole(text):
    # The whole value is one finding of kind phone, nothing else.
    assert [(f.kind, f.value, f.start) for f in find_personal_data(f"tel: {text}, fin")] == \
        [("phone", text, 5)]


@pytest.mark.parametrize("text", [
    "j***@g***.fr",          # already masked by rcu_kit.values.masking
    "06******78", "+33 6** ** ** 78",
    "Total 5000 records, 12.5 %", "2024-01-15", "ratio 0.612345678",  # a decimal, not a phone
    "x0612345678",            # glued to a word: an identifier, not a phone
    '{"bdata": "AAAA0612345678AAA"}',  # plotly base64 array
    "data:image/png;base64,AAjean@x.frAA0612345678",
    "<script>if(n.join('')!=='0123456789')return;var a='x@y.fr';</script>",  # code, not data
    "[-1474664885,-778901479,-694614492]",  # negative numbers
])
def test_masked_values_numbers_and_base64_are_not_findings(text):
    assert find_personal_data(text) == []


def test_email_containing_a_phone_is_one_email():
    # At the same start the longest match wins: the e-mail, not the phone inside it.
    assert [(f.kind, f.value) for f in find_personal_data("0612345678@sfr.fr")] == \
        [("email", "0612345678@sfr.fr")]


def test_redact_text_masks_and_counts():
    text, n = redact_text("Marie: marie.durand@orange.fr / 06 12 34 56 78; Paul: p@free.fr")
    # Two e-mails and one phone -> 3; e-mail keeps first letters and TLD, phone its last 2 digits.
    assert n == 3
    assert text == "Marie: m***@o***.fr / ** ** ** ** 78; Paul: p***@f***.fr"
    assert find_personal_data(text) == []


def test_redact_json_skips_bdata_and_keeps_structure():
    figure = {"data": [{"x": ["a@b.fr", "c"], "y": {"bdata": "0612345678", "dtype": "i1"},
                        "text": "06 12 34 56 78"}], "layout": {"title": {"text": "ok"}}}
    masked, n = redact_json(figure)
    # The e-mail in x and the phone in text: 2. The bdata string is untouched.
    assert n == 2
    assert masked == {"data": [{"x": ["a***@b***.fr", "c"], "y": {"bdata": "0612345678", "dtype": "i1"},
                                "text": "** ** ** ** 78"}], "layout": {"title": {"text": "ok"}}}
    assert figure["data"][0]["x"][0] == "a@b.fr"  # the input is not modified


def test_audit_value_shapes_are_not_emails():
    # The audit shows e-mail shapes (letters as a/A, digits as 9): patterns, not addresses.
    assert find_personal_data("a.a@a.a  a9999@a.a  Aaa_a@aaaa.aa  a.a99@a.a") == []
    assert [f.value for f in find_personal_data("anna@free.fr")] == ["anna@free.fr"]
