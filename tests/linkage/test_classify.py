"""Fellegi-Sunter EM on tiny separable data, term frequencies, household rules, supervised."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from rcu_kit.linkage.classify import (
    HOUSEHOLD_ADDRESS,
    NAMESAKES,
    NAMESAKES_IN_PLACE,
    FellegiSunterEM,
    SupervisedClassifier,
    household_rules,
)


def test_hashed_unique_is_numpy_unique():
    from rcu_kit.linkage.classify import hashed_unique, unique_patterns

    # Large codes in any order, repeated: the same distinct values, inverse and counts as
    # np.unique, whether called directly or by unique_patterns on a pattern space too large
    # to count in (3 x 10^12 patterns for 2,000 codes).
    codes = np.random.default_rng(7).integers(0, 50, 2_000) * 10**12 + 3
    expected = np.unique(codes, return_inverse=True, return_counts=True)
    for got in (hashed_unique(codes), unique_patterns(codes, [10**6 - 1, 3 * 10**6 - 1])):
        assert [a.tolist() for a in got] == [a.tolist() for a in expected]
    assert [a.tolist() for a in hashed_unique(np.zeros(0, np.int64))] == [[], [], []]


def _separable() -> pd.DataFrame:
    # 10 matches agreeing on both features (name 2, date 1) and 30 non-matches disagreeing on
    # both (0, 0): two patterns, perfectly separable.
    return pd.DataFrame({"name": [2] * 10 + [0] * 30, "date": [1] * 10 + [0] * 30})


def test_em_separates_a_separable_case_and_estimates_the_prior():
    vectors = _separable()
    model = FellegiSunterEM(rules=False).fit(vectors)
    prob = model.prob(vectors)
    assert (prob.iloc[:10] > 0.99).all() and (prob.iloc[10:] < 0.01).all()
    # 10 of 40 pairs are matches.
    assert model.prior == pytest.approx(0.25, abs=1e-3)
    weights = model.match_weights().set_index(["feature", "level"])["weight"]
    # Agreement weighs for a match, disagreement against it.
    assert weights[("name", 2)] > 5 and weights[("name", 0)] < -5


def test_missing_levels_weigh_nothing():
    vectors = _separable()
    model = FellegiSunterEM(rules=False).fit(vectors)
    # A pair agreeing on name, date missing: its odds are the prior's odds times the name
    # Bayes factor alone.
    one = pd.DataFrame({"name": [2], "date": [-1]})
    weights = model.match_weights().set_index(["feature", "level"])["weight"]
    expected = np.log(0.25 / 0.75) + weights[("name", 2)] * np.log(2)
    assert model.log_odds(one)[0] == pytest.approx(expected, abs=0.01)


def test_supervised_counting_matches_labels():
    vectors = _separable()
    labels = np.array([True] * 10 + [False] * 30)
    model = FellegiSunterEM(rules=False, smoothing=0.0).fit(vectors, labels)
    weights = model.match_weights().set_index(["feature", "level"])
    # Counted, not estimated: all 10 matches are at name level 2, none at 0.
    assert weights.loc[("name", 2), "m"] == pytest.approx(1.0)
    assert weights.loc[("name", 0), "u"] == pytest.approx(1.0)


def test_term_frequency_makes_common_names_weigh_less():
    vectors = _separable().assign(tf_name=[0.1] * 5 + [0.001] * 5 + [np.nan] * 30)
    model = FellegiSunterEM(rules=False).fit(vectors)
    odds = model.log_odds(vectors)
    # Reference = median tf among exact agreements = (0.1 + 0.001) / 2 = 0.0505; a name with
    # tf 0.1 loses log(0.0505 / 0.1), one with tf 0.001 gains log(0.0505 / 0.001) (bounded by
    # log 20), relative to the unadjusted odds.
    plain = FellegiSunterEM(rules=False, tf_adjustment=False).fit(vectors).log_odds(vectors)
    assert odds[0] - plain[0] == pytest.approx(np.log(0.0505 / 0.1))
    assert odds[9] - plain[9] == pytest.approx(np.log(20))


def test_term_frequency_of_a_place_adjusts_each_level_given_with_its_own_reference():
    # A place feature with levels 0 different, 1 same town, 2 same postcode: 10 matches in
    # the same postcode (level 2), 10 in the same town (level 1), 20 non-matches different.
    # The town's frequency is given at level 1 (Paris 0.2 on 5 pairs, a village 0.002 on 5),
    # the postcode's at level 2 (0.01 on 5 pairs, 0.04 on 5); nothing at level 0.
    vectors = pd.DataFrame({"place": [2] * 10 + [1] * 10 + [0] * 20,
                            "name": [1] * 20 + [0] * 20})
    vectors["tf_place"] = [0.01] * 5 + [0.04] * 5 + [0.2] * 5 + [0.002] * 5 + [np.nan] * 20
    model = FellegiSunterEM(rules=False, tf_levels={"place": (1, 2)}).fit(vectors)
    plain = FellegiSunterEM(rules=False, tf_adjustment=False).fit(vectors).log_odds(vectors)
    odds = model.log_odds(vectors)
    # References: the median at each level, postcode (0.01 + 0.04) / 2 = 0.025, town
    # (0.2 + 0.002) / 2 = 0.101.
    assert model.fit_.tf_reference["place"] == pytest.approx({2: 0.025, 1: 0.101})
    assert odds[0] - plain[0] == pytest.approx(np.log(0.025 / 0.01))    # a rare postcode gains
    assert odds[5] - plain[5] == pytest.approx(np.log(0.025 / 0.04))    # a common one loses
    assert odds[10] - plain[10] == pytest.approx(np.log(0.101 / 0.2))   # Paris loses
    # a village gains log(0.101 / 0.002) = 3.92, bounded by log 20 = 3.00
    assert odds[15] - plain[15] == pytest.approx(np.log(20))
    assert (odds[20:] == plain[20:]).all()                              # different: untouched
    # Without tf_levels only the top level (the postcode) is adjusted, as for names.
    top_only = FellegiSunterEM(rules=False).fit(vectors)
    assert top_only.fit_.tf_reference["place"] == pytest.approx({2: 0.025})
    assert top_only.log_odds(vectors)[15] == pytest.approx(plain[15])


def test_household_rules():
    v = pd.DataFrame({"first_name": [4, 0, 0, 0, 4, 0],
                      "birth_date": [0, 2, 3, 3, -1, -1],
                      "email": [3, 3, -1, 0, 3, 3]})
    # row 0: birth dates differ -> 2; row 1: first names differ, dates only close -> 1;
    # row 2: first names differ but same exact birth date and nothing contradicting -> 0;
    # row 3: same, but the e-mails differ (twins) -> 1; row 4: nothing differs -> 0;
    # row 5: first names differ, no birth date -> 1.
    assert household_rules(v).tolist() == [2, 1, 0, 1, 0, 1]


def test_household_rules_are_lifted_by_a_shared_id_number():
    v = pd.DataFrame({"first_name": [4, 0, 4, 0, 4],
                      "birth_date": [0, 0, 0, 0, 0],
                      "id_number": [2, 2, 1, 1, 0]})
    # rows 0-1: same id number (exact 2): neither rule fires, the differences are data errors;
    # row 2: id one slip apart (close 1), same first name: the birth-date rule is lifted -> 0;
    # row 3: close id but first names differ: the first-name rule still fires -> 1;
    # row 4: different ids: the birth-date rule fires as usual -> 2.
    assert household_rules(v).tolist() == [0, 0, 0, 1, 2]


def test_vetoed_pairs_are_capped():
    vectors = pd.DataFrame({"first_name": [4] * 10 + [0] * 30, "birth_date": [3] * 10 + [0] * 30,
                            "email": [3] * 10 + [0] * 29 + [3]})
    model = FellegiSunterEM(veto_probability=0.01).fit(vectors)
    # The last pair shares an e-mail but first names and birth dates differ: at most 0.01.
    # Both rules fire; the first-name rule (1) is the one reported.
    assert model.prob(vectors).iloc[-1] <= 0.01 + 1e-12
    assert model.rule_codes(vectors)[-1] == 1


def test_supervised_classifier_and_errors():
    vectors = pd.DataFrame({"name": [2, 2, 0, 0, 1, 0], "date": [1, 1, 0, 0, 1, 1]})
    y = np.array([1, 1, 0, 0, 1, 0])
    model = SupervisedClassifier(rules=False).fit(vectors, y)
    assert model.predict(vectors).tolist() == y.tolist()
    boosted = SupervisedClassifier("gradient_boosting", rules=False)
    assert boosted.fit(vectors, y).prob(vectors).shape == (6,)
    with pytest.raises(ValueError, match="both matches and non-matches"):
        SupervisedClassifier().fit(vectors, np.zeros(6))
    with pytest.raises(ValueError, match="unknown model 'svm'"):
        SupervisedClassifier("svm").fit(vectors, y)
    with pytest.raises(RuntimeError, match="call fit\\(\\) before"):
        FellegiSunterEM().prob(vectors)


def test_monotone_pools_levels_whose_weight_would_decrease():
    from rcu_kit.linkage.classify import _monotone

    # m/u per level: 4/2 = 2, 1/2 = 0.5, 5/1 = 5. Level 1 weighs less than level 0, so the two
    # are pooled: ratio (4 + 1) / (2 + 2) = 1.25, m spread as u * 1.25 = 2.5, 2.5; level 2 kept.
    m, u = _monotone(np.array([4.0, 1.0, 5.0]), np.array([2.0, 2.0, 1.0]))
    assert m.tolist() == [2.5, 2.5, 5.0]
    assert u.tolist() == [2.0, 2.0, 1.0]


def test_em_monotone_weights_never_decrease_with_agreement():
    # 10 matches (name 2, date 1); non-matches: 20 at name 1 and 10 at name 0 (date 0). No
    # match shows name 0 or 1, so both get the same smoothed m, but u(1) = 2/3 > u(0) = 1/3:
    # unconstrained, the closer level 1 weighs *less* than level 0; monotone pools them.
    vectors = pd.DataFrame({"name": [2] * 10 + [1] * 20 + [0] * 10,
                            "date": [1] * 10 + [0] * 30})
    free = FellegiSunterEM(rules=False).fit(vectors).match_weights()
    free = free.set_index(["feature", "level"])["weight"]
    assert free[("name", 1)] < free[("name", 0)]
    tied = FellegiSunterEM(rules=False, monotone=True).fit(vectors).match_weights()
    tied = tied.set_index(["feature", "level"])["weight"]
    assert tied[("name", 1)] == pytest.approx(tied[("name", 0)], abs=1e-9)
    assert tied[("name", 2)] > tied[("name", 1)]


def test_m_floor_keeps_a_share_of_matches_at_the_different_level():
    # In the separable data no match has date 0, so EM puts m(date 0) near 0 (-> a huge
    # penalty); with a floor of 0.2 the last M-step sets m(date 0) to exactly 20 %.
    vectors = _separable()
    free = FellegiSunterEM(rules=False).fit(vectors).match_weights()
    assert free.query("feature == 'date' and level == 0")["m"].iloc[0] < 0.02
    model = FellegiSunterEM(rules=False, m_floor={"date": 0.2}).fit(vectors)
    floored = model.match_weights()
    assert floored.query("feature == 'date' and level == 0")["m"].iloc[0] == pytest.approx(0.2)
    # The name alone still separates the two groups.
    prob = model.prob(vectors)
    assert (prob.iloc[:10] > 0.99).all() and (prob.iloc[10:] < 0.01).all()


def test_u_from_random_pairs_and_the_prior_over_all_pairs():
    # Candidates: 10 agreeing pairs (name 2, date 1) and 30 agreeing on the name only (2, 0).
    # Random pairs: 1,000, of which 10 agree on the name, 100 on the date.
    vectors = pd.DataFrame({"name": [2] * 40, "date": [1] * 10 + [0] * 30})
    u_vectors = pd.DataFrame({"name": [2] * 10 + [0] * 990, "date": [1] * 100 + [0] * 900})
    model = FellegiSunterEM(rules=False).fit(vectors, u_vectors=u_vectors, total_pairs=100_000)
    weights = model.match_weights().set_index(["feature", "level"])
    # u is counted on the random pairs (plus a 0.1 pseudo-count per level): 10 / 1,000 agree on
    # the name, 100 / 1,000 on the date.
    assert weights.loc[("name", 2), "u"] == pytest.approx(10.1 / 1000.3)
    assert weights.loc[("date", 1), "u"] == pytest.approx(100.1 / 1000.2)
    # The prior is the expected number of matches among the candidates over all pairs.
    assert model.prior == pytest.approx(model.fit_.expected_matches / 100_000)
    assert model.fit_.u_from == "1,000 random pairs"
    with pytest.raises(ValueError, match="total_pairs"):
        FellegiSunterEM().fit(vectors, u_vectors=u_vectors)


def test_blocked_features_are_no_evidence_in_their_stratum():
    # Stratum 0 was blocked on the name: its 30 pairs agree on the name by construction and
    # disagree on the date. Leaving the name out there, they are non-matches; counting it
    # (no blocking declared), EM takes the agreeing name as evidence and rates them higher.
    vectors = pd.DataFrame({"name": [2] * 40, "date": [1] * 10 + [0] * 30})
    u_vectors = pd.DataFrame({"name": [2] * 10 + [0] * 990, "date": [1] * 10 + [0] * 990})
    strata = np.array([1] * 10 + [0] * 30)
    aware = FellegiSunterEM(rules=False).fit(vectors, u_vectors=u_vectors, total_pairs=10_000,
                                             strata=strata, blocked={0: ["name"]})
    naive = FellegiSunterEM(rules=False).fit(vectors, u_vectors=u_vectors, total_pairs=10_000)
    assert aware.fit_.expected_matches == pytest.approx(10, abs=0.5)
    assert naive.fit_.expected_matches > 20


def test_random_pairs_that_are_candidates_count_in_u_as_non_matches_only():
    # 40 candidates: 10 matches (name 2, date 1), 30 non-matches (0, 0). All pairs were drawn
    # (small data): 100 non-candidate random pairs (0, 0) plus candidates 0-19, i.e. the 10
    # matches and 10 non-matches. The matches must not count in u: u(name 2) stays at the
    # pseudo-count, not 10 / 120 as if every drawn pair were a non-match.
    vectors = pd.DataFrame({"name": [2] * 10 + [0] * 30, "date": [1] * 10 + [0] * 30})
    u_vectors = pd.DataFrame({"name": [0] * 100, "date": [0] * 100})
    model = FellegiSunterEM(rules=False).fit(vectors, u_vectors=u_vectors, total_pairs=120,
                                             u_candidates=np.arange(20))
    weights = model.match_weights().set_index(["feature", "level"])
    assert weights.loc[("name", 2), "u"] < 0.01
    assert model.fit_.expected_matches == pytest.approx(10, abs=0.1)
    assert model.fit_.u_from == "120 random pairs"


def _phone_and_name_pairs():
    """Candidates of two passes, one keyed on the phone (stratum 0), one on the name (1).

    20 matches agree on both (found by both passes, finders 0b11, first by the phone pass);
    2 matches changed phone (found by the name pass only, 0b10); 30 household members share
    the landline under other names and birth dates (phone pass only, 0b01). 1,000 random
    pairs: all differ.
    """
    vectors = pd.DataFrame({"phone": [1] * 20 + [0] * 2 + [1] * 30,
                            "name": [1] * 20 + [1] * 2 + [0] * 30,
                            "date": [1] * 20 + [1] * 2 + [0] * 30})
    strata = np.array([0] * 20 + [1] * 2 + [0] * 30)
    finders = np.array([0b11] * 20 + [0b10] * 2 + [0b01] * 30)
    u_vectors = pd.DataFrame({"phone": [0] * 1000, "name": [0] * 1000, "date": [0] * 1000})
    return vectors, strata, finders, u_vectors


def test_a_pair_found_by_two_passes_is_evidence_for_the_key_of_the_other():
    vectors, strata, finders, u_vectors = _phone_and_name_pairs()
    blocked = {0: ["phone"], 1: ["name"]}
    fitted = {}
    for label, given in (("first pass only", None), ("every pass", finders)):
        model = FellegiSunterEM(rules=False).fit(vectors, u_vectors=u_vectors, total_pairs=10_000,
                                                 strata=strata, blocked=blocked, finders=given)
        fitted[label] = model.match_weights().set_index(["feature", "level"])
    # Each pair in its first pass's stratum only: the 20 matches sharing a phone are in the
    # phone stratum, where the phone is the key, not evidence; the only matches where the
    # phone counts are the 2 that changed it, so EM learns that nearly every match (m 0.95)
    # has another phone.
    assert fitted["first pass only"].loc[("phone", 0), "m"] > 0.9
    # Counted wherever some pass that found the pair did not key on it, the phone is evidence
    # in the 22 matches the name pass found: 2 of 22 differ (m 0.09, pseudo-counts aside).
    assert fitted["every pass"].loc[("phone", 0), "m"] == pytest.approx(2 / 22, abs=0.01)
    # The name counts wherever a pass not keyed on it found the pair: in the 20 both passes
    # found and in the 30 household pairs, not in the 2 the name pass alone found; the 20
    # matches among them all agree on it.
    assert fitted["every pass"].loc[("name", 1), "m"] > 0.99
    # The expected matches are the 22 either way: each pair counts once.
    assert model.fit_.expected_matches == pytest.approx(22, abs=0.01)


def test_finders_must_name_a_stratum():
    vectors, strata, finders, u_vectors = _phone_and_name_pairs()
    finders[0] = 0
    with pytest.raises(ValueError, match="finders"):
        FellegiSunterEM().fit(vectors, u_vectors=u_vectors, total_pairs=10_000, strata=strata,
                              blocked={0: ["phone"], 1: ["name"]}, finders=finders)


# -- households: u given the address (GivenAgreement) -------------------------------------------

HOUSEHOLD_FEATURES = ["last_name", "first_name", "birth_date", "email", "phone", "address",
                      "postcode_city"]
ADDRESS_PASS, PHONE_PASS = 1, 2   # finders bits: stratum 0 keys on the address, 1 on the phone


def _household_pairs() -> tuple[pd.DataFrame, np.ndarray]:
    """Candidate pairs at one address each: ``(levels, finders)``; the index gives each kind."""
    kinds = [  # (pairs, last, first, birth date, e-mail, phone, address, postcode, finders)
        (30, 4, 4, 3, 3, 3, 3, 3, ADDRESS_PASS | PHONE_PASS),   # one person twice
        (10, 4, 4, 3, 0, 3, 3, 3, ADDRESS_PASS | PHONE_PASS),   # ... under another e-mail
        (10, 4, 4, -1, 0, 3, 3, 3, ADDRESS_PASS | PHONE_PASS),  # ... and one birth date missing
        (3, 4, 4, 3, 3, 0, 3, 3, ADDRESS_PASS),                 # ... under another phone
        (40, 4, 0, 0, 0, 0, 3, 3, ADDRESS_PASS),                # two members of a household
        (10, 0, 0, 0, 0, 0, 3, 3, ADDRESS_PASS),                # partners under two surnames
        (5, 4, 4, 0, 0, 0, 3, 3, ADDRESS_PASS),                 # a father and his son, dates known
        (1, 4, 4, -1, 0, 0, 3, 3, ADDRESS_PASS),                # row 108: father and son, no date
        (1, 4, 4, -1, 0, 3, 3, 3, ADDRESS_PASS | PHONE_PASS),   # row 109: one person, one phone
    ]
    rows = [levels for n, *levels in kinds for _ in range(n)]
    frame = pd.DataFrame(rows, columns=[*HOUSEHOLD_FEATURES, "finders"])
    return frame[HOUSEHOLD_FEATURES], frame["finders"].to_numpy()


def test_a_father_and_son_of_one_name_at_one_address_are_apart_given_the_address():
    vectors, finders = _household_pairs()
    # 2,000 random pairs: none at one address; 20 share a surname, 20 a first name.
    random_pairs = pd.DataFrame([[0, 0, 0, 0, 0, 0, 0]] * 1960 + [[4, 0, 0, 0, 0, 0, 1]] * 20
                                + [[0, 4, 0, 0, 0, 0, 3]] * 20, columns=HOUSEHOLD_FEATURES)
    fit = {"u_vectors": random_pairs, "total_pairs": 1_000_000, "finders": finders,
           "strata": np.where(finders & PHONE_PASS, 1, 0),
           "blocked": {0: ["address", "postcode_city"], 1: ["phone"]}}
    independent = FellegiSunterEM(m_floor={"address": 0.2}, given=None).fit(vectors, **fit)
    household = FellegiSunterEM(m_floor={"address": 0.2}).fit(vectors, **fit)
    assert household.given == (HOUSEHOLD_ADDRESS, NAMESAKES_IN_PLACE, NAMESAKES)   # the default
    # Independent chances: the same surname (1 % of random pairs), first name (1 %), address
    # and postcode count as four coincidences, and the father and son of row 108 (no birth
    # date on one side, another e-mail and phone) look like one person.
    assert independent.prob(vectors).iloc[108] > 0.99
    # Given the address, the surname and first name are taken jointly among the non-matches
    # of the address pass whose birth dates are known: 40 household members, 10 partners and
    # 5 fathers and sons (birth dates differ) share the address, and 5 of those 55 share
    # both names, so (5 + 10 pseudo-pairs drawn from the random pairs' 1 % x 1 %) / 65.
    tables = household.fit_.given[0].tables
    assert np.exp(tables[(0, 1)]).reshape(5, 5)[4, 4] == pytest.approx(5 / 65, abs=0.002)
    # The household model then finds two people more likely: row 108 takes its probability.
    probability = household.prob(vectors)
    assert 0.1 < probability.iloc[108] < 0.5
    # The same person twice with one contact in common (the mobile) is still linked, and so is
    # every true pair above (rows 0-52); the household members and partners are not.
    linked = set(np.flatnonzero(household.predict(vectors, threshold=0.9)))
    assert linked == set(range(53)) | {109}
    assert set(np.flatnonzero(independent.predict(vectors, threshold=0.9))) \
        == set(range(53)) | {108, 109}


def _random_pairs_two_at_one_address() -> pd.DataFrame:
    """2,000 random pairs: 20 share a surname, 20 a first name and 2 a street address."""
    return pd.DataFrame([[0, 0, 0, 0, 0, 0, 0]] * 1958 + [[4, 0, 0, 0, 0, 0, 1]] * 20
                        + [[0, 4, 0, 0, 0, 0, 3]] * 20 + [[0, 0, 0, 0, 0, 3, 4]] * 2,
                        columns=HOUSEHOLD_FEATURES)


def test_the_chance_of_one_person_at_one_address_is_learned_there_whatever_the_file_size():
    vectors, finders = _household_pairs()
    fit = {"u_vectors": _random_pairs_two_at_one_address(), "finders": finders,
           "strata": np.where(finders & PHONE_PASS, 1, 0),
           "blocked": {0: ["address", "postcode_city"], 1: ["phone"]}}
    # The same candidates in a file of about 1,400 records (1M pairs) and in one ten times
    # larger (100M pairs): the random pairs show the same 2 of 2,000 at one address, as they
    # do when an agreement is too rare for them to measure (at 1M demo records about 5 of
    # 300,000 random pairs had one street address, five times the rate of all pairs).
    small = FellegiSunterEM(m_floor={"address": 0.2}).fit(vectors, total_pairs=1_000_000, **fit)
    large = FellegiSunterEM(m_floor={"address": 0.2}).fit(vectors, total_pairs=100_000_000,
                                                           **fit)
    # The household model starts from the share of one person among the address pass's
    # pairs with both birth dates known: 43 of the 98 (30 + 10 + 3 one-person pairs; the 40
    # household members, 10 partners and 5 fathers and sons are vetoed), plus 10 pseudo-pairs
    # at the independent model's share (0.04 in the small file, 0.0004 in the large one):
    # logit(43.4 / 108) = -0.40 and logit(43.0 / 108) = -0.41, then log(m / u) of the exact
    # address among the pairs at one address (every pair there is exact: about +0.01).
    for model in (small, large):
        anchor = model.fit_.given[0].anchor
        assert anchor[3] == pytest.approx(np.log(43 / 65), abs=0.02)
    assert abs(small.fit_.given[0].anchor[3] - large.fit_.given[0].anchor[3]) < 0.02
    # So the father and son of row 108 (same names at one address, no birth date on one
    # side, another e-mail and phone) is 0.15 one person in both files,
    assert small.prob(vectors).iloc[108] == pytest.approx(0.154, abs=0.005)
    assert large.prob(vectors).iloc[108] == pytest.approx(0.152, abs=0.005)
    # while from the prior (100 times smaller in the larger file, pairs growing as the
    # square of the records) times the address's weight (the same 2 random pairs), the
    # household model said 0.011 in the small file and 0.0001 in the large one (at 1M demo
    # records, same names at one address with another e-mail, 80 % one person, fell to 0.39).
    no_share = replace(HOUSEHOLD_ADDRESS, share=False)
    before_small = FellegiSunterEM(m_floor={"address": 0.2}, given=no_share).fit(
        vectors, total_pairs=1_000_000, **fit)
    before_large = FellegiSunterEM(m_floor={"address": 0.2}, given=no_share).fit(
        vectors, total_pairs=100_000_000, **fit)
    assert before_small.prob(vectors).iloc[108] == pytest.approx(0.0109, abs=0.0005)
    assert before_large.prob(vectors).iloc[108] < 0.0005
    # Every true pair above is still linked, and no household member or partner.
    for model in (small, large):
        assert set(np.flatnonzero(model.predict(vectors, threshold=0.9))) \
            == set(range(53)) | {109}


def test_namesakes_with_e_mails_made_of_their_names_are_apart_given_the_names():
    names_pass, phone_pass = 1, 2   # finders bits: stratum 0 keys on the names and place
    kinds = [  # (pairs, last, first, birth date, e-mail, phone, address, postcode, finders)
        (30, 4, 4, 3, 3, 3, 3, 3, names_pass | phone_pass),  # one person twice
        (10, 4, 4, 3, 0, 3, 0, 3, names_pass | phone_pass),  # ... moved in town, new e-mail
        (20, 4, 4, 0, 1, 0, 0, 3, names_pass),  # namesakes: their names @ two providers
        (40, 4, 4, 0, 0, 0, 0, 3, names_pass),  # namesakes, other e-mails
        (1, 4, 4, -1, 1, -1, 0, 3, names_pass),  # row 100: namesakes, one birth date missing
        (1, 4, 4, -1, 3, -1, 0, 3, names_pass),  # row 101: one person, one e-mail, moved
    ]
    frame = pd.DataFrame([levels for n, *levels in kinds for _ in range(n)],
                         columns=[*HOUSEHOLD_FEATURES, "finders"])
    vectors, finders = frame[HOUSEHOLD_FEATURES], frame["finders"].to_numpy()
    # 2,000 random pairs: 20 share a surname, 20 a first name, none an e-mail's local part.
    random_pairs = pd.DataFrame([[0, 0, 0, 0, 0, 0, 0]] * 1960 + [[4, 0, 0, 0, 0, 0, 1]] * 20
                                + [[0, 4, 0, 0, 0, 0, 3]] * 20, columns=HOUSEHOLD_FEATURES)
    fit = {"u_vectors": random_pairs, "total_pairs": 1_000_000, "finders": finders,
           "strata": np.where(finders & phone_pass, 1, 0),
           "blocked": {0: ["last_name", "first_name", "postcode_city"], 1: ["phone"]}}
    independent = FellegiSunterEM(m_floor={"address": 0.2}, given=None).fit(vectors, **fit)
    namesakes = FellegiSunterEM(m_floor={"address": 0.2}).fit(vectors, **fit)
    # Independent chances: no random pair shares an e-mail's local part, so the namesakes of
    # row 100 (jean.martin@ at two providers, no birth date on one side) look like one person.
    assert independent.prob(vectors).iloc[100] > 0.99
    # Given the same names (the namesakes model; no pair here is at one address), the e-mail
    # is taken with the address among the names pass's non-matches with both birth dates:
    # 20 of the 60 namesakes share the local part (all at another address), plus 100
    # pseudo-pairs at the random pairs' chances (none): 20 / 160 = 0.125.
    (given,) = [g for g in namesakes.fit_.given if g.features == (0, 1)]
    email_address = np.exp(given.tables[(3, 5)]).reshape(4, 4)
    assert email_address[1, 0] == pytest.approx(20 / 160, abs=0.001)
    assert namesakes.prob(vectors).iloc[100] < 0.2
    # One exact e-mail after a move is no namesakes' coincidence (none of them shares one):
    # row 101 is linked, and so is every pair of one person (rows 0-39); no namesakes are.
    assert set(np.flatnonzero(namesakes.predict(vectors, threshold=0.9))) \
        == set(range(40)) | {101}
    assert set(np.flatnonzero(independent.predict(vectors, threshold=0.9))) \
        == set(range(40)) | {100, 101}


def _namesakes_in_one_place() -> tuple[pd.DataFrame, np.ndarray]:
    """Candidate pairs with the same names in one postcode: ``(levels, finders)``."""
    names_pass, address_pass = 1, 2   # finders bits: stratum 0 keys on names and postcode
    kinds = [  # (pairs, last, first, birth date, e-mail, phone, address, postcode, finders)
        (400, 4, 4, 3, 3, 3, 3, 3, names_pass | address_pass),  # one person at one address
        (100, 4, 4, 3, 0, 3, 3, 3, names_pass | address_pass),  # ... under another e-mail
        (2, 4, 4, 3, 1, 3, 3, 3, names_pass | address_pass),    # ... names @ two providers
        (10, 4, 4, 3, 2, 3, 3, 3, names_pass | address_pass),   # ... a typo in the e-mail
        (200, 4, 4, 0, 0, 0, 0, 3, names_pass),   # namesakes at two addresses
        (1, 4, 4, 0, 2, 0, 0, 3, names_pass),     # ... e-mails one edit apart
        (20, 4, 4, 0, 0, 0, 3, 3, names_pass | address_pass),   # a father and his son
        (5, 4, 4, 0, 1, 0, 3, 3, names_pass | address_pass),    # ... their names @ two providers
        (300, 4, 0, 0, 0, 0, 3, 3, address_pass),                # household members
        (1, 4, 4, -1, 2, -1, 0, 3, names_pass),   # row 1038: namesakes, e-mails one edit apart
        (1, 4, 4, -1, 1, -1, 3, 3, names_pass | address_pass),  # row 1039: father and son
        (1, 4, 4, -1, 0, -1, 3, 3, names_pass | address_pass),  # row 1040: one person
        (1, 4, 4, -1, 3, -1, 0, 0, names_pass),   # row 1041: one person who moved
    ]
    frame = pd.DataFrame([levels for n, *levels in kinds for _ in range(n)],
                         columns=[*HOUSEHOLD_FEATURES, "finders"])
    return frame[HOUSEHOLD_FEATURES], frame["finders"].to_numpy()


def test_namesakes_in_one_place_learn_the_address_among_all_their_pairs():
    vectors, finders = _namesakes_in_one_place()
    fit = {"u_vectors": _random_pairs_two_at_one_address(), "total_pairs": 100_000_000,
           "finders": finders, "strata": np.where(finders & 2, 1, 0),
           "blocked": {0: ["last_name", "first_name", "postcode_city"],
                       1: ["address", "postcode_city"]}}
    model = FellegiSunterEM(m_floor={"address": 0.2}).fit(vectors, **fit)
    # The model of namesakes in one postcode learns the address among every pair with the
    # same names there that the names pass found with both birth dates, at one address or
    # not: the 512 pairs of one person are all at one address, so another address is only
    # the 100 pseudo-pairs' 20 (the independent m, at its floor of 0.2) of 612: 0.0327;
    # among the 226 namesakes (plus 100 pseudo-pairs, almost none at one address among the
    # random pairs) 25 fathers and sons are at one address: 25 / 326 = 0.077.
    (in_place,) = [g for g in model.fit_.given if g.features == (0, 1, 6)]
    assert np.exp(in_place.m_tables[(5,)])[0] == pytest.approx(0.0327, abs=0.0005)
    assert np.exp(in_place.tables[(5,)])[3] == pytest.approx(25 / 326, abs=0.001)
    probability = model.prob(vectors)
    # Row 1038, namesakes of one postcode at two addresses whose e-mails are one edit apart
    # (jean.martin2 / jean.martin3), one birth date missing: 0.19 one person in this model
    # (e-mails one edit apart at another address: 1 of the 326 namesakes, 0.0006 of one
    # person's pairs), where the namesakes anywhere, which learn away from one address,
    # find 0.58 and the independent model 0.989.
    assert probability.iloc[1038] == pytest.approx(0.193, abs=0.005)
    # Row 1039, a father and his son at one address whose e-mails share the local part
    # (jean.martin@free.fr / jean.martin@orange.fr), one birth date missing: the household
    # model finds it 0.85 one person (the local part is shared by 5 of its 325 pairs of two
    # people, 2 of the 512 of one person), the namesakes in one place 0.23 (5 of their 25
    # pairs at one address): both doubt it, the lower probability counts.
    assert probability.iloc[1039] == pytest.approx(0.2335, abs=0.005)
    # Kept: one person at one address under another e-mail (row 1040) and one person who
    # moved to another town and kept the e-mail (row 1041: the namesakes anywhere, learned
    # away from one address, say nothing more of another address). Linked: the 512 pairs of
    # one person and those two.
    assert set(np.flatnonzero(model.predict(vectors, threshold=0.9))) \
        == set(range(512)) | {1040, 1041}
    # Without the model of namesakes in one place (the namesakes learned and scored away
    # from one address only, as before) rows 1038 and 1039 were linked too: 0.989 and 1.0.
    before = FellegiSunterEM(m_floor={"address": 0.2}, given=(HOUSEHOLD_ADDRESS, NAMESAKES)
                             ).fit(vectors, **fit).prob(vectors)
    assert before.iloc[1038] == pytest.approx(0.989, abs=0.002)
    assert before.iloc[1039] > 0.999
    assert before.iloc[1040] > 0.99 and before.iloc[1041] > 0.97


def test_namesakes_in_one_place_include_first_names_one_typo_apart():
    vectors, finders = _namesakes_in_one_place()
    extra = pd.DataFrame([levels for n, *levels in [  # as in _namesakes_in_one_place
        (30, 4, 3, 0, 0, 0, 0, 3, 1),    # Daniel and Danielle MARTIN of one town, two addresses
        (2, 4, 3, 0, 2, 0, 0, 3, 1),     # ... whose e-mails are one edit apart
        (20, 4, 3, 3, 3, 3, 3, 3, 3),    # one person at one address, a typo in the first name
        (1, 4, 3, -1, 2, -1, 0, 3, 1),   # row 1094: Daniel and Danielle, no date on one side
        (1, 4, 3, -1, -1, -1, 3, 3, 3),  # row 1095: one person, a typo, at one address
    ] for _ in range(n)], columns=[*HOUSEHOLD_FEATURES, "finders"])
    vectors = pd.concat([vectors, extra[HOUSEHOLD_FEATURES]], ignore_index=True)
    finders = np.concatenate([finders, extra["finders"].to_numpy()])
    fit = {"u_vectors": _random_pairs_two_at_one_address(), "total_pairs": 100_000_000,
           "finders": finders, "strata": np.where(finders & 2, 1, 0),
           "blocked": {0: ["last_name", "first_name", "postcode_city"],
                       1: ["address", "postcode_city"]}}
    model = FellegiSunterEM(m_floor={"address": 0.2}).fit(vectors, **fit)
    probability = model.prob(vectors)
    # First names one typo apart or of one sound (close) are namesakes too: their e-mails,
    # made of them, are one edit apart. Row 1094 (another address in one postcode, e-mails
    # one edit apart, one birth date missing) is 0.40 one person (2 of the 32 such pairs
    # with both birth dates show those e-mails, none of one person's) ...
    assert probability.iloc[1094] == pytest.approx(0.403, abs=0.005)
    # ... where with the exact first names only in that model it was 0.9986.
    exact_only = replace(NAMESAKES_IN_PLACE, at_least=(4, 4, 3))
    before = FellegiSunterEM(m_floor={"address": 0.2},
                             given=(HOUSEHOLD_ADDRESS, exact_only, NAMESAKES)).fit(vectors, **fit)
    assert before.prob(vectors).iloc[1094] == pytest.approx(0.9986, abs=0.0005)
    # Linked: the 512 + 20 pairs of one person (rows 0-511, 1074-1093), the person at one
    # address with another e-mail (1040), the person who moved (1041) and the one with a
    # typo in the first name at one address (1095); no namesakes.
    assert set(np.flatnonzero(model.predict(vectors, threshold=0.9))) \
        == set(range(512)) | set(range(1074, 1094)) | {1040, 1041, 1095}


# -- the source: a comparison whose m and u are learned (SourceComparison) -----------------------

def _two_sources() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidates and random pairs of two equal sources (levels: name 0-2, date 0-1, source 0
    another source / 1 the same)."""
    # 50 matches (date 1): 45 across two sources (36 at name 2, 9 at a name typo 1), 5 within
    # one (4 and 1): a customer is far more often known to two systems than twice to one.
    # 30 non-matches (name 0, date 0), half within one source.
    rows = [(2, 1, 0)] * 36 + [(1, 1, 0)] * 9 + [(2, 1, 1)] * 4 + [(1, 1, 1)] \
        + [(0, 0, 0)] * 15 + [(0, 0, 1)] * 15
    # 1,000 random pairs, half within one source (two sources of equal size); 10 share a
    # name up to a typo (level 1), 10 a birth date.
    random_pairs = [(0, 0, 0)] * 490 + [(0, 0, 1)] * 490 + [(1, 0, 0)] * 5 + [(1, 0, 1)] * 5 \
        + [(0, 1, 0)] * 5 + [(0, 1, 1)] * 5
    columns = ["name", "date", "source"]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(random_pairs, columns=columns)


def test_the_source_is_learned_like_a_comparison_and_splits_one_pattern():
    vectors, random_pairs = _two_sources()
    fit = {"u_vectors": random_pairs, "total_pairs": 1_000}
    model = FellegiSunterEM(rules=False, monotone=True, unordered=("source",),
                            given=None).fit(vectors, **fit)
    weights = model.match_weights().set_index(["feature", "level"])
    # u: 500 of the 1,000 random pairs are within one source (+ 0.1 pseudo-count per level).
    assert weights.loc[("source", 1), "u"] == pytest.approx(500.1 / 1000.2)
    # m by EM: 5 of the 50 matches are within one source (EM finds the 50 and the 30 apart).
    assert weights.loc[("source", 1), "m"] == pytest.approx(5.1 / 50.2, abs=1e-3)
    # so "same source" weighs log2(0.10 / 0.5) = -2.3 bits and "another source" log2(0.90 /
    # 0.5) = +0.85 bit.
    assert weights.loc[("source", 1), "weight"] == pytest.approx(-2.30, abs=0.01)
    assert weights.loc[("source", 0), "weight"] == pytest.approx(0.85, abs=0.01)
    # One pattern, a name typo and no birth date: prior 50 / 1,000 pairs (odds 1:19) times
    # m / u of the typo 0.20 / 0.0101, 1.04:1 before the source: across two sources 0.65,
    # within one 0.18; at 0.5 only the pair across two sources (row 0) is linked.
    typo = pd.DataFrame({"name": [1, 1], "date": [-1, -1], "source": [0, 1]})
    assert model.prob(typo).round(2).tolist() == [0.65, 0.18]
    assert model.predict(typo).tolist() == [1, 0]
    # The source's levels are categories: monotone, which pools a closer level weighing less
    # than a looser one, would pool them and the source would weigh nothing (both pairs 0.51).
    pooled = FellegiSunterEM(rules=False, monotone=True, given=None).fit(vectors, **fit)
    assert pooled.match_weights().set_index(["feature", "level"]).loc[
        ("source", 1), "weight"] == pytest.approx(0.0, abs=1e-9)
    assert pooled.prob(typo).round(2).tolist() == [0.51, 0.51]


def test_the_source_weighs_nothing_with_one_source_or_pairs_across_only():
    vectors, random_pairs = _two_sources()
    fit = {"total_pairs": 1_000}
    without = FellegiSunterEM(rules=False, given=None).fit(
        vectors.drop(columns="source"), u_vectors=random_pairs.drop(columns="source"), **fit)
    expected = without.prob(vectors.drop(columns="source")).to_numpy()
    # One source (FEBRL3, RLdata: every pair "same source"), or a link of two clean sources
    # (FEBRL4, link_only: every pair across): every pair, random or candidate, at one level;
    # its m and u are both 1 (up to the 0.1 pseudo-counts), and the probabilities are those
    # of the model without the source.
    for level in (1, 0):
        model = FellegiSunterEM(rules=False, unordered=("source",), given=None).fit(
            vectors.assign(source=level), u_vectors=random_pairs.assign(source=level), **fit)
        weight = model.match_weights().set_index(["feature", "level"]).loc[("source", level),
                                                                           "weight"]
        assert abs(weight) < 0.005
        assert model.prob(vectors.assign(source=level)).to_numpy() == pytest.approx(
            expected, abs=1e-3)


def test_the_models_given_an_agreement_leave_the_source_out_of_their_doubt():
    vectors, finders = _household_pairs()
    # 10 of the one person's 54 pairs are within one source (rows 0-9), so are 30 of the
    # household members' (rows 53-82); the other pairs are across two sources.
    source = np.zeros(len(vectors), dtype=int)
    source[:10] = source[53:83] = 1
    random_pairs = pd.DataFrame([[0, 0, 0, 0, 0, 0, 0]] * 1960 + [[4, 0, 0, 0, 0, 0, 1]] * 20
                                + [[0, 4, 0, 0, 0, 0, 3]] * 20, columns=HOUSEHOLD_FEATURES)
    random_pairs["source"] = np.arange(len(random_pairs)) % 2   # two sources of equal size
    fit = {"u_vectors": random_pairs, "total_pairs": 1_000_000, "finders": finders,
           "strata": np.where(finders & PHONE_PASS, 1, 0),
           "blocked": {0: ["address", "postcode_city"], 1: ["phone"]}}
    assert HOUSEHOLD_ADDRESS.ignore == NAMESAKES.ignore == ("source",)   # the default

    def model(ignore: tuple[str, ...]) -> FellegiSunterEM:
        given = tuple(replace(g, ignore=ignore)
                      for g in (HOUSEHOLD_ADDRESS, NAMESAKES_IN_PLACE, NAMESAKES))
        return FellegiSunterEM(m_floor={"address": 0.2}, unordered=("source",),
                               given=given).fit(vectors.assign(source=source), **fit)

    household = model(("source",))
    weights = household.match_weights().set_index(["feature", "level"])
    # m(same source) = 10 of the 54 matches (rows 0-52 and 109), u = 1,000 of 2,000: the
    # same source says 0.19 / 0.5, 1.4 bits against one person.
    assert weights.loc[("source", 1), "m"] == pytest.approx(10.1 / 54.2, abs=2e-3)
    assert weights.loc[("source", 1), "weight"] == pytest.approx(-1.42, abs=0.01)
    # The father and son of row 108 (no birth date on one side, another e-mail and phone),
    # across two sources and within one: the household model's doubt, learned among pairs at
    # one address whatever their sources, is the same (0.18) ...
    rows = vectors.iloc[[108, 108]].assign(source=[0, 1])
    assert household.prob(rows).round(2).tolist() == [0.18, 0.18]
    # ... while counting the source there would make it 0.26 across and 0.07 within.
    assert model(()).prob(rows).round(2).tolist() == [0.26, 0.07]
