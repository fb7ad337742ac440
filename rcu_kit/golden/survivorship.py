"""Evidence of quality for survivorship: which of a customer's values is most likely the true one.

:mod:`rcu_kit.golden.records` turns each customer's records into candidates (one per record with a
usable value) and asks this module for *evidence levels*: one number per candidate and level,
lower being better. Candidates are ranked level after level (lexicographically); the winner is
the first candidate, and the level on which it beat the best candidate holding another value is
what *decided* (written in the lineage). The levels:

===================  ==============================================================================
``complete``         a group (address) from the record that fills most of its attributes
``mobile``           a French mobile over a landline (:func:`rcu_kit.values.phones.is_french_mobile`)
``exclusive``        an e-mail or phone held by no other customer (not a partner's or a household's)
``name_match``       an e-mail whose local part names the customer (chosen first name, or
                     initial and last name), not a partner's or a family one
``other_name_field`` a last name that is not the customer's chosen first name (swapped fields)
``support``          the value most of the customer's records hold; a first name also counts the
                     records holding one of its short forms (JP, JEAN, JEAN P for JEAN PIERRE)
``typo``             not one edit away from another value of the customer that is more common:
                     held by more of the customer's records, or, on a tie, by more customers
                     across the base (an e-mail: its domain); a typo is close and rare
``usage_name``       a last name that is not the customer's birth name (nor one edit from it)
``reference``        in the packaged reference lists: French first names, last names, and
                     communes with their postcode (an address group)
``update_date``      the most recent record, on dates declared as update dates only
``common_words``     between spellings of one text value (names, street lines, cities; see
                     :func:`spelling_variants`), the one whose words more customers use (CHEMIN
                     DES ROSES over CH DES ROSES); two different names are no spellings of
                     each other, and how common each is says nothing
``source_priority``  the engagement's source order (``source_priority`` rule and its ``sources``)
``source_trust``     the source whose values agree most often with the customers' clear majorities
                     on this attribute (estimated on the data: how often it is right elsewhere)
``input_order``      the record that comes first (deterministic last resort)
===================  ==============================================================================

Everything is vectorised over all customers at once; pairwise checks (short forms, one-edit
typos) run once per distinct pair of values of one customer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from rcu_kit.linkage.compare import is_short_form
from rcu_kit.standardise.addresses import normalise_cities
from rcu_kit.standardise.names import first_name_weights, fold, known_last_names
from rcu_kit.values.phones import is_french_mobile

__all__ = [
    "LEVELS",
    "known_communes",
    "codes",
    "support",
    "first_name_support",
    "one_edit",
    "typo_flags",
    "base_frequency",
    "token_frequency",
    "spelling_variants",
    "exclusive_flags",
    "mobile_flags",
    "email_name_flags",
    "reference_flags",
    "source_trust",
    "rank_candidates",
]

#: Every evidence level, in the order of the table above (codes written in the lineage).
LEVELS = ("complete", "mobile", "exclusive", "name_match", "other_name_field", "support",
          "typo", "usage_name", "reference", "update_date", "common_words", "source_priority",
          "source_trust", "input_order")


@lru_cache(maxsize=1)
def known_communes() -> frozenset[tuple[str, str]]:
    """Packaged (postcode, city in normal form) pairs of French communes."""
    path = resources.files("rcu_kit") / "resources" / "geo" / "communes_fr.csv"
    if not path.is_file():
        raise FileNotFoundError("rcu_kit/resources/geo/communes_fr.csv is missing: reinstall rcu_kit")
    frame = pd.read_csv(path, dtype=str, encoding="utf-8")
    cities = normalise_cities(frame["city"])
    return frozenset(zip(frame["postcode"], cities.astype(object)))


def codes(values: np.ndarray) -> np.ndarray:
    """Integer code per value (-1 for None), equal values equal codes."""
    return pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)[0].astype(np.int64)


def support(customer: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per candidate: how many candidates of its customer hold the same value code (0 if None)."""
    key = customer * (int(value.max(initial=0)) + 2) + value + 1
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    out = counts[inverse.ravel()]
    return np.where(value >= 0, out, 0)


def _pairs(customer: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """Distinct ordered pairs (a, b), a != b, of value codes held by one customer, with the
    candidate counts of each."""
    frame = pd.DataFrame({"c": customer, "v": value})
    frame = frame[frame["v"] >= 0]
    counts = frame.groupby(["c", "v"], sort=False).size().rename("n").reset_index()
    multi = counts["c"].duplicated(keep=False)
    counts = counts[multi]
    pairs = counts.merge(counts, on="c", suffixes=("_a", "_b"))
    return pairs[pairs["v_a"] != pairs["v_b"]].reset_index(drop=True)


def _on_distinct(a: np.ndarray, b: np.ndarray, vocabulary: np.ndarray,
                 test: Callable[[str, str], bool]) -> np.ndarray:
    """``test(vocabulary[a], vocabulary[b])`` computed once per distinct (a, b)."""
    if not len(a):
        return np.zeros(0, dtype=bool)
    pair = pd.MultiIndex.from_arrays([a, b])
    uniq = pair.unique()
    results = np.fromiter((test(vocabulary[x], vocabulary[y]) for x, y in uniq), dtype=bool,
                          count=len(uniq))
    return results[uniq.get_indexer(pair)]


def _abbreviates(token: str, part: str) -> bool:
    """``part`` written as ``token``: the same, its initial, or a short form (3 letters kept,
    3 left out at least: STEPH / STEPHANIE) — not a one-letter slip (SILASO / SILAS)."""
    if token == part:
        return True
    if not part.startswith(token):
        return False
    return len(token) == 1 or (len(token) >= 3 and len(part) - len(token) >= 3)


def _covers(name: str, form: str) -> bool:
    """Whether first name ``form`` is a shorter way of writing ``name``: its initials (JP), its
    first names abbreviated (JEAN, JEAN P for JEAN PIERRE), or a short form or nickname (STEPH,
    BOB: :func:`rcu_kit.linkage.compare.is_short_form`)."""
    long_tokens, short_tokens = name.split(), form.split()
    if len(form) >= len(name):
        return False
    if len(short_tokens) <= len(long_tokens) and all(
            _abbreviates(s, t) for t, s in zip(long_tokens, short_tokens)):
        return True
    if len(long_tokens) >= 2 and form.replace(" ", "") == "".join(t[0] for t in long_tokens):
        return True
    return is_short_form(form, long_tokens[0]) or is_short_form(form, name)


def first_name_support(customer: np.ndarray, value: np.ndarray, vocabulary: np.ndarray
                       ) -> np.ndarray:
    """Per candidate: the customer's candidates holding this first name or one of its shorter
    forms (JEAN PIERRE counts JP, JEAN and JEAN P; JEAN counts neither JP nor JEAN PIERRE)."""
    own = support(customer, value)
    pairs = _pairs(customer, value)
    if pairs.empty:
        return own
    covered = _on_distinct(pairs["v_a"].to_numpy(), pairs["v_b"].to_numpy(), vocabulary, _covers)
    extra = pairs[covered].groupby(["c", "v_a"])["n_b"].sum()
    key = pd.MultiIndex.from_arrays([customer, value])
    return own + extra.reindex(key).fillna(0).to_numpy(dtype=np.int64)


#: Values this long may be two edits apart and still be a typo of one another (a street line).
LONG_VALUE = 10


def one_edit(a: str, b: str) -> bool:
    """A typing slip apart: one insertion, deletion, substitution or transposition (values of
    3 characters or more), two for values of :data:`LONG_VALUE` characters or more."""
    shortest = min(len(a), len(b))
    allowed = 2 if shortest >= LONG_VALUE else 1
    return shortest >= 3 and OSA.distance(a, b, score_cutoff=allowed) <= allowed


def typo_flags(customer: np.ndarray, value: np.ndarray, vocabulary: np.ndarray,
               frequency: np.ndarray) -> np.ndarray:
    """1 where the candidate's value is one edit away from another value of its customer that is
    more common: held by more of the customer's candidates, or as many and by more customers
    across the base (``frequency`` per value code). A typo is close and rare."""
    out = np.zeros(len(value), dtype=np.int64)
    pairs = _pairs(customer, value)
    if pairs.empty:
        return out
    a, b = pairs["v_a"].to_numpy(), pairs["v_b"].to_numpy()
    n_a, n_b = pairs["n_a"].to_numpy(), pairs["n_b"].to_numpy()
    commoner = (n_b > n_a) | ((n_b == n_a) & (frequency[b] > frequency[a]))
    close = np.zeros(len(pairs), dtype=bool)
    todo = np.flatnonzero(commoner)
    close[todo] = _on_distinct(a[todo], b[todo], vocabulary, one_edit)
    flagged = pairs.loc[close, ["c", "v_a"]].drop_duplicates()
    if len(flagged):
        hit = pd.MultiIndex.from_arrays([flagged["c"].to_numpy(), flagged["v_a"].to_numpy()])
        out[pd.MultiIndex.from_arrays([customer, value]).isin(hit)] = 1
    return out


#: Two values this similar (rapidfuzz ``fuzz.ratio``, 0-100) are spellings of one another.
VARIANT_RATIO = 75


def spelling_variants(customer: np.ndarray, value: np.ndarray, vocabulary: np.ndarray
                      ) -> np.ndarray:
    """True where another value of the customer is a spelling of this one (``fuzz.ratio`` of
    :data:`VARIANT_RATIO` or more: CH DES ROSES / CHEMIN DES ROSES), False for values with
    nothing alike (MARTIN / DURAND: two names, not two spellings)."""
    out = np.zeros(len(value), dtype=bool)
    pairs = _pairs(customer, value)
    if pairs.empty:
        return out
    alike = _on_distinct(pairs["v_a"].to_numpy(), pairs["v_b"].to_numpy(), vocabulary,
                         lambda a, b: fuzz.ratio(a, b) >= VARIANT_RATIO)
    hit = pairs.loc[alike, ["c", "v_a"]].drop_duplicates()
    if len(hit):
        out[pd.MultiIndex.from_arrays([customer, value]).isin(
            pd.MultiIndex.from_arrays([hit["c"].to_numpy(), hit["v_a"].to_numpy()]))] = True
    return out


def base_frequency(customer: np.ndarray, value: np.ndarray, n_values: int) -> np.ndarray:
    """Per value code: how many distinct customers hold it."""
    frame = pd.DataFrame({"c": customer, "v": value})
    frame = frame[frame["v"] >= 0].drop_duplicates()
    return np.bincount(frame["v"].to_numpy(), minlength=n_values).astype(np.int64)


def token_frequency(customer: np.ndarray, value: np.ndarray, vocabulary: np.ndarray
                    ) -> np.ndarray:
    """Per value code: the mean, over the value's words, of how many distinct customers hold
    the word (in this attribute). A one-word value: how many customers hold it; a street line
    with a misspelt word (XTREET) ranks below the same line spelt right."""
    words = pd.Series([v.split() for v in vocabulary], dtype=object)
    words = words.explode().dropna()
    word_code, _ = pd.factorize(words)
    table = pd.DataFrame({"v": words.index.to_numpy(), "w": word_code})
    held = pd.DataFrame({"c": customer, "v": value})
    held = held[held["v"] >= 0].drop_duplicates()
    per_word = held.merge(table, on="v")[["c", "w"]].drop_duplicates()["w"].value_counts()
    table["n"] = per_word.reindex(table["w"]).fillna(0).to_numpy()
    mean = table.groupby("v")["n"].mean()
    return mean.reindex(range(len(vocabulary))).fillna(0).to_numpy(dtype=float)


def exclusive_flags(customer: np.ndarray, value: np.ndarray, n_values: int) -> np.ndarray:
    """1 where the value is also held by another customer (a household's landline or e-mail)."""
    freq = base_frequency(customer, value, n_values)
    return np.where(value >= 0, (freq[np.maximum(value, 0)] > 1).astype(np.int64), 0)


def mobile_flags(vocabulary: np.ndarray, value: np.ndarray) -> np.ndarray:
    """0 for a French mobile, 1 otherwise (landline, foreign or special number)."""
    is_mobile = np.fromiter((is_french_mobile(v) for v in vocabulary), dtype=bool,
                            count=len(vocabulary))
    return np.where(value >= 0, (~is_mobile[np.maximum(value, 0)]).astype(np.int64), 1)


def _letters(text: str) -> str:
    """Upper-case letters only (``jean.dupont82`` -> ``JEANDUPONT``)."""
    return fold(text).replace(" ", "")


def email_name_flags(vocabulary: np.ndarray, value: np.ndarray, first_name: np.ndarray,
                     last_name: np.ndarray) -> np.ndarray:
    """How well the e-mail's local part (its letters) names the customer: 0 exactly the chosen
    names (``jean.dupont``, ``dupont.jean``, ``jdupont``, ``jean1982``), 1 holds the first name
    (3 letters or more) or starts with the initial and the last name, 2 otherwise (a partner's
    ``marie.dupont``, a family ``famille.dupont``, a typo'd ``jean.dupnot``) or no first name."""
    local = [_letters(v.rpartition("@")[0]) for v in vocabulary]
    out = np.full(len(value), 2, dtype=np.int64)
    for i, (code, first, last) in enumerate(zip(value, first_name, last_name)):
        if code < 0 or first is None:
            continue
        f, text = _letters(first), local[code]
        l_ = _letters(last) if last is not None else ""
        if text in {f, f + l_, l_ + f, f[:1] + l_}:
            out[i] = 0
        elif (len(f) >= 3 and f in text) or (l_ and text.startswith(f[:1] + l_)):
            out[i] = 1
    return out


def reference_flags(attribute: str, vocabulary: np.ndarray, value: np.ndarray,
                    postcode: np.ndarray | None = None) -> np.ndarray:
    """0 where the value is in the packaged reference list of its attribute, 1 otherwise.

    First names (every token a known French first name), last names (a known frequent French
    last name), cities (the (postcode, city) pair a known commune; ``postcode`` per candidate).
    Attributes without a list: 0 everywhere (no evidence either way).
    """
    if attribute == "city" and postcode is not None:
        communes = known_communes()
        city = np.asarray(vocabulary, dtype=object)[np.maximum(value, 0)]
        known = np.fromiter(((p, c) in communes for p, c in zip(postcode, city)), dtype=bool,
                            count=len(value))
        return np.where(value >= 0, (~known).astype(np.int64), 1)
    if attribute == "first_name":
        names = first_name_weights()
        known_v = np.fromiter((all(fold(t) in names for t in v.split()) for v in vocabulary),
                              dtype=bool, count=len(vocabulary))
    elif attribute in ("last_name", "birth_name"):
        names = known_last_names()
        known_v = np.fromiter((fold(v) in names for v in vocabulary), dtype=bool,
                              count=len(vocabulary))
    else:
        return np.zeros(len(value), dtype=np.int64)
    return np.where(value >= 0, (~known_v[np.maximum(value, 0)]).astype(np.int64), 1)


def source_trust(customer: np.ndarray, value: np.ndarray, source: np.ndarray) -> dict[str, float]:
    """Per source: how often its candidate agrees with its customer's clear majority value
    (contested customers whose most held value is held by more candidates than any other),
    smoothed ``(agree + 1) / (n + 2)`` so a source seen little stays near one half."""
    frame = pd.DataFrame({"c": customer, "v": value, "s": source})
    counts = (frame.groupby(["c", "v"], sort=False).size().rename("n").reset_index()
              .sort_values(["c", "n"], ascending=[True, False], kind="stable"))
    first = counts.drop_duplicates("c").set_index("c")
    second = counts[counts["c"].duplicated()].drop_duplicates("c").set_index("c")["n"]
    second = second.reindex(first.index)
    majority = first.loc[second.notna() & (first["n"] > second), "v"]
    judged = frame[frame["c"].isin(majority.index)]
    agree = judged["v"].to_numpy() == majority.reindex(judged["c"]).to_numpy()
    table = pd.DataFrame({"s": judged["s"].to_numpy(), "a": agree}).groupby("s")["a"].agg(
        ["sum", "size"])
    return ((table["sum"] + 1) / (table["size"] + 2)).to_dict()


def rank_candidates(customer: np.ndarray, value: np.ndarray, levels: Sequence[tuple[str, np.ndarray]]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank each customer's candidates by the levels (lower first) and say what decided.

    Args:
        customer: customer code per candidate.
        value: value code per candidate (a group: one code per combination of its values).
        levels: (name, key per candidate) pairs, most significant first; the last should
            decide every tie (the input order).

    Returns:
        ``(winner, runner_up, decided)``: per customer with candidates (in customer-code order
        of ``np.unique(customer)``), the candidate position of the winner, of the best candidate
        holding another value (-1 if none), and the index in ``levels`` of the level on which
        the winner beat it (-1 if none: every candidate agrees).
    """
    keys = [k for _, k in levels]
    winner = _first_per_group(customer, keys)
    n = int(customer.max(initial=-1)) + 1
    win_value = np.full(n, -2, dtype=np.int64)
    win_value[customer[winner]] = value[winner]
    other = np.flatnonzero(value != win_value[customer])
    runner = np.full(n, -1, dtype=np.int64)
    if len(other):
        best_other = other[_first_per_group(customer[other], [k[other] for k in keys])]
        runner[customer[best_other]] = best_other
    runner = runner[customer[winner]]
    decided = np.full(len(winner), -1, dtype=np.int64)
    has = runner >= 0
    if has.any():
        matrix = np.vstack([np.asarray(k, dtype=float) for k in keys])
        differs = matrix[:, winner[has]] != matrix[:, runner[has]]
        decided[has] = np.where(differs.any(axis=0), differs.argmax(axis=0), len(keys) - 1)
    return winner, runner, decided


def _first_per_group(group: np.ndarray, keys: list[np.ndarray]) -> np.ndarray:
    """Position of the best row of each group: sort by ``keys`` (most significant first,
    ascending) within the group."""
    order = np.lexsort(tuple(reversed([group, *keys])))
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.zeros(0, np.int64)
    return order[starts]
