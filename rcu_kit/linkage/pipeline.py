"""Deduplication end to end: prepare, block, compare, classify, cluster, account for every record.

One call, :func:`deduplicate`, turns standardised records (any number of sources together) into a
crosswalk ``(source, record_id) -> customer_id`` with the evidence behind it. Linking sources is
the same call: records of all sources go in together and the clusters cross sources freely
(``link_only=True`` ignores pairs within one source, for sources known to be clean).

Settings are a :class:`DedupSettings` object; a plain dict (e.g. the ``dedup:`` section of an
engagement YAML) is accepted and converted, and an unknown key is an error naming the allowed
ones.

Examples:
    >>> import pandas as pd
    >>> records = pd.DataFrame({
    ...     "source": ["crm", "web", "crm"], "record_id": ["1", "7", "2"],
    ...     "last_name": ["DUPONT", "DUPONT", "MARTIN"], "first_name": ["ANNE", "ANNE", "LUC"],
    ...     "birth_date": ["1980-03-04", "1980-03-04", "1975-01-02"],
    ...     "email": ["anne.dupont@free.fr", "anne.dupont@free.fr", None]})
    >>> result = deduplicate(records)
    >>> result.crosswalk["customer_id"].tolist()
    ['C0000001', 'C0000001', 'C0000002']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from importlib.metadata import version as _version
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from rcu_kit.linkage.classify import (
    RULES,
    TF_PREFIX,
    FellegiSunterEM,
    HouseholdEvidence,
    decode_patterns,
    frame_pattern_codes,
    household_evidence,
    unique_patterns,
)
from rcu_kit.linkage.cluster import cluster_pairs, member_pairs
from rcu_kit.linkage.compare import (
    MISSING,
    compare_pairs,
    default_features,
    level_names,
    m_floors,
    m_priors,
    unordered,
)
from rcu_kit.linkage.indexing import (
    CandidatePairs,
    ExactBlockIndex,
    MultiPassIndex,
    PassStats,
    SortedNeighbourhoodIndex,
    locate_pairs,
    pass_stats_table,
    random_pairs,
)
from rcu_kit.linkage.frequent import FREQUENT_COLUMNS, candidate_values, frequent_table, \
    frequent_values, no_evidence, value_counts, value_surnames
from rcu_kit.linkage.prepare import prepare_records
from rcu_kit.linkage.stages import StageStore, fingerprint
from rcu_kit.core.settings import coerce_settings
from rcu_kit.core.timing import StageTimer

__all__ = ["DedupSettings", "DedupResult", "default_passes", "build_index", "deduplicate",
           "deduplicate_records", "LinkageRecords", "InMemoryRecords"]


def default_passes() -> list[dict[str, Any]]:
    """The blocking passes used for French customer records.

    An exact pass is ``{"name": ..., "on": [columns]}`` where a nested list means "any of these
    columns"; a sorted-neighbourhood pass is ``{"name": ..., "sorted": [columns], "window": n}``.
    A pass may set its own ``max_block_size``.
    """
    return [
        {"name": "phone", "on": ["phone"]},
        {"name": "email", "on": ["email"]},
        {"name": "id_number", "on": ["id_number"]},
        # A surname's sound, a first initial and a postcode: a block of more than 30 records is
        # a common name in a dense place, and its pairs are namesakes. On the scale-up data (10
        # demo engagements over the same 246 towns) this pass alone made 31.5M of 68.4M pairs at
        # 5M records, of which 3,615 true; blocks over 30 held 15.1M of them and 737 true pairs
        # (0.03 % of the true candidates). In a real base such blocks should be rare (estimated,
        # not measured: a common surname and initial in a large postcode, 15 to 25 records in
        # 10M customers).
        {"name": "surname_postcode", "on": [["last_name_phonetic", "birth_name_phonetic"],
                                            "postcode", "first_initial"], "max_block_size": 30},
        {"name": "birth_date_initial", "on": ["birth_date", "first_initial"]},
        {"name": "names_birth_year", "on": [["last_name_phonetic", "birth_name_phonetic"],
                                            "first_name_phonetic", "birth_year"]},
        # The same street and number in the same postcode or the same town (a mistyped
        # postcode): moves within a family, renamed people, first names replaced.
        # Blocks are capped lower than elsewhere: a building's many households pair for nothing.
        {"name": "address", "on": [["postcode", "city"], "street_key", "street_number"],
         "max_block_size": 8},
        # Swapped first and last names: key each record by either name's sound. Small blocks
        # only: a common first name born on one day pairs strangers.
        {"name": "any_name_birth_date", "on": [["last_name_phonetic", "first_name_phonetic"],
                                               "birth_date"], "max_block_size": 10},
        # A birth date alone, a postcode alone: keys too common to block on in a large base
        # (their blocks are skipped there), but in a small file or a sparse area a block of a
        # few records is cheap and finds the duplicates whose names were all mistyped.
        {"name": "birth_date", "on": ["birth_date"], "max_block_size": 8},
        {"name": "postcode", "on": ["postcode"], "max_block_size": 8},
        # The same first name in the same street, wherever the postcode and number went
        # (a mistyped surname and postcode, no street number): tiny blocks only.
        {"name": "first_name_street", "on": ["first_name_phonetic", "street_key"],
         "max_block_size": 4},
        # Names with part of the birth date: a birth year changed or mistyped, which every
        # pass above keyed on the full date or the year misses.
        {"name": "names_birth_month_day", "on": [["last_name_phonetic", "birth_name_phonetic"],
                                                 "first_name_phonetic", "birth_month_day"]},
        # Names and the locality (the postcode, else the town): extracts with no contact,
        # address, postcode or birth date, only names and a town (inventors on patents). With a
        # postcode it adds nothing to surname_postcode; it does not pair namesakes across a
        # town's postcodes (at 100k demo records, keyed on the town, it linked 214 homonyms
        # whose e-mails, made of their names, differed by the domain or a digit).
        {"name": "names_locality", "on": [["last_name_phonetic", "birth_name_phonetic"],
                                          "first_name_phonetic", "locality"]},
        # Names alone, for records with no postcode and no town (names and a birth date only,
        # as RLdata): a birth date missing on one side, or two of its parts changed, which the
        # passes keyed on part of the date miss. Small blocks only (a common name's is
        # skipped). With a place, names_locality does this without pairing the namesakes of
        # other towns (keyed on names alone at 100k demo records, F1 0.987 -> 0.947).
        {"name": "names_no_place", "on": ["placeless_key", "first_name_phonetic"],
         "max_block_size": 10},
        # Records known by names and a place only (no e-mail, phone, birth date, id or street),
        # sorted on surname sound, first-name sound and locality, each paired with the next 3:
        # a prolific customer whose names block is too big to pair (skipped above) is still
        # chained together, in (window - 1) pairs per record however common the name.
        {"name": "names_only_sorted", "sorted": ["weak_key", "first_name_phonetic", "locality"],
         "window": 4},
        # No sorted-neighbourhood pass by default: on the benchmarks (demo 100k) one on first
        # then last name added 260k candidate pairs (more than all the exact passes together)
        # for 124 more true links. Add one to ``passes`` for data with many misspelt names.
    ]


# The comparison feature each blocking key column stands for: pairs found by a pass agree on
# these features by construction, so that agreement is no evidence when EM learns m. The
# birth year counts as the birth date (namesakes born the same year are common: on 1M demo
# records, letting the date be evidence in names_birth_year tripled the homonyms linked, F1
# 0.9756 -> 0.9729); the birth month-day does not: namesakes sharing a day and month are rare,
# and that pass is where EM learns how often a true pair's year slipped, which no other pass
# shows when all that fire key on the date (RLdata10000: F1 0.7751 if it counted, 0.9263).
KEY_FEATURES = {
    "phone": "phone", "email": "email", "id_number": "id_number",
    "last_name": "last_name", "last_name_phonetic": "last_name", "birth_name_phonetic": "last_name",
    "weak_key": "last_name", "placeless_key": "last_name",
    "first_name": "first_name", "first_name_phonetic": "first_name", "first_initial": "first_name",
    "birth_date": "birth_date", "birth_year": "birth_date",
    "postcode": "postcode_city", "city": "postcode_city", "locality": "postcode_city",
    "street_name": "address", "street_key": "address", "street_number": "address",
}


def blocked_features(passes: list[dict[str, Any]]) -> dict[int, list[str]]:
    """Pass index -> the features its pairs agree on by construction (see :data:`KEY_FEATURES`).

    Examples:
        >>> blocked_features([{"on": ["phone"]}, {"on": [["last_name_phonetic", "first_name_phonetic"], "birth_date"]},
        ...                   {"sorted": ["first_name", "last_name"], "window": 4}])
        {0: ['phone'], 1: ['last_name', 'first_name', 'birth_date'], 2: ['first_name']}
    """
    out: dict[int, list[str]] = {}
    for i, spec in enumerate(passes):
        columns: list[str] = []
        if "on" in spec:
            for c in spec["on"]:
                columns.extend(c if isinstance(c, (list, tuple)) else [c])
        else:  # sorted neighbourhood: neighbours mostly share the first sort key only
            columns.append(spec["sorted"][0])
        names = [KEY_FEATURES[c] for c in columns if c in KEY_FEATURES]
        out[i] = list(dict.fromkeys(names))
    return out


@dataclass
class DedupSettings:
    """How :func:`deduplicate` works. Every field has a sensible default for French B2C data.

    Attributes:
        threshold: minimum match probability for two records to be linked.
        passes: blocking passes (see :func:`default_passes`).
        max_block_size: exact-key blocks with more records are skipped (and reported).
        seed: random seed (kept for reproducible sampling; the default pipeline is deterministic).
        tf_adjustment: weigh agreement on common names less than on rare ones.
        household_rules: different first names / birth dates veto a match (households,
            homonyms): ``True``, ``False`` or ``"auto"`` (on when the data hold households: see
            :func:`rcu_kit.linkage.classify.household_evidence`).
        u_pairs: random record pairs compared to learn how often non-matches agree (u);
            0 estimates u among the candidate pairs instead (which then depends on the passes).
        veto_probability: probability given at most to vetoed pairs.
        max_cluster_size: larger clusters are checked on a sample of their members' pairs and
            rebuilt under this size when one is judged different (chain guard); otherwise kept.
        conflict_probability: pairs scored below this inside one cluster make it incoherent
            (rebuilt without putting them together); pairs a household/homonym rule vetoed
            always do. The default 0.1: a pair the model finds nine times or more likelier two
            people than one is not joined through a third record (a father and his son named
            alike, each linked to a record holding something of both). Measured on the
            robustness sweep and the external data (bench/README.md): 0 and 0.02 to 0.5 tried.
        link_only: only pair records of different sources.
        em_max_iter: EM iterations at most.
        workers: threads: blocking passes and comparison features run this many at once, and
            rapidfuzz uses as many for string metrics (results do not depend on it).
        chunk_size: pairs compared per chunk (bounds memory).
        keep_pairs: minimum probability of the pairs kept in ``DedupResult.pairs`` (0 = all).
    """

    threshold: float = 0.9
    passes: list[dict[str, Any]] = field(default_factory=default_passes)
    max_block_size: int = 100
    seed: int = 42
    tf_adjustment: bool = True
    household_rules: bool | str = "auto"
    u_pairs: int = 300_000
    veto_probability: float = 0.01
    max_cluster_size: int = 50
    conflict_probability: float = 0.1
    link_only: bool = False
    em_max_iter: int = 200
    workers: int = 2
    chunk_size: int = 2_000_000
    keep_pairs: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"dedup settings: threshold must be between 0 and 1 (exclusive), "
                             f"got {self.threshold}")
        if self.max_block_size < 2:
            raise ValueError(f"dedup settings: max_block_size must be at least 2, "
                             f"got {self.max_block_size}")
        if not self.passes:
            raise ValueError("dedup settings: passes is empty; give at least one blocking pass")
        # YAML 1.1 (PyYAML) reads an unquoted ``on:`` key as the boolean true: it means "on"
        self.passes = [{("on" if key is True else key): value for key, value in spec.items()}
                       if True in spec and "on" not in spec else spec for spec in self.passes]
        if self.household_rules not in (True, False, "auto"):
            raise ValueError(f"dedup settings: household_rules must be true, false or 'auto', "
                             f"got {self.household_rules!r}")
        if self.u_pairs < 0:
            raise ValueError(f"dedup settings: u_pairs must be 0 or more, got {self.u_pairs}")

    @classmethod
    def coerce(cls, settings: "DedupSettings | Mapping[str, Any] | None") -> "DedupSettings":
        """Settings from an object, a dict (e.g. an engagement's ``dedup:`` section) or None."""
        return coerce_settings(cls, settings, "dedup settings")


@dataclass
class DedupResult:
    """What :func:`deduplicate` found.

    Attributes:
        crosswalk: ``source, record_id, customer_id``: exactly one row per input record, in input
            order (records with no usable data are customers of their own).
        pairs: scored candidate pairs: ``source_1, record_id_1, source_2, record_id_2``, one
            level column per feature (``-1`` missing), ``match_probability``, ``rule`` (veto that
            fired, or empty), ``found_by`` (first blocking pass), ``evidence`` (readable text).
        pass_stats: per blocking pass: pairs, new pairs, blocks, skipped blocks/records, largest
            block, reduction ratio; plus a ``total`` row.
        skipped_blocks: the key values of the blocks too large to pair (may be personal data).
        timings: seconds per stage (prepare, index, compare, classify, cluster, output, total).
        model: the fitted classifier (``match_weights()`` shows what it learned).
        cluster_info: counts from the clustering guard, and the pairs of the names blocks too
            large to pair with the matches estimated in them (counted in the prior).
        settings: the settings used.
        household: what decided whether the household/homonym rules applied.
        frequent_values: ``column, value, source, records``: the values too frequent to be
            evidence (a default birth date, a shop's e-mail), compared as missing, with the
            records of each source holding them (:mod:`rcu_kit.linkage.frequent`).
    """

    crosswalk: pd.DataFrame
    pairs: pd.DataFrame
    pass_stats: pd.DataFrame
    skipped_blocks: pd.DataFrame
    timings: dict[str, float]
    model: Any
    cluster_info: dict[str, Any]
    settings: DedupSettings
    household: HouseholdEvidence | None = None
    frequent_values: pd.DataFrame = dataclasses.field(default_factory=lambda: frequent_table({}))

    @property
    def n_customers(self) -> int:
        """Distinct customers found."""
        return int(self.crosswalk["customer_id"].nunique())


def build_index(settings: DedupSettings) -> MultiPassIndex:
    """The multi-pass index described by ``settings.passes``."""
    algorithms = []
    for i, spec in enumerate(settings.passes):
        spec = dict(spec)
        name = spec.pop("name", None) or f"pass_{i + 1}"
        size = spec.pop("max_block_size", settings.max_block_size)
        if "on" in spec and "sorted" not in spec:
            on = [tuple(c) if isinstance(c, (list, tuple)) else c for c in spec.pop("on")]
            algorithms.append(ExactBlockIndex(on, max_block_size=size, name=name))
        elif "sorted" in spec and "on" not in spec:
            algorithms.append(SortedNeighbourhoodIndex(spec.pop("sorted"),
                                                       window=int(spec.pop("window", 5)),
                                                       name=name))
        else:
            raise ValueError(f"dedup settings: pass {name!r} needs either 'on' (exact blocking) "
                             "or 'sorted' (sorted neighbourhood), not both or neither")
        if spec:
            raise ValueError(f"dedup settings: pass {name!r} has unknown key(s) "
                             f"{', '.join(sorted(spec))}; allowed: name, on, sorted, window, "
                             "max_block_size")
    return MultiPassIndex(algorithms)


# Term frequencies count each person once, as far as the records tell: records with the same
# names and locality count once.
TF_DISTINCT_ON = ("last_name", "first_name", "locality")


def distinct_people(prepared: pd.DataFrame) -> np.ndarray:
    """The position of the first record of each distinct (last name, first name, locality)
    (:data:`TF_DISTINCT_ON`), in increasing order."""
    key = np.zeros(len(prepared), dtype=np.int64)
    for c in TF_DISTINCT_ON:
        if c in prepared.columns:
            part = prepared[c].cat.codes.to_numpy().astype(np.int64) + 1
            key = key * (int(part.max(initial=0)) + 1) + part
    # One integer per (last name, first name, locality): the product of the three vocabularies'
    # sizes (about 1e14 at a million records) fits in int64. Hashed, not sorted.
    return np.flatnonzero(~pd.Index(key).duplicated(keep="first"))


def term_frequencies(prepared: pd.DataFrame, column: str, first: np.ndarray,
                     heads: np.ndarray | None = None) -> np.ndarray:
    """Relative frequency of the first record's value among the distinct people carrying one.

    Records with the same last name, first name and locality (:data:`TF_DISTINCT_ON`) count
    once: a name is common when many people carry it, not when one customer (an inventor on a
    thousand patents, a shop account) has many records. Without that, a prolific customer's own
    records made his name "common" and his records too weakly alike to link. ``heads``: the
    frame's :func:`distinct_people`, when already known.
    """
    codes = prepared[column].cat.codes.to_numpy()
    head = distinct_people(prepared) if heads is None else heads
    distinct = codes[head]
    counts = np.bincount(distinct[distinct >= 0], minlength=len(prepared[column].cat.categories))
    freq = np.append(counts / max(int((distinct >= 0).sum()), 1), np.nan)
    return freq[codes[first]]


# The levels of postcode_city whose agreement is adjusted by how common the place is: the same
# town (level 2, the town's frequency), the same postcode (level 3, the postcode's) and the same
# postcode and town (level 4, the pair's: a postcode may serve several towns).
PLACE_TF_LEVELS = {"postcode_city": (2, 3, 4)}


# The columns whose frequencies weigh agreement (names at their exact level, places by level).
TF_COLUMNS = ("last_name", "first_name", "postcode", "city", "place")


def record_frequencies(prepared: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each record's :func:`term_frequencies` of its value of each of :data:`TF_COLUMNS`."""
    everyone = np.arange(len(prepared))
    heads = distinct_people(prepared)
    return {c: term_frequencies(prepared, c, everyone, heads) for c in TF_COLUMNS}


def tf_vectors(frequencies: Mapping[str, np.ndarray], first: np.ndarray, levels: pd.DataFrame
               ) -> dict[str, np.ndarray]:
    """The ``tf_<feature>`` columns of the pairs whose first records are ``first``.

    ``frequencies`` are each record's (:func:`record_frequencies`). Names: the frequency of the
    first record's last name and first name (used at their exact level). Places: the frequency
    of its postcode and town where both agree, of its postcode where the postcodes agree, of
    its town where the towns agree
    (:data:`PLACE_TF_LEVELS`), missing elsewhere: namesakes in Paris or Seoul are common, in a
    village rare, so a shared big town is weak evidence and a small one strong.
    """
    out = {f"{TF_PREFIX}{c}": frequencies[c][first] for c in ("last_name", "first_name")}
    if "postcode_city" in levels.columns:
        out[f"{TF_PREFIX}postcode_city"] = place_term_frequency(
            levels["postcode_city"].to_numpy(), frequencies["postcode"][first],
            frequencies["city"][first], frequencies["place"][first])
    return out


def place_term_frequency(level: np.ndarray, postcode_tf: np.ndarray, city_tf: np.ndarray,
                         place_tf: np.ndarray) -> np.ndarray:
    """The ``tf_postcode_city`` of pairs: the frequency of the postcode and town where both
    agree (level 4), of the postcode where the postcodes only agree (level 3), of the town where
    the towns only agree (level 2), missing elsewhere. ``postcode_tf``, ``city_tf`` and
    ``place_tf`` are those of each pair's first record (:func:`term_frequencies` of
    ``postcode``, ``city`` and ``place``); the preventive match gives those of the reference
    record.

    Examples:
        >>> place_term_frequency(np.array([4, 3, 2, 1, -1]), np.array([0.1] * 5),
        ...                      np.array([0.5] * 5), np.array([0.01] * 5)).tolist()
        [0.01, 0.1, 0.5, nan, nan]
    """
    out = np.full(len(level), np.nan)
    for at, tf in ((4, place_tf), (3, postcode_tf), (2, city_tf)):
        out[level == at] = np.asarray(tf, dtype=float)[level == at]
    return out


def _evidence(levels: pd.DataFrame, rules: np.ndarray, names: dict[str, tuple[str, ...]]
              ) -> pd.Categorical:
    """Readable evidence per pair, built once per distinct pattern of levels and rule."""
    columns = list(levels.columns)
    radix = [max(len(names[c]), 1) for c in columns] + [len(RULES) + 1]
    codes = frame_pattern_codes(levels, columns, radix[:-1]) * (radix[-1] + 1) \
        + (rules.astype(np.int64) + 1)
    unique, inverse, _ = unique_patterns(codes, radix)
    texts = []
    for row in decode_patterns(unique, radix):
        parts = [f"{c}: {names[c][v]}" for c, v in zip(columns, row[:-1]) if v != MISSING]
        if row[-1]:
            parts.append(f"rule: {RULES[int(row[-1])]}")
        texts.append("; ".join(parts) or "no comparable data")
    categories = pd.Index(texts)
    # Patterns may render to the same text only if identical, so categories are unique.
    return pd.Categorical.from_codes(inverse.ravel(), categories=categories)


# Members of a cluster larger than max_cluster_size each compared with this many others drawn
# at random, to check it holds one person before it is kept whole.
CHECK_PAIRS_PER_RECORD = 10


def _check_large_clusters(records: "LinkageRecords", labels: np.ndarray, info: dict[str, Any],
                          first: np.ndarray, second: np.ndarray, probability: np.ndarray,
                          rules: np.ndarray, features: list, model: Any,
                          settings: DedupSettings) -> tuple[np.ndarray, dict[str, Any]]:
    """The chain guard for clusters larger than ``settings.max_cluster_size``.

    Such a cluster is either a prolific customer (an inventor on a thousand patents, a shop
    account used for years) or a chain of links gluing different people. A sample of its
    members' pairs (:func:`rcu_kit.linkage.cluster.member_pairs`) is compared and scored like
    the candidates: if any is vetoed by a household/homonym rule (or scored below
    ``conflict_probability``), the cluster is rebuilt under the size cap with those pairs as
    cannot-links; otherwise it is kept whole.
    """
    sizes = np.bincount(labels) if len(labels) else np.zeros(0, np.int64)
    large = np.flatnonzero(sizes > settings.max_cluster_size)
    info = dict(info, large_clusters_checked=int(len(large)), large_clusters_split=0,
                check_pairs=0)
    if not len(large) or model.fit_ is None:
        return labels, info
    check_first, check_second = member_pairs(labels, large, CHECK_PAIRS_PER_RECORD,
                                             settings.seed)
    levels = records.compare(check_first, check_second, features, settings)
    check_probability = model.prob(pair_vectors(records, check_first, levels,
                                                settings)).to_numpy()
    conflict = (model.rule_codes(levels) > 0) | \
        (check_probability < settings.conflict_probability)
    info["check_pairs"] = int(len(check_first))
    if not conflict.any():
        return labels, info
    split = np.unique(labels[check_first[conflict]])
    labels, new_info = cluster_pairs(
        len(labels), np.concatenate([first, check_first[conflict]]),
        np.concatenate([second, check_second[conflict]]),
        np.concatenate([probability, check_probability[conflict]]),
        threshold=settings.threshold, max_cluster_size=settings.max_cluster_size,
        conflict_probability=settings.conflict_probability,
        vetoed=np.concatenate([rules > 0, np.ones(int(conflict.sum()), dtype=bool)]),
        split_oversized=False)
    new_info.update(large_clusters_checked=int(len(large)), large_clusters_split=int(len(split)),
                    check_pairs=int(len(check_first)))
    return labels, new_info


# Pairs drawn in the skipped blocks of each names pass to estimate the matches they hold.
SKIPPED_SAMPLE = 20_000


def sampled_passes(algorithms: list) -> list[int]:
    """The exact passes keyed on both names, whose skipped blocks :func:`skipped_matches`
    samples (a names block too large to pair may be one prolific customer)."""
    specs = [{"on": a.on} if isinstance(a, ExactBlockIndex) else {"sorted": a.on}
             for a in algorithms]
    blocked = blocked_features(specs)
    return [k for k, a in enumerate(algorithms) if isinstance(a, ExactBlockIndex)
            and {"last_name", "first_name"} <= set(blocked.get(k, ()))]


def skipped_samples(records: "LinkageRecords", stats: list[PassStats], index: MultiPassIndex,
                    settings: DedupSettings) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """For each exact pass keyed on both names that skipped blocks (:func:`sampled_passes`),
    :data:`SKIPPED_SAMPLE` pairs drawn in its skipped blocks and the number of pairs those
    blocks hold: ``(first, second, total)``, for :func:`skipped_matches`."""
    samples = []
    sampled = sampled_passes(index.algorithms)
    for k, algorithm in enumerate(index.algorithms):
        if k not in sampled or not stats[k].skipped_blocks:
            continue
        sf, ss, total = records.skipped_sample(k, algorithm, SKIPPED_SAMPLE, settings.seed + k)
        if len(sf):
            samples.append((sf, ss, total))
    return samples


def skipped_matches(records: "LinkageRecords", samples: list[tuple[np.ndarray, np.ndarray, int]],
                    known: Sequence[np.ndarray], features: list, model: FellegiSunterEM,
                    total_pairs: int, settings: DedupSettings) -> dict[str, float]:
    """Count in the match prior the matches inside the blocks the names passes skipped.

    EM estimates the matches among the candidate pairs; the prior (their share of all record
    pairs) then assumes the blocking proposed every match. A names block too large to pair is
    either many namesakes (a common name in a big town) or one prolific customer (an inventor
    on a thousand patents, a shop account) whose pairs are nearly all matches: leaving those
    out made the prior too small and a prolific customer's own records too weakly alike
    (PatentsView: 13,695 mentions in skipped blocks). The pairs drawn in each pass's skipped
    blocks (``samples``, from :func:`skipped_samples`) are compared and scored together; pairs
    already candidates (``known``, one mask a sample) count nothing (EM counted them). The
    largest estimate over the passes is added (their skipped blocks overlap: a sum would count
    the same pairs twice), and the prior and the estimate are brought to a fixed point (each
    depends on the other).

    Returns:
        ``{"skipped_pairs": ..., "skipped_matches": ...}`` of the pass retained (zeros when
        no names block was skipped); ``model`` is updated in place.
    """
    out = {"skipped_pairs": 0.0, "skipped_matches": 0.0}
    if not samples:
        return out
    sf = np.concatenate([s[0] for s in samples])
    ss = np.concatenate([s[1] for s in samples])
    vectors = pair_vectors(records, sf, records.compare(sf, ss, features, settings), settings)
    bounds = np.cumsum([0] + [len(s[0]) for s in samples])
    parts = [(total, vectors.iloc[a:b].reset_index(drop=True), mask)
             for (_, _, total), a, b, mask in zip(samples, bounds[:-1], bounds[1:], known)]
    fitted = model.fit_
    for _ in range(20):
        estimates = [(total * float(np.where(mask, 0.0, model.prob(v).to_numpy()).mean()),
                      total) for total, v, mask in parts]
        matches, pairs = max(estimates)
        previous = model.prior
        model.fit_ = fitted
        model.add_expected_matches(matches, total_pairs)
        out = {"skipped_pairs": float(pairs), "skipped_matches": matches}
        if abs(model.prior - previous) <= 1e-3 * previous:
            break
    return out


def deduplicate(records: pd.DataFrame, settings: DedupSettings | Mapping[str, Any] | None = None,
                progress: bool = False, stages: str | Path | None = None) -> DedupResult:
    """Find the records that are the same customer, within and across sources.

    Args:
        records: standardised records (``rcu_kit.standardise.standardise_records`` output): at
            least ``source`` and ``record_id``; every other contract column is optional.
        settings: :class:`DedupSettings`, a dict of its fields, or None for the defaults.
        progress: show progress bars.
        stages: a folder where the costly stages are written as they finish, so that a run
            stopped half-way resumes from them (see :func:`deduplicate_records`).

    Returns:
        A :class:`DedupResult`; its crosswalk has exactly one row per input record.

    Raises:
        ValueError: bad settings, or records without source/record_id or with repeated
            ``(source, record_id)`` (the message lists the rows).
    """
    settings = DedupSettings.coerce(settings)
    timer = StageTimer()
    prepared = prepare_records(records)
    timer.lap("prepare")
    return deduplicate_records(InMemoryRecords(prepared), settings, progress=progress,
                               timer=timer, stages=stages)


# The version of the stage files and of what they hold: part of their fingerprint, so that
# stages written by another version of rcu_kit are never resumed (the comparison may differ).
STAGES_VERSION = f"rcu_kit {_version('rcu_kit')}, stages 2"


def skipped_state(members: Mapping[int, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """The skipped blocks' members per pass as flat arrays for a stage file
    (:func:`restore_skipped` reads them back)."""
    out = {}
    for k, blocks in members.items():
        out[f"skipped_{k}_sizes"] = np.array([len(m) for m in blocks], dtype=np.int64)
        out[f"skipped_{k}_members"] = np.concatenate(blocks) if blocks else np.zeros(0, np.int64)
    return out


def restore_skipped(saved: Mapping[str, np.ndarray]) -> dict[int, list[np.ndarray]]:
    """The skipped blocks' members per pass from a stage file (see :func:`skipped_state`)."""
    out: dict[int, list[np.ndarray]] = {}
    for key in saved:
        if key.startswith("skipped_") and key.endswith("_sizes"):
            k = int(key.split("_")[1])
            sizes = np.asarray(saved[key])
            flat = np.asarray(saved[f"skipped_{k}_members"])
            out[k] = list(np.split(flat, np.cumsum(sizes)[:-1])) if len(sizes) else []
    return out


def record_hashes(prepared: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per prepared record, from its values (not their category codes), so the
    same records give the same hashes whichever engine or partition prepared them."""
    return pd.util.hash_pandas_object(prepared, index=False).to_numpy()


class LinkageRecords(Protocol):
    """What the pipeline needs of the prepared records, whichever engine holds them.

    :class:`InMemoryRecords` holds them in this process; ``rcu_kit.linkage.distributed``'s
    ``DaskRecords`` in the partitions of a Dask cluster. Positions are record positions in
    input order.
    """

    n: int
    source: np.ndarray
    record_id: np.ndarray

    def candidates(self, index: MultiPassIndex, progress: bool, workers: int) -> CandidatePairs:
        """The united candidate pairs of the index's passes."""

    def compare(self, first: np.ndarray, second: np.ndarray, features: list,
                settings: DedupSettings, progress: bool = False) -> pd.DataFrame:
        """The comparison levels of the pairs ``(first[k], second[k])``, in their order."""

    def frequencies(self) -> dict[str, np.ndarray]:
        """Each record's term frequencies (:func:`record_frequencies`)."""

    def value_counts(self, columns: Sequence[str]) -> dict[str, pd.Series]:
        """Records per value of the columns (:func:`rcu_kit.linkage.frequent.value_counts`)."""

    def value_surnames(self, candidates: Mapping[str, Sequence[str]]
                       ) -> dict[str, dict[str, frozenset[str]]]:
        """The surnames holding each value (:func:`rcu_kit.linkage.frequent.value_surnames`)."""

    def skipped_sample(self, k: int, algorithm: ExactBlockIndex, size: int, seed: int
                       ) -> tuple[np.ndarray, np.ndarray, int]:
        """A sample of the pairs of pass ``k``'s skipped blocks (``skipped_pair_sample``)."""

    def record_hashes(self) -> np.ndarray:
        """One 64-bit hash per record of its prepared values (the same on every engine)."""

    def state(self, index: MultiPassIndex) -> dict[str, np.ndarray]:
        """What a resume on any engine needs of the blocking besides the pairs (arrays): the
        skipped blocks' members of the passes :func:`sampled_passes` names
        (:func:`skipped_state`)."""

    def restore(self, saved: Mapping[str, np.ndarray]) -> None:
        """Take back :meth:`state` from a saved stage."""


class InMemoryRecords:
    """The prepared records in this process: the in-memory engine."""

    def __init__(self, prepared: pd.DataFrame) -> None:
        self.prepared = prepared
        self.n = len(prepared)
        self.source = prepared["source"].to_numpy()
        self.record_id = prepared["record_id"].to_numpy()
        self._frequencies: dict[str, np.ndarray] | None = None

    def candidates(self, index: MultiPassIndex, progress: bool, workers: int) -> CandidatePairs:
        return index.candidates(self.prepared, progress=progress, workers=workers)

    def compare(self, first: np.ndarray, second: np.ndarray, features: list,
                settings: DedupSettings, progress: bool = False) -> pd.DataFrame:
        return compare_pairs(self.prepared, first, second, features,
                             chunk_size=settings.chunk_size, progress=progress,
                             workers=settings.workers)

    def frequencies(self) -> dict[str, np.ndarray]:
        if self._frequencies is None:
            self._frequencies = record_frequencies(self.prepared)
        return self._frequencies

    def value_counts(self, columns: Sequence[str]) -> dict[str, pd.Series]:
        return value_counts(self.prepared, columns)

    def value_surnames(self, candidates: Mapping[str, Sequence[str]]
                       ) -> dict[str, dict[str, frozenset[str]]]:
        return value_surnames(self.prepared, candidates)

    def skipped_sample(self, k: int, algorithm: ExactBlockIndex, size: int, seed: int
                       ) -> tuple[np.ndarray, np.ndarray, int]:
        return algorithm.skipped_pair_sample(self.prepared, size, seed)

    def record_hashes(self) -> np.ndarray:
        return record_hashes(self.prepared)

    def state(self, index: MultiPassIndex) -> dict[str, np.ndarray]:
        return skipped_state({k: index.algorithms[k].skipped_members(self.prepared)
                              for k in sampled_passes(index.algorithms)})

    def restore(self, saved: Mapping[str, np.ndarray]) -> None:
        pass


def _candidates_arrays(candidates: CandidatePairs) -> dict[str, np.ndarray]:
    out = {"first": candidates.first, "second": candidates.second,
           "found_by": candidates.found_by}
    if candidates.passes is not None:
        out["passes"] = candidates.passes
    return out


def _candidates_from(saved: Mapping[str, Any], n: int) -> CandidatePairs:
    """The candidate pairs of a saved stage (see :func:`deduplicate_records`)."""
    stats = []
    for row in saved["__meta__"]["stats"]:
        keys = [(tuple(k) if isinstance(k, list) else k, size) for k, size in row.pop("skipped_keys")]
        stats.append(PassStats(**row, skipped_keys=keys))
    return CandidatePairs(saved["first"], saved["second"], saved["found_by"], stats, n,
                          n * (n - 1) // 2, saved.get("passes"))


# Candidate pairs above which the model is fitted on a sample of them. EM needs the shares of
# the level patterns, which five million pairs give as well as hundreds of millions; the
# sample is chosen by a hash of each pair, so every engine fits on the same pairs.
FIT_PAIRS = 5_000_000

_SPLITMIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9),
             np.uint64(0x94D049BB133111EB))


def pair_hashes(first: np.ndarray, second: np.ndarray, n: int, seed: int) -> np.ndarray:
    """A 64-bit hash of each pair of record positions (either order), mixed with ``seed``
    (splitmix64): the same pair gets the same hash on every engine and partition."""
    a = np.minimum(first, second).astype(np.uint64)
    b = np.maximum(first, second).astype(np.uint64)
    with np.errstate(over="ignore"):
        x = a * np.uint64(max(n, 1)) + b + np.uint64(seed) * _SPLITMIX[0]
        x ^= x >> np.uint64(30)
        x *= _SPLITMIX[1]
        x ^= x >> np.uint64(27)
        x *= _SPLITMIX[2]
        x ^= x >> np.uint64(31)
    return x


def fit_cut(total: int, limit: int | None = None) -> np.uint64 | None:
    """The hash below which a pair is in the fitting sample of ``total`` candidate pairs
    (about ``limit`` of them, default :data:`FIT_PAIRS`), or None when all of them are fitted
    on."""
    limit = FIT_PAIRS if limit is None else limit
    if total <= limit:
        return None
    return np.uint64(min(int(limit / total * 2.0 ** 64), 2 ** 64 - 1))


def in_fit_sample(first: np.ndarray, second: np.ndarray, n: int, seed: int,
                  cut: np.uint64 | None) -> np.ndarray:
    """Which pairs the model is fitted on (all when ``cut`` is None: see :func:`fit_cut`)."""
    if cut is None:
        return np.ones(len(first), dtype=bool)
    return pair_hashes(first, second, n, seed) < cut


def pair_vectors(records: "LinkageRecords", first: np.ndarray, levels: pd.DataFrame,
                 settings: DedupSettings) -> pd.DataFrame:
    """The model's input for pairs whose earlier records are ``first``: their levels and, with
    term frequencies on, the ``tf_`` columns (:func:`tf_vectors`)."""
    vectors = levels.copy()
    if settings.tf_adjustment:
        for column, tf in tf_vectors(records.frequencies(), first, levels).items():
            vectors[column] = tf
    return vectors


def comparison_features(records: "LinkageRecords", workers: int) -> tuple[list, pd.DataFrame]:
    """The comparison features (on ``workers`` threads) with the values too frequent to be
    evidence compared as missing (:mod:`rcu_kit.linkage.frequent`, counted over all the
    records), and those values (``column, value, source, records``)."""
    counts = records.value_counts(FREQUENT_COLUMNS)
    candidates = candidate_values(counts)
    frequent = frequent_values(counts, records.value_surnames(candidates) if candidates else {})
    return (default_features(workers=workers, no_evidence=no_evidence(frequent)),
            frequent_table(frequent))


def fit_model(records: "LinkageRecords", settings: DedupSettings, features: list,
              index: MultiPassIndex, first: np.ndarray, levels: pd.DataFrame,
              found_by: np.ndarray, finders: np.ndarray | None, u_vectors: pd.DataFrame | None,
              u_candidates: np.ndarray | None, total_pairs: int | None, candidates: int
              ) -> tuple[FellegiSunterEM, HouseholdEvidence]:
    """The model fitted on the candidate pairs given (all ``candidates`` of them, or the
    fitting sample): their earlier records ``first``, levels, first pass and pass masks, with
    the random pairs' levels (``u_vectors``) and the positions among the given pairs of the
    random pairs that are candidates (``u_candidates``). Also what decided the household rules.

    EM's m, u and each pass's share of matches are shares, the same on a sample; the matches
    it expects are counted on the pairs given, so on a sample they are scaled up to all the
    candidates before they make the prior."""
    household = household_evidence(levels)
    use_rules = household.active if settings.household_rules == "auto" \
        else bool(settings.household_rules)
    model = FellegiSunterEM(max_iter=settings.em_max_iter, tf_adjustment=settings.tf_adjustment,
                            tf_levels=PLACE_TF_LEVELS,
                            rules=use_rules,
                            veto_probability=settings.veto_probability,
                            m_priors=m_priors(features), m_floor=m_floors(features),
                            monotone=True, unordered=unordered(features), seed=settings.seed)
    if len(levels):
        model.fit(pair_vectors(records, first, levels, settings), u_vectors=u_vectors,
                  total_pairs=total_pairs, strata=found_by,
                  blocked=blocked_features(settings.passes), u_candidates=u_candidates,
                  finders=None if finders is None else index.key_finders(finders))
        if total_pairs and candidates > len(levels):
            expected = model.fit_.expected_matches
            model.add_expected_matches(expected * (candidates / len(levels) - 1.0), total_pairs)
    return model, household


def cluster_records(records: "LinkageRecords", settings: DedupSettings, features: list,
                    model: FellegiSunterEM, first: np.ndarray, second: np.ndarray,
                    probability: np.ndarray, rules: np.ndarray
                    ) -> tuple[np.ndarray, dict[str, Any]]:
    """Customers from the scored pairs: :func:`cluster_pairs` then the check of the large
    clusters. The pairs may be all the scored ones, or only the links (at or above the
    threshold) and the known-different pairs (vetoed, or below ``conflict_probability``)
    inside the links' components: no other pair changes the result."""
    labels, cluster_info = cluster_pairs(records.n, first, second, probability,
                                         threshold=settings.threshold,
                                         max_cluster_size=settings.max_cluster_size,
                                         conflict_probability=settings.conflict_probability,
                                         vetoed=rules > 0, split_oversized=False)
    return _check_large_clusters(records, labels, cluster_info, first, second, probability,
                                 rules, features, model, settings)


def build_result(records: "LinkageRecords", settings: DedupSettings, features: list,
                 stats: list[PassStats], max_pairs: int, labels: np.ndarray,
                 cluster_info: dict[str, Any], kept: Mapping[str, Any], n_pairs: int,
                 model: FellegiSunterEM, household: HouseholdEvidence,
                 timings: dict[str, float], frequent: pd.DataFrame) -> DedupResult:
    """The :class:`DedupResult`: the crosswalk from the cluster labels, and the kept pairs
    (``kept``: ``first``, ``second``, ``levels``, ``probability``, ``rules``, ``found_by``, in
    the candidates' order) as the pairs table; ``n_pairs`` candidate pairs in all;
    ``frequent``: the values set aside (:func:`comparison_features`)."""
    width = max(7, len(str(int(labels.max(initial=0)) + 1)))
    names = np.array([f"C{k:0{width}d}" for k in range(1, int(labels.max(initial=-1)) + 2)],
                     dtype=object)
    customer = names[labels]
    crosswalk = pd.DataFrame({"source": records.source, "record_id": records.record_id,
                              "customer_id": customer})
    pf, ps, levels = kept["first"], kept["second"], kept["levels"]
    rules, found_by = kept["rules"], kept["found_by"]
    pair_table = pd.DataFrame({
        "source_1": pd.Categorical(records.source[pf]),
        "record_id_1": records.record_id[pf],
        "source_2": pd.Categorical(records.source[ps]),
        "record_id_2": records.record_id[ps],
    })
    for column in levels.columns:
        pair_table[column] = levels[column].to_numpy()
    pair_table["match_probability"] = kept["probability"]
    rule_names = np.array([""] + [RULES[k] for k in sorted(RULES)], dtype=object)
    pair_table["rule"] = pd.Categorical(rule_names[rules])
    pass_names = np.array([s.name for s in stats], dtype=object)
    pair_table["found_by"] = pd.Categorical(pass_names[found_by])
    pair_table["evidence"] = _evidence(levels, rules, level_names(features)) \
        if len(pf) else pd.Categorical([])
    skipped = pd.DataFrame(
        [{"pass": s.name, "key": key, "records": size}
         for s in stats for key, size in s.skipped_keys],
        columns=["pass", "key", "records"])
    return DedupResult(crosswalk=crosswalk, pairs=pair_table,
                       pass_stats=pass_stats_table(stats, n_pairs, records.n, max_pairs),
                       skipped_blocks=skipped, timings=timings, model=model,
                       cluster_info=cluster_info, settings=settings, household=household,
                       frequent_values=frequent)


def deduplicate_records(records: LinkageRecords, settings: DedupSettings,
                        progress: bool = False, timer: StageTimer | None = None,
                        stages: str | Path | None = None) -> DedupResult:
    """:func:`deduplicate` on prepared records held by an engine (see :class:`LinkageRecords`):
    blocking, comparison, the model, scoring, clustering and the outputs.

    With ``stages`` (a folder), the candidate pairs, their comparison levels and the random
    pairs' levels are written there as each stage finishes, and a run on the same records with
    the same settings resumes after the last stage written (``DedupResult.timings`` then holds
    ``resumed_<stage>`` entries); the files are removed when the run ends.
    """
    timer = timer or StageTimer()
    timings = timer.wall
    lap = timer.lap
    n = records.n
    store = None if stages is None else StageStore(stages, fingerprint(
        {"settings": dataclasses.asdict(settings), "code": STAGES_VERSION,
         "features": level_names(default_features())}, records.record_hashes()))

    index = build_index(settings)
    saved = store.load_arrays("candidates") if store else None
    if saved is not None:
        candidates = _candidates_from(saved, n)
        records.restore(saved)
    else:
        candidates = records.candidates(index, progress, settings.workers)
        if store:
            store.save_arrays("candidates", {**_candidates_arrays(candidates),
                                             **records.state(index)},
                              meta={"stats": [dict(vars(st)) for st in candidates.stats]})
    # Present each pair with the earlier record first.
    first, second = candidates.second, candidates.first
    found_by = candidates.found_by
    finders = candidates.passes
    if settings.link_only:
        source_codes = pd.factorize(records.source)[0]
        keep = source_codes[first] != source_codes[second]
        first, second, found_by = first[keep], second[keep], found_by[keep]
        finders = None if finders is None else finders[keep]
    lap("index")

    features, frequent = comparison_features(records, settings.workers)
    levels = store.load_frame("levels") if store else None
    if levels is None:
        levels = records.compare(first, second, features, settings, progress=progress)
        if store:
            store.save_frame("levels", levels)
    lap("compare")

    u_vectors, total_pairs, u_candidates = None, None, None
    skipped_info = {"skipped_pairs": 0.0, "skipped_matches": 0.0}
    # the pairs the model is fitted on: all of them, or a sample beyond FIT_PAIRS
    fitted = in_fit_sample(first, second, n, settings.seed, fit_cut(len(first)))
    if settings.u_pairs and len(levels):
        groups = pd.factorize(records.source)[0] if settings.link_only else None
        u_first, u_second, total_pairs = random_pairs(n, settings.u_pairs, settings.seed, groups)
        # Random pairs the blocking also proposed are already compared: they count in u by
        # their probability of being a non-match (see FellegiSunterEM.fit's u_candidates);
        # those outside the fitting sample count nowhere.
        position = locate_pairs(first, second, u_first, u_second, n)
        hit = position >= 0
        u_candidates = fit_positions(fitted, position[hit])
        u_first, u_second = u_first[~hit], u_second[~hit]
        u_vectors = store.load_frame("u_levels") if store else None
        if u_vectors is None:
            u_vectors = records.compare(u_first, u_second, features, settings)
            if store:
                store.save_frame("u_levels", u_vectors)
    lap("u_sample")

    sample = slice(None) if fitted.all() else fitted
    model, household = fit_model(
        records, settings, features, index, first[sample],
        levels[sample].reset_index(drop=True), found_by[sample],
        None if finders is None else finders[sample], u_vectors, u_candidates, total_pairs,
        len(first))
    if len(levels):
        if total_pairs and not settings.link_only:
            samples = skipped_samples(records, candidates.stats, index, settings)
            known = [locate_pairs(first, second, sf, ss, n) >= 0 for sf, ss, _ in samples]
            skipped_info = skipped_matches(records, samples, known, features, model,
                                           total_pairs, settings)
        probability = model.prob(pair_vectors(records, first, levels, settings)).to_numpy()
    else:
        probability = np.zeros(0)
    rules = model.rule_codes(levels) if len(levels) else np.zeros(0, np.int8)
    lap("classify")

    labels, cluster_info = cluster_records(records, settings, features, model, first, second,
                                           probability, rules)
    cluster_info.update(skipped_info)
    lap("cluster")

    kept = probability >= settings.keep_pairs
    result = build_result(records, settings, features, candidates.stats, candidates.max_pairs,
                          labels, cluster_info,
                          {"first": first[kept], "second": second[kept],
                           "levels": levels[kept].reset_index(drop=True),
                           "probability": probability[kept], "rules": rules[kept],
                           "found_by": found_by[kept]}, len(candidates), model, household,
                          timings, frequent)
    lap("output")
    timings["total"] = timer.total()
    if store:
        timings.update({f"resumed_{stage}": 1.0 for stage in store.resumed})
        store.finish()
    return result


def fit_positions(fitted: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The positions among the fitted pairs of the given candidate positions that are in the
    fitting sample (``fitted``: mask over the candidates)."""
    if fitted.all():
        return np.asarray(positions, dtype=np.int64)
    rank = np.cumsum(fitted) - 1
    positions = np.asarray(positions, dtype=np.int64)
    return rank[positions[fitted[positions]]]
