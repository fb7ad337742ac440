"""Survivorship by evidence of quality (issue 20): small handmade customers, one case each,
asserting the golden value and the lineage (which record, which rule, what decided)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rcu_kit.golden.records import SurvivorshipSettings, build_golden_records, default_survivorship
from rcu_kit.golden.survivorship import (
    first_name_support,
    rank_candidates,
    source_trust,
    typo_flags,
)

COLUMNS = ["source", "record_id", "customer_id", "last_name", "first_name", "phone", "street",
           "postcode", "city", "last_activity_at"]


def _build(rows, settings=None, raw=None, attributes=None):
    frame = pd.DataFrame(rows, columns=COLUMNS)
    records = frame.drop(columns="customer_id")
    crosswalk = frame[["source", "record_id", "customer_id"]]
    result = build_golden_records(records, crosswalk, settings, raw=raw,
                                  attributes=attributes or COLUMNS[3:-1],
                                  source_order=["crm", "web", "fid", "bill"])
    return (result, result.golden.set_index("customer_id"),
            result.lineage.set_index(["customer_id", "attribute"]))


# A typo in the only dated source: web's MRATIN is the most recently updated record.
TYPO_ROWS = [
    ("crm", "1", "C1", "MARTIN", "LUC", None, None, None, None, "2020-01-01"),
    ("web", "2", "C1", "MRATIN", "LUC", None, None, None, None, "2025-03-01"),
    ("fid", "3", "C1", "MARTIN", "LUC", None, None, None, None, None),
]


def test_typo_in_the_dated_source_loses_to_the_two_others():
    # Default rule (evidence): two MARTIN against one MRATIN.
    _, golden, lin = _build(TYPO_ROWS, {"update_dates": {"web": ["last_activity_at"]}})
    assert golden.loc["C1", "last_name"] == "MARTIN"
    assert tuple(lin.loc[("C1", "last_name"), ["source", "record_id", "rule", "decided_by"]]) == \
        ("crm", "1", "evidence", "support")


def test_most_recent_passes_over_a_typo_then_says_when_no_date_could_decide():
    settings = {"update_dates": {"web": ["last_activity_at"]},
                "attributes": {"last_name": "most_recent"}}
    _, golden, lin = _build(TYPO_ROWS, settings)
    # MRATIN is one transposition from MARTIN, which two records hold: a typo, passed over
    # before the update date is looked at.
    assert golden.loc["C1", "last_name"] == "MARTIN"
    row = lin.loc[("C1", "last_name")]
    assert (row["source"], row["rule"], row["decided_by"], row["note"]) == \
        ("crm", "most_recent", "typo", "")
    # crm's date is not declared an update date: with web's record gone, no candidate is dated;
    # the evidence decides and the lineage says so.
    _, golden, lin = _build([TYPO_ROWS[0], TYPO_ROWS[2]], settings)
    row = lin.loc[("C1", "last_name")]
    assert (row["decided_by"], row["note"]) == ("agreement", "no_update_date")


def test_most_recent_uses_declared_update_dates_only():
    rows = [("crm", "1", "C1", "MARTIN", "LUC", None, None, None, None, "2020-01-01"),
            ("web", "2", "C1", "DURAND", "LUC", None, None, None, None, "2025-03-01")]
    settings = {"attributes": {"last_name": "most_recent"}}
    # web's date is declared an update date: its DURAND (a married name, say) is the newest.
    _, golden, lin = _build(rows, {**settings, "update_dates": ["last_activity_at"]})
    assert (golden.loc["C1", "last_name"], lin.loc[("C1", "last_name"), "decided_by"]) == \
        ("DURAND", "update_date")
    # Not declared (a sign-up date, say): the date proves nothing; one against one, both in
    # the reference list: the source that agrees more often elsewhere (here no evidence: a
    # half each) then the input order (crm first) decide, and the note says no date was used.
    _, golden, lin = _build(rows, settings)
    row = lin.loc[("C1", "last_name")]
    assert (golden.loc["C1", "last_name"], row["decided_by"], row["note"]) == \
        ("MARTIN", "input_order", "no_update_date")


def test_one_to_one_tie_goes_to_the_reference_list():
    # One record each: THOMSA is not a French first name of the packaged list, THOMAS is;
    # MRATIN not a frequent last name, MARTIN is. Nothing else tells them apart (one customer,
    # so the base does not say which is more common).
    rows = [("crm", "1", "C1", "MRATIN", "THOMSA", None, None, None, None, None),
            ("web", "2", "C1", "MARTIN", "THOMAS", None, None, None, None, None)]
    _, golden, lin = _build(rows)
    assert (golden.loc["C1", "first_name"], golden.loc["C1", "last_name"]) == ("THOMAS", "MARTIN")
    for attribute in ("first_name", "last_name"):
        assert tuple(lin.loc[("C1", attribute), ["source", "decided_by", "candidates",
                                                 "distinct_values"]]) == ("web", "reference", 2, 2)


def test_one_to_one_tie_goes_to_the_value_more_customers_hold():
    # Same tie for C1, but C2 and C3 are MARTIN too: MRATIN, one edit away and rarer in the
    # base (1 customer against 3), is a typo; no reference list needed.
    rows = [("crm", "1", "C1", "MRATIN", "LUC", None, None, None, None, None),
            ("web", "2", "C1", "MARTIN", "LUC", None, None, None, None, None),
            ("crm", "3", "C2", "MARTIN", "ANNE", None, None, None, None, None),
            ("crm", "4", "C3", "MARTIN", "PAUL", None, None, None, None, None)]
    _, golden, lin = _build(rows)
    assert golden.loc["C1", "last_name"] == "MARTIN"
    assert lin.loc[("C1", "last_name"), "decided_by"] == "typo"
    assert lin.loc[("C2", "last_name"), "decided_by"] == "single_value"


def test_swapped_names_give_a_coherent_name():
    # fid typed the names in each other's field. One against one on both names; THOMAS is a
    # French first name, CHAMPAGNE is not: THOMAS is the first name, and the last name cannot
    # be the chosen first name, so it is CHAMPAGNE (not THOMAS THOMAS, not CHAMPAGNE THOMAS).
    rows = [("crm", "1", "C1", "CHAMPAGNE", "THOMAS", None, None, None, None, None),
            ("fid", "2", "C1", "THOMAS", "CHAMPAGNE", None, None, None, None, None)]
    _, golden, lin = _build(rows)
    assert (golden.loc["C1", "first_name"], golden.loc["C1", "last_name"]) == \
        ("THOMAS", "CHAMPAGNE")
    assert tuple(lin.loc[("C1", "first_name"), ["source", "decided_by"]]) == ("crm", "reference")
    assert tuple(lin.loc[("C1", "last_name"), ["source", "decided_by"]]) == \
        ("crm", "other_name_field")


def test_first_name_keeps_the_full_form_its_short_forms_support():
    # JEAN PIERRE once, JP and JEAN once each: both are shorter forms of it (support 3), while
    # JEAN supports only itself and JP (1 + 0: JP is not a form of JEAN).
    rows = [("crm", "1", "C1", "DUPONT", "JP", None, None, None, None, None),
            ("web", "2", "C1", "DUPONT", "JEAN", None, None, None, None, None),
            ("fid", "3", "C1", "DUPONT", "JEAN PIERRE", None, None, None, None, None)]
    _, golden, lin = _build(rows)
    assert golden.loc["C1", "first_name"] == "JEAN PIERRE"
    assert tuple(lin.loc[("C1", "first_name"), ["source", "decided_by"]]) == ("fid", "support")
    customer = np.zeros(3, dtype=np.int64)
    vocabulary = np.array(["JP", "JEAN", "JEAN PIERRE"], dtype=object)
    assert first_name_support(customer, np.arange(3), vocabulary).tolist() == [1, 1, 3]


def test_mobile_beats_two_landlines_and_a_shared_landline_loses():
    rows = [("crm", "1", "C1", "DUPONT", "LUC", "+33145678901", None, None, None, None),
            ("web", "2", "C1", "DUPONT", "LUC", "+33612345678", None, None, None, None),
            ("bill", "3", "C1", "DUPONT", "LUC", "+33145678901", None, None, None, None),
            # C2: two landlines, one of them also the number of C3 (their household's).
            ("crm", "4", "C2", "MARTIN", "ANNE", "+33298765432", None, None, None, None),
            ("web", "5", "C2", "MARTIN", "ANNE", "+33145000000", None, None, None, None),
            ("crm", "6", "C3", "MARTIN", "PAUL", "+33298765432", None, None, None, None)]
    _, golden, lin = _build(rows, default_survivorship())
    # C1: the mobile, although two records hold the landline (the default rule is most_recent,
    # and no update date is declared: the note says so).
    assert golden.loc["C1", "phone"] == "+33612345678"
    row = lin.loc[("C1", "phone")]
    assert (row["source"], row["rule"], row["decided_by"], row["note"]) == \
        ("web", "most_recent", "mobile", "no_update_date")
    # C2: no mobile; +33298765432 is also C3's: C2's own landline wins.
    assert golden.loc["C2", "phone"] == "+33145000000"
    assert lin.loc[("C2", "phone"), "decided_by"] == "exclusive"


def test_partial_address_never_wins_and_the_group_stays_whole():
    raw = pd.DataFrame({"source": ["crm", "web", "fid"], "record_id": ["1", "2", "3"],
                        "street": [None, "12 r. des Lilas", "3 av. Foch"],
                        "postcode": ["75011", "75011", "69006"],
                        "city": [None, "Paris", "Lyon"]})
    rows = [  # crm: the newest record, a postcode only; web and fid: full addresses.
        ("crm", "1", "C1", "DUPONT", "LUC", None, None, "75011", None, "2025-01-01"),
        ("web", "2", "C1", "DUPONT", "LUC", None, "12 RUE DES LILAS", "75011", "PARIS",
         "2019-01-01"),
        ("fid", "3", "C1", "DUPONT", "LUC", None, "3 AVENUE FOCH", "69006", "LYON",
         "2024-01-01")]
    group = {"address": {"attributes": ["street", "postcode", "city"], "rule": "most_recent"}}
    settings = {"update_dates": ["last_activity_at"], "groups": group}
    result, golden, lin = _build(rows, settings, raw=raw)
    # Complete addresses first (web, fid: 3 parts against 1), then the update date: fid, 2024.
    assert tuple(golden.loc["C1", ["street", "postcode", "city"]]) == \
        ("3 AVENUE FOCH", "69006", "LYON")
    for attribute in ("street", "postcode", "city"):
        row = lin.loc[("C1", attribute)]
        assert (row["source"], row["record_id"], row["rule"], row["decided_by"]) == \
            ("fid", "3", "most_recent (address)", "update_date")
    # The raw value beside the standardised one.
    assert tuple(lin.loc[("C1", "street"), ["value", "raw_value"]]) == \
        ("3 AVENUE FOCH", "3 av. Foch")
    # Without update dates: web's address shares its postcode with crm's record (support 4
    # against 3): the complete address the other records back.
    _, golden, lin = _build(rows, {"groups": group}, raw=raw)
    assert golden.loc["C1", "city"] == "PARIS"
    assert tuple(lin.loc[("C1", "city"), ["source", "decided_by", "note"]]) == \
        ("web", "support", "no_update_date")
    # Only the partial record and one full one: completeness decided.
    _, golden, lin = _build(rows[:2], settings)
    assert tuple(lin.loc[("C1", "street"), ["source", "decided_by"]]) == ("web", "complete")
    assert result.golden["n_records"].sum() == 3


def test_rank_candidates_names_the_deciding_level():
    customer = np.array([0, 0, 0, 1], dtype=np.int64)
    value = np.array([5, 6, 5, 7], dtype=np.int64)
    levels = [("support", np.array([-2, -1, -2, -1])), ("input_order", np.array([2, 1, 0, 3]))]
    winner, runner, decided = rank_candidates(customer, value, levels)
    # Customer 0: value 5 (two candidates) beats 6 on support; candidate 2 comes first.
    # Customer 1: one candidate, no runner-up.
    assert winner.tolist() == [2, 3] and runner.tolist() == [1, -1]
    assert decided.tolist() == [0, -1]


def test_source_trust_counts_agreement_with_clear_majorities():
    # Customer 0: a, a (crm, web) against b (fid): crm and web agree, fid does not.
    # Customer 1: one against one: no clear majority, not counted.
    customer = np.array([0, 0, 0, 1, 1], dtype=np.int64)
    value = np.array([0, 0, 1, 2, 3], dtype=np.int64)
    source = np.array(["crm", "web", "fid", "crm", "fid"], dtype=object)
    # (agree + 1) / (seen + 2): crm (1+1)/(1+2), fid (0+1)/(1+2).
    assert source_trust(customer, value, source) == pytest.approx(
        {"crm": 2 / 3, "web": 2 / 3, "fid": 1 / 3})


def test_typo_flags_need_a_commoner_close_value():
    vocabulary = np.array(["MARTIN", "MRATIN", "DURAND"], dtype=object)
    customer = np.array([0, 0, 1, 1], dtype=np.int64)
    value = np.array([0, 1, 0, 2], dtype=np.int64)
    # MARTIN held by 2 customers, MRATIN by 1: MRATIN (candidate 1) is the typo; DURAND is far.
    assert typo_flags(customer, value, vocabulary, np.array([2, 1, 1])).tolist() == [0, 1, 0, 0]
    # Equally common: no evidence either way.
    assert typo_flags(customer, value, vocabulary, np.array([1, 1, 1])).tolist() == [0, 0, 0, 0]


def test_update_dates_settings_are_checked():
    assert SurvivorshipSettings.coerce({"update_dates": {"crm": "last_activity_at"}}) \
        .update_columns("crm") == ["last_activity_at"]
    settings = SurvivorshipSettings.coerce({"update_dates": {"crm": ["last_activity_at"]},
                                            "recency": ["modified_at"]})
    # Per source, the former recency list counting for every source.
    assert settings.update_columns("crm") == ["last_activity_at", "modified_at"]
    assert settings.update_columns("web") == ["modified_at"]
    with pytest.raises(ValueError, match="survivorship.update_dates: give a list of date columns"):
        SurvivorshipSettings.coerce({"update_dates": "last_activity_at"})
    with pytest.raises(ValueError, match="unknown survivorship rule 'newest'.*evidence"):
        SurvivorshipSettings.coerce({"default_rule": "newest"})


def test_raw_records_must_be_the_same_records():
    frame = pd.DataFrame(TYPO_ROWS, columns=COLUMNS)
    raw = frame[["source", "record_id", "last_name"]].iloc[:2]
    with pytest.raises(ValueError, match=r"raw records: 1 record\(s\) not found.*fid/3"):
        build_golden_records(frame.drop(columns="customer_id"),
                             frame[["source", "record_id", "customer_id"]], raw=raw,
                             attributes=["last_name"])


def test_the_common_spelling_wins_between_two_spellings_only():
    rows = [  # C1: an abbreviated street type against the full one, one record each.
        ("crm", "1", "C1", "ROUX", "EMMA", None, "7 CH DES ECOLES", None, None, None),
        ("web", "2", "C1", "ROUX", "EMMA", None, "7 CHEMIN DES ECOLES", None, None, None),
        # Two other customers write CHEMIN: words held by 7 (1 customer), CH (1), DES (C1, C3:
        # 2), ECOLES (1), CHEMIN (3): on average (1+3+2+1)/4 = 1.75 against (1+1+2+1)/4 = 1.25.
        ("crm", "3", "C2", "MARTIN", "ANNE", None, "2 CHEMIN DU LAC", None, None, None),
        ("crm", "4", "C3", "MARTIN", "PAUL", None, "9 CHEMIN DES VIGNES", None, None, None),
        # C4: MARTIN (two other customers) against DURAND: two names, not two spellings.
        ("crm", "5", "C4", "DURAND", "LEA", None, None, None, None, None),
        ("web", "6", "C4", "MARTIN", "LEA", None, None, None, None, None)]
    _, golden, lin = _build(rows, attributes=["last_name", "street"])
    assert golden.loc["C1", "street"] == "7 CHEMIN DES ECOLES"
    assert lin.loc[("C1", "street"), "decided_by"] == "common_words"
    # C4: how common MARTIN is says nothing: the input order (crm first) decides.
    assert tuple(lin.loc[("C4", "last_name"), ["value", "decided_by"]]) == ("DURAND",
                                                                            "input_order")


def test_token_frequency_and_spelling_variants():
    from rcu_kit.golden.survivorship import spelling_variants, token_frequency

    vocabulary = np.array(["7 CH DES ECOLES", "7 CHEMIN DES ECOLES", "2 CHEMIN DU LAC"],
                          dtype=object)
    customer = np.array([0, 0, 1], dtype=np.int64)
    value = np.array([0, 1, 2], dtype=np.int64)
    # Words held by how many customers: 7 (1), CH (1), DES (1), ECOLES (1), CHEMIN (2), 2, DU,
    # LAC (1 each). Means: (1+1+1+1)/4, (1+2+1+1)/4, (1+2+1+1)/4.
    assert token_frequency(customer, value, vocabulary).tolist() == [1.0, 1.25, 1.25]
    # C0's two lines are spellings of one another; C1 has a single value.
    assert spelling_variants(customer, value, vocabulary).tolist() == [True, True, False]
