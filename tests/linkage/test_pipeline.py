"""End-to-end deduplication on hand-made French records with every trap known (conftest.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rcu_kit.linkage import DedupSettings, deduplicate
from rcu_kit.linkage.pipeline import build_index
from rcu_kit.linkage.prepare import prepare_records

from .conftest import ROWS, TRUTH, make_records

# The true duplicate pairs (each within one person) scored at 0.9 or more, all 13:
# P1 1 pair, P2 3 (see below), P5 1, P7 3 (JEAN PIERRE / JP / JEAN), P8 1 (typo), P10 1,
# P13 1 (swapped names), P14 1 (moved), P15 1 (day/month swap).
EXPECTED_PAIRS = {
    frozenset({("crm", "1"), ("web", "1")}),
    frozenset({("crm", "2"), ("web", "2")}),
    frozenset({("crm", "2"), ("loyalty", "1")}),
    frozenset({("web", "2"), ("loyalty", "1")}),
    frozenset({("crm", "4"), ("loyalty", "3")}),
    frozenset({("crm", "5"), ("web", "4")}),
    frozenset({("crm", "5"), ("loyalty", "4")}),
    frozenset({("web", "4"), ("loyalty", "4")}),
    frozenset({("crm", "6"), ("service", "1")}),
    frozenset({("crm", "7"), ("loyalty", "5")}),
    frozenset({("crm", "8"), ("web", "7")}),
    frozenset({("crm", "9"), ("loyalty", "6")}),
    frozenset({("service", "3"), ("web", "8")}),
}


@pytest.fixture(scope="module")
def result():
    return deduplicate(make_records())


def _clusters(crosswalk: pd.DataFrame) -> set[frozenset]:
    return {frozenset(zip(g.source, g.record_id)) for _, g in crosswalk.groupby("customer_id")}


def test_crosswalk_has_exactly_one_row_per_record_in_input_order(result):
    # 28 input rows, including the all-empty service/2: 28 crosswalk rows, same order.
    assert len(result.crosswalk) == 28
    assert list(zip(result.crosswalk.source, result.crosswalk.record_id)) == \
        [(r[0], r[1]) for r in ROWS]
    assert list(result.crosswalk.columns) == ["source", "record_id", "customer_id"]


def test_clusters_are_exactly_the_true_persons(result):
    # 17 persons P1..P17: households, homonyms, the twin and the family e-mail stay apart;
    # married/birth names, compound names, the typo, the swap and the move are merged.
    truth = {}
    for key, person in TRUTH.items():
        truth.setdefault(person, set()).add(key)
    assert _clusters(result.crosswalk) == {frozenset(v) for v in truth.values()}
    assert result.n_customers == 17


def test_customer_ids_follow_first_appearance(result):
    # C0000001 is crm/1's cluster, C0000002 the next new cluster (crm/2), ...; the all-empty
    # service/2 (row 20) is the 12th customer to appear.
    ids = dict(zip(zip(result.crosswalk.source, result.crosswalk.record_id),
                   result.crosswalk.customer_id))
    assert ids[("crm", "1")] == ids[("web", "1")] == "C0000001"
    assert ids[("crm", "2")] == ids[("loyalty", "1")] == "C0000002"
    assert ids[("service", "2")] == "C0000012"
    assert ids[("loyalty", "7")] == "C0000017"


def test_pairs_above_threshold_are_exactly_the_true_duplicates(result):
    above = result.pairs[result.pairs.match_probability >= 0.9]
    found = {frozenset({(a, b), (c, d)}) for a, b, c, d in
             zip(above.source_1, above.record_id_1, above.source_2, above.record_id_2)}
    assert found == EXPECTED_PAIRS
    # P2's Paris record under her married name and her Lyon record under her birth name share
    # first name, birth date and civility, and her married surname is her birth name: 0.92.
    # It was 0.5 - 0.9 before a pair's features counted wherever a pass that found it did not
    # key on them (FellegiSunterEM.fit's finders).
    pairs = result.pairs.set_index(["source_1", "record_id_1", "source_2", "record_id_2"])
    assert pairs.loc[("crm", "2", "loyalty", "1"), "match_probability"] > 0.9


def test_household_and_homonym_pairs_are_vetoed_with_a_reason(result):
    pairs = result.pairs.set_index(["source_1", "record_id_1", "source_2", "record_id_2"])
    # Father and son Pierre DUPONT: same name, address and landline, other birth date.
    father_son = pairs.loc[("crm", "1", "loyalty", "2")]
    assert father_son["rule"] == "different birth dates"
    assert father_son["match_probability"] == pytest.approx(0.01)  # capped at veto_probability
    # Paul and Anne GIRARD share famille.girard@orange.fr.
    family_mail = pairs.loc[("crm", "7", "web", "6")]
    assert family_mail["email"] == 3  # exact
    assert family_mail["rule"] == "different first names"
    assert "rule: different first names" in family_mail["evidence"]
    # The two Jean MARTIN of Lyon 2e.
    assert pairs.loc[("crm", "4", "web", "3")]["rule"] == "different birth dates"


def test_married_name_pair_is_seen_as_birth_name_agreement(result):
    pairs = result.pairs.set_index(["source_1", "record_id_1", "source_2", "record_id_2"])
    married = pairs.loc[("crm", "2", "loyalty", "1")]   # DUPONT née MARTIN / MARTIN
    assert married["last_name"] == 3
    assert married["evidence"].startswith("last_name: birth_name; first_name: exact")


def test_stats_and_timings_are_reported(result):
    stats = result.pass_stats.set_index("pass")
    # 46 distinct candidate pairs out of 28 * 27 / 2 = 378 possible (90 when a sorted-
    # neighbourhood pass on first then last name also ran: it found no true pair here).
    assert stats.loc["total", "pairs"] == 46 == len(result.pairs)
    assert stats.loc["total", "reduction_ratio"] == pytest.approx(1 - 46 / 378)
    # The new pairs of all passes add up to the union: phone 8, e-mail 7, surname + postcode 7,
    # birth date + initial 2, address 8, postcode alone 14 new; names + birth month-day and
    # names + locality find nothing new here (every such pair shares a key above), no record
    # is known by its names and a place only (names_only_sorted), and every named record has
    # a postcode or a town (names_no_place). The postcode pass
    # pairs 41:
    # Paris 75011 holds 8 records (28 pairs, at its cap of 8: kept), Lyon 69002, Marseille,
    # Lille and Bordeaux 3 each (3 pairs each), Toulouse 2 (1 pair).
    assert stats.drop("total")["new_pairs"].tolist() == [8, 7, 0, 7, 2, 0, 8, 0, 0, 14, 0, 0, 0, 0,
                                                         0]
    assert stats.loc["postcode", "pairs"] == 41
    assert stats.loc["postcode", "skipped_blocks"] == 0
    assert stats.loc["phone", "pairs"] == 8
    assert set(result.timings) == {"prepare", "index", "compare", "u_sample", "classify",
                                   "cluster", "output", "total"}


def test_same_input_gives_same_output(result):
    again = deduplicate(make_records())
    pd.testing.assert_frame_equal(again.crosswalk, result.crosswalk)
    pd.testing.assert_series_equal(again.pairs.match_probability, result.pairs.match_probability)


def test_link_only_ignores_pairs_within_a_source():
    linked = deduplicate(make_records(), {"link_only": True})
    assert (linked.pairs.source_1.astype(str) != linked.pairs.source_2.astype(str)).all()
    # Every true pair crosses sources here, so the clusters are unchanged.
    assert linked.n_customers == 17


def test_settings_accept_a_dict_and_name_unknown_keys():
    assert DedupSettings.coerce({"threshold": 0.95}).threshold == 0.95
    with pytest.raises(ValueError, match="unknown key\\(s\\) treshold; allowed: .*threshold"):
        DedupSettings.coerce({"treshold": 0.95})
    with pytest.raises(ValueError, match="threshold must be between 0 and 1"):
        DedupSettings(threshold=1.5)
    with pytest.raises(ValueError, match="pass 'x' needs either 'on'"):
        deduplicate(make_records(), {"passes": [{"name": "x", "window": 3}]})


def test_an_unquoted_on_key_in_yaml_means_on():
    import yaml

    # YAML 1.1 reads `on:` as the boolean true; the pass keeps its meaning
    section = yaml.safe_load("passes:\n  - {name: mail, on: [email]}\n")
    assert list(section["passes"][0]) == ["name", True]
    settings = DedupSettings.coerce(section)
    assert settings.passes == [{"name": "mail", "on": ["email"]}]
    assert build_index(settings).algorithms[0].name == "mail"


def test_bad_records_are_refused_with_the_rows_named():
    records = make_records()
    records.loc[5, "record_id"] = "1"   # crm/1 twice
    with pytest.raises(ValueError, match="2 rows share a \\(source, record_id\\).*crm/1"):
        deduplicate(records)
    with pytest.raises(ValueError, match="column 'source' is missing"):
        deduplicate(make_records().drop(columns="source"))


def test_empty_input_gives_empty_outputs():
    out = deduplicate(make_records([]).astype(object))
    assert len(out.crosswalk) == 0 and len(out.pairs) == 0


# --- Weak evidence: extracts with names and a town only, a birth year changed, a prolific
# customer. Each population is small and hand-made; the pairs asserted are all the pairs found.

def _people(rows: list[tuple]) -> pd.DataFrame:
    columns = ["source", "record_id", "last_name", "first_name", "birth_date", "city"]
    return pd.DataFrame(rows, columns=columns)


# Names and a town only (no contact, address or birth date), as inventor mentions on patents.
NAMES_TOWN = [
    ("pv", "1", "SILVERBROOK", "KIA", None, "BALMAIN"),
    ("pv", "2", "SILVERBROOK", "KIA", None, "BALMAIN"),
    ("pv", "3", "LAPSTUN", "PAUL", None, "RODD POINT"),
    ("pv", "4", "LAPSTUN", "PAUL", None, "RODD POINT"),
    ("pv", "5", "WALMSLEY", "SIMON", None, "BALMAIN"),
    ("pv", "6", "KING", "TOBIN", None, "CREMORNE"),
    ("pv", "7", "MORGAN", "ALAN", None, "SYDNEY"),
    ("pv", "8", "KING", "ALAN", None, "CREMORNE"),
]


def _found(result) -> dict[frozenset, str]:
    p = result.pairs
    return {frozenset({(a, b), (c, d)}): str(f) for a, b, c, d, f in
            zip(p.source_1, p.record_id_1, p.source_2, p.record_id_2, p.found_by)}


def test_names_and_town_only_are_blocked_on_names():
    # Before the names passes, no default pass fired on such records (0 candidate pairs).
    # Now the two Kia SILVERBROOK and the two Paul LAPSTUN are candidates, found by the names +
    # locality pass (the town, as there is no postcode), and linked; KING TOBIN / KING ALAN
    # (same surname and town, other first name) is not linked. 8 records, 6 customers.
    result = deduplicate(_people(NAMES_TOWN))
    found = _found(result)
    assert {pair for pair, by in found.items() if by == "names_locality"} == {
        frozenset({("pv", "1"), ("pv", "2")}), frozenset({("pv", "3"), ("pv", "4")})}
    # The records have no e-mail, phone, birth date, id or street: names_only_sorted pairs each
    # with the next 3 once sorted on surname sound, first-name sound and town (7 + 6 + 5 = 18
    # pairs for 8 records, the 2 above among them), however common the names: cheap pairs
    # that reach a prolific customer whose names block is too large to pair.
    assert len(found) == 18
    assert set(found.values()) == {"names_locality", "names_only_sorted"}
    clusters = _clusters(result.crosswalk)
    assert frozenset({("pv", "1"), ("pv", "2")}) in clusters
    assert frozenset({("pv", "3"), ("pv", "4")}) in clusters
    assert result.n_customers == 6


# The same names with one birth-date part changed: the year (1980 -> 1981), which every pass
# keyed on the full date or the year misses, and the day (names + birth year finds it).
YEAR_CHANGED = [
    ("crm", "1", "BECKER", "ANNA", "1980-03-04", None),
    ("web", "1", "BECKER", "ANNA", "1981-03-04", None),
    ("crm", "2", "MULLER", "KARL", "1955-11-20", None),
    ("web", "2", "MULLER", "KARL", "1955-11-28", None),
    ("crm", "3", "SCHMIDT", "EVA", "1990-06-15", None),
    ("crm", "4", "WAGNER", "OTTO", "1947-01-30", None),
]


def test_a_changed_birth_year_is_blocked_on_names_and_month_day():
    result = deduplicate(_people(YEAR_CHANGED))
    assert _found(result) == {
        frozenset({("crm", "1"), ("web", "1")}): "names_birth_month_day",
        frozenset({("crm", "2"), ("web", "2")}): "names_birth_year",
    }


# Names and birth dates only (no place), as RLdata: Angela STEIN's birth date is missing in one
# source, Erika WEBER's differs in two parts (1995-02-01 / 1992-02-29), which every pass keyed
# on the date or part of it misses.
NO_PLACE = YEAR_CHANGED + [
    ("crm", "5", "STEIN", "ANGELA", "2002-08-30", None),
    ("web", "5", "STEIN", "ANGELA", None, None),
    ("crm", "6", "WEBER", "ERIKA", "1995-02-01", None),
    ("web", "6", "WEBER", "ERIKA", "1992-02-29", None),
]


def test_names_alone_are_blocked_when_there_is_no_place():
    result = deduplicate(_people(NO_PLACE))
    assert _found(result) == {
        frozenset({("crm", "1"), ("web", "1")}): "names_birth_month_day",
        frozenset({("crm", "2"), ("web", "2")}): "names_birth_year",
        frozenset({("crm", "5"), ("web", "5")}): "names_no_place",
        frozenset({("crm", "6"), ("web", "6")}): "names_no_place",
    }
    pairs = result.pairs.set_index(["record_id_1", "record_id_2"])
    # Compared now, and judged: the two Erika WEBER's birth dates differ (not a slip), so the
    # homonym rule vetoes them (0.01); the two Angela STEIN agree on both names and nothing
    # contradicts them: 0.966, linked (0.886, not linked, before a pair's features counted
    # wherever a pass that found it did not key on them; 0.939 before the source counted:
    # every candidate is across crm and web, while 21 of the 45 pairs of records are within
    # one source, so "another source" weighs about log(1 / 0.53), odds x 1.9).
    assert pairs.loc[("6", "6"), "rule"] == "different birth dates"
    assert pairs.loc[("6", "6"), "match_probability"] == pytest.approx(0.01)
    assert pairs.loc[("5", "5"), "match_probability"] == pytest.approx(0.966, abs=0.001)
    assert result.n_customers == 7   # 10 records; Anna BECKER, Karl MULLER, Angela STEIN linked


# --- Evidence that generalises: a short surname's typo, a birth year's typo, short forms and
# nicknames of first names (the household veto yields to them, not to a feminine form).
EVIDENCE = [
    # P1 Anna BECK, her surname mistyped BRCK (a one-letter slip in a four-letter name).
    ("crm", "1", "BECK", "ANNA", "1980-03-04", None, None, "75011"),
    ("web", "1", "BRCK", "ANNA", "1980-03-04", None, None, "75011"),
    # P2 Karl MULLER, his birth year mistyped (1955 / 1956): names exact, one digit off.
    ("crm", "2", "MULLER", "KARL", "1955-11-20", None, None, "69002"),
    ("web", "2", "MULLER", "KARL", "1956-11-20", None, None, "69002"),
    # P3 Stéphanie PETIT, "STEPH" in one source, the same mobile and postcode.
    ("crm", "3", "PETIT", "STEPHANIE", None, "+33611223344", None, "44000"),
    ("web", "3", "PETIT", "STEPH", None, "+33611223344", None, "44000"),
    # P4 Robert SMITH, "BOB" in one source, the same e-mail.
    ("crm", "4", "SMITH", "ROBERT", None, None, "r.smith@free.fr", "33000"),
    ("web", "4", "SMITH", "BOB", None, None, "r.smith@free.fr", "33000"),
    # P5 Jean and P6 Jeannette GIRARD: a couple sharing the landline; a feminine form is not a
    # short form, so the household veto holds.
    ("crm", "5", "GIRARD", "JEAN", None, "+33142000000", None, "13002"),
    ("web", "5", "GIRARD", "JEANNETTE", None, "+33142000000", None, "13002"),
    # P7 Klaus HAHN, his birth year typed 1072 in one source: an invalid date whose parts are
    # still compared (one character off), not a missing one.
    ("crm", "10", "HAHN", "KLAUS", "1972-05-16", None, None, "67000"),
    ("web", "10", "HAHN", "KLAUS", "1072-05-16", None, None, "67000"),
    # Singletons, for the model to see strangers.
    ("crm", "6", "LAMBERT", "ANTOINE", "1965-02-28", "+33699887766", "a.lambert@free.fr", "33000"),
    ("crm", "7", "MOREL", "LEA", "2000-05-05", "+33655443322", None, "75005"),
    ("crm", "8", "FAURE", "CHLOE", "1999-03-07", None, "chloe.faure@laposte.net", "31000"),
    ("crm", "9", "ROUX", "THOMAS", "1975-03-03", None, "t.roux@free.fr", "33000"),
]


@pytest.fixture(scope="module")
def evidence_result():
    columns = ["source", "record_id", "last_name", "first_name", "birth_date", "phone", "email",
               "postcode"]
    return deduplicate(pd.DataFrame(EVIDENCE, columns=columns))


def _pair(result, a, b):
    p = result.pairs.set_index(["source_1", "record_id_1", "source_2", "record_id_2"])
    return p.loc[(*a, *b)]


def test_a_short_surname_typo_is_close_not_different(evidence_result):
    pair = _pair(evidence_result, ("crm", "1"), ("web", "1"))
    assert pair["last_name"] == 2          # close (was 0: one edit only counted from 5 letters)
    assert pair["match_probability"] >= 0.9


def test_a_birth_year_typo_is_close(evidence_result):
    pair = _pair(evidence_result, ("crm", "2"), ("web", "2"))
    assert pair["birth_date"] == 2         # a one-character slip in one part
    assert pair["match_probability"] >= 0.9


def test_an_invalid_birth_date_is_compared_by_its_parts(evidence_result):
    pair = _pair(evidence_result, ("crm", "10"), ("web", "10"))
    assert pair["birth_date"] == 2         # 1072 / 1972: a one-character slip, as for P2
    assert pair["match_probability"] >= 0.9


def test_short_forms_and_nicknames_are_not_vetoed(evidence_result):
    steph = _pair(evidence_result, ("crm", "3"), ("web", "3"))
    bob = _pair(evidence_result, ("crm", "4"), ("web", "4"))
    assert steph["first_name"] == bob["first_name"] == 1   # short_form
    assert steph["rule"] == bob["rule"] == ""
    couple = _pair(evidence_result, ("crm", "5"), ("web", "5"))
    assert couple["first_name"] == 0 and couple["rule"] == "different first names"


def test_evidence_clusters_are_exactly_the_persons(evidence_result):
    # 16 records, 11 persons: the five pairs P1-P4 and P7 merged, the couple apart, 4 singletons.
    merged = {frozenset({("crm", k), ("web", k)}) for k in ("1", "2", "3", "4", "10")}
    clusters = _clusters(evidence_result.crosswalk)
    assert merged <= clusters
    assert frozenset({("crm", "5")}) in clusters and frozenset({("web", "5")}) in clusters
    assert evidence_result.n_customers == 11



def _contacts(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source", "record_id", "last_name", "first_name", "email",
                                       "phone"])


STRANGERS = [("crm", f"s{i}", name, first, f"{first.lower()}.{name.lower()}@free.fr",
              f"+3361000000{i}")
             for i, (name, first) in enumerate([("MOREL", "LEA"), ("FAURE", "CHLOE"),
                                                ("ROUX", "THOMAS"), ("LAMBERT", "ANTOINE"),
                                                ("GIRARD", "PAUL"), ("PETIT", "JULIE")])]


def test_a_prolific_customer_above_the_size_cap_is_kept_whole():
    # 60 records of one shop account (same name, e-mail and mobile), above the cluster size cap
    # of 50, among 6 strangers. The pairs sampled among its members all look like one person:
    # it is kept whole (before, it was cut into pieces of at most 50).
    rows = [("web", f"k{i}", "SILVERBROOK", "KIA", "kia@free.fr", "+33611111111")
            for i in range(60)] + STRANGERS
    result = deduplicate(_contacts(rows))
    assert frozenset(("web", f"k{i}") for i in range(60)) in _clusters(result.crosswalk)
    assert result.n_customers == 7
    assert result.cluster_info["large_clusters_checked"] == 1
    assert result.cluster_info["large_clusters_split"] == 0
    assert result.cluster_info["check_pairs"] > 500   # 10 drawn per member, self-pairs dropped


def test_a_large_cluster_chaining_different_people_is_split():
    # 30 records of Pierre DUPONT (his e-mail) and 30 of Marie DUPONT (hers and her mobile)
    # never meet in a blocking pass; one record with no first name, Pierre's e-mail and Marie's
    # mobile chains them: 61 records in one component, above the cap of 50. The sampled
    # pairs PIERRE / MARIE are vetoed (different first names), so the component is rebuilt
    # under the cap with them as cannot-links: no Pierre shares a customer with a Marie. One
    # source, where the source weighs nothing (with Pierre in one source, Marie in another and
    # the chaining record in a third, every true pair is within a source, "another source"
    # weighs against one person and the record no longer chains them).
    rows = ([("crm", f"a{i}", "DUPONT", "PIERRE", "pierre@free.fr", None) for i in range(30)]
            + [("crm", f"b{i}", "DUPONT", "MARIE", "marie@free.fr", "+33633333333")
               for i in range(30)]
            + [("crm", "j0", "DUPONT", None, "pierre@free.fr", "+33633333333")] + STRANGERS)
    result = deduplicate(_contacts(rows))
    assert result.cluster_info["large_clusters_checked"] == 1
    assert result.cluster_info["large_clusters_split"] == 1
    customer = dict(zip(result.crosswalk.record_id, result.crosswalk.customer_id))
    assert not {customer[f"a{i}"] for i in range(30)} & {customer[f"b{i}"] for i in range(30)}


def _one_customer_and_five_people() -> pd.DataFrame:
    """5 records of one customer (same names and town: positions 0-4) and 5 other people,
    prepared: 6 distinct (last name, first name, locality)."""
    from rcu_kit.linkage.prepare import prepare_records

    rows = [("pv", f"k{i}", "SILVERBROOK", "KIA", None, "BALMAIN") for i in range(5)] + [
        ("pv", "1", "MARTIN", "JEAN", None, "PARIS"), ("pv", "2", "MARTIN", "JEAN", None, "LYON"),
        ("pv", "3", "MARTIN", "PAUL", None, "PARIS"), ("pv", "4", "DUPONT", "ANNE", None, "PARIS"),
        ("pv", "5", "ROUX", "LEA", None, "NANTES")]
    return prepare_records(_people(rows))


def test_term_frequencies_count_each_person_once():
    # SILVERBROOK weighs 1/6 (not 5/10), MARTIN 3/6 (Jean in Paris, Jean in Lyon, Paul in
    # Paris), KIA 1/6, JEAN 2/6.
    from rcu_kit.linkage.pipeline import term_frequencies

    prepared = _one_customer_and_five_people()
    everyone = np.arange(len(prepared))
    assert term_frequencies(prepared, "last_name", everyone).tolist() == pytest.approx(
        [1 / 6] * 5 + [3 / 6] * 3 + [1 / 6, 1 / 6])
    assert term_frequencies(prepared, "first_name", everyone).tolist() == pytest.approx(
        [1 / 6] * 5 + [2 / 6, 2 / 6, 1 / 6, 1 / 6, 1 / 6])


def test_distinct_people_are_each_persons_first_record():
    # SILVERBROOK KIA five times (positions 0-4), then five other people: the heads are 0 and
    # 5 to 9.
    from rcu_kit.linkage.pipeline import distinct_people, term_frequencies

    prepared = _one_customer_and_five_people()
    heads = distinct_people(prepared)
    assert heads.tolist() == [0, 5, 6, 7, 8, 9]
    # Given or not, the heads give the same frequencies.
    pairs_first = np.array([0, 5, 9])
    assert term_frequencies(prepared, "last_name", pairs_first, heads).tolist() == \
        term_frequencies(prepared, "last_name", pairs_first).tolist() == pytest.approx(
            [1 / 6, 3 / 6, 1 / 6])


def _homonym_town() -> pd.DataFrame:
    """Jean MARTIN twice in Paris 75011 (two different men) and twice in Sisteron (one man),
    none with a birth date, a phone or an e-mail. Paris 75011 also holds 40 other people (4
    surnames x 10 first names, one record and one mobile each), Sisteron one more (Odile
    GIRAUD); 6 people of 6 small towns are known twice with one mobile (the duplicates EM
    learns from). 49 distinct people by (last name, first name, locality): 40 + Jean MARTIN
    of Paris (his two namesakes count once) + Jean MARTIN of Sisteron + Odile + 6."""
    first = ["ANNE", "LUC", "PAUL", "EMMA", "HUGO", "LEA", "NOAH", "ZOE", "TOM", "IRIS"]
    last = ["BLANC", "ROUX", "FAURE", "MERCIER"]
    rows = [("crm", f"p{i}", ln, fn, "75011", "PARIS", f"+336100000{i:02d}")
            for i, (ln, fn) in enumerate((ln, fn) for ln in last for fn in first)]
    rows += [("crm", "m1", "MARTIN", "JEAN", "75011", "PARIS", None),
             ("web", "m2", "MARTIN", "JEAN", "75011", "PARIS", None),
             ("crm", "s1", "MARTIN", "JEAN", "04200", "SISTERON", None),
             ("web", "s2", "MARTIN", "JEAN", "04200", "SISTERON", None),
             ("crm", "s3", "GIRAUD", "ODILE", "04200", "SISTERON", None)]
    twice = [("05000", "GAP", "ARNAUD", "COLETTE"), ("48000", "MENDE", "BARRE", "YVES"),
             ("23000", "GUERET", "CHAUVIN", "MAX"), ("09000", "FOIX", "DELMAS", "NINA"),
             ("15000", "AURILLAC", "ESTEVE", "REMI"), ("32000", "AUCH", "FABRE", "ALINE")]
    for k, (postcode, city, ln, fn) in enumerate(twice):
        rows += [(source, f"d{k}", ln, fn, postcode, city, f"+336200000{k:02d}")
                 for source in ("crm", "web")]
    return pd.DataFrame(rows, columns=["source", "record_id", "last_name", "first_name",
                                       "postcode", "city", "phone"])


def test_homonyms_in_a_big_postcode_weigh_less_than_in_a_village():
    result = deduplicate(_homonym_town())
    pairs = result.pairs.set_index(["source_1", "record_id_1", "source_2", "record_id_2"])
    paris = pairs.loc[("crm", "m1", "web", "m2")]
    village = pairs.loc[("crm", "s1", "web", "s2")]
    # The same evidence: exact names, the same postcode and town, two sources, nothing else.
    assert paris["evidence"] == village["evidence"] == \
        "last_name: exact; first_name: exact; postcode_city: postcode_city; source: other_source"
    # The place's frequency (postcode and town) among the 49 people: 75011 PARIS holds 41 (the
    # 40 and Jean MARTIN), 04200 SISTERON two; the reference is the median among the pairs
    # sharing a place, 2 / 49. Paris loses log(2 / 41) = -3.02, bounded by log(1 / 20): its odds
    # are the village's / 20.
    assert result.model.fit_.tf_reference["postcode_city"] == {4: pytest.approx(2 / 49)}

    def odds(p: float) -> float:
        return p / (1 - p)

    # Both pairs are across crm and web, which weighs for one person: crm holds 49 of the 57
    # records, so about 1 random pair in 4 is across two sources (u 0.24), against 0.86 of the
    # matches EM expects (m: the 7 true pairs are all across, but EM also counts a little of
    # the pairs within crm): 1.83 bits. The namesakes in one place (same names, one
    # postcode) doubt the Paris pair, and leave the source out (their chances are learned
    # among such pairs whatever their sources): its odds lack that factor.
    source = result.model.match_weights().set_index(["feature", "level"]).loc[
        ("source", 0), "weight"]
    assert source == pytest.approx(1.83, abs=0.01)
    assert odds(paris["match_probability"]) == pytest.approx(
        odds(village["match_probability"]) / 20 / 2 ** source)
    # Before the place's frequency counted, both pairs scored 0.593; then the two Jean MARTIN
    # of Paris 0.068; with a pair's features counted wherever a pass that found it did not
    # key on them, 0.626 and 0.077; with the source, 0.857 and 0.077. Neither reaches 0.9
    # (names and a place alone), so the customers linked are exactly the 6 people sharing a
    # mobile.
    assert village["match_probability"] == pytest.approx(0.857, abs=0.001)
    assert paris["match_probability"] == pytest.approx(0.077, abs=0.001)
    assert {c for c in _clusters(result.crosswalk) if len(c) > 1} == {
        frozenset({("crm", f"d{k}"), ("web", f"d{k}")}) for k in range(6)}


def test_matches_in_a_names_block_too_large_to_pair_count_in_the_prior():
    # Kia SILVERBROOK of Balmain known 12 times (one prolific customer) among 6 other people,
    # names and a town only, with names_locality capped at 10 records: his block of 12 is
    # skipped, its 12 * 11 / 2 = 66 pairs never proposed by that pass. names_only_sorted pairs
    # each of his records with the next 3 (30 of the 66 pairs): the other 36 are compared on
    # a sample (drawn with replacement) and each counts by its match probability (about 0.87
    # here: exact names, the same town), the 30 candidates nothing (EM counted them).
    rows = [("pv", f"k{i}", "SILVERBROOK", "KIA", None, "BALMAIN") for i in range(12)] + [
        ("pv", "1", "LAPSTUN", "PAUL", None, "RODD POINT"),
        ("pv", "2", "LAPSTUN", "PAUL", None, "RODD POINT"),
        ("pv", "3", "WALMSLEY", "SIMON", None, "BALMAIN"), ("pv", "4", "KING", "TOBIN", None, "CREMORNE"),
        ("pv", "5", "MORGAN", "ALAN", None, "SYDNEY"), ("pv", "6", "KING", "ALAN", None, "CREMORNE")]
    from rcu_kit.linkage.pipeline import default_passes

    passes = [dict(p, max_block_size=10) if p["name"] == "names_locality" else p
              for p in default_passes()]
    result = deduplicate(_people(rows), {"passes": passes})
    assert result.pass_stats.set_index("pass").loc["names_locality", "skipped_records"] == 12
    assert result.cluster_info["skipped_pairs"] == 66
    assert 36 * 0.8 < result.cluster_info["skipped_matches"] < 36
    # With no block skipped (the default cap of 100), nothing is added.
    plain = deduplicate(_people(rows))
    assert plain.cluster_info["skipped_pairs"] == plain.cluster_info["skipped_matches"] == 0
    # The prior is the expected matches over the 18 * 17 / 2 = 153 record pairs.
    assert result.model.prior == pytest.approx(result.model.fit_.expected_matches / 153)


# --- One landline, two generations; one person found by several passes ------------------------
HOMES_COLUMNS = ["source", "record_id", "last_name", "first_name", "birth_date", "phone", "email",
                 "street_number", "street_name", "postcode", "city"]
HOMES = [
    # Marc LEFEBVRE and his son Marc: one name, one address, one landline, two birth dates.
    ("crm", "1", "LEFEBVRE", "MARC", "1960-04-02", "+33240000001", "marc.lefebvre@free.fr",
     "4", "RUE DES CHENES", "44300", "NANTES"),
    ("web", "1", "LEFEBVRE", "MARC", "1990-09-15", "+33240000001", None,
     "4", "RUE DES CHENES", "44300", "NANTES"),
    # Nadia BENALI, twice: the same mobile, names, birth date and postcode.
    ("crm", "2", "BENALI", "NADIA", "1985-12-24", "+33612345678", None,
     None, None, "69003", "LYON"),
    ("web", "2", "BENALI", "NADIA", "1985-12-24", "+33612345678", "nadia.b@gmail.com",
     None, None, "69003", "LYON"),
    # Strangers, nothing in common with anyone.
    ("crm", "3", "ROUSSEAU", "ALAIN", "1971-06-30", "+33611000003", None,
     "9", "RUE PASTEUR", "21000", "DIJON"),
    ("web", "3", "FONTAINE", "INES", "2001-01-11", None, "ines.f@orange.fr",
     None, None, "35000", "RENNES"),
]


def test_a_father_and_son_are_apart_and_one_person_found_by_several_passes_is_linked():
    records = pd.DataFrame(HOMES, columns=HOMES_COLUMNS)
    result = deduplicate(records)
    # Exactly two candidate pairs, both first found by the phone pass.
    assert _found(result) == {frozenset({("crm", "1"), ("web", "1")}): "phone",
                              frozenset({("crm", "2"), ("web", "2")}): "phone"}
    pairs = result.pairs.set_index(["record_id_1", "record_id_2"])
    # The father and son: vetoed by their birth dates, capped at 0.01, two customers.
    assert pairs.loc[("1", "1"), "rule"] == "different birth dates"
    assert pairs.loc[("1", "1"), "match_probability"] == pytest.approx(0.01)
    # Nadia BENALI: linked.
    assert pairs.loc[("2", "2"), "match_probability"] >= 0.9
    assert {c for c in _clusters(result.crosswalk) if len(c) > 1} == {
        frozenset({("crm", "2"), ("web", "2")})}
    assert result.n_customers == 5   # 6 records, Nadia's two linked
    # Every pass that found her pair is known, not only the first (the model counts the
    # phone as evidence where a names pass found the pair too): the phone, surname +
    # postcode, birth date + initial, names + birth year, names + date (any_name_birth_date),
    # birth date, postcode, names + month-day and names + locality. The father and son: the
    # phone, the address and the postcode passes, and the names passes keyed on a place.
    prepared = prepare_records(records)
    index = build_index(DedupSettings())
    found = index.candidates(prepared)
    names = [s.name for s in found.stats]
    passes = {(int(a), int(b)): {names[k] for k in range(len(names)) if m >> k & 1}
              for a, b, m in zip(found.first, found.second, found.passes)}
    assert passes[(3, 2)] == {"phone", "surname_postcode", "birth_date_initial",
                              "names_birth_year", "any_name_birth_date", "birth_date",
                              "postcode", "names_birth_month_day", "names_locality"}
    assert passes[(1, 0)] == {"phone", "surname_postcode", "address", "postcode",
                              "first_name_street", "names_locality"}


# -- the household model on records (classify.HOUSEHOLD_ADDRESS) --------------------------------
HOUSEHOLD_STREETS = ["RUE DES LILAS", "RUE PASTEUR", "AVENUE FOCH", "RUE NATIONALE",
                     "BOULEVARD VOLTAIRE", "RUE VICTOR HUGO", "RUE DU MOULIN", "PLACE DU MARCHE",
                     "RUE DE LA GARE", "CHEMIN DES VIGNES", "RUE DES ECOLES", "ALLEE DES PINS"]
HOUSEHOLD_TOWNS = [("44300", "NANTES"), ("21000", "DIJON"), ("35000", "RENNES"),
                   ("59000", "LILLE"), ("69003", "LYON"), ("31000", "TOULOUSE"),
                   ("33000", "BORDEAUX"), ("67000", "STRASBOURG"), ("34000", "MONTPELLIER"),
                   ("13001", "MARSEILLE"), ("76000", "ROUEN"), ("37000", "TOURS")]
HOUSEHOLD_SURNAMES = ["MOREAU", "LAURENT", "SIMON", "MICHEL", "LEFEVRE", "GARCIA", "DAVID",
                      "BERTRAND", "ROUX", "VINCENT", "FOURNIER", "MOREL"]
MEN = ["PAUL", "LUC", "HUGO", "LOUIS", "JULES", "NOAH", "ADAM", "LEO", "TOM", "MAX", "ENZO",
       "ARTHUR"]
WOMEN = ["EMMA", "JADE", "LOUISE", "ALICE", "CHLOE", "LINA", "ROSE", "ANNA", "MILA", "LEA",
         "ZOE", "INES"]


def _households() -> pd.DataFrame:
    """60 homes of two different people, both birth dates known (what the household model
    learns from), 5 in each of 12 towns: in 45 one surname (h % 4 != 0), in 15 of those one
    first name as well (a son named after his father, h % 4 == 1); a landline for the first,
    an e-mail for the second. 6 people known twice at an address of their own (the same birth
    date in both records, a mobile in one, an e-mail in the other). Then the two pairs the test is about, at one more
    address, each with one birth date missing: Marc LEFEBVRE and Marc LEFEBVRE (another
    e-mail, no phone: father and son), Lucie GARNIER twice (the same mobile). No two birth
    dates are near each other. 120 + 12 + 4 = 136 records."""
    rows = []
    for h in range(60):
        # 12 towns of 5 homes; in each town 5 surnames, first names by surname
        town, street = HOUSEHOLD_TOWNS[h // 5], HOUSEHOLD_STREETS[h % 12]
        surname, first = HOUSEHOLD_SURNAMES[h % 12], MEN[h % 12]
        home = (str(h + 1), street, *town)
        # the first born in 1940-1999 on day h of the year, the second 2 years and 100 days
        # (a partner) or 25 years and 100 days (a son) later: never near each other
        year = 1940 + h
        gap = 25 if h % 4 == 1 else 2
        born = [(pd.Timestamp(f"{year}-01-01") + pd.Timedelta(days=h)).strftime("%Y-%m-%d"),
                (pd.Timestamp(f"{year + gap}-01-01") + pd.Timedelta(days=h + 100)).strftime("%Y-%m-%d")]
        second_surname = surname if h % 4 else HOUSEHOLD_SURNAMES[(h + 5) % 12]
        second_first = first if h % 4 == 1 else WOMEN[h % 12]
        rows += [("crm", f"h{h}a", surname, first, born[0], f"+3324{h:07d}", None, *home),
                 ("web", f"h{h}b", second_surname, second_first, born[1], None,
                  f"{second_first.lower()}.{h}@free.fr", *home)]
    for k in range(6):
        person = (HOUSEHOLD_SURNAMES[(k + 3) % 12], WOMEN[(k + 4) % 12], f"19{50 + k}-06-{10 + k}")
        home = (str(100 + k), HOUSEHOLD_STREETS[(k + 6) % 12], *HOUSEHOLD_TOWNS[k])
        rows += [("crm", f"d{k}", *person, f"+3361{k:07d}", None, *home),
                 ("web", f"d{k}", *person, None, f"p{k}@orange.fr", *home)]
    home = ("4", "RUE DES CHENES", "44300", "NANTES")
    rows += [("crm", "marc", "LEFEBVRE", "MARC", "1960-04-02", None, "marc.lefebvre@free.fr", *home),
             ("web", "marc", "LEFEBVRE", "MARC", None, None, "marc.l90@gmail.com", *home),
             ("crm", "lucie", "GARNIER", "LUCIE", "1980-02-14", "+33655555555", None, *home),
             ("web", "lucie", "GARNIER", "LUCIE", None, "+33655555555", "lucie.g@gmail.com", *home)]
    return pd.DataFrame(rows, columns=HOMES_COLUMNS)


def test_the_household_model_keeps_a_namesake_at_one_address_apart_and_links_a_shared_mobile(
        monkeypatch):
    records = _households()
    result = deduplicate(records)
    pairs = result.pairs.set_index(["source_1", "record_id_1", "source_2", "record_id_2"])
    marc, lucie = pairs.loc[("crm", "marc", "web", "marc")], pairs.loc[("crm", "lucie", "web", "lucie")]
    # Both pairs: the same names and street address, one birth date missing, no veto.
    assert marc["evidence"] == ("last_name: exact; first_name: exact; email: different; "
                                "address: exact; postcode_city: postcode_city; "
                                "source: other_source")
    assert marc["rule"] == lucie["rule"] == ""
    # The model learned that 15 of the 60 households share both names: 15 of 70 pairs once its
    # 10 pseudo-pairs of independent chances are added (last_name and first_name level 4: cell
    # 4 * 5 + 4 of their joint table). So the same names at one address say little, and
    # another e-mail leaves Marc LEFEBVRE and Marc LEFEBVRE apart. No household shares a
    # mobile: Lucie GARNIER's two records are one person.
    tables = result.model.fit_.given[0].tables
    assert np.exp(tables[(0, 1)][24]) == pytest.approx(15 / 70, abs=0.005)
    assert marc["match_probability"] < 0.9 <= lucie["match_probability"]
    # Customers: the 6 people known twice and Lucie; every household member and both Marc
    # LEFEBVRE on their own: 136 records, 129 customers.
    assert {c for c in _clusters(result.crosswalk) if len(c) > 1} == {
        *(frozenset({("crm", f"d{k}"), ("web", f"d{k}")}) for k in range(6)),
        frozenset({("crm", "lucie"), ("web", "lucie")})}
    assert result.n_customers == 129
    # Without the household model the features multiply as if independent: the same names
    # and address count as four coincidences and the two Marc LEFEBVRE are linked.
    import functools

    from rcu_kit.linkage import pipeline
    from rcu_kit.linkage.classify import FellegiSunterEM

    monkeypatch.setattr(pipeline, "FellegiSunterEM", functools.partial(FellegiSunterEM, given=None))
    independent = deduplicate(records).pairs.set_index(
        ["source_1", "record_id_1", "source_2", "record_id_2"])
    assert independent.loc[("crm", "marc", "web", "marc"), "match_probability"] >= 0.9


def test_a_father_and_son_judged_apart_are_not_joined_through_a_third_record():
    # The households of the test above, with the two Marc LEFEBVRE at one address told apart
    # a little more (two different mobiles), and a third record: a shop account holding the
    # father's birth date and the son's e-mail. It is linked to each of them (1.0 both); the
    # father and son, compared directly, are judged apart (0.028): below 0.1, the default
    # conflict_probability, so the shop record joins one of them and never both.
    records = _households()
    marc = records["record_id"] == "marc"
    records.loc[marc & (records["source"] == "crm"), "phone"] = "+33611111111"
    records.loc[marc & (records["source"] == "web"), "phone"] = "+33622222222"
    shop = ("shop", "marc", "LEFEBVRE", "MARC", "1960-04-02", None, "marc.l90@gmail.com",
            "4", "RUE DES CHENES", "44300", "NANTES")
    records = pd.concat([records, pd.DataFrame([shop], columns=HOMES_COLUMNS)],
                        ignore_index=True)
    result = deduplicate(records)
    probability = result.pairs.set_index(
        ["source_1", "record_id_1", "source_2", "record_id_2"])["match_probability"]
    assert probability[("crm", "marc", "web", "marc")] == pytest.approx(0.028, abs=0.001)
    assert probability[("crm", "marc", "shop", "marc")] >= 0.9
    assert probability[("web", "marc", "shop", "marc")] >= 0.9
    marcs = [c for c in _clusters(result.crosswalk) if ("shop", "marc") in c or ("crm", "marc") in c]
    assert sorted(map(sorted, marcs)) == [[("crm", "marc")], [("shop", "marc"), ("web", "marc")]]
    assert result.cluster_info["incoherent_components"] == 1
    assert result.cluster_info["splits"] == 1
    assert result.n_customers == 129   # 137 records: the 129 customers of the test above + shop
    # Without the guard on low probabilities (only vetoes part records), the three are one.
    glued = deduplicate(records, {"conflict_probability": 0.0})
    assert frozenset({("crm", "marc"), ("web", "marc"), ("shop", "marc")}) in \
        _clusters(glued.crosswalk)
    assert glued.n_customers == 128


# -- the fitting sample (FIT_PAIRS) -------------------------------------------------------------

def test_pair_hashes_ignore_the_order_of_a_pair_and_follow_the_seed():
    from rcu_kit.linkage.pipeline import pair_hashes

    first, second = np.array([3, 0, 7]), np.array([1, 5, 2])
    forward = pair_hashes(first, second, 10, seed=42)
    assert forward.tolist() == pair_hashes(second, first, 10, seed=42).tolist()
    assert forward.tolist() != pair_hashes(first, second, 10, seed=43).tolist()
    assert len(set(forward.tolist())) == 3


def test_the_fitting_sample_is_every_pair_up_to_the_limit_then_about_the_limit():
    from rcu_kit.linkage.pipeline import fit_cut, in_fit_sample

    rng = np.random.default_rng(0)
    first = rng.integers(0, 1_000_000, 100_000)
    second = rng.integers(0, 1_000_000, 100_000)
    assert fit_cut(100_000, limit=100_000) is None
    assert in_fit_sample(first, second, 1_000_000, 42, None).all()
    chosen = in_fit_sample(first, second, 1_000_000, 42, fit_cut(100_000, limit=10_000))
    # a binomial(100,000, 0.1) count: 10,000 expected, standard deviation about 95
    assert 9_500 <= chosen.sum() <= 10_500
    # the same pairs whatever their order or the engine's partitions
    again = in_fit_sample(second[::-1], first[::-1], 1_000_000, 42, fit_cut(100_000, limit=10_000))
    assert again[::-1].tolist() == chosen.tolist()


def test_fit_positions_maps_candidates_into_the_sample_and_drops_the_others():
    from rcu_kit.linkage.pipeline import fit_positions

    fitted = np.array([True, False, True, True, False])
    # candidates 0, 2, 3 are the sample's 0, 1, 2; candidates 1 and 4 are outside it
    assert fit_positions(fitted, np.array([3, 1, 0, 4])).tolist() == [2, 0]
    assert fit_positions(np.ones(3, dtype=bool), np.array([2, 0])).tolist() == [2, 0]


def test_fitting_on_a_sample_still_finds_the_true_persons(monkeypatch, result):
    import rcu_kit.linkage.pipeline as pipeline

    pairs = int(result.pass_stats.set_index("pass").loc["total", "pairs"])
    # fit on about two thirds of the candidate pairs; every pair is still scored
    monkeypatch.setattr(pipeline, "FIT_PAIRS", pairs * 2 // 3)
    sampled = deduplicate(make_records())
    assert len(sampled.pairs) == len(result.pairs) == pairs
    assert _clusters(sampled.crosswalk) == _clusters(result.crosswalk)
    # the model did learn from fewer pairs: its m and u moved a little
    assert not sampled.model.match_weights().equals(result.model.match_weights())


def test_matches_expected_on_the_fitting_sample_are_scaled_to_all_the_candidates():
    from rcu_kit.linkage.compare import default_features
    from rcu_kit.linkage.indexing import random_pairs
    from rcu_kit.linkage.pipeline import InMemoryRecords, fit_model

    records = InMemoryRecords(prepare_records(make_records()))
    settings = DedupSettings()
    index = build_index(settings)
    candidates = records.candidates(index, False, 1)
    first, second = candidates.second, candidates.first
    features = default_features()
    levels = records.compare(first, second, features, settings)
    u_first, u_second, total = random_pairs(records.n, 1_000, 42)
    u_vectors = records.compare(u_first, u_second, features, settings)

    def fitted(all_candidates: int):
        model, _ = fit_model(records, settings, features, index, first, levels,
                             candidates.found_by, candidates.passes, u_vectors, None, total,
                             all_candidates)
        return model.fit_

    alone, share = fitted(len(first)), fitted(3 * len(first))
    # the same pairs said to be a third of the candidates: three times the expected matches
    assert share.expected_matches == pytest.approx(3 * alone.expected_matches)
    assert share.prior == pytest.approx(3 * alone.prior)
    assert [m.tolist() for m in share.log_m] == [m.tolist() for m in alone.log_m]


# --- A client's own default birth date (01/01/1970 for every customer whose date was unknown):
# too frequent to be evidence, compared as missing.
DEFAULT_DATE = "1970-01-01"
DATED_SURNAMES = ["BERNARD", "THOMAS", "ROBERT", "RICHARD", "DURAND", "LEROY", "MOREAU", "SIMON",
            "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUSSEAU", "BLANC",
            "GUERIN", "MULLER", "HENRY", "ROUSSEL", "NICOLAS", "PERRIN", "MORIN", "MATHIEU",
            "CLEMENT", "GAUTHIER", "DUMONT", "LOPEZ", "FONTAINE", "CHEVALIER", "ROBIN", "MASSON"]
DATED_FIRST_NAMES = ["ALAIN", "BRIGITTE", "CEDRIC", "DENISE", "ETIENNE", "FABIENNE"]
# 24 strangers of the CRM given the default date, 30 of the web with their own dates: each
# with a surname, an e-mail and a town of their own.
DATED_STRANGERS = [("crm", f"s{k}", DATED_SURNAMES[k], DATED_FIRST_NAMES[k % 6], DEFAULT_DATE,
              f"client{k}@free.fr", f"{10000 + 1000 * k}") for k in range(24)] + \
    [("web", f"w{k}", DATED_SURNAMES[k], DATED_FIRST_NAMES[(k + 3) % 6], f"{1950 + k}-0{1 + k % 9}-1{k % 10}",
      f"web{k}@sfr.fr", f"{10500 + 1000 * k}") for k in range(30)]
DEFAULT_DATES = DATED_STRANGERS + [
    # P1 Claire VIDAL: the default date in the CRM, her true date on the web, the same e-mail.
    ("crm", "1", "VIDAL", "CLAIRE", DEFAULT_DATE, "c.vidal@orange.fr", "34000"),
    ("web", "1", "VIDAL", "CLAIRE", "1984-06-15", "c.vidal@orange.fr", "34000"),
    # Marc and Luc DUBOIS: two strangers of one town, both given the default date.
    ("crm", "2", "DUBOIS", "MARC", DEFAULT_DATE, None, "59000"),
    ("crm", "3", "DUBOIS", "LUC", DEFAULT_DATE, None, "59000"),
]


@pytest.fixture(scope="module")
def default_dates_result():
    columns = ["source", "record_id", "last_name", "first_name", "birth_date", "email", "postcode"]
    return deduplicate(pd.DataFrame(DEFAULT_DATES, columns=columns))


def test_a_default_birth_date_is_reported_as_too_frequent(default_dates_result):
    # 27 of 58 dated records hold it (mean 58 / 32 values = 1.8): at least 20 and over 18.1
    assert default_dates_result.frequent_values.to_dict("records") == [
        {"column": "birth_date", "value": DEFAULT_DATE, "source": "crm", "records": 27}]


def test_a_default_birth_date_is_no_difference_from_the_true_one(default_dates_result):
    claire = _pair(default_dates_result, ("crm", "1"), ("web", "1"))
    assert claire["birth_date"] == -1          # missing, not "different" (level 0)
    assert claire["rule"] == ""
    assert claire["match_probability"] >= 0.9


def test_a_default_birth_date_is_no_agreement_between_strangers(default_dates_result):
    dubois = _pair(default_dates_result, ("crm", "2"), ("crm", "3"))
    assert dubois["birth_date"] == -1          # missing, not "exact" (level 3)
    clusters = _clusters(default_dates_result.crosswalk)
    assert frozenset({("crm", "1"), ("web", "1")}) in clusters
    assert frozenset({("crm", "2")}) in clusters and frozenset({("crm", "3")}) in clusters
    # 58 records, 57 persons: only Claire VIDAL's two records are one customer
    assert default_dates_result.n_customers == 57


# --- A shop's e-mail given for customers who have none: too frequent to be evidence.
SHOP_EMAIL = "contact@boutique-durand.fr"
SHOP = [(source, rid, last, first, None, SHOP_EMAIL if source == "crm" else email, postcode)
        for source, rid, last, first, _, email, postcode in DATED_STRANGERS] + [
    # Claire VIDAL: the shop's e-mail in the CRM, her own on the web, the same names and town.
    ("crm", "1", "VIDAL", "CLAIRE", "1984-06-15", SHOP_EMAIL, "34000"),
    ("web", "1", "VIDAL", "CLAIRE", "1984-06-15", "c.vidal@orange.fr", "34000"),
]


def test_a_shops_email_is_set_aside_and_no_difference_from_a_customers_own():
    columns = ["source", "record_id", "last_name", "first_name", "birth_date", "email", "postcode"]
    result = deduplicate(pd.DataFrame(SHOP, columns=columns))
    # 25 CRM records of 25 surnames hold it (mean 55 / 31 values = 1.8)
    assert result.frequent_values.to_dict("records") == [
        {"column": "email", "value": SHOP_EMAIL, "source": "crm", "records": 25}]
    claire = _pair(result, ("crm", "1"), ("web", "1"))
    assert claire["email"] == -1               # missing, not "different" (level 0)
    assert claire["match_probability"] >= 0.9
    assert result.n_customers == len(SHOP) - 1   # only Claire VIDAL's two records are one


def test_the_surname_postcode_pass_pairs_a_block_of_30_records_and_skips_one_of_31():
    # Namesakes in one place: one surname, one first initial, one postcode (first names J + two
    # letters). The surname-and-postcode pass's own statistics: 30 records pair (30 x 29 / 2),
    # 31 make a skipped block.
    index = build_index(DedupSettings())
    names = [s.name for s in index.algorithms]
    k = names.index("surname_postcode")
    for size, pairs, skipped in ((30, 435, 0), (31, 0, 1)):
        firsts = [f"J{a}{b}" for a in "AEIOU" for b in "BDFKLMNPRSTVZ"][:size]
        records = pd.DataFrame({"source": "crm", "record_id": [str(i) for i in range(size)],
                                "last_name": "MARTIN", "first_name": firsts,
                                "postcode": "75015", "city": "PARIS"})
        stats = index.candidates(prepare_records(records)).stats[k]
        assert (stats.pairs, stats.skipped_blocks, stats.skipped_records) == (
            pairs, skipped, 31 if skipped else 0)
