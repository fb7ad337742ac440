"""Comparison levels, exact per case, through recordlinkage.Compare as the pipeline uses them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import recordlinkage

from rcu_kit.linkage.compare import (
    AddressComparison,
    BirthDateComparison,
    CivilityComparison,
    EmailComparison,
    FirstNameComparison,
    LastNameComparison,
    PhoneComparison,
    PostcodeCityComparison,
    SourceComparison,
    compare_pairs,
    IdNumberComparison,
    default_features,
    unordered,
)
from rcu_kit.linkage.prepare import prepare_records


def _levels(feature, left: dict, right: dict) -> list[int]:
    """Compare row k of ``left`` with row k of ``right`` through recordlinkage.Compare."""
    n = len(next(iter(left.values())))
    frame = pd.concat([pd.DataFrame(left), pd.DataFrame(right)], ignore_index=True)
    pairs = pd.MultiIndex.from_arrays([np.arange(n), np.arange(n, 2 * n)])
    return recordlinkage.Compare([feature]).compute(pairs, frame)[feature.label].tolist()


def test_first_names_compound_initials_typos_and_swaps():
    left = {"first_name": ["JEAN PIERRE", "JEAN PIERRE", "JP", "JEAN", "MARIE", "NATHALIE",
                           "JEAN PIERRE", "LUC", "PIERRE", "ROUX", None],
            "last_name": ["A", "A", "A", "A", "A", "A", "A", "A", "A", "THOMAS", "A"]}
    right = {"first_name": ["JEAN-PIERRE", "JEAN", "JEAN PIERRE", "J", "MARIA", "NATAHLIE",
                            "JEAN PAUL", "PAUL", "JEAN PIERRE", "THOMAS", "LUC"],
             "last_name": ["A", "A", "A", "A", "A", "A", "A", "A", "A", "ROUX", "A"]}
    feature = FirstNameComparison("first_name", last_name="last_name")
    # JEAN-PIERRE squashes to JEAN PIERRE: exact 4; JEAN in JEAN PIERRE: compound 2; JP the
    # initials of JEAN PIERRE: 1; J the initial of JEAN: 1; MARIA typo: close 3; NATAHLIE
    # transposition: close 3; JEAN PAUL shares only JEAN with two tokens each: different 0
    # (a relative, not a variant); LUC / PAUL: 0; PIERRE in JEAN PIERRE: compound 2; the ROUX
    # THOMAS / THOMAS ROUX swap: exact 4; a missing name: -1.
    assert _levels(feature, left, right) == [4, 2, 1, 1, 3, 3, 0, 0, 2, 4, -1]


def test_last_names_with_birth_names():
    left = {"last_name": ["DUPONT", "DUPONT", "DUPOND", "DUPONT MARTIN", "DUPONT", "MARTIN", None],
            "birth_name": [None, "MARTIN", None, None, None, None, "MARTIN"]}
    right = {"last_name": ["DUPONT", "MARTIN", "DUPONT", "MARTIN", "LEROY", "DUPONT", "MARTIN"],
             "birth_name": [None, None, None, None, None, "MARTIN", None]}
    feature = LastNameComparison("last_name", birth_name="birth_name")
    # exact 4; DUPONT née MARTIN vs MARTIN: birth name 3; DUPOND typo: close 2; MARTIN is a
    # token of DUPONT MARTIN: partial 1; LEROY: 0; MARTIN vs DUPONT née MARTIN: 3; a missing
    # last name whose birth name MARTIN equals the other's last name: 3.
    assert _levels(feature, left, right) == [4, 3, 2, 1, 0, 3, 3]


def test_birth_dates():
    left = {"bd": ["1980-03-04", "1980-03-04", "1980-03-04", "1956-03-12", "1970-05-12", None]}
    right = {"bd": ["1980-03-04", "1980-03-09", "1980-04-03", "1965-03-21", "1998-07-21", "1980-03-04"]}
    # exact 3; day differs: close 2; day/month swapped: close 2; two transpositions: near 1;
    # father / son 28 years apart: different 0; missing -1.
    assert _levels(BirthDateComparison("bd"), left, right) == [3, 2, 2, 1, 0, -1]


def test_emails_and_phones():
    left = {"email": ["a.b@free.fr", "a.b@free.fr", "a.b@free.fr", "a.b@free.fr"],
            "phone": ["+33612345678", "+33145000000", "+33612345678", "+33612345678"]}
    right = {"email": ["a.b@free.fr", "a.b@frea.fr", "a.b@gmail.com", "x.y@free.fr"],
             "phone": ["+33612345678", "+33145000000", "+33621345678", "+33145000000"]}
    # e-mail: exact 3; one substitution in the domain: close 2; same local part: 1; other: 0.
    assert _levels(EmailComparison("email"), left, right) == [3, 2, 1, 0]
    # phone: same mobile 3; same landline 2; transposed digits: close 1; a mobile against a
    # landline says nothing: missing -1.
    assert _levels(PhoneComparison("phone"), left, right) == [3, 2, 1, -1]


def test_address_postcode_city_and_civility():
    left = {"street_number": ["12", "12", "12", "3", "12", "12"],
            "street_number_suffix": [None, None, "BIS", None, None, None],
            "street_name": ["RUE DES LILAS", "RUE DE LILAS", "RUE DES LILAS", "RUE DES LILAS",
                            "RUE DES LILAS", None],
            "postcode": ["75011", "75011", "75011", "75011", "69001", "75011"],
            "city": ["PARIS", "PARIS", "PARIS", "PARIS", "LYON", "PARIS"],
            "civility": ["M", "M", "MME", None, "M", "M"]}
    right = {"street_number": ["12", "12", "12", "5", "12", "12"],
             "street_number_suffix": [None, None, None, None, None, None],
             "street_name": ["RUE DES LILAS"] * 6,
             "postcode": ["75011", "75011", "75011", "75011", "75011", "75012"],
             "city": ["PARIS", "PARIS", "PARIS", "PARIS", "PARIS", "PARIS"],
             "civility": ["M", "MME", "MME", "M", "M", "M"]}
    # exact 3; street typo, same number: close 2; 12 BIS vs 12: same street 1; other number:
    # same street 1; another postcode: different 0; missing street name: -1.
    assert _levels(AddressComparison(), left, right) == [3, 2, 1, 1, 0, -1]
    # same postcode and town 4 (x4); 69001 / 75011 in other cities: 0; 75011 / 75012, both
    # PARIS: city 2.
    assert _levels(PostcodeCityComparison(), left, right) == [4, 4, 4, 4, 0, 2]
    # the same postcode, another town or no town on one side: postcode 3
    assert _levels(PostcodeCityComparison(), {"postcode": ["24200", "24200"],
                                              "city": ["SARLAT LA CANEDA", None]},
                   {"postcode": ["24200", "24200"], "city": ["MARCILLAC SAINT QUENTIN", "SARLAT LA CANEDA"]}
                   ) == [3, 3]
    assert _levels(CivilityComparison("civility"), left, right) == [1, 0, 1, -1, 1, 1]


def test_compare_pairs_in_chunks_matches_one_pass():
    records = prepare_records(pd.DataFrame({
        "source": ["s"] * 4, "record_id": ["1", "2", "3", "4"],
        "last_name": ["DUPONT", "DUPONT", "DUPOND", None],
        "first_name": ["ANNE", "ANNE", "ANNE", "LUC"]}))
    first, second = np.array([0, 0, 1, 2]), np.array([1, 2, 2, 3])
    whole = compare_pairs(records, first, second, default_features(workers=1))
    chunked = compare_pairs(records, first, second, default_features(workers=1), chunk_size=3)
    pd.testing.assert_frame_equal(whole, chunked)
    # DUPONT/DUPONT exact 4, DUPONT/DUPOND close 2 (twice), DUPOND/missing -1.
    assert whole["last_name"].tolist() == [4, 2, 2, -1]
    assert whole.dtypes.unique().tolist() == [np.dtype("int8")]
    assert list(whole.columns) == ["last_name", "first_name", "birth_date", "email", "phone",
                                   "address", "postcode_city", "civility", "id_number", "source"]
    # one source: every pair "same source" (1)
    assert whole["source"].tolist() == [1, 1, 1, 1]


def test_id_number_levels():
    left = {"id": ["1234567", "1234567", "1234567", "1234", None]}
    right = {"id": ["1234567", "1243567", "7654321", "1243", "1234567"]}
    # exact 2; one transposition on 7 characters: close 1; unrelated: 0; a transposition on
    # a 4-character id is too short to be called close: 0; missing on one side: -1.
    assert _levels(IdNumberComparison("id"), left, right) == [2, 1, 0, 0, -1]


def test_source_levels_on_text_and_categories():
    left = {"source": ["crm", "crm", "web", "web"]}
    right = {"source": ["crm", "web", "crm", "web"]}
    # the same source 1 (crm/crm, web/web), two sources 0: the prepared records keep the
    # source as text ...
    assert _levels(SourceComparison(), left, right) == [1, 0, 0, 1]
    # ... and categories with different vocabularies (two partitions) give the same levels
    a = pd.Series(left["source"], dtype="category")
    b = pd.Series(right["source"], dtype=pd.CategoricalDtype(["web", "crm"]))
    assert SourceComparison().compare([a], [b]).tolist() == [1, 0, 0, 1]
    # the only comparison whose levels are categories, not degrees (left out of monotone)
    assert unordered(default_features()) == ["source"]


def test_text_columns_are_coded_once_with_one_vocabulary_for_both_frames():
    from rcu_kit.linkage.compare import _coded

    crm = {"source": pd.Series(["crm", None, "web"], dtype="string"),
           "last_name": pd.Series(["DUPONT", "MARTIN", None], dtype="category")}
    web = {"source": pd.Series(["web", "shop"], dtype=object),
           "last_name": pd.Series(["MARTIN", "DUPONT"], dtype="category")}
    left, right = _coded(dict(crm), dict(web))
    # the text columns coded on one vocabulary, missing kept missing; categories untouched
    assert left["source"].dtype.categories is right["source"].dtype.categories
    assert list(left["source"].dtype.categories) == ["crm", "web", "shop"]
    assert left["source"].cat.codes.tolist() == [0, -1, 1]
    assert right["source"].cat.codes.tolist() == [1, 2]
    assert left["last_name"] is crm["last_name"] and right["last_name"] is web["last_name"]
    # one frame: coded alone
    alone, _ = _coded(dict(crm), None)
    assert alone["source"].cat.codes.tolist() == [0, -1, 1]
    # the levels through compare_pairs are those of the text, on each frame and on two
    frame = pd.DataFrame({"source": pd.Series(["crm", "crm", "web", None], dtype="string")})
    other = pd.DataFrame({"source": ["web", "crm"]})
    assert compare_pairs(frame, np.array([0, 0, 3]), np.array([1, 2, 0]),
                         [SourceComparison()])["source"].tolist() == [1, 0, -1]
    assert compare_pairs(frame, np.array([0, 2, 3]), np.array([1, 0, 0]), [SourceComparison()],
                         records_link=other)["source"].tolist() == [1, 1, -1]


def test_rows_are_taken_from_a_column_as_pandas_takes_them():
    from rcu_kit.linkage.compare import _rows_taker

    names = pd.Series(["DUPONT", None, "MARTIN", "DUPONT"], dtype="category", index=[7, 8, 9, 10])
    flags = pd.Series([True, False, True, False], index=[7, 8, 9, 10])
    rows = np.array([3, 1, 1, 0])
    for column in (names, flags):
        taken = _rows_taker(column)(rows)
        pd.testing.assert_series_equal(taken, column.take(rows).reset_index(drop=True))
    # a categorical keeps its type, categories and all: the features' per-value tables,
    # cached by vocabulary, are built once for all the chunks of pairs
    taken = _rows_taker(names)(rows)
    assert taken.dtype.categories is names.dtype.categories
    assert taken.astype(object).where(taken.notna(), None).tolist() == \
        ["DUPONT", None, None, "DUPONT"]


def test_one_edit_matches_the_optimal_string_alignment_distance():
    import numpy as np

    from rcu_kit.linkage.compare import _char_matrix, _one_edit

    vocab = np.array(["0612345678", "0612345679", "0612345687", "0621345687", "061234567",
                      "éa", "aé", "ea"], dtype=object)
    a = np.array([0, 0, 0, 0, 5, 5, -1])
    b = np.array([1, 2, 3, 4, 6, 7, 0])
    # 0/1: one substitution -> True; 0/2: adjacent transposition (78 / 87) -> True;
    # 0/3: two transpositions -> False; 0/4: one deletion (lengths differ by one) -> True;
    # éa/aé: a transposition of non-ASCII text (left to rapidfuzz) -> True; éa/ea: one
    # substitution -> True; a missing value (code -1) is never close.
    assert _one_edit(vocab, a, b, 1, _char_matrix(vocab)).tolist() == \
        [True, True, False, True, True, True, False]
    # Without the matrix (values too long) the same answers come from rapidfuzz.
    assert _one_edit(vocab, a, b, 1, None).tolist() == \
        [True, True, False, True, True, True, False]


def test_swapped_names_with_a_typo_are_close_on_both_names():
    # ASHLEIGH ROLLINS / ROLLIQNS ASHLEIGH: swapped, one side mistyped: close on both names (3
    # for first names, 2 for last names). ASHLEIGH ROLLINS / ROLLINS ASHLEIGH: a plain swap,
    # exact (4). LUC MARTIN / MARTIN PAUL: swapped surname but another first name: different.
    left = {"first_name": ["ASHLEIGH", "ASHLEIGH", "LUC"],
            "last_name": ["ROLLINS", "ROLLINS", "MARTIN"]}
    right = {"first_name": ["ROLLIQNS", "ROLLINS", "MARTIN"],
             "last_name": ["ASHLEIGH", "ASHLEIGH", "PAUL"]}
    first = FirstNameComparison("first_name", last_name="last_name")
    last = LastNameComparison("last_name", first_name="first_name")
    assert _levels(first, left, right) == [3, 4, 0]
    assert _levels(last, left, right) == [2, 4, 0]


def test_address_with_a_mistyped_postcode_is_the_same_address():
    # 11 HODDINOTT STREET in 02022 / 02002 (one digit replaced) and in 75011 / 75101 (two
    # digits swapped): the same number and street a typing slip apart, exact 3; in 75011 /
    # 69002 (two digits apart): another town's namesake street, different 0.
    left = {"street_number": ["11", "11", "11"], "street_number_suffix": [None] * 3,
            "street_name": ["HODDINOTT STREET", "RUE DES LILAS", "RUE DES LILAS"],
            "postcode": ["02022", "75011", "75011"]}
    right = {"street_number": ["11", "11", "11"], "street_number_suffix": [None] * 3,
             "street_name": ["HODDINOTT STREET", "RUE DES LILAS", "RUE DES LILAS"],
             "postcode": ["02002", "75101", "69002"]}
    assert _levels(AddressComparison(), left, right) == [3, 3, 0]


def test_postcode_city_with_the_country():
    left = [pd.Series(["75011", None, None, None, "75011", None]),
            pd.Series(["PARIS", "ATSUGI", "CHESTER", "PORTLAND", "PARIS", "LYON"]),
            pd.Series(["FR", "JP", "US", "US", "FR", None])]
    right = [pd.Series(["75012", None, None, None, None, None]),
             pd.Series(["PARIS", "KANAGAWA", "BEDMINSTER", "PORTLAND", "LILLE", "LILLE"]),
             pd.Series(["FR", "JP", "US", "GB", "FR", "FR"])]
    # 75011 / 75012 in Paris: the same city (2), the country changes nothing; no postcodes,
    # other towns of one country: 1 (Atsugi / Kanagawa, Chester / Bedminster); Portland in
    # the US and in Britain: 0 (the countries differ); a postcode on one side only, other
    # towns of France: 1; a country missing on one side: other towns are 0, as without it.
    levels = PostcodeCityComparison(country="country").compare(left, right).tolist()
    assert levels == [2, 1, 1, 0, 1, 0]
    # Without the country column: the town alone.
    assert PostcodeCityComparison().compare(left[:2], right[:2]).tolist() == [2, 0, 0, 2, 0, 0]


# -- the plain-Python paths of small vocabularies (one preventive query) ---------------------
# Tricky names for the per-name tables: compound, hyphenated, initials with and without dots
# and spaces, two letters, accents, a lone hyphen's empty token, a name repeated.
TRICKY_NAMES = ["JEAN PIERRE", "JEAN-PIERRE", "JEANPIERRE", "J", "J P", "JP", "J.P.", "J. P",
                "PIERRE JEAN", "MARIE", "MARIE-HÉLÈNE", "HÉLÈNE", "LE GALL", "D ARTAGNAN",
                "AL", "O", "ANNE MARIE CLAIRE", "-", "JEAN PIERRE", "BOB", "ROBERT"]


def _both_paths(monkeypatch, compute):
    """``compute()`` with the small-vocabulary paths, then with pandas' only (the paths a
    curative run's large vocabularies take), each on fresh caches."""
    from rcu_kit.linkage import compare

    compare._LENGTHS.clear()
    small = compute()
    with monkeypatch.context() as patched:
        patched.setattr(compare, "SMALL_VOCABULARY", -1)
        compare._LENGTHS.clear()
        large = compute()
    compare._LENGTHS.clear()
    return small, large


def test_small_name_tables_are_the_pandas_tables(monkeypatch):
    from rcu_kit.linkage import compare

    rng = np.random.default_rng(3)
    vocabularies = [np.array(TRICKY_NAMES, dtype=object),
                    np.array(sorted(set(TRICKY_NAMES)), dtype=object),
                    np.array(["X"], dtype=object), np.array([], dtype=object)]
    words = ["JEAN", "PIERRE", "MARIE", "PAUL", "ANNE", "LUC", "J", "P", "M", "LE", "DE"]
    for _ in range(200):
        made = {" ".join(rng.choice(words, size=rng.integers(1, 4))).replace(" P", "-P")
                for _ in range(rng.integers(1, 40))}
        vocabularies.append(np.array(sorted(made), dtype=object))
    for vocabulary in vocabularies:
        small, large = _both_paths(monkeypatch, lambda: compare._name_tables(vocabulary))
        assert small.keys() == large.keys()
        for key in small:
            assert small[key].tolist() == large[key].tolist(), (key, vocabulary.tolist())
        ids = np.append(vocabulary, [None, "JEAN"]).astype(object)
        small, large = _both_paths(monkeypatch, lambda: (compare._ids(ids),
                                                         compare._lengths(vocabulary)))
        assert [a.tolist() for a in small] == [a.tolist() for a in large]


def test_arrow_email_and_phone_tables_are_the_python_tables(monkeypatch):
    from rcu_kit.linkage import compare

    emails = np.array(["jean.martin@gmail.com", "jean.martin@free.fr", "j.martin@gmail.com",
                       "no-at-sign", "", "a@b@c.fr", "élodie.dupré@orange.fr", "@orange.fr",
                       "JEAN.MARTIN@gmail.com"], dtype=object)
    phones = np.array(["+33612345678", "+33712345678", "+33145678901", "+336", "+33",
                       "+3361", "+41791234567", ""], dtype=object)
    small, large = _both_paths(monkeypatch, lambda: (compare._email_locals(emails),
                                                     compare._mobiles(phones),
                                                     compare._lengths(emails)))
    # ids may be numbered differently: the same values share an id on both paths
    assert pd.factorize(small[0])[0].tolist() == pd.factorize(large[0])[0].tolist()
    # jean.martin at gmail and free, and the ones with nothing before the @, share a local part
    assert large[0][0] == large[0][1] and large[0][4] == large[0][7] != large[0][0]
    assert large[0][-1] == -1 and len(large[0]) == len(emails) + 1
    assert small[1].tolist() == large[1].tolist() == [True, True, False, True, False, True,
                                                      False, False, True]
    assert small[2].tolist() == large[2].tolist()


@pytest.fixture(scope="module")
def demo_prepared(demo_engagement):
    from rcu_kit.core.config import load_engagement
    from rcu_kit.dedup.run import run_dedup

    return prepare_records(run_dedup(load_engagement(demo_engagement), progress=False).records)


def _query_columns(prepared: pd.DataFrame, query: int, rows: np.ndarray, shared: bool
                   ) -> tuple[dict, dict]:
    """Left (the query row repeated) and right (``rows``) columns as a preventive query builds
    them: categoricals on the pairs' few values, one vocabulary per column (``shared``: across
    the columns compared with each other too, else each its own)."""
    groups = [("last_name", "birth_name"), ("last_name_phonetic", "birth_name_phonetic")]
    columns = sorted({c for f in default_features(workers=1) for c in (
        [f.labels_left] if isinstance(f.labels_left, str) else f.labels_left)})
    left, right = {}, {}
    for column in columns:
        group = next((g for g in groups if column in g), (column,)) if shared else (column,)
        if column in left:
            continue
        values = {c: (prepared[c].astype(object).to_numpy()[np.full(len(rows), query)],
                      prepared[c].astype(object).to_numpy()[rows]) for c in group}
        every = [v for pair in values.values() for side in pair for v in side
                 if v is not None and v == v]
        dtype = pd.CategoricalDtype(list(dict.fromkeys(every)))
        for c, (a, b) in values.items():
            left[c] = pd.Series(pd.Categorical(a, dtype=dtype))
            right[c] = pd.Series(pd.Categorical(b, dtype=dtype))
    return left, right


def test_small_vocabulary_levels_are_the_pandas_levels(monkeypatch, demo_prepared):
    # 300 queries of the demo (1,500 records) against candidates that share their surname's
    # sound, postcode or e-mail domain (so typos, compound names, swaps and households come
    # up), 1 to 60 candidates each: every feature gives the same levels on the plain-Python
    # paths as on pandas' (the curative run's), with shared vocabularies and with each column
    # its own (_unify's two ways of uniting categories).
    prepared = demo_prepared.reset_index(drop=True)
    rng = np.random.default_rng(11)
    keys = [prepared[c].astype(object) for c in ("last_name_phonetic", "postcode")]
    seen: dict[str, set] = {}
    for trial in range(300):
        query = int(rng.integers(len(prepared)))
        key = keys[trial % 2]
        near = np.flatnonzero((key == key[query]).to_numpy()) if key[query] is not None \
            else np.arange(len(prepared))
        rows = rng.choice(np.union1d(near, rng.integers(len(prepared), size=5)),
                          size=int(rng.integers(1, 61)))
        left, right = _query_columns(prepared, query, rows, shared=trial % 3 != 0)

        def levels():
            out = {}
            for feature in default_features(workers=1):
                cols = [feature.labels_left] if isinstance(feature.labels_left, str) \
                    else list(feature.labels_left)
                out[feature.label] = feature.compare([left[c] for c in cols],
                                                     [right[c] for c in cols]).tolist()
            return out

        small, large = _both_paths(monkeypatch, levels)
        assert small == large, trial
        for label, values in small.items():
            seen.setdefault(label, set()).update(values)
    # The trials reached every level of the first names, and of the last names those the demo
    # makes (each record has a last name: never missing; no "DUPONT MARTIN" against "MARTIN").
    assert seen["first_name"] == {-1, 0, 1, 2, 3, 4}
    assert seen["last_name"] == {0, 2, 3, 4}
