"""Preventive matching against the reference built from the curative run on the small demo."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rcu_kit.cli import main
from rcu_kit.core.config import load_engagement
from rcu_kit.golden.preventive import (
    MATCH_COLUMNS,
    ReferenceIndex,
    build_reference_index,
    reference_index_path,
)


@pytest.fixture(scope="module")
def run(demo_engagement):
    from rcu_kit.dedup.run import run_dedup

    return run_dedup(load_engagement(demo_engagement), progress=False)


@pytest.fixture(scope="module")
def index(run):
    return ReferenceIndex.from_run(run)


@pytest.fixture(scope="module")
def truth(demo_engagement):
    return pd.read_csv(demo_engagement.parent / "truth.csv", dtype=str)


def test_same_model_as_the_curative_run(run, index):
    # Score 200 of the curative run's pairs through the index: record 1 as the query, record 2
    # as the reference record. Probabilities must be the run's own (same features, same model,
    # term frequencies where they apply).
    pairs = run.pairs.iloc[:: max(len(run.pairs) // 200, 1)].head(200)
    keys = pd.MultiIndex.from_frame(index.prepared[["source", "record_id"]])
    first = keys.get_indexer(pd.MultiIndex.from_arrays([pairs["source_1"].astype(str),
                                                        pairs["record_id_1"]]))
    second = keys.get_indexer(pd.MultiIndex.from_arrays([pairs["source_2"].astype(str),
                                                         pairs["record_id_2"]]))
    queries = index.prepared.iloc[first].reset_index(drop=True)
    levels, probability, _ = index.score(queries, np.arange(len(pairs)), second)
    for feature in levels.columns:
        assert (levels[feature].to_numpy() == pairs[feature].to_numpy()).all(), feature
    exact_name = (levels["last_name"].to_numpy() != 4) & (levels["first_name"].to_numpy() != 4)
    # The index takes the term frequency of the reference record, the run that of the pair's
    # earlier record; without an exact name no term frequency applies: identical probabilities.
    assert exact_name.sum() >= 20
    np.testing.assert_allclose(probability[exact_name],
                               pairs["match_probability"].to_numpy()[exact_name], rtol=1e-9)


def _block_sizes(index, pass_name: str, a: int, b: int) -> list[int]:
    """Reference records in each block of ``pass_name`` holding both records ``a`` and ``b``."""
    from rcu_kit.golden.preventive import _key_hashes

    algorithm = next(t.algorithm for t in index.exact if t.name == pass_name)
    everyone, _ = _key_hashes(index.prepared, algorithm.on)
    ha, _ = _key_hashes(index.prepared.iloc[[a]], algorithm.on)
    hb, _ = _key_hashes(index.prepared.iloc[[b]], algorithm.on)
    return [int((everyone == h).sum()) for h in set(ha.tolist()) & set(hb.tolist())]


def test_candidates_include_every_curative_partner(run, index):
    # Each reference record queried against the reference finds itself and the partners the
    # curative blocking paired it with, except through a block of exactly max_block_size
    # records: a new record would make it one too many, so the index skips it (the query here
    # is already in the reference).
    queries = index.prepared.iloc[:100].reset_index(drop=True)
    rows, positions = index.candidates(queries)
    found = set(zip(rows.tolist(), positions.tolist()))
    assert all((i, i) in found for i in range(100))
    keys = {k: i for i, k in enumerate(zip(index.prepared["source"], index.prepared["record_id"]))}
    caps = {t.name: t.algorithm.max_block_size for t in index.exact}
    checked = missed_at_cap = 0
    for p in run.pairs.itertuples(index=False):
        a, b = keys[(str(p.source_1), p.record_id_1)], keys[(str(p.source_2), p.record_id_2)]
        for query, partner in ((a, b), (b, a)):
            if query >= 100:
                continue
            checked += 1
            if (query, partner) not in found:
                assert caps[p.found_by] in _block_sizes(index, p.found_by, a, b), (p, query)
                missed_at_cap += 1
    # 257 partners checked on the 1,500-record demo, 13 through an address block of exactly 8.
    assert checked > 100 and missed_at_cap < checked / 10


def test_finds_the_duplicate_not_the_household_member(run, truth):
    cw = run.crosswalk.merge(truth, on=["source", "record_id"])
    # A person with several records, all in one customer, and a household member who is
    # another customer: take the first such record in crosswalk order.
    per_person = cw.groupby("person_id")["customer_id"].agg(["nunique", "size"])
    good = per_person[(per_person["nunique"] == 1) & (per_person["size"] >= 2)].index
    members = cw.groupby("household_id")["person_id"].nunique()
    candidates = cw[cw["person_id"].isin(good) & cw["household_id"].isin(
        members[members >= 2].index)]
    x = candidates.iloc[0]
    member = cw[(cw["household_id"] == x["household_id"]) & (cw["person_id"] != x["person_id"])]
    assert not member["customer_id"].isin([x["customer_id"]]).any()
    # The reference without record x, with the same model and settings.
    keep = ~((run.records["source"] == x["source"]) & (run.records["record_id"] == x["record_id"]))
    reference = build_reference_index(run.records[keep.to_numpy()], run.crosswalk[keep.to_numpy()],
                                      run.result.model, run.result.settings)
    query = run.records[~keep.to_numpy()].iloc[0].to_dict()
    found = reference.match(query, standardised=True)
    assert found.iloc[0]["customer_id"] == x["customer_id"]
    assert bool(found.iloc[0]["is_match"])
    household = found[found["customer_id"].isin(member["customer_id"])]
    assert not household["is_match"].any()


def test_raw_record_is_standardised_before_matching(index):
    # A reference record typed differently: lower case, national phone format, accents.
    row = index.prepared.dropna(subset=["email", "phone", "first_name", "last_name"]).iloc[0]
    national = "0" + str(row["phone"])[3:]
    raw = {"last_name": str(row["last_name"]).lower(), "first_name": str(row["first_name"]).title(),
           "email": str(row["email"]).upper(), "phone": " ".join(
               national[i:i + 2] for i in range(0, 10, 2))}
    found = index.match(raw)
    assert list(found.columns) == MATCH_COLUMNS[1:]
    owner = index.customer_ids[int(np.flatnonzero(
        (index.prepared["source"] == row["source"]) &
        (index.prepared["record_id"] == row["record_id"]))[0])]
    assert found.iloc[0]["customer_id"] == owner and bool(found.iloc[0]["is_match"])
    # Nobody: neighbours in the sorted-name passes, vetoed (0.01), below the 0.05 floor.
    assert index.match({"last_name": "ZZYZX", "first_name": "QWERTY"}).empty


def test_match_many_keeps_queries_apart(index):
    rows = index.prepared.iloc[[0, 5]][["source", "record_id"]]
    queries = index.prepared.iloc[[0, 5, 0]].drop(columns=["source", "record_id"])
    found = index.match_many(queries.astype(object).where(queries.notna(), None),
                             standardised=True, top=1)
    assert found["query"].tolist() == [0, 1, 2]
    assert found["customer_id"].tolist() == [index.customer_ids[0], index.customer_ids[5],
                                             index.customer_ids[0]]
    assert (found["source"].tolist(), found["record_id"].tolist()) == (
        [rows.iloc[0, 0], rows.iloc[1, 0], rows.iloc[0, 0]],
        [rows.iloc[0, 1], rows.iloc[1, 1], rows.iloc[0, 1]])


def test_save_and_load_without_retraining(tmp_path, index):
    path = index.save(tmp_path / "ref.pkl")
    loaded = ReferenceIndex.load(path)
    meta = json.loads((tmp_path / "ref.pkl.json").read_text())
    assert meta["records"] == len(index) and meta["customers"] == index.n_customers
    query = index.prepared.iloc[3].to_dict()
    pd.testing.assert_frame_equal(loaded.match(query, standardised=True),
                                  index.match(query, standardised=True))
    (tmp_path / "bad.pkl").write_bytes(b"\x80\x05N.")  # a pickled None
    with pytest.raises(ValueError, match="not a reference index"):
        ReferenceIndex.load(tmp_path / "bad.pkl")
    with pytest.raises(FileNotFoundError, match="no reference index"):
        ReferenceIndex.load(tmp_path / "missing.pkl")


def test_match_command_prints_masked_candidates(demo_engagement, run, index, capsys):
    engagement = load_engagement(demo_engagement)
    index.save(reference_index_path(engagement))
    row = index.prepared.dropna(subset=["email"]).iloc[0]
    record = {"last_name": str(row["last_name"]), "first_name": str(row["first_name"]),
              "email": str(row["email"])}
    assert main(["match", str(demo_engagement), "--record", json.dumps(record)]) == 0
    out = capsys.readouterr().out
    assert index.customer_ids[int(np.flatnonzero(index.prepared["record_id"].eq(row["record_id"])
                                                 & index.prepared["source"].eq(row["source"]))[0])] in out
    assert str(row["email"]) not in out and str(row["last_name"]) not in out
    assert main(["match", str(demo_engagement), "--record", "{not json"]) == 2
    assert "rcu-kit match: error: --record: not valid JSON" in capsys.readouterr().err
    assert main(["match", str(demo_engagement), "--record", "[1, 2]"]) == 2
    assert "give a JSON object" in capsys.readouterr().err


def test_single_record_path_gives_the_batch_path_rows(run, index):
    # 60 records spread over the reference, raw (as mapped: the fast standardiser runs) and
    # already standardised: the single-record path must give the batch path's customers,
    # probabilities (to 1e-9), rules and evidence.
    raw = run.records.iloc[::25].head(60)
    standardised = raw.astype(object).where(raw.notna(), None).to_dict(orient="records")
    compared = with_candidates = 0
    for record in standardised:
        query = {k: v for k, v in record.items() if k not in ("source", "record_id")}
        fast = index.match(query, standardised=True)
        slow = index.match(query, standardised=True, fast=False)
        assert fast["customer_id"].tolist() == slow["customer_id"].tolist()
        np.testing.assert_allclose(fast["match_probability"].to_numpy(dtype=float),
                                   slow["match_probability"].to_numpy(dtype=float),
                                   rtol=0, atol=1e-9)
        assert fast[["is_match", "source", "record_id", "rule", "evidence"]].astype(str).equals(
            slow[["is_match", "source", "record_id", "rule", "evidence"]].astype(str))
        compared += 1
        with_candidates += len(fast) > 0
    assert compared == 60 and with_candidates == 60   # each finds at least its own record


def test_single_record_candidates_are_the_batch_candidates(index):
    # candidates_of on one prepared record = candidates on the one-row prepared frame.
    from rcu_kit.golden.preventive import prepare_record

    for i in range(0, len(index), 37):
        row = index.prepared.iloc[i]
        record = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        query = prepare_record(record)
        frame = index.prepared.iloc[[i]].reset_index(drop=True)
        assert {c: query[c] for c in frame.columns} == {
            c: (None if pd.isna(v) else v) for c, v in frame.iloc[0].items()} | {
            "phone_is_mobile": bool(frame.loc[0, "phone_is_mobile"]),
            "name_swapped": bool(frame.loc[0, "name_swapped"])}
        _, positions = index.candidates(frame)
        assert index.candidates_of(query).tolist() == positions.tolist()
        assert i in positions                                   # a record finds itself


def test_raw_form_records_take_the_single_record_path_with_the_same_answer(index, run,
                                                                        demo_engagement):
    from rcu_kit.dedup.run import map_sources
    from rcu_kit.sources.loaders import load_all

    engagement = load_engagement(demo_engagement)
    mapped = map_sources(engagement, load_all(engagement, progress=False), progress=False)
    raw = mapped.iloc[5::100].drop(columns=["source", "record_id"])
    raw = raw.astype(object).where(raw.notna(), None).to_dict(orient="records")
    for record in raw:
        fast, slow = index.match(record), index.match(record, fast=False)
        assert fast["customer_id"].tolist() == slow["customer_id"].tolist()
        np.testing.assert_allclose(fast["match_probability"].to_numpy(dtype=float),
                                   slow["match_probability"].to_numpy(dtype=float), atol=1e-9)
    assert len(raw) == 15


def test_match_command_rejects_unknown_attributes(demo_engagement, index, capsys):
    # French keys used to be ignored: a known customer came back as "new" with exit code 0.
    engagement = load_engagement(demo_engagement)
    index.save(reference_index_path(engagement))
    assert main(["match", str(demo_engagement), "--record",
                 '{"nom": "Dupont", "prenom": "Jean", "email": "jd@free.fr"}']) == 2
    err = capsys.readouterr().err
    assert "rcu-kit match: error: --record: unknown attribute(s) 'nom' (did you mean " \
           "'last_name'?), 'prenom' (did you mean 'first_name'?); the match knows source, " \
           "record_id, civility, last_name" in err


def test_check_record_keys():
    from rcu_kit.golden.preventive import UnknownAttributes, check_record_keys

    assert check_record_keys({"last_name": "Dupont", "postcode": "75011"}) == {
        "last_name": "Dupont", "postcode": "75011"}
    with pytest.raises(UnknownAttributes) as caught:
        check_record_keys({"Code Postal": "75011", "telephon": "0612345678", "zzz": "1"})
    # "Code Postal" by the mapping's synonyms (code_postal), "telephon" by spelling, "zzz": none.
    assert caught.value.suggestions == {"Code Postal": "postcode", "telephon": "phone"}
    assert caught.value.unknown == ["Code Postal", "telephon", "zzz"]
    with pytest.raises(TypeError, match="give one record as an object"):
        check_record_keys(["last_name"])


def test_decision_bands():
    from rcu_kit.golden.preventive import decision

    # Best candidate 0.95 >= threshold 0.9: same; 0.6 >= 0.5: possible; 0.3 or none: new.
    assert decision([{"match_probability": 0.3}, {"match_probability": 0.95}], 0.9) == "same"
    assert decision([{"match_probability": 0.6}], 0.9) == "possible"
    assert decision([{"match_probability": 0.3}], 0.9) == "new"
    assert decision([], 0.9) == "new"
    assert decision([{"match_probability": 0.6}], 0.9, possible_from=0.7) == "new"


def test_an_index_of_an_earlier_format_is_rebuilt(demo_engagement, index):
    import pickle

    from rcu_kit.golden.preventive import StaleIndex, engagement_reference

    engagement = load_engagement(demo_engagement)
    path = reference_index_path(engagement)
    # Format 1 had no postcode and town frequencies: its scores would differ from the run's.
    path.write_bytes(pickle.dumps({"format": 1, "index": index}))
    with pytest.raises(StaleIndex, match="format 1, this version reads format 4; rebuild"):
        ReferenceIndex.load(path)
    rebuilt = engagement_reference(engagement)
    assert len(rebuilt) == len(index) and "tf_place" in rebuilt.term_frequencies
    assert pickle.loads(path.read_bytes())["format"] == 4


def test_warm_up_matching_runs_the_full_record_then_each_attribute(index, monkeypatch):
    # scan=1: the first reference record. Its attributes among MATCH_ATTRIBUTES (standardised
    # values, as text) make the first query; then one query per attribute, alone.
    from rcu_kit.golden.preventive import MATCH_ATTRIBUTES

    first = index.prepared.iloc[0]
    expected = {c: str(first[c]) for c in MATCH_ATTRIBUTES[2:]
                if c in index.prepared.columns and pd.notna(first[c])}
    seen = []
    monkeypatch.setattr(ReferenceIndex, "match_detail",
                        lambda self, record, **kw: seen.append(dict(record)) or [])
    assert index.warm_up_matching(scan=1) == 1 + len(expected)
    assert seen == [expected] + [{c: v} for c, v in expected.items()]
    # The demo's records carry names, e-mail, phone or address: several attributes each.
    assert len(expected) >= 4


def test_warm_up_matching_takes_the_fullest_record_and_changes_no_answer(index):
    record = {"last_name": "Dupont", "first_name": "Jean", "email": "jean.dupont@free.fr"}
    before = index.match(record)
    n = index.warm_up_matching(scan=50)
    filled = index.prepared.head(50)[[c for c in ("civility", "last_name", "birth_name",
                                                  "first_name", "birth_date", "email", "phone",
                                                  "street", "postcode", "city", "country",
                                                  "id_number") if c in index.prepared.columns]]
    # One query for the fullest of the 50 records, one per attribute it has.
    assert n == 1 + int(filled.notna().sum(axis=1).max())
    assert index.n_added == 0
    pd.testing.assert_frame_equal(index.match(record), before)


def test_a_record_to_match_with_an_invalid_birth_date_is_prepared_as_the_batch_prepares_it():
    # standardised, 16/05/1072 keeps its parts as read (invalid_birth_date); prepared, they stand
    # for the missing birth date on both paths, with the year and month-day keys they give
    from rcu_kit.golden.preventive import prepare_record
    from rcu_kit.linkage.prepare import prepare_records
    from rcu_kit.standardise import standardise_record

    record = standardise_record({"source": "web", "record_id": "1", "last_name": "Hahn",
                                 "first_name": "Klaus", "birth_date": "16/05/1072"})
    assert (record["birth_date"], record["invalid_birth_date"]) == (None, "1072-05-16")
    single = prepare_record(record)
    batch = prepare_records(pd.DataFrame([record])).iloc[0]
    for column in ("birth_date", "birth_year", "birth_month_day"):
        assert single[column] == batch[column]
    assert (single["birth_date"], single["birth_year"], single["birth_month_day"]) == \
        ("1072-05-16", "1072", "05-16")


def test_a_default_birth_date_is_no_evidence_for_a_record_to_match_as_in_the_curative_run():
    from rcu_kit.linkage import deduplicate
    from tests.linkage.test_pipeline import DEFAULT_DATE, DEFAULT_DATES

    columns = ["source", "record_id", "last_name", "first_name", "birth_date", "email", "postcode"]
    records = pd.DataFrame(DEFAULT_DATES, columns=columns)
    result = deduplicate(records)
    reference = build_reference_index(records, result.crosswalk, result.model, result.settings)
    # Claire VIDAL's web record, asked with the CRM's default date and her e-mail: the date is no
    # difference from her true one (the web record) nor agreement with the 26 who share it.
    query = {"last_name": "VIDAL", "first_name": "CLAIRE", "birth_date": DEFAULT_DATE,
             "email": "c.vidal@orange.fr", "postcode": "34000"}
    found = reference.match(query, standardised=True)
    claire = result.crosswalk.set_index(["source", "record_id"]).loc[("web", "1"), "customer_id"]
    assert found.iloc[0]["customer_id"] == claire and bool(found.iloc[0]["is_match"])
    # the birth date is left out of every candidate's evidence, as an attribute a side lacks
    detail = reference.match_detail(query, standardised=True, min_probability=0.0)
    assert detail and all("birth_date" not in d["evidence"] for d in detail)
    assert detail[0]["evidence"]["email"] == "exact"
