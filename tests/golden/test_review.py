"""Clerical review: label store across restarts, stratified sampling, quality estimates, training."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rcu_kit.golden.review import (
    LabelStore,
    estimate_quality,
    labelled_pairs,
    pair_view,
    quality_table,
    supervised_comparison,
    sample_pairs_for_review,
    train_supervised,
    wilson_interval,
)


def _pair(i: int, p: float = 0.5) -> dict:
    return {"source_1": "crm", "record_id_1": str(i), "source_2": "web", "record_id_2": str(i),
            "match_probability": p}


def test_labels_survive_a_new_python_process(tmp_path):
    path = tmp_path / "review" / "labels.csv"
    store = LabelStore(path)
    store.add(_pair(1, 0.9), "match", reviewer="ana")
    store.add(_pair(2, 0.4), "unsure")
    # A new interpreter (as after a kernel restart) adds a label and relabels pair 2.
    code = (f"from rcu_kit.golden.review import LabelStore; s = LabelStore({str(path)!r}); "
            "s.add({'source_1': 'web', 'record_id_1': '2', 'source_2': 'crm', 'record_id_2': '2'},"
            " 'non_match'); s.add({'source_1': 'crm', 'record_id_1': '3', 'source_2': 'web', "
            "'record_id_2': '3', 'match_probability': 0.1}, 'non_match')")
    subprocess.run([sys.executable, "-c", code], check=True)
    again = LabelStore(path)
    # Four lines written, three pairs: pair 2 was relabelled (given in the other order).
    assert len(again.history()) == 4
    labels = again.labels().set_index("record_id_1")["label"].to_dict()
    assert labels == {"1": "match", "2": "non_match", "3": "non_match"}
    assert len(again) == 3
    with pytest.raises(ValueError, match="label must be one of match, non_match, unsure"):
        again.add(_pair(4), "yes")


def test_corrupt_label_file_names_the_line(tmp_path):
    path = tmp_path / "labels.csv"
    LabelStore(path).add(_pair(1), "match")
    with path.open("a") as fh:
        fh.write("crm,2,web,2,maybe,0.5,,2024-01-01\n")
    with pytest.raises(ValueError, match=r"unknown label\(s\) on line\(s\) \[3\]"):
        LabelStore(path).labels()


def test_precision_and_recall_on_a_known_answer():
    # Population: 100 pairs in [0.9, 1], 50 in [0.5, 0.9), 200 in [0, 0.5).
    pairs = pd.DataFrame({"match_probability": np.r_[np.full(100, 0.95), np.full(50, 0.7),
                                                     np.full(200, 0.1)]})
    # Ten labels per stratum: 8, 5 and 1 matches.
    labels = pd.DataFrame({
        "match_probability": np.r_[np.full(10, 0.95), np.full(10, 0.7), np.full(10, 0.1)],
        "label": ["match"] * 8 + ["non_match"] * 2 + ["match"] * 5 + ["non_match"] * 5
                 + ["match"] + ["non_match"] * 9})
    labels = pd.concat([labels, pd.DataFrame({"match_probability": [0.95], "label": ["unsure"]})])
    est = estimate_quality(labels, threshold=0.9, pairs=pairs, strata=[0, 0.5, 0.9, 1])
    # True matches: 100 x 0.8 = 80 above the threshold, 50 x 0.5 = 25 and 200 x 0.1 = 20 below.
    assert est.precision == pytest.approx(80 / 100)
    assert est.recall == pytest.approx(80 / 125)
    assert (est.labelled, est.unsure) == (30, 1)
    assert est.strata["matches"].tolist() == [1, 5, 8]
    # Wilson interval of 8 / 10 at 95 %.
    assert est.precision_wilson == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert est.precision_interval[0] < 0.8 < est.precision_interval[1]
    assert est.recall_interval[0] < 0.64 < est.recall_interval[1]
    # Same seed, same intervals.
    again = estimate_quality(labels, threshold=0.9, pairs=pairs, strata=[0, 0.5, 0.9, 1])
    assert again.precision_interval == est.precision_interval
    assert est.as_table()["measure"].tolist() == ["precision", "recall"]
    with pytest.raises(ValueError, match="no pair labelled"):
        estimate_quality(labels[labels["label"] == "unsure"], threshold=0.9)


def test_wilson_interval_edges():
    # 0 of 10: lower bound 0; 10 of 10: upper bound 1; nothing labelled: (0, 1).
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_sample_is_stratified_and_skips_labelled_pairs():
    # Five pairs in each of the six default strata.
    probs = np.repeat([0.01, 0.1, 0.3, 0.6, 0.9, 0.99], 5)
    pairs = pd.DataFrame([_pair(i, p) for i, p in enumerate(probs)])
    sample = sample_pairs_for_review(pairs, n=10, seed=1)
    # 5 go to the uncertain strata [0.2,0.5), [0.5,0.8), [0.8,0.95) as 2, 2, 1; the other 5 one
    # per stratum from the first: 1, 1, 3, 3, 2, 0.
    assert sample["stratum"].value_counts().sort_index().tolist() == [1, 1, 3, 3, 2]
    pd.testing.assert_frame_equal(sample, sample_pairs_for_review(pairs, n=10, seed=1))
    labelled = sample.iloc[:4].assign(label="match")
    # Swapped record order is still the same pair.
    labelled = labelled.rename(columns={"source_1": "source_2", "source_2": "source_1",
                                        "record_id_1": "record_id_2", "record_id_2": "record_id_1"})
    again = sample_pairs_for_review(pairs, n=30, labelled=labelled, seed=1)
    # Quotas for 30: 3, 3, 8, 7, 7, 2; left after the 4 labelled pairs (strata 0, 1, 2, 2):
    # 4, 4, 3, 5, 5, 5; within quota: 3 + 3 + 3 + 5 + 5 + 2 = 21; the 9 the short strata
    # could not give go to those with pairs left: 1 + 1 + 3 more, so 26, none of them labelled.
    assert len(again) == 26
    assert again["stratum"].value_counts().sort_index().tolist() == [4, 4, 3, 5, 5, 5]
    assert not set(again["record_id_1"]) & set(sample.iloc[:4]["record_id_1"])


def test_pair_view_masks_unless_allowed():
    records = pd.DataFrame({"source": ["crm", "web"], "record_id": ["1", "7"],
                            "last_name": ["DUPONT", "DUPONT"], "email": ["jd@free.fr", None],
                            "city": ["PARIS", "LYON"]})
    pair = _pair(0) | {"record_id_1": "1", "record_id_2": "7"}
    view = pair_view(records, pair)
    assert view["attribute"].tolist() == ["last_name", "email", "city"]
    assert view["record_1"].tolist() == ["D*****", "j***@f***.fr", "PARIS"]
    assert view["same"].tolist() == [True, False, False]
    assert pair_view(records, pair, mask=False)["record_1"].tolist()[0] == "DUPONT"
    with pytest.raises(KeyError, match="web/8 is not in the records"):
        pair_view(records, pair | {"record_id_2": "8"})


def test_pair_view_shows_an_invalid_birth_dates_parts_only_where_a_record_has_them():
    # record 1's birth date was typed 1072-05-16 (kept as read, for matching): the reviewer sees
    # the parts the comparison used, masked as a birth date; record 2 has a valid one
    records = pd.DataFrame({"source": ["crm", "web", "web"], "record_id": ["1", "7", "8"],
                            "last_name": ["HAHN", "HAHN", "HAHN"],
                            "birth_date": [None, "1972-05-16", "1972-05-16"],
                            "invalid_birth_date": ["1072-05-16", None, None]})
    pair = _pair(0) | {"record_id_1": "1", "record_id_2": "7"}
    view = pair_view(records, pair, mask=False)
    assert view["attribute"].tolist() == ["last_name", "birth_date", "invalid_birth_date"]
    assert view["record_1"].tolist() == ["HAHN", None, "1072-05-16"]
    assert pair_view(records, pair)["record_1"].tolist()[2] == "****-**-**"  # 1072: no year shown
    # two records with valid dates: no invalid-date row
    both_valid = pair | {"source_1": "web", "record_id_1": "8"}
    assert pair_view(records, both_valid)["attribute"].tolist() == ["last_name", "birth_date"]


def test_labels_train_the_supervised_classifier():
    # Name level 2 = agree: every such pair is labelled match; level 0: non-match.
    pairs = pd.DataFrame([_pair(i, 0.5) for i in range(8)])
    pairs["name"] = np.array([2, 2, 2, 0, 0, 0, 2, 0], dtype=np.int8)
    pairs["date"] = np.array([1, 1, 0, 0, 1, 0, 1, 0], dtype=np.int8)
    labels = pd.DataFrame([_pair(i) for i in range(6)]).assign(
        label=["match", "match", "match", "non_match", "non_match", "non_match"])
    assert len(labelled_pairs(pairs, labels)) == 6
    clf = train_supervised(pairs, labels)
    assert clf.features_ == ["name", "date"]
    # The two unlabelled pairs are classified by what the labels taught.
    assert clf.predict(pairs.iloc[6:]).tolist() == [1, 0]
    with pytest.raises(ValueError, match="need both matches and non-matches"):
        train_supervised(pairs, labels.iloc[:3])


def test_quality_table_and_supervised_comparison():
    pairs = pd.DataFrame([_pair(i, p) for i, p in enumerate([0.95, 0.95, 0.3, 0.3, 0.1, 0.1])])
    pairs["name"] = np.array([2, 2, 0, 2, 0, 0], dtype=np.int8)
    empty = quality_table(pd.DataFrame(columns=["match_probability", "label"]), pairs, 0.9, "en")
    assert list(empty.columns) == ["Measure", "Estimate", "Low", "High"] and empty.empty
    # Pair 3 is left unlabelled.
    labels = pairs.iloc[[0, 1, 2, 4, 5]].assign(
        label=["match", "match", "non_match", "non_match", "non_match"])
    table = quality_table(labels, pairs, 0.9, "fr")
    # Both labelled pairs above 0.9 are matches, none below: precision = recall = 1.
    assert table["Mesure"].tolist() == ["Précision", "Rappel"]
    assert table["Estimation"].tolist() == [1.0, 1.0]
    comparison = supervised_comparison(pairs, labels, 0.9).set_index("decision")["pairs"]
    # Pair 3 (name agrees, p = 0.3) is a match for the classifier taught by the labels only;
    # pairs 2, 4, 5 (names differ) are matches for neither.
    assert comparison.to_dict() == {"both": 2, "current only": 0, "supervised only": 1,
                                    "neither": 3}
    assert supervised_comparison(pairs, labels.iloc[:2], 0.9).empty


# --- the engagement-wide review sheet ----------------------------------------------------------

def _records(n: int) -> pd.DataFrame:
    return pd.DataFrame({"source": ["crm"] * n + ["web"] * n,
                         "record_id": [str(i) for i in range(n)] * 2,
                         "last_name": [f"NOM{i}" for i in range(n)] * 2,
                         "email": [f"p{i}@free.fr" for i in range(n)] * 2})


def test_review_sample_covers_every_stratum_and_the_pairs_never_proposed():
    from rcu_kit.golden.review import NOT_PROPOSED, draw_review_sample

    records = _records(6)  # 12 records: 66 pairs of records
    # 6 candidate pairs crm:i-web:i, two in each of the strata 0.00-0.05, 0.50-0.80, 0.95-1.00
    pairs = pd.DataFrame([_pair(i, p) for i, p in enumerate([0.01, 0.02, 0.6, 0.7, 0.97, 0.99])])
    sample = draw_review_sample(pairs, records, n=10, seed=3)
    # 10 % of 10 = 1 pair never proposed (one of 66 - 6 = 60: weight 60); the 9 others take
    # every candidate pair there is (6), each of weight 2 / 2 = 1.
    counts = sample["stratum"].value_counts().sort_index().to_dict()
    assert counts == {"0.00-0.05": 2, "0.50-0.80": 2, "0.95-1.00": 2, NOT_PROPOSED: 1}
    random = sample[sample["stratum"] == NOT_PROPOSED].iloc[0]
    assert (random["stratum_pairs"], random["weight"]) == (60, 60.0)
    assert pd.isna(random["match_probability"])
    assert random["record_id_1"] != random["record_id_2"] or random["source_1"] != random["source_2"]
    assert set(sample.loc[sample["stratum"] != NOT_PROPOSED, "weight"]) == {1.0}
    # the labelled pairs are never drawn again
    again = draw_review_sample(pairs, records, n=10, labelled=sample.assign(label="match"), seed=3)
    key = ["source_1", "record_id_1", "source_2", "record_id_2"]
    assert not set(map(tuple, again[key].to_numpy())) & set(map(tuple, sample[key].to_numpy()))
    assert (again["stratum"] == NOT_PROPOSED).all() and len(again) == 1


def test_review_sheet_shows_both_records_masked_with_an_empty_label():
    from rcu_kit.golden.review import draw_review_sample, review_sheet

    records = _records(3)
    pairs = pd.DataFrame([_pair(0, 0.99)])
    sample = draw_review_sample(pairs, records, n=2, seed=1)
    sheet = review_sheet(sample, records, mask=True)
    assert sheet.columns.tolist() == ["source_a", "record_id_a", "source_b", "record_id_b",
                                      "match_probability", "stratum", "weight", "last_name_a",
                                      "last_name_b", "email_a", "email_b", "label"]
    first = sheet.iloc[0]
    assert (first["source_a"], first["record_id_a"], first["record_id_b"]) == ("crm", "0", "0")
    assert first["last_name_a"] == "N***" and first["email_b"] == "p***@f***.fr"
    assert (sheet["label"] == "").all()
    assert review_sheet(sample, records, mask=False).iloc[0]["email_a"] == "p0@free.fr"


def _sheet(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"source_a": "crm", "record_id_a": a, "source_b": "web", "record_id_b": b,
                          "label": label} for a, b, label in rows])


def test_label_sheet_errors_name_the_row(tmp_path):
    from rcu_kit.golden.review import read_label_sheet

    records = _records(3)
    path = tmp_path / "sheet.csv"
    _sheet([("0", "0", "Match"), ("1", "1", "non-match"), ("2", "2", ""),
            ("0", "1", "Personnes différentes"), ("1", "2", " unsure ")]).to_csv(path, index=False)
    read = read_label_sheet(path, records)
    # the empty label (row 4) is a pair not labelled yet; rows count the header as row 1
    assert read["label"].tolist() == ["match", "non_match", "non_match", "unsure"]
    assert read["row"].tolist() == [2, 3, 5, 6]
    _sheet([("0", "0", "match"), ("1", "1", "mtach"), ("9", "2", "match")]).to_csv(path, index=False)
    with pytest.raises(ValueError) as info:
        read_label_sheet(path, records)
    assert str(info.value) == (
        f"{path}: row 3: label 'mtach' is not one of match, non-match, unsure (empty: not "
        "labelled yet); row 4: record crm/9 (record_id_a) is not one of the engagement's records")
    path.write_text("source_a,record_id_a,source_b,record_id_b,label\n", encoding="utf-8")
    with pytest.raises(ValueError, match="the sheet is empty"):
        read_label_sheet(path, records)
    _sheet([("0", "0", "")]).to_excel(tmp_path / "sheet.xlsx", index=False)
    with pytest.raises(ValueError, match=r"no label filled in \(1 pair"):
        read_label_sheet(tmp_path / "sheet.xlsx", records)
    with pytest.raises(ValueError, match="column\\(s\\) label missing"):
        _sheet([("0", "0", "")]).drop(columns="label").to_csv(path, index=False)
        read_label_sheet(path, records)


def test_labels_of_the_sheet_are_kept_when_it_is_redrawn(tmp_path):
    from rcu_kit.core.config import Engagement
    from rcu_kit.golden.review import (keep_sheet_labels, labels_path, sheet_paths,
                                       write_review_sheet)

    engagement = Engagement(client="x", output_dir=str(tmp_path / "out"))
    paths = sheet_paths(engagement)
    write_review_sheet(_sheet([("0", "0", ""), ("1", "1", "")]), engagement)
    assert keep_sheet_labels(engagement) == 0  # nothing filled in yet
    # the reviewer fills one label in the CSV, another in the Excel copy
    _sheet([("0", "0", "match"), ("1", "1", "")]).to_csv(paths["csv"], index=False)
    _sheet([("0", "0", ""), ("1", "1", "non-match")]).to_excel(paths["excel"], index=False)
    assert keep_sheet_labels(engagement) == 2
    assert keep_sheet_labels(engagement) == 0  # kept once, not twice
    store = LabelStore(labels_path(engagement))
    assert sorted(store.labels()["label"]) == ["match", "non_match"]
    # a typo stops the redraw, naming the row, until it is fixed
    _sheet([("0", "0", "oui")]).to_csv(paths["csv"], index=False)
    with pytest.raises(ValueError, match="row 2: label 'oui'.*no label is lost"):
        keep_sheet_labels(engagement)


def test_the_panel_and_the_command_share_one_review_sheet(tmp_path):
    from types import SimpleNamespace

    from rcu_kit.core.config import Engagement
    from rcu_kit.golden.review import (NOT_PROPOSED, labels_path, mark_sheet_label, review_queue,
                                       sheet_paths)
    from rcu_kit.golden.widgets import ReviewPanel

    engagement = Engagement(client="x", output_dir=str(tmp_path / "out"))
    records = _records(6)  # 12 records, 66 pairs of records
    pairs = pd.DataFrame([_pair(i, p) for i, p in enumerate([0.01, 0.02, 0.6, 0.7, 0.97, 0.99])])
    pairs["evidence"] = [f"e{i}" for i in range(6)]
    run = SimpleNamespace(pairs=pairs, records=records)
    paths = sheet_paths(engagement)
    # no sheet yet: the panel draws one, as `rcu-kit review --sample 10` would: the 6 candidate
    # pairs and 1 pair never proposed, written to review/sample.csv and its Excel copy
    queue = review_queue(run, engagement, n=10)
    assert paths["csv"].exists() and paths["excel"].exists()
    sheet = pd.read_csv(paths["csv"], dtype=str, keep_default_na=False)
    assert len(queue) == len(sheet) == 7
    assert (queue["stratum"] == NOT_PROPOSED).sum() == 1
    # the evidence of the run for the candidate pairs, none for the pair never proposed
    candidates = queue[queue["stratum"] != NOT_PROPOSED]
    assert sorted(candidates["evidence"]) == [f"e{i}" for i in range(6)]
    assert queue.loc[queue["stratum"] == NOT_PROPOSED, "evidence"].tolist() == [""]
    # a seeded order: the same on every call
    assert queue.equals(review_queue(run, engagement, n=10))

    # the panel's decision goes to the label store and to the sheet's label column (CSV + Excel)
    panel = ReviewPanel(queue, records, LabelStore(labels_path(engagement)), language="en",
                        sheet=paths["csv"])
    first = queue.iloc[0]
    panel.act("non_match")
    sheet = pd.read_csv(paths["csv"], dtype=str, keep_default_na=False)
    row = (sheet["record_id_a"] == first["record_id_1"]) & (sheet["record_id_b"] == first["record_id_2"])
    assert sheet.loc[row, "label"].tolist() == ["non-match"] and (sheet.loc[~row, "label"] == "").all()
    excel = pd.read_excel(paths["excel"], dtype=str).fillna("")
    assert excel["label"].tolist() == sheet["label"].tolist()
    assert pd.api.types.is_float_dtype(pd.read_excel(paths["excel"])["match_probability"])

    # the next session shows the 6 pairs left; a label typed in the sheet by hand counts too
    second = review_queue(run, engagement, n=10)
    assert len(second) == 6 and not ((second["record_id_1"] == first["record_id_1"])
                                     & (second["record_id_2"] == first["record_id_2"])).any()
    typed = second.iloc[0]
    sheet.loc[(sheet["record_id_a"] == typed["record_id_1"])
              & (sheet["record_id_b"] == typed["record_id_2"])
              & (sheet["source_a"] == typed["source_1"]), "label"] = "match"
    sheet.to_csv(paths["csv"], index=False)
    third = review_queue(run, engagement, n=10)
    assert len(third) == 5
    assert sorted(LabelStore(labels_path(engagement)).labels()["label"]) == ["match", "non_match"]
    # a pair that is not on the sheet is not written anywhere
    assert not mark_sheet_label(paths["csv"], _pair(99), "match")


def test_labels_typed_in_the_excel_copy_survive_a_panel_label(tmp_path):
    from rcu_kit.core.config import Engagement
    from rcu_kit.golden.review import mark_sheet_label, sheet_paths, write_review_sheet

    engagement = Engagement(client="x", output_dir=str(tmp_path / "out"))
    paths = sheet_paths(engagement)
    write_review_sheet(_sheet([("0", "0", ""), ("1", "1", ""), ("2", "2", "")]), engagement)
    # a reviewer types "match" for pair 1 in the Excel copy while the panel labels pair 0
    _sheet([("0", "0", ""), ("1", "1", "match"), ("2", "2", "")]).to_excel(paths["excel"],
                                                                          index=False)
    assert mark_sheet_label(paths["csv"], _pair(0), "non_match")
    for copy in (pd.read_csv(paths["csv"], dtype=str, keep_default_na=False),
                 pd.read_excel(paths["excel"], dtype=str).fillna("")):
        assert copy["label"].tolist() == ["non-match", "match", ""]
    # a typo in the Excel copy: the copy is left as it is, the CSV still gets the panel's label
    _sheet([("0", "0", ""), ("1", "1", "mtach"), ("2", "2", "")]).to_excel(paths["excel"],
                                                                          index=False)
    assert mark_sheet_label(paths["csv"], _pair(2), "match")
    assert pd.read_csv(paths["csv"], dtype=str, keep_default_na=False)["label"].tolist() == \
        ["non-match", "match", "match"]
    assert pd.read_excel(paths["excel"], dtype=str).fillna("")["label"].tolist() == \
        ["", "mtach", ""]


# Seven scored pairs around the threshold 0.9 (odds 9, weight log2 9 = 3.17 bits); the borderline
# band (3 bits either side) runs from 52.9 % (odds 9/8) to 98.6 % (odds 72):
#   g 0.90  gap 0 bits          -> borderline, at the threshold: matched
#   b 0.85  gap -0.67 bit       -> borderline, kept apart
#   a 0.95  gap +1.08 bits      -> borderline, matched; written (web, crm): key swapped to (crm, web)
#   e 0.60  gap -2.58 bits      -> borderline, kept apart
#   c 0.99  gap +3.46 bits      -> out (above 98.6 %)
#   d 0.50  gap -3.17 bits      -> out (below 52.9 %)
#   f 1.00  infinite            -> out
BORDERLINE_PAIRS = pd.DataFrame({
    "source_1": ["web", "crm", "crm", "crm", "crm", "crm", "crm"],
    "record_id_1": ["a", "1", "2", "3", "4", "5", "6"],
    "source_2": ["crm", "web", "web", "web", "web", "web", "web"],
    "record_id_2": ["9", "b", "c", "d", "e", "f", "g"],
    "match_probability": [0.95, 0.85, 0.99, 0.5, 0.6, 1.0, 0.9],
    "evidence": ["last_name: exact; email: different", "first_name: close; phone: different",
                 "email: exact", "last_name: different", "postcode_city: postcode",
                 "email: exact", "last_name: exact; first_name: exact"]})


def test_borderline_pairs_are_those_nearest_the_threshold_closest_first():
    from rcu_kit.golden.review import borderline_band, borderline_pairs

    assert tuple(round(p, 4) for p in borderline_band(0.9)) == (0.5294, 0.9863)
    found = borderline_pairs(BORDERLINE_PAIRS, 0.9)
    assert found[["source_1", "record_id_1", "source_2", "record_id_2", "match_probability",
                  "decision", "agree", "disagree"]].values.tolist() == [
        ["crm", "6", "web", "g", 0.9, "match", "last_name, first_name", ""],
        ["crm", "1", "web", "b", 0.85, "non_match", "first_name", "phone"],
        ["crm", "9", "web", "a", 0.95, "match", "last_name", "email"],
        ["crm", "4", "web", "e", 0.6, "non_match", "postcode_city", ""]]
    assert found["gap_bits"].round(2).tolist() == [0.0, -0.67, 1.08, -2.58]
    # a narrower band (1 bit) keeps the first two; n cuts the list
    assert borderline_pairs(BORDERLINE_PAIRS, 0.9, margin=1.0)["record_id_2"].tolist() == ["g", "b"]
    assert len(borderline_pairs(BORDERLINE_PAIRS, 0.9, n=3)) == 3
    with pytest.raises(ValueError, match="threshold must be strictly between 0 and 1"):
        borderline_pairs(BORDERLINE_PAIRS, 1.0)


def test_borderline_pairs_say_whether_the_records_are_one_customer_today():
    from rcu_kit.golden.review import borderline_pairs, borderline_question, borderline_table

    # b (0.85, below the threshold) is in C1 with crm/1 through another link; g (0.90) was kept
    # apart (C6 and C7); a and e follow their pairs
    crosswalk = pd.DataFrame({
        "source": ["crm"] * 7 + ["web"] * 7,
        "record_id": ["1", "2", "3", "4", "5", "6", "9", "a", "b", "c", "d", "e", "f", "g"],
        "customer_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C9", "C9", "C1", "C2", "C10", "C11",
                        "C5", "C7"]})
    found = borderline_pairs(BORDERLINE_PAIRS, 0.9, crosswalk=crosswalk)
    assert found["same_customer"].tolist() == [False, True, True, False]
    table = borderline_table(found, "en")
    assert table.values.tolist() == [
        [1, 0.9, "merged", False, "crm / web", "Last name, First name", ""],
        [2, 0.85, "kept apart", True, "crm / web", "First name", "Phone"],
        [3, 0.95, "merged", True, "crm / web", "Last name", "E-mail"],
        [4, 0.6, "kept apart", False, "crm / web", "Postcode and town", ""]]
    assert borderline_question(found.iloc[1], 2, 0.9, "fr") == (
        "Paire 2 : 85,0\u00a0% (seuil 90,0\u00a0%), séparés aujourd'hui par cette paire, mais "
        "réunis dans un même client par d'autres enregistrements. Concordent : Prénom. Divergent : "
        "Téléphone. Même personne ? « Personnes différentes » confirme la séparation ; « Même "
        "personne » signifie que le seuil devrait descendre sous 85,0\u00a0%.")
    assert borderline_question(found.iloc[3], 4, 0.9, "en") == (
        "Pair 4: 60.0% (threshold 90.0%), kept apart today. Agree: Postcode and town. Disagree: "
        "none. Same person? \"Non-match\" confirms they stay apart; \"Match\" means the threshold "
        "should fall below 60.0%.")


def test_borderline_view_lays_the_records_side_by_side_with_the_evidence_per_attribute():
    from rcu_kit.golden.review import borderline_view

    records = pd.DataFrame({
        "source": ["crm", "web"], "record_id": ["1", "b"],
        "last_name": ["DURAND", "DURAND"], "first_name": ["STEPHANE", "STEPHAN"],
        "email": [None, None], "phone": ["+33612345678", "+33698765432"],
        "postcode": ["75011", "75011"], "city": ["PARIS", "PARIS"]})
    pair = {"source_1": "crm", "record_id_1": "1", "source_2": "web", "record_id_2": "b",
            "evidence": "first_name: close; phone: different; postcode_city: postcode_city"}
    weights = pd.DataFrame({"feature": ["first_name", "phone", "postcode_city"],
                            "level_name": ["close", "different", "postcode_city"],
                            "weight": [3.83, -4.91, 7.04]})
    view = borderline_view(records, pair, mask=True, language="en", weights=weights,
                           labels={"last_name": "Surname"})
    # the e-mail is held by neither record: no row; the last name was not compared (no level);
    # the postcode and town are one comparison, shown once, on the postcode; an attribute the
    # target model does not label is named in words
    assert view.values.tolist() == [
        ["Surname", "D*****", "D*****", None, None],
        ["First name", "S*******", "S******", "close (typo)", 3.8],
        ["Phone", "+336******78", "+336******32", "different", -4.9],
        ["Postcode", "75***", "75***", "same postcode and town", 7.0],
        ["City", "PARIS", "PARIS", None, None]]
    raw = borderline_view(records, pair, mask=False, language="fr")
    assert list(raw.columns) == ["attribute", "record_1", "record_2", "comparison"]
    assert raw.iloc[1].tolist() == ["Prénom", "STEPHANE", "STEPHAN", "proche (faute de frappe)"]


def test_borderline_view_words_an_invalid_birth_date_and_shows_its_comparison_there():
    from rcu_kit.golden.review import borderline_view

    # record 1's valid birth date is missing, its 1072-05-16 kept as read: the comparison of
    # birth dates (close) is shown on that row, in words, masked like a birth date
    records = pd.DataFrame({"source": ["crm", "web"], "record_id": ["1", "b"],
                            "birth_date": [None, "1972-05-16"],
                            "invalid_birth_date": ["1072-05-16", None]})
    pair = {"source_1": "crm", "record_id_1": "1", "source_2": "web", "record_id_2": "b",
            "evidence": "birth_date: close"}
    view = borderline_view(records, pair, mask=True, language="fr")
    assert view.values.tolist() == [
        ["Date de naissance", None, "1972-**-**", "proche (faute de frappe)"],
        ["Date de naissance invalide (telle que saisie)", "****-**-**", None, None]]


def test_supervised_table_words_the_decisions():
    from rcu_kit.golden.review import supervised_table

    # 4 labelled pairs, 2 each way: the classifier learns from the phone level alone
    pairs = pd.DataFrame([{**_pair(i, p), "phone": level} for i, (p, level) in
                          enumerate([(0.95, 2), (0.97, 2), (0.2, 0), (0.3, 0)])])
    labels = pairs[["source_1", "record_id_1", "source_2", "record_id_2"]].assign(
        label=["match", "match", "non_match", "non_match"])
    table = supervised_table(pairs, labels, 0.9, "fr")
    # the current model (0.9) matches the first two, the classifier too
    assert table.values.tolist() == [["rapprochées par les deux", 2],
                                     ["par le modèle actuel seulement", 0],
                                     ["par le classifieur supervisé seulement", 0],
                                     ["par aucun des deux", 2]]
    assert supervised_table(pairs, labels.iloc[:1], 0.9, "en").empty  # one label: no classifier
