"""The built-in demo engagement: a realistic, seeded French B2C customer base over five sources.

``generate_demo`` writes what a consultant receives on a real engagement: five extracts of the same
customers, each with its own column names, encoding, separator and conventions, full of the traps
French customer data holds (typos, dropped accents, compound first names, married and birth
names, swapped first and last names, phone / postcode / date format variants, abbreviated street
types, bis/ter, CEDEX, people who moved, households sharing an address, a landline or an e-mail,
homonyms in one city, a father and son with the same name at the same address, duplicates inside
one source). It also writes the ground truth (which person and household each record belongs to)
and a ready engagement YAML whose mapping is already validated.

Everything is vectorised with numpy / pandas (one million records in about 25 s of CPU, see
``bench/bench_demo.py``) and deterministic: the same seed gives byte-identical files. Names and
places are drawn with realistic frequencies from the package resources
``resources/names/first_names_fr.csv`` (first_name, sex, weight, peak_year: first names follow the
birth year), ``resources/names/last_names_fr.csv``, ``resources/geo/communes_fr.csv`` and
``resources/geo/streets_fr.csv``.

Sources written under ``<out>/data/``:

=================  ==============================  =========  ======  =====
source             file                            encoding   sep     share
=================  ==============================  =========  ======  =====
crm                crm_clients.csv                 utf-8      ``,``   35 %
ecommerce          ecommerce_accounts.parquet      (parquet)          30 %
fidelite           fidelite_cartes.csv             latin-1    ``;``   20 %
facturation        facturation_tiers.csv           cp1252     TAB     10 %
service_client     service_client.db (table        (SQLite)            5 %
                   ``contacts``)
=================  ==============================  =========  ======  =====

Examples:
    >>> from rcu_kit.sources.demo import generate_demo
    >>> result = generate_demo("demo", n_records=5000, seed=42)  # doctest: +SKIP
    >>> result.rows_per_source  # doctest: +SKIP
    {'crm': 1750, 'ecommerce': 1500, 'fidelite': 1000, 'facturation': 500, 'service_client': 250}
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from unidecode import unidecode

from rcu_kit.core.config import (Attribute, CustomerRule, Engagement, Flow, MappingEntry,
                                 PersonalDataPolicy, Source, View, save_engagement)

__all__ = ["DemoResult", "generate_demo", "demo_mapping", "source_sizes", "SOURCE_SHARES",
           "MIN_RECORDS", "MAX_RECORDS", "REFERENCE_DATE", "CORRUPTION_KNOBS", "true_values"]

MIN_RECORDS = 1_000
MAX_RECORDS = 1_000_000

#: Share of the records held by each source, in the order the sources are written.
SOURCE_SHARES: dict[str, float] = {
    "crm": 0.35, "ecommerce": 0.30, "fidelite": 0.20, "facturation": 0.10, "service_client": 0.05,
}

#: The extraction date of the demo extracts: every generated date is on or before it, so the data
#: does not depend on the day it is generated.
REFERENCE_DATE = np.datetime64("2024-12-31")

# Share of each source's records that are a second record of a person already in that source.
_DUPLICATE_RATE = {"crm": 0.04, "ecommerce": 0.03, "fidelite": 0.03, "facturation": 0.02,
                   "service_client": 0.05}
# Share of each source's persons already present in the sources generated before it (overlaps).
_OVERLAP_RATE = {"crm": 0.0, "ecommerce": 0.45, "fidelite": 0.55, "facturation": 0.70,
                 "service_client": 0.75}
_MAX_SOURCES_PER_PERSON = 4
# How far from its peak year a first name is still given (standard deviation, years).
_FIRST_NAME_SPREAD_YEARS = 16.0
# Probability that a source shows the old address of a person who moved.
_OLD_ADDRESS_RATE = {"crm": 0.4, "ecommerce": 0.15, "fidelite": 0.6, "facturation": 0.5,
                     "service_client": 0.25}
# Probability that a record of a person whose household shares an e-mail shows that e-mail (never
# on the e-commerce site, where the e-mail is the personal login).
_FAMILY_EMAIL_RATE = {"crm": 0.6, "ecommerce": 0.0, "fidelite": 0.6, "facturation": 0.6,
                      "service_client": 0.6}
# Probability that a second record of a person in one source carries another e-mail.
_OTHER_EMAIL_RATE = {"crm": 0.4, "ecommerce": 1.0, "fidelite": 0.4, "facturation": 0.4,
                     "service_client": 0.4}

#: The corruption knobs of :func:`generate_demo` (``corruption={"moves": 2.0, ...}``): each is a
#: multiplier of the rates it names, 1.0 being the default demo; a rate multiplied above 1 is
#: capped at 1. Meant for robustness sweeps (``bench/robustness_sweep.py``), not for engagements.
CORRUPTION_KNOBS: dict[str, str] = {
    "missing": "every missing-value rate: blanked civility, e-mail, phone, street, postcode, country "
               "and first name (per source), and missing birth dates (CRM 20 %, e-commerce 45 %, "
               "loyalty 15 %)",
    "moves": "share of households that moved to another commune (8 %); how often each source still "
             "shows the old address is unchanged",
    "nicknames": "share of compound first names written in a short form per source (Jean Pierre, JP, "
                 "Jean-P., Jean; CRM 30 %, e-commerce 15 %, loyalty 35 %, billing 20 %, customer "
                 "service 30 %). The demo has no diminutives of simple first names (Steph for "
                 "Stéphanie)",
    "surname_changes": "share of the records of a married person that show the birth name instead of "
                       "the usage name (e-commerce 10 %, loyalty 25 %, customer service 10 %)",
    "households": "contacts and names shared within households: households with a family e-mail "
                  "(12 % of those of two or more), first sons named as their father (6 %, at least "
                  "one per 2,000 persons), records showing the household landline instead of the "
                  "mobile (CRM 15 %, customer service 8 %)",
    "homonyms": "number of distinct Jean MARTIN living alone in Paris (one per 1,000 persons, at "
                "least 5)",
}

_FILES = {
    "crm": "data/crm_clients.csv",
    "ecommerce": "data/ecommerce_accounts.parquet",
    "fidelite": "data/fidelite_cartes.csv",
    "facturation": "data/facturation_tiers.csv",
    "service_client": "data/service_client.db",
}

# Street types: canonical form, weight, abbreviations seen in the wild.
_STREET_TYPES: dict[str, tuple[float, tuple[str, ...]]] = {
    "rue": (0.50, ("r.", "r")),
    "avenue": (0.14, ("av.", "av", "ave")),
    "boulevard": (0.07, ("bd", "bld", "boul.")),
    "chemin": (0.06, ("chem.", "ch.")),
    "allée": (0.05, ("all.", "allee")),
    "impasse": (0.05, ("imp.", "imp")),
    "route": (0.05, ("rte", "rte.")),
    "place": (0.04, ("pl.", "pl")),
    "quai": (0.02, ("q.",)),
    "square": (0.02, ("sq.",)),
}

_EMAIL_DOMAINS = (("gmail.com", 30), ("orange.fr", 16), ("hotmail.fr", 10), ("free.fr", 8),
                  ("wanadoo.fr", 6), ("yahoo.fr", 6), ("laposte.net", 5), ("sfr.fr", 5),
                  ("outlook.fr", 5), ("hotmail.com", 4), ("icloud.com", 3), ("bbox.fr", 2))

# First digit of French landlines by department (01 Ile-de-France ... 05 South-West).
_LANDLINE_ZONE = {
    **{d: "1" for d in ("75", "77", "78", "91", "92", "93", "94", "95")},
    **{d: "2" for d in ("14", "18", "22", "27", "28", "29", "35", "36", "37", "41", "44", "45",
                        "49", "50", "53", "56", "61", "72", "76", "85")},
    **{d: "3" for d in ("02", "08", "10", "21", "25", "39", "51", "52", "54", "55", "57", "58",
                        "59", "60", "62", "67", "68", "70", "71", "80", "88", "89", "90")},
    **{d: "4" for d in ("01", "03", "04", "05", "06", "07", "11", "13", "15", "20", "26", "30",
                        "34", "38", "42", "43", "48", "63", "66", "69", "73", "74", "83", "84")},
    **{d: "5" for d in ("09", "12", "16", "17", "19", "24", "31", "32", "33", "40", "46", "47",
                        "64", "65", "79", "81", "82", "86", "87")},
}
_DOM_LANDLINE = {"974": "262", "972": "596", "971": "590", "973": "594", "976": "269"}


@dataclass(frozen=True)
class DemoResult:
    """What :func:`generate_demo` wrote.

    Attributes:
        engagement_path: ``<out>/engagement.yaml``, loadable with ``load_engagement``.
        truth_path: ``<out>/truth.csv``: one row per record of every source (source, record_id,
            person_id, household_id).
        rows_per_source: records written per source, in source order.
        n_persons: distinct persons behind the records.
    """

    engagement_path: Path
    truth_path: Path
    rows_per_source: dict[str, int]
    n_persons: int


@dataclass(frozen=True)
class _Corruption:
    """Rate multipliers by knob (see :data:`CORRUPTION_KNOBS`); a knob at 1.0 leaves its rates as is."""

    factors: dict[str, float]

    @classmethod
    def of(cls, corruption: dict[str, float] | None) -> _Corruption:
        factors = dict(corruption or {})
        unknown = sorted(set(factors) - set(CORRUPTION_KNOBS))
        if unknown:
            raise ValueError(f"corruption: unknown knob(s) {', '.join(map(repr, unknown))}; the knobs "
                             f"are {', '.join(CORRUPTION_KNOBS)}")
        for knob, factor in factors.items():
            if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor < float("inf"):
                raise ValueError(f"corruption: {knob!r} must be a multiplier >= 0 (1.0 = the default "
                                 f"demo); got {factor!r}")
        return cls({knob: float(f) for knob, f in factors.items()})

    def rate(self, knob: str, base: float) -> float:
        """``base`` times the knob's factor, at most 1 (exactly ``base`` at factor 1)."""
        factor = self.factors.get(knob, 1.0)
        return base if factor == 1.0 else min(base * factor, 1.0)

    def count(self, knob: str, base: int) -> int:
        """A number of cases times the knob's factor, rounded (exactly ``base`` at factor 1)."""
        factor = self.factors.get(knob, 1.0)
        return base if factor == 1.0 else int(round(base * factor))


# ---------------------------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------------------------
def _read_resource(*parts: str) -> pd.DataFrame:
    ref = resources.files("rcu_kit").joinpath("resources", *parts)
    with ref.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _resources() -> dict[str, pd.DataFrame]:
    out = {
        "first": _read_resource("names", "first_names_fr.csv"),
        "last": _read_resource("names", "last_names_fr.csv"),
        "communes": _read_resource("geo", "communes_fr.csv"),
        "streets": _read_resource("geo", "streets_fr.csv"),
    }
    for frame in out.values():
        frame["weight"] = frame["weight"].astype(float)
    return out


def _target_model() -> list[Attribute]:
    ref = resources.files("rcu_kit").joinpath("resources", "target_models", "b2c_fr.yaml")
    return [Attribute(**item) for item in yaml.safe_load(ref.read_text(encoding="utf-8"))]


# ---------------------------------------------------------------------------------------------
# Small vectorised helpers
# ---------------------------------------------------------------------------------------------
def _weighted(rng: np.random.Generator, values, weights, size: int) -> np.ndarray:
    values = np.asarray(values, dtype=object)
    p = np.asarray(weights, dtype=float)
    return values[rng.choice(len(values), size=size, p=p / p.sum())]


def _mask(rng: np.random.Generator, n: int, rate: float, minimum: int = 0,
          eligible: np.ndarray | None = None) -> np.ndarray:
    """Random boolean mask with ``rate`` of True among ``eligible`` rows, at least ``minimum``."""
    eligible = np.ones(n, dtype=bool) if eligible is None else eligible
    out = (rng.random(n) < rate) & eligible
    missing = minimum - int(out.sum())
    if missing > 0:
        candidates = np.flatnonzero(eligible & ~out)
        if len(candidates):
            out[rng.choice(candidates, size=min(missing, len(candidates)), replace=False)] = True
    return out


def _str(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _ascii(values: pd.Series) -> pd.Series:
    """Accents stripped (``Lefèvre`` -> ``Lefevre``), mapped once per distinct value."""
    uniques = pd.unique(values.dropna())
    return values.map({u: unidecode(u) for u in uniques})


def _apply_case(values: pd.Series, style: np.ndarray) -> pd.Series:
    """Per-row case style: 0 as is, 1 UPPER, 2 UPPER without accents, 3 lower, 4 no accents."""
    out = values.copy()
    for code, func in ((1, lambda s: s.str.upper()), (2, lambda s: _ascii(s).str.upper()),
                       (3, lambda s: s.str.lower()), (4, _ascii)):
        sel = style == code
        if sel.any():
            out[sel] = func(values[sel])
    return out


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit(text: str, op: int, r_pos: float, r_char: float) -> str:
    """One keyboard slip: substitute, delete, insert or transpose one character."""
    n = len(text)
    if n < 2:
        return text
    i = min(int(r_pos * n), n - 1)
    char = _LETTERS[int(r_char * 26) % 26]
    if text[i].isupper():
        char = char.upper()
    if op == 3 and n >= 2:  # transpose with the next character
        j = i if i < n - 1 else i - 1
        if text[j] != text[j + 1]:
            return text[:j] + text[j + 1] + text[j] + text[j + 2:]
        op = 1
    if op == 0:
        if text[i].lower() == char.lower():
            char = _LETTERS[(_LETTERS.index(char.lower()) + 1) % 26]
            char = char.upper() if text[i].isupper() else char
        return text[:i] + char + text[i + 1:]
    if op == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + char + text[i:]


def _typos(rng: np.random.Generator, values: pd.Series, rate: float, minimum: int = 0) -> pd.Series:
    """One-character edits in ``rate`` of the non-empty values."""
    present = values.notna().to_numpy() & (values.fillna("").str.len() >= 3).to_numpy()
    sel = _mask(rng, len(values), rate, minimum, present)
    if not sel.any():
        return values
    k = int(sel.sum())
    ops, pos, chars = rng.integers(0, 4, k), rng.random(k), rng.random(k)
    out = values.copy()
    out[sel] = [_one_edit(t, int(o), float(p), float(c))
                for t, o, p, c in zip(values[sel], ops, pos, chars)]
    return out


def _blank(rng: np.random.Generator, values: pd.Series, rate: float) -> pd.Series:
    """``rate`` of the values set missing (None)."""
    out = values.copy()
    out[rng.random(len(values)) < rate] = None
    return out


def _first_name_variants(rng: np.random.Generator, names: pd.Series, rate: float,
                         minimum: int = 0) -> pd.Series:
    """Compound first names written as Jean Pierre, JP, Jean-P. or Jean in ``rate`` of records."""
    compound = names.fillna("").str.contains("-", regex=False).to_numpy()
    sel = _mask(rng, len(names), rate, minimum, compound)
    if not sel.any():
        return names
    kinds = rng.integers(0, 4, int(sel.sum()))

    def variant(name: str, kind: int) -> str:
        first, second = name.split("-", 1)
        if kind == 0:
            return f"{first} {second}"
        if kind == 1:
            return (first[0] + second[0]).upper()
        if kind == 2:
            return f"{first}-{second[0]}."
        return first

    out = names.copy()
    out[sel] = [variant(n, int(k)) for n, k in zip(names[sel], kinds)]
    return out


def _swap(rng: np.random.Generator, first: pd.Series, last: pd.Series, rate: float,
          minimum: int = 0) -> tuple[pd.Series, pd.Series]:
    """First and last names swapped in ``rate`` of the records."""
    both = (first.notna() & last.notna()).to_numpy()
    sel = _mask(rng, len(first), rate, minimum, both)
    new_first, new_last = first.copy(), last.copy()
    new_first[sel], new_last[sel] = last[sel].to_numpy(), first[sel].to_numpy()
    return new_first, new_last


def _date_strings(days: np.ndarray, style: str) -> pd.Series:
    """datetime64[D] -> 'yyyy-mm-dd' (iso) or 'dd/mm/yyyy' (dmy); NaT -> None."""
    iso = pd.Series(np.datetime_as_string(days.astype("datetime64[D]"), unit="D"), dtype=object)
    out = iso if style == "iso" else iso.str[8:10] + "/" + iso.str[5:7] + "/" + iso.str[0:4]
    out[np.isnat(days)] = None
    return out


def _datetime_strings(seconds: np.ndarray, sep: str = "T") -> pd.Series:
    out = pd.Series(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), dtype=object)
    if sep != "T":
        out = out.str.replace("T", sep, regex=False)
    out[np.isnat(seconds)] = None
    return out


def _random_days(rng: np.random.Generator, start: np.ndarray | np.datetime64,
                 end: np.datetime64, n: int) -> np.ndarray:
    """Uniform random days between ``start`` (per row or scalar) and ``end``."""
    start = np.broadcast_to(np.asarray(start, dtype="datetime64[D]"), (n,))
    span = np.maximum((end - start).astype(np.int64), 0)
    return start + (rng.random(n) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


def _with_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Add a daytime (07:00-23:00) to dates, as datetime64[s]."""
    secs = rng.integers(7 * 3600, 23 * 3600, len(days)).astype("timedelta64[s]")
    return days.astype("datetime64[s]") + secs


def _phone_strings(rng: np.random.Generator, national: pd.Series, styles: dict[str, float]) -> pd.Series:
    """Format 9-digit national numbers ('612345678') in per-row styles drawn from ``styles``.

    Styles: spaced '06 12 34 56 78', dotted, dashed, plain '0612345678', no_zero '612345678',
    intl_spaced '+33 6 12 34 56 78', intl_plain '+33612345678', e164_digits '33612345678'.
    """
    names = list(styles)
    choice = _weighted(rng, names, [styles[k] for k in names], len(national))
    out = pd.Series([None] * len(national), dtype=object)
    present = national.notna().to_numpy()
    for name in names:
        sel = (choice == name) & present
        if sel.any():
            out[sel] = _phone_format(national[sel], name)
    return out


def _phone_format(s: pd.Series, style: str) -> pd.Series:
    if style in ("spaced", "dotted", "dashed"):
        sep = {"spaced": " ", "dotted": ".", "dashed": "-"}[style]
        zero = "0" + s
        return (zero.str[0:2] + sep + zero.str[2:4] + sep + zero.str[4:6] + sep + zero.str[6:8]
                + sep + zero.str[8:10])
    if style == "intl_spaced":
        return ("+33 " + s.str[0] + " " + s.str[1:3] + " " + s.str[3:5] + " " + s.str[5:7] + " "
                + s.str[7:9])
    prefix = {"plain": "0", "no_zero": "", "intl_plain": "+33", "e164_digits": "33"}[style]
    return prefix + s


def _civility(rng: np.random.Generator, sex: np.ndarray, male: dict[str, float],
              female: dict[str, float]) -> pd.Series:
    out = pd.Series(_weighted(rng, list(male), list(male.values()), len(sex)), dtype=object)
    fem = sex == "F"
    out[fem] = _weighted(rng, list(female), list(female.values()), int(fem.sum()))
    return out


# ---------------------------------------------------------------------------------------------
# Sizes and membership
# ---------------------------------------------------------------------------------------------
def source_sizes(n_records: int) -> dict[str, int]:
    """Records per source for ``n_records`` in total (shares of :data:`SOURCE_SHARES`).

    The rounding remainder goes to the largest source so the sizes always add up exactly.

    Examples:
        >>> source_sizes(1000)
        {'crm': 350, 'ecommerce': 300, 'fidelite': 200, 'facturation': 100, 'service_client': 50}
    """
    _check_n_records(n_records)
    sizes = {name: int(round(n_records * share)) for name, share in SOURCE_SHARES.items()}
    sizes["crm"] += n_records - sum(sizes.values())
    return sizes


def _check_n_records(n_records: int) -> None:
    if isinstance(n_records, bool) or not isinstance(n_records, (int, np.integer)):
        raise ValueError(f"n_records must be an integer between {MIN_RECORDS:,} and "
                         f"{MAX_RECORDS:,}; got {n_records!r}")
    if not MIN_RECORDS <= n_records <= MAX_RECORDS:
        raise ValueError(f"n_records must be between {MIN_RECORDS:,} and {MAX_RECORDS:,} "
                         f"(total records over all sources); got {n_records:,}")


def _membership(rng: np.random.Generator, sizes: dict[str, int]) -> tuple[dict[str, np.ndarray], int]:
    """Person index of every record of every source, and the number of persons.

    Each source takes part of its persons from those already in earlier sources (never more than
    four sources per person) and the rest new; then a few persons get a second record (within-source
    duplicates). Records are shuffled.
    """
    total = sum(sizes.values())
    n_sources = np.zeros(total, dtype=np.int64)
    n_persons = 0
    records: dict[str, np.ndarray] = {}
    for name, size in sizes.items():
        n_dup = int(round(size * _DUPLICATE_RATE[name]))
        distinct = size - n_dup
        eligible = np.flatnonzero(n_sources[:n_persons] < _MAX_SOURCES_PER_PERSON)
        n_old = min(int(round(distinct * _OVERLAP_RATE[name])), len(eligible))
        old = rng.choice(eligible, size=n_old, replace=False) if n_old else np.empty(0, np.int64)
        new = np.arange(n_persons, n_persons + distinct - n_old)
        n_persons += len(new)
        members = np.concatenate([old, new])
        n_sources[members] += 1
        dups = rng.choice(members, size=n_dup, replace=False)
        records[name] = rng.permutation(np.concatenate([members, dups]))
    return records, n_persons


# ---------------------------------------------------------------------------------------------
# The population: persons in households
# ---------------------------------------------------------------------------------------------
@dataclass
class _Population:
    """Canonical attributes of every person (numpy arrays indexed by person)."""

    household: np.ndarray
    sex: np.ndarray
    first_name: np.ndarray
    last_name: np.ndarray        # usage name (married name when it applies)
    birth_name: np.ndarray
    birth_date: np.ndarray       # datetime64[D]
    email: np.ndarray
    family_email: np.ndarray     # household e-mail shared by its members, or None
    mobile: np.ndarray           # 9-digit national number or None
    landline: np.ndarray         # household landline, 9 digits, or None
    address: dict[str, np.ndarray]       # current address: num, suffix, type, street, postcode, city
    old_address: dict[str, np.ndarray]   # previous address (same as current unless moved)
    moved: np.ndarray

    def __len__(self) -> int:
        return len(self.sex)


def _household_sizes(rng: np.random.Generator, n_persons: int) -> np.ndarray:
    sizes = rng.choice([1, 2, 3, 4, 5], size=n_persons // 2 + 10, p=[0.36, 0.33, 0.14, 0.11, 0.06])
    cum = np.cumsum(sizes)
    last = int(np.searchsorted(cum, n_persons))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= int(cum[last]) - n_persons
    return sizes


def _ascii_token(values: pd.Series) -> pd.Series:
    """Lower-case ASCII, apostrophes and spaces removed: for e-mail local parts."""
    uniques = pd.unique(values.dropna())          # few distinct names: transform each once
    tokens = {u: unidecode(u).lower().replace("'", "").replace(" ", "") for u in uniques}
    return values.map(tokens)


def _emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray,
            birth_date: np.ndarray) -> np.ndarray:
    n = len(first)
    fn, ln = _ascii_token(_str(first)), _ascii_token(_str(last))
    year = pd.Series(birth_date.astype("datetime64[Y]").astype(int) + 1970).astype(str)
    digits = pd.Series(rng.integers(1, 100, n)).astype(str)
    patterns = [lambda f, l, y, d: f + "." + l, lambda f, l, y, d: f.str[0] + l,
                lambda f, l, y, d: f + "_" + l, lambda f, l, y, d: f + l,
                lambda f, l, y, d: f + "." + l + y.str[2:], lambda f, l, y, d: l + "." + f,
                lambda f, l, y, d: f + y, lambda f, l, y, d: f + "." + l + d]
    which = rng.choice(len(patterns), size=n, p=[0.34, 0.14, 0.06, 0.08, 0.12, 0.06, 0.08, 0.12])
    local = pd.Series([None] * n, dtype=object)
    for k, pattern in enumerate(patterns):
        sel = which == k
        local[sel] = pattern(fn[sel], ln[sel], year[sel], digits[sel])
    domain = pd.Series(_weighted(rng, [d for d, _ in _EMAIL_DOMAINS], [w for _, w in _EMAIL_DOMAINS], n))
    emails = local + "@" + domain
    # E-mail addresses are personal: make them unique by numbering repeats.
    for _ in range(10):
        codes = pd.factorize(emails)[0]                    # no sort of strings: fast
        rank = pd.Series(codes).groupby(codes, sort=False).cumcount()
        if not (rank > 0).any():
            break
        sel = rank > 0
        emails[sel] = local[sel] + (rank[sel] + 1).astype(str) + "@" + domain[sel]
        local[sel] = local[sel] + (rank[sel] + 1).astype(str)
    return emails.to_numpy(dtype=object)


def _landline_zone(postcodes: np.ndarray) -> np.ndarray:
    pc = _str(postcodes)
    zone = pc.str[:2].map(_LANDLINE_ZONE).fillna("9")
    dom = pc.str[:3].map(_DOM_LANDLINE)
    return np.where(dom.notna(), dom, zone).astype(object)


def _allocated(national: pd.Series) -> pd.Series:
    """Which 9-digit French national numbers (without the leading 0) are in allocated ranges."""
    from rcu_kit.values.phones import normalise_phones

    return normalise_phones("0" + national.reset_index(drop=True)).notna()


def _unique_numbers(rng: np.random.Generator, n: int, digits: int) -> pd.Series:
    numbers = rng.choice(10 ** digits, size=n, replace=False)
    return pd.Series(numbers).astype(str).str.zfill(digits)


def _addresses(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    res = _resources()
    communes = res["communes"]
    commune = rng.choice(len(communes), size=n, p=(communes["weight"] / communes["weight"].sum()).to_numpy())
    suffix = _weighted(rng, ["", "bis", "ter"], [0.95, 0.04, 0.01], n)
    types = list(_STREET_TYPES)
    return {
        "num": np.minimum(rng.geometric(1 / 30, n), 250).astype(str).astype(object),
        "suffix": suffix,
        "type": _weighted(rng, types, [_STREET_TYPES[t][0] for t in types], n),
        "street": _weighted(rng, res["streets"]["street_name"], res["streets"]["weight"], n),
        "postcode": communes["postcode"].to_numpy(dtype=object)[commune],
        "city": communes["city"].to_numpy(dtype=object)[commune],
    }


def _bounded_normal(rng: np.random.Generator, mean: float, sd: float, low: float, high: float,
                    n: int) -> np.ndarray:
    """Normal draws; those outside [low, high] are redrawn uniformly in [low, high]."""
    values = rng.normal(mean, sd, n)
    out = (values < low) | (values > high)
    values[out] = rng.uniform(low, high, int(out.sum()))
    return values


def _population(rng: np.random.Generator, n_persons: int, k: _Corruption) -> _Population:
    res = _resources()
    sizes = _household_sizes(rng, n_persons)
    n_households = len(sizes)
    household = np.repeat(np.arange(n_households), sizes)
    starts = np.cumsum(sizes) - sizes
    role = np.arange(n_persons) - starts[household]          # 0 head, 1 partner, 2+ children
    hsize = sizes[household]

    # Sex: couples are a man and a woman, singles and children either.
    sex = np.where(rng.random(n_persons) < 0.52, "F", "M").astype(object)
    sex[(role == 0) & (hsize >= 2)] = "M"
    sex[role == 1] = "F"

    # Ages: heads by household size, partners close to the head, adult children 22-36 years younger.
    # (Out-of-range draws are redrawn uniformly, not clipped: clipping would pile people up on one
    # birth date.)
    head_age = np.where(sizes >= 3, _bounded_normal(rng, 54, 8, 42, 85, n_households),
                        _bounded_normal(rng, 50, 17, 19, 95, n_households))
    age = head_age[household].copy()
    partners = role == 1
    age[partners] = age[partners] + rng.normal(-2, 3, int(partners.sum()))
    young = partners & (age < 19)
    age[young] = rng.uniform(19, 30, int(young.sum()))
    kids = role >= 2
    age[kids] = age[kids] - rng.uniform(22, 36, int(kids.sum()))
    minor = kids & (age < 18)
    age[minor] = rng.uniform(18, 25, int(minor.sum()))
    birth_date = REFERENCE_DATE - (age * 365.25).astype(np.int64).astype("timedelta64[D]")

    # First names by sex and generation: frequency weighted by closeness of the birth year to
    # the name's peak year (no Kylian born in 1940, few Germaine born in 1990).
    first = res["first"]
    first_name = np.empty(n_persons, dtype=object)
    band = (birth_date.astype("datetime64[Y]").astype(np.int64) + 1970) // 5 * 5
    for s in ("M", "F"):
        pool = first[first["sex"] == s]
        peak = pool["peak_year"].astype(float).to_numpy()
        for year in np.unique(band[sex == s]):
            sel = (sex == s) & (band == year)
            closeness = np.exp(-0.5 * ((year + 2.5 - peak) / _FIRST_NAME_SPREAD_YEARS) ** 2)
            first_name[sel] = _weighted(rng, pool["first_name"], pool["weight"].to_numpy() * closeness,
                                        int(sel.sum()))

    # Surnames: one per household; partners keep their birth name, most take the household's.
    last = res["last"]
    hh_surname = _weighted(rng, last["last_name"], last["weight"], n_households)
    own_surname = _weighted(rng, last["last_name"], last["weight"], n_persons)
    last_name = hh_surname[household].copy()
    birth_name = last_name.copy()
    partner = role == 1
    married = partner & (rng.random(n_persons) < 0.75)
    birth_name[partner] = own_surname[partner]
    last_name[partner & ~married] = own_surname[partner & ~married]
    # Women living alone past 35: many carry a married name (widowed, divorced, spouse elsewhere).
    single_married = (role == 0) & (hsize == 1) & (sex == "F") & (age > 35) & (rng.random(n_persons) < 0.45)
    birth_name[single_married] = own_surname[single_married]

    # Father and son with the same first name at the same address.
    son = kids & (sex == "M")
    first_son = son & ~pd.Series(household).where(son).duplicated().to_numpy()
    junior = _mask(rng, n_persons, k.rate("households", 0.06),
                   k.count("households", max(2, n_persons // 2000)), first_son)
    head_index = starts[household]
    first_name[junior] = first_name[head_index[junior]]

    # Homonyms: several distinct Jean MARTIN living alone in Paris.
    address_h = _addresses(rng, n_households)
    alone_men = (role == 0) & (hsize == 1) & (sex == "M") & (age < 80)
    homonym = _mask(rng, n_persons, 0.0, k.count("homonyms", max(5, n_persons // 1000)), alone_men)
    first_name[homonym] = "Jean"
    last_name[homonym] = "Martin"
    birth_name[homonym] = "Martin"
    paris = [pc for pc in res["communes"]["postcode"] if pc.startswith("75")]
    hh_homonym = household[homonym]
    address_h["postcode"][hh_homonym] = _weighted(rng, paris, np.ones(len(paris)), len(hh_homonym))
    address_h["city"][hh_homonym] = "Paris"

    # People who moved: the whole household, to another commune.
    moved_h = rng.random(n_households) < k.rate("moves", 0.08)
    moved_h[hh_homonym] = False
    new_h = _addresses(rng, n_households)
    old_h = {k: v.copy() for k, v in address_h.items()}
    current_h = {k: np.where(moved_h, new_h[k], address_h[k]) for k in address_h}

    # Contacts: personal e-mails (unique), a shared family e-mail in some households, mobiles
    # (less common among the elderly) and a household landline for some.
    email = _emails(rng, first_name, last_name, birth_date)
    family_h = np.full(n_households, None, dtype=object)
    shares = (sizes >= 2) & (rng.random(n_households) < k.rate("households", 0.12))
    fam = np.flatnonzero(shares)
    famille = ("famille." + _ascii_token(_str(hh_surname[fam])) + "@"
               + _str(_weighted(rng, [d for d, _ in _EMAIL_DOMAINS], [w for _, w in _EMAIL_DOMAINS],
                                len(fam))))
    use_head = rng.random(len(fam)) < 0.5
    family_h[fam] = np.where(use_head, email[starts[fam]], famille.to_numpy(dtype=object))
    has_mobile = rng.random(n_persons) < np.where(age < 65, 0.96, 0.7)
    # Draw from a larger pool of unique numbers and keep the first ones in allocated ranges
    # (0691, 070-072... are not allocated: real extracts hold real numbers).
    pool = int(n_persons * 1.3) + 50
    candidates = pd.Series(_weighted(rng, ["6", "7"], [0.8, 0.2], pool)) + _unique_numbers(rng, pool, 8)
    valid = _allocated(candidates)
    if valid.sum() < n_persons:  # pragma: no cover - 1.3x margin for ~94 % allocated numbers
        raise RuntimeError("demo: not enough allocated mobile numbers drawn; raise the pool size")
    mobile = candidates[valid].iloc[:n_persons].to_numpy(dtype=object)
    mobile[~has_mobile] = None
    zone = pd.Series(_landline_zone(current_h["postcode"]))
    line_digits = _unique_numbers(rng, n_households, 8)

    def landlines(digits: pd.Series) -> pd.Series:
        return pd.Series(np.where(zone.str.len() == 3, zone + digits.str[2:], zone + digits))

    landline = landlines(line_digits)
    for _ in range(50):  # redraw the few numbers outside allocated ranges (deterministic: seeded)
        bad = ~_allocated(landline)
        if not bad.any():
            break
        redraw = pd.Series(rng.integers(0, 10 ** 8, int(bad.sum()))).astype(str).str.zfill(8)
        line_digits = line_digits.copy()
        line_digits[bad.to_numpy()] = redraw.to_numpy()
        landline = landlines(line_digits)
    landline_h = landline.to_numpy(dtype=object)
    has_line = rng.random(n_households) < np.where(head_age > 60, 0.75, 0.35)
    has_line |= np.isin(np.arange(n_households), household[~has_mobile])  # no mobile: a landline
    landline_h[~has_line] = None

    return _Population(
        household=household, sex=sex, first_name=first_name, last_name=last_name,
        birth_name=birth_name, birth_date=birth_date, email=email,
        family_email=family_h[household], mobile=mobile, landline=landline_h[household],
        address={k: v[household] for k, v in current_h.items()},
        old_address={k: v[household] for k, v in old_h.items()},
        moved=moved_h[household],
    )


# ---------------------------------------------------------------------------------------------
# Records: what one source knows about its persons
# ---------------------------------------------------------------------------------------------
@dataclass
class _Records:
    """Canonical values for each record of one source, before the source's own conventions."""

    person: np.ndarray
    duplicate: np.ndarray        # a second (or later) record of a person in this source
    sex: np.ndarray
    first_name: pd.Series
    last_name: pd.Series
    birth_name: pd.Series
    birth_date: np.ndarray
    email: pd.Series
    mobile: pd.Series
    landline: pd.Series
    address: dict[str, pd.Series]
    married: np.ndarray          # usage name differs from birth name

    def __len__(self) -> int:
        return len(self.person)


def _records(rng: np.random.Generator, pop: _Population, person: np.ndarray, source: str) -> _Records:
    n = len(person)
    duplicate = pd.Series(person).duplicated().to_numpy()
    old = pop.moved[person] & (rng.random(n) < _OLD_ADDRESS_RATE[source])
    address = {k: _str(np.where(old, pop.old_address[k][person], pop.address[k][person]))
               for k in pop.address}
    email = _str(pop.email[person])
    family = _str(pop.family_email[person])
    use_family = family.notna().to_numpy() & (rng.random(n) < _FAMILY_EMAIL_RATE[source])
    email[use_family] = family[use_family]
    # A duplicate record is often a second account opened with another address (always, on a site
    # where the e-mail is the login).
    other = duplicate & (rng.random(n) < _OTHER_EMAIL_RATE[source])
    if other.any():
        k = int(other.sum())
        local = email[other].str.split("@").str[0] + _str(rng.integers(10, 100, k).astype(str)).to_numpy()
        domains = _weighted(rng, [d for d, _ in _EMAIL_DOMAINS], [w for _, w in _EMAIL_DOMAINS], k)
        email[other] = local + "@" + domains
    last, birth = _str(pop.last_name[person]), _str(pop.birth_name[person])
    return _Records(person=person, duplicate=duplicate, sex=pop.sex[person],
                    first_name=_str(pop.first_name[person]), last_name=last, birth_name=birth,
                    birth_date=pop.birth_date[person], email=email, mobile=_str(pop.mobile[person]),
                    landline=_str(pop.landline[person]), address=address,
                    married=(last != birth).to_numpy())


def _street_line(rng: np.random.Generator, addr: dict[str, pd.Series], abbreviate: float,
                 minimum: int = 0) -> pd.Series:
    """'12 bis rue Victor Hugo' with bis/ter and street-type spelling variants."""
    n = len(addr["num"])
    suffix = addr["suffix"]
    style = rng.integers(0, 3, n)      # '12 bis', '12bis', '12 B'
    short = suffix.str[0].str.upper()
    suffix_text = pd.Series(np.where(style == 0, " " + suffix, np.where(style == 1, suffix, " " + short)),
                            dtype=object)
    suffix_text[(suffix == "").to_numpy()] = ""
    stype = addr["type"].copy()
    sel = _mask(rng, n, abbreviate, minimum)
    if sel.any():
        picks = rng.random(int(sel.sum()))
        stype[sel] = [_STREET_TYPES[t][1][int(p * len(_STREET_TYPES[t][1]))]
                      for t, p in zip(stype[sel], picks)]
    return addr["num"] + suffix_text + " " + stype + " " + addr["street"]


def _city_variants(rng: np.random.Generator, city: pd.Series, postcode: pd.Series,
                   saint_rate: float, arrondissement_rate: float, cedex_rate: float,
                   minimum_cedex: int = 0) -> pd.Series:
    """Saint -> St, 'Paris 15e' / 'PARIS 15', 'Nantes CEDEX 1'."""
    n = len(city)
    out = city.copy()
    saint = _mask(rng, n, saint_rate, 0, city.str.startswith("Saint").to_numpy())
    out[saint] = city[saint].str.replace("Saint-", "St ", regex=False).str.replace("Saint", "St", regex=False)
    paris = (city == "Paris").to_numpy() & postcode.str.startswith("75").to_numpy()
    arr = _mask(rng, n, arrondissement_rate, 0, paris)
    number = postcode[arr].str[3:5].astype(int)
    number = number.where(postcode[arr] != "75116", 16)
    ordinal = np.where(number == 1, "1er", number.astype(str) + "e")
    out[arr] = "Paris " + pd.Series(ordinal, index=out[arr].index)
    cedex = _mask(rng, n, cedex_rate, minimum_cedex)
    numbers = rng.integers(1, 10, int(cedex.sum()))
    out[cedex] = out[cedex] + np.where(numbers < 5, " CEDEX", " CEDEX " + numbers.astype(str))
    return out


def _adult_since(rec: _Records, start: str) -> np.ndarray:
    """Per record: ``start``, or the person's 18th birthday when later (no account before 18)."""
    adult = rec.birth_date + np.timedelta64(18 * 365 + 5, "D")
    return np.maximum(np.datetime64(start), adult)


def _ids(rng: np.random.Generator, n: int, low: int, high: int, order_by: np.ndarray | None = None
         ) -> np.ndarray:
    """n distinct integers in [low, high), increasing with ``order_by`` (creation dates) if given."""
    ids = np.sort(rng.choice(high - low, size=n, replace=False) + low)
    if order_by is None:
        return ids
    out = np.empty(n, dtype=ids.dtype)
    out[np.argsort(order_by, kind="stable")] = ids
    return out


# ---------------------------------------------------------------------------------------------
# The five sources
# ---------------------------------------------------------------------------------------------
def _crm(rng: np.random.Generator, rec: _Records, k: _Corruption) -> pd.DataFrame:
    n = len(rec)
    first = _typos(rng, _first_name_variants(rng, rec.first_name, k.rate("nicknames", 0.3), 2), 0.015, 1)
    last = _typos(rng, rec.last_name, 0.02, 1)
    last = _apply_case(last, _weighted(rng, [0, 1, 4], [0.75, 0.2, 0.05], n))
    first, last = _swap(rng, first, last, 0.01, 1)
    birth = rec.birth_name.copy()                       # birth name: sparsely filled, married only
    birth[~(rec.married & (rng.random(n) < 0.4))] = None
    birth_date = rec.birth_date.copy()
    birth_date[rng.random(n) < k.rate("missing", 0.2)] = np.datetime64("NaT")
    birth_date[_mask(rng, n, 0.004, 1)] = np.datetime64("1900-01-01")   # placeholder date
    use_line = rec.landline.notna().to_numpy() & (rec.mobile.isna().to_numpy() | (rng.random(n) < k.rate("households", 0.15)))
    phone = rec.mobile.where(~use_line, rec.landline)
    phone = _phone_strings(rng, phone, {"spaced": 0.8, "plain": 0.1, "dotted": 0.05, "intl_spaced": 0.05})
    created = _random_days(rng, _adult_since(rec, "2008-01-01"), np.datetime64("2024-06-30"), n)
    dup = rec.duplicate                                 # second accounts are recent
    created[dup] = _random_days(rng, _adult_since(rec, "2020-01-01")[dup], REFERENCE_DATE, int(dup.sum()))
    modified = _random_days(rng, created, REFERENCE_DATE, n)
    postcode = rec.address["postcode"]
    frame = pd.DataFrame({
        "id_client": pd.Series(_ids(rng, n, 100_000, 100_000 + 6 * n, created)).map("CLI{:07d}".format),
        "civilite": _blank(rng, _civility(rng, rec.sex, {"M.": 0.6, "M": 0.12, "Monsieur": 0.18, "MR": 0.1},
                                          {"Mme": 0.6, "MME": 0.12, "Madame": 0.18, "Mlle": 0.1}),
                            k.rate("missing", 0.04)),
        "nom": last,
        "nom_naissance": birth,
        "prenom": first,
        "date_naissance": _date_strings(birth_date, "iso"),
        "email": _blank(rng, _typos(rng, rec.email, 0.01, 1), k.rate("missing", 0.12)),
        "telephone": _blank(rng, phone, k.rate("missing", 0.08)),
        "adresse": _blank(rng, _typos(rng, _street_line(rng, rec.address, 0.25, 1), 0.01, 1), k.rate("missing", 0.03)),
        "code_postal": _blank(rng, postcode, k.rate("missing", 0.02)),
        "ville": _city_variants(rng, rec.address["city"], postcode, 0.3, 0.3, 0.005, 1),
        "pays": _blank(rng, _str(_weighted(rng, ["France", "FRANCE", "FR"], [0.8, 0.15, 0.05], n)), k.rate("missing", 0.1)),
        "optin_email": _str(np.where(rng.random(n) < 0.55, "oui", "non")),
        "date_creation": _date_strings(created, "iso"),
        "date_modification": _date_strings(modified, "iso"),
    })
    return frame


def _ecommerce(rng: np.random.Generator, rec: _Records, k: _Corruption) -> pd.DataFrame:
    n = len(rec)
    first = _typos(rng, _first_name_variants(rng, rec.first_name, k.rate("nicknames", 0.15)), 0.01, 1)
    last = rec.last_name.where(~(rec.married & (rng.random(n) < k.rate("surname_changes", 0.1))),
                                rec.birth_name)
    last = _typos(rng, last, 0.015, 1)
    typed = _weighted(rng, [0, 3, 1, 4], [0.72, 0.15, 0.08, 0.05], n)   # as typed by the customer
    first, last = _apply_case(first, typed), _apply_case(last, typed)
    first, last = _swap(rng, first, last, 0.02, 1)
    birth_date = rec.birth_date.copy()
    birth_date[rng.random(n) < k.rate("missing", 0.45)] = np.datetime64("NaT")
    phone = _phone_strings(rng, rec.mobile.where(rec.mobile.notna(), rec.landline),
                           {"intl_spaced": 0.75, "intl_plain": 0.1, "spaced": 0.1, "plain": 0.05})
    created = _random_days(rng, _adult_since(rec, "2012-03-01"), np.datetime64("2024-11-30"), n)
    created = _with_time(rng, created)
    span = (REFERENCE_DATE.astype("datetime64[s]") + np.timedelta64(86399, "s") - created).astype(np.int64)
    last_order = created + (rng.random(n) * span).astype(np.int64).astype("timedelta64[s]")
    last_order[rng.random(n) < 0.18] = np.datetime64("NaT")                # account never used
    city = _apply_case(_city_variants(rng, rec.address["city"], rec.address["postcode"], 0.2, 0.1, 0.0),
                       typed)
    zip_code = rec.address["postcode"].copy()
    spaced = _mask(rng, n, 0.01, 1)
    zip_code[spaced] = zip_code[spaced].str[:2] + " " + zip_code[spaced].str[2:]
    frame = pd.DataFrame({
        "customer_id": _ids(rng, n, 250_000, 250_000 + 4 * n, created).astype(np.int64),
        "email": _typos(rng, rec.email, 0.005, 1).str.lower(),
        "first_name": first,
        "last_name": last,
        "birthdate": _date_strings(birth_date, "iso"),
        "phone": _blank(rng, phone, k.rate("missing", 0.2)),
        "street": _apply_case(_street_line(rng, rec.address, 0.2, 1), typed),
        "zip": zip_code,
        "city": city,
        "country_code": _str(_weighted(rng, ["FR", "fr", "FRA"], [0.95, 0.03, 0.02], n)),
        "newsletter": rng.random(n) < 0.4,
        "created_at": _datetime_strings(created),
        "last_order_at": _datetime_strings(last_order),
    })
    return frame


def _fidelite(rng: np.random.Generator, rec: _Records, k: _Corruption) -> pd.DataFrame:
    n = len(rec)
    # Cards taken before the wedding keep the birth name.
    last = rec.last_name.where(~(rec.married & (rng.random(n) < k.rate("surname_changes", 0.25))),
                                rec.birth_name)
    last = _apply_case(_typos(rng, last, 0.02, 1), np.full(n, 2))          # UPPER, no accents
    last = last.str.replace("'", " ", regex=False).where(rng.random(n) < 0.5, last)
    first = _first_name_variants(rng, rec.first_name, k.rate("nicknames", 0.35), 2)
    first = _apply_case(_typos(rng, first, 0.015, 1), _weighted(rng, [1, 2], [0.7, 0.3], n))
    first = first.str.replace("-", " ", regex=False).where(rng.random(n) < 0.5, first)
    birth_date = rec.birth_date.copy()
    birth_date[rng.random(n) < k.rate("missing", 0.15)] = np.datetime64("NaT")
    phone = _phone_strings(rng, rec.mobile.where(rec.mobile.notna(), rec.landline),
                           {"plain": 0.95, "no_zero": 0.05})
    joined = _random_days(rng, _adult_since(rec, "2003-01-01"), np.datetime64("2024-10-31"), n)
    last_purchase = _random_days(rng, joined, REFERENCE_DATE, n)
    last_purchase[rng.random(n) < 0.1] = np.datetime64("NaT")
    street = _apply_case(_typos(rng, _street_line(rng, rec.address, 0.4, 1), 0.015, 1), np.full(n, 2))
    city = _apply_case(_city_variants(rng, rec.address["city"], rec.address["postcode"], 0.3, 0.4, 0.0),
                       _weighted(rng, [1, 2], [0.6, 0.4], n))
    card = pd.Series(_ids(rng, n, 10 ** 8, 10 ** 9, joined)).map("2900{:09d}".format)
    frame = pd.DataFrame({
        "NUM_CARTE": card,
        "CIVILITE": _blank(rng, _civility(rng, rec.sex, {"M": 0.85, "MR": 0.15}, {"MME": 0.85, "MLLE": 0.15}), k.rate("missing", 0.02)),
        "NOM": last,
        "PRENOM": first,
        "DATE_NAISS": _date_strings(birth_date, "dmy"),
        "TEL": _blank(rng, phone, k.rate("missing", 0.1)),
        "EMAIL": _blank(rng, rec.email.str.upper().where(rng.random(n) < 0.3, rec.email), k.rate("missing", 0.35)),
        "ADRESSE": _blank(rng, street, k.rate("missing", 0.02)),
        "CP": rec.address["postcode"],
        "VILLE": city,
        "DATE_ADHESION": _date_strings(joined, "dmy"),
        "DERNIER_ACHAT": _date_strings(last_purchase, "dmy"),
    })
    return frame


def _facturation(rng: np.random.Generator, rec: _Records, k: _Corruption) -> pd.DataFrame:
    n = len(rec)
    last = _typos(rng, rec.last_name, 0.015, 1)
    first = _typos(rng, _first_name_variants(rng, rec.first_name, k.rate("nicknames", 0.2), 1), 0.01)
    upper_last = last.str.upper()
    # Legacy ERP apostrophe: N'DIAYE written with the typographic ’ (cp1252 0x92).
    curly = rng.random(n) < 0.5
    upper_last = upper_last.where(~curly, upper_last.str.replace("'", "\u2019", regex=False))
    natural = _mask(rng, n, 0.15, 1)                                       # 'Jean Dupont'
    full = upper_last + " " + first
    full[natural] = first[natural] + " " + last[natural]
    cp = rec.address["postcode"].str.replace(" ", "", regex=False)
    cp_int = pd.to_numeric(cp, errors="raise").astype("int64")             # leading zero lost
    phone = _phone_strings(rng, rec.landline.where(rec.landline.notna() & (rng.random(n) < 0.5), rec.mobile),
                           {"e164_digits": 0.9, "plain": 0.1})
    invoice = _random_days(rng, _adult_since(rec, "2019-01-01"), REFERENCE_DATE, n)
    street = _apply_case(_street_line(rng, rec.address, 0.35, 1), np.full(n, 1))
    city = _city_variants(rng, rec.address["city"], rec.address["postcode"], 0.3, 0.2, 0.02, 1).str.upper()
    frame = pd.DataFrame({
        "CODE_TIERS": pd.Series(_ids(rng, n, 1, 10 * n + 1)).map("C{:07d}".format),
        "NOM_COMPLET": full,
        "ADRESSE_1": _blank(rng, street, k.rate("missing", 0.01)),
        "CP": cp_int,
        "VILLE": city,
        "TELEPHONE": _blank(rng, phone, k.rate("missing", 0.3)),
        "MAIL": _blank(rng, rec.email, k.rate("missing", 0.4)),
        "DATE_DERNIERE_FACTURE": _date_strings(invoice, "dmy"),
    })
    return frame


def _service_client(rng: np.random.Generator, rec: _Records, k: _Corruption) -> pd.DataFrame:
    n = len(rec)
    last = rec.last_name.where(~(rec.married & (rng.random(n) < k.rate("surname_changes", 0.1))),
                                rec.birth_name)
    last = _apply_case(_typos(rng, last, 0.04, 1), _weighted(rng, [0, 1, 2], [0.4, 0.4, 0.2], n))
    first = _typos(rng, _first_name_variants(rng, rec.first_name, k.rate("nicknames", 0.3), 1), 0.03, 1)
    first, last = _swap(rng, first, last, 0.02, 1)
    # The agent sometimes types the landline in the mobile field.
    phone = rec.mobile.where(~(rec.landline.notna().to_numpy() & (rng.random(n) < k.rate("households", 0.08))), rec.landline)
    phone = _phone_strings(rng, phone, {"spaced": 0.4, "plain": 0.4, "dashed": 0.1, "intl_plain": 0.1})
    called = _with_time(rng, _random_days(rng, _adult_since(rec, "2020-01-01"), REFERENCE_DATE, n))
    # Contacts are numbered in call order, as an auto-increment key would.
    contact_id = np.empty(n, dtype=np.int64)
    contact_id[np.argsort(called, kind="stable")] = np.arange(1, n + 1)
    return pd.DataFrame({
        "contact_id": contact_id,
        "nom": last,
        "prenom": _blank(rng, first, k.rate("missing", 0.03)),
        "tel_portable": _blank(rng, phone, k.rate("missing", 0.1)),
        "courriel": _blank(rng, _typos(rng, rec.email, 0.03, 1), k.rate("missing", 0.3)),
        "code_postal": _blank(rng, rec.address["postcode"], k.rate("missing", 0.2)),
        "date_dernier_appel": _datetime_strings(called, " "),
    })


_BUILDERS = {"crm": _crm, "ecommerce": _ecommerce, "fidelite": _fidelite,
             "facturation": _facturation, "service_client": _service_client}


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def _write_source(name: str, frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if name == "crm":
        frame.to_csv(path, index=False, sep=",", encoding="utf-8", lineterminator="\n")
    elif name == "ecommerce":
        frame.to_parquet(path, index=False, engine="pyarrow", compression="snappy")
    elif name == "fidelite":
        frame.to_csv(path, index=False, sep=";", encoding="latin-1", lineterminator="\r\n")
    elif name == "facturation":
        frame.to_csv(path, index=False, sep="\t", encoding="cp1252", lineterminator="\r\n")
    elif name == "service_client":
        if path.exists():
            path.unlink()
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE contacts (contact_id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, "
                        "tel_portable TEXT, courriel TEXT, code_postal TEXT, date_dernier_appel TEXT)")
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            con.executemany("INSERT INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        con.close()
    else:  # pragma: no cover - the builders and writers are declared together
        raise KeyError(name)


def demo_mapping() -> dict[str, list[MappingEntry]]:
    """The validated mapping of the demo sources: every column but the id, to its attribute.

    This is the answer key for the mapping suggester.

    Examples:
        >>> [(e.column, e.attribute, e.transform) for e in demo_mapping()["facturation"]][:2]
        [('NOM_COMPLET', 'full_name', 'split_full_name'), ('ADRESSE_1', 'street', None)]
    """
    def m(column: str, attribute: str, transform: str | None = None) -> MappingEntry:
        return MappingEntry(column=column, attribute=attribute, transform=transform, validated=True)

    dmy = "parse_date_dmy"
    return {
        "crm": [m("civilite", "civility"), m("nom", "last_name"), m("nom_naissance", "birth_name"),
                m("prenom", "first_name"), m("date_naissance", "birth_date"), m("email", "email"),
                m("telephone", "phone"), m("adresse", "street"), m("code_postal", "postcode"),
                m("ville", "city"), m("pays", "country"), m("optin_email", "email_optin"),
                m("date_creation", "created_at"), m("date_modification", "last_activity_at")],
        "ecommerce": [m("email", "email"), m("first_name", "first_name"), m("last_name", "last_name"),
                      m("birthdate", "birth_date"), m("phone", "phone"), m("street", "street"),
                      m("zip", "postcode"), m("city", "city"), m("country_code", "country"),
                      m("newsletter", "email_optin"), m("created_at", "created_at"),
                      m("last_order_at", "last_activity_at")],
        "fidelite": [m("CIVILITE", "civility"), m("NOM", "last_name"), m("PRENOM", "first_name"),
                     m("DATE_NAISS", "birth_date", dmy), m("TEL", "phone"), m("EMAIL", "email"),
                     m("ADRESSE", "street"), m("CP", "postcode"), m("VILLE", "city"),
                     m("DATE_ADHESION", "created_at", dmy), m("DERNIER_ACHAT", "last_activity_at", dmy)],
        "facturation": [m("NOM_COMPLET", "full_name", "split_full_name"), m("ADRESSE_1", "street"),
                        m("CP", "postcode", "restore_postcode_zero"), m("VILLE", "city"),
                        m("TELEPHONE", "phone"), m("MAIL", "email"),
                        m("DATE_DERNIERE_FACTURE", "last_activity_at", dmy)],
        "service_client": [m("nom", "last_name"), m("prenom", "first_name"), m("tel_portable", "phone"),
                           m("courriel", "email"), m("code_postal", "postcode"),
                           m("date_dernier_appel", "last_activity_at")],
    }


def _sources(sizes: dict[str, int]) -> list[Source]:
    """Inventory of the demo's collection points; volumes scale with the demo's size."""
    def vol(name: str, rate: float, floor: int) -> int:
        return max(floor, int(round(sizes[name] * rate)))

    return [
        Source(name="crm", system="CRM Relation client (Salesforce Sales Cloud)",
               owner="Direction de la relation client", channel="Magasins et service client",
               format="csv", path=_FILES["crm"], id_column="id_client",
               flow="batch", refresh="quotidien (export nocturne)",
               volume_per_period=vol("crm", 0.004, 10), period="day", peak=4 * vol("crm", 0.004, 10)),
        Source(name="ecommerce", system="Site marchand (Magento 2)", owner="Direction e-commerce",
               channel="Site web et application mobile", format="parquet", path=_FILES["ecommerce"],
               id_column="customer_id", flow="real-time",
               refresh="temps réel (web service à chaque création de compte ou commande)",
               volume_per_period=vol("ecommerce", 0.0005, 5), period="hour",
               peak=12 * vol("ecommerce", 0.0005, 5)),
        Source(name="fidelite", system="Programme de fidélité (logiciel de caisse)",
               owner="Direction marketing", channel="Caisses des magasins", format="csv",
               path=_FILES["fidelite"], id_column="NUM_CARTE",
               flow="batch", refresh="hebdomadaire (fichier déposé le lundi)",
               volume_per_period=vol("fidelite", 0.01, 20), period="week",
               peak=3 * vol("fidelite", 0.01, 20)),
        Source(name="facturation", system="ERP facturation (Sage X3, module tiers)",
               owner="Direction administrative et financière", channel="Facturation et comptabilité",
               format="csv", path=_FILES["facturation"], encoding="cp1252", separator="\t",
               id_column="CODE_TIERS", flow="batch", refresh="mensuel (clôture comptable)",
               volume_per_period=vol("facturation", 0.05, 20), period="month",
               peak=2 * vol("facturation", 0.05, 20)),
        Source(name="service_client", system="Centre d'appels (outil de ticketing)",
               owner="Service client", channel="Téléphone et e-mail", format="sql",
               url="sqlite:///" + _FILES["service_client"], table="contacts", id_column="contact_id",
               flow="batch", refresh="quotidien (extraction SQL)",
               volume_per_period=vol("service_client", 0.01, 5), period="day",
               peak=5 * vol("service_client", 0.01, 5)),
    ]


_DEFINITIONS = {
    "customer": "Personne ayant effectué au moins un achat (magasin, site web ou facture) au cours "
                "des 36 derniers mois",
    "prospect": "Personne connue sans achat depuis 36 mois : compte web sans commande, inscrit à la "
                "newsletter, carte de fidélité inactive, contact du service client",
    "target": "Particuliers clients et prospects actifs, en France métropolitaine, Corse et DOM",
}


def _definition_rules() -> dict[str, CustomerRule]:
    """The customer definition as the code applies it: a purchase date (the web order, the
    till, the invoice; not the CRM's update nor the call centre's last call) within 36 months
    of the extracts' date."""
    return {"customer": CustomerRule(
        attribute="last_activity_at", within_months=36,
        sources=["ecommerce", "fidelite", "facturation"],
        reference_date=REFERENCE_DATE.astype(object))}


def _flows() -> list[Flow]:
    """The bridges of the demo's information system, as a scoping workshop would list them."""
    return [
        Flow(name="inscription_web", from_system="Site marchand", to_system="CRM", two_way=True,
             mode="sync", protocol="api", process="Création de compte et commande en ligne",
             volume_per_period=1200, period="day", peak=18000,
             owner="Direction e-commerce", supervision="Alertes API, astreinte de l'intégrateur"),
        Flow(name="tickets_caisse", from_system="Caisses", to_system="CRM", mode="async",
             protocol="file", process="Achats en magasin et cartes de fidélité",
             volume_per_period=45000, period="week", peak=140000, owner="Direction marketing",
             supervision="Contrôle du dépôt le lundi par le service fidélité"),
        Flow(name="clients_facturation", from_system="CRM", to_system="ERP facturation",
             two_way=True, mode="async", protocol="file",
             process="Création des tiers, facturation et relances",
             volume_per_period=9000, period="month", owner="Direction administrative et financière"),
        Flow(name="contacts_sav", from_system="Centre d'appels", to_system="CRM", mode="async",
             protocol="database", process="Historique des contacts du service client",
             volume_per_period=300, period="day", peak=1500, owner="Service client",
             supervision="Rapport d'extraction quotidien"),
        Flow(name="ciblages_emailing", from_system="CRM", to_system="Outil d'emailing",
             mode="async", protocol="file", process="Campagnes et désinscriptions",
             volume_per_period=4, period="month"),
    ]


def _views() -> list[View]:
    """Who receives which golden attributes in the demo, and why (one role says no why)."""
    return [
        View(name="Service client", kind="role",
             attributes=["civility", "last_name", "first_name", "email", "phone", "street",
                         "postcode", "city"],
             purpose="Identifier l'appelant et répondre à sa demande"),
        View(name="Marketing", kind="role",
             attributes=["civility", "first_name", "last_name", "birth_date", "email",
                         "email_optin", "postcode", "last_activity_at"]),
        View(name="Comptabilité clients", kind="role",
             attributes=["last_name", "first_name", "street", "postcode", "city", "country"],
             purpose="Facturer et relancer"),
        View(name="Site marchand", kind="application",
             attributes=["civility", "last_name", "first_name", "email", "phone", "street",
                         "postcode", "city", "country", "email_optin"],
             purpose="Espace client et livraison"),
    ]


def _engagement(sizes: dict[str, int], seed: int, language: str) -> Engagement:
    return Engagement(
        client="Maison Démo", language=language, output_dir="output", seed=seed,
        personal_data=PersonalDataPolicy(show_raw_values=False),
        definitions=dict(_DEFINITIONS), definition_rules=_definition_rules(),
        sources=_sources(sizes), target_model=_target_model(),
        mapping=demo_mapping(), flows=_flows(), views=_views(),
        roadmap={"parallel_projects": [
            # projects beside the RCU that move its bridges, as a scoping workshop lists them
            {"name": "Nouveau prestataire du centre d'appels", "start": "2027-04-05",
             "end": "2027-09-30", "moves": ["Centre d'appels"]},
            {"name": "Remplacement de l'outil d'emailing", "start": "2027-09-06",
             "end": "2028-02-25", "moves": ["Outil d'emailing"]},
        ]},
    )


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------
def generate_demo(out_dir: str | Path, n_records: int = 5000, seed: int = 42,
                  language: str = "fr", progress: bool = False,
                  corruption: dict[str, float] | None = None) -> DemoResult:
    """Write the demo engagement: five source extracts, their ground truth and the engagement YAML.

    Args:
        out_dir: folder to write into (created); extracts go to ``<out_dir>/data/``.
        n_records: total records over all sources, 1,000 to 1,000,000; split 35 / 30 / 20 / 10 / 5 %
            between crm, ecommerce, fidelite, facturation and service_client.
        seed: random seed; the same seed writes byte-identical files.
        language: report language written into the engagement, ``fr`` or ``en``.
        progress: show a progress bar.
        corruption: rate multipliers by knob of :data:`CORRUPTION_KNOBS` (``missing``, ``moves``,
            ``nicknames``, ``surname_changes``, ``households``, ``homonyms``), e.g.
            ``{"moves": 2.0}`` for twice as many people who moved. Knobs left out stay at 1.0;
            ``None`` (default) or all knobs at 1.0 writes exactly the default demo, byte for byte.
            Rates are compared with the same random draws whatever their knob, so ``missing``,
            ``moves``, ``nicknames`` and ``surname_changes`` change the demo of a seed only where
            their rates do; ``households`` and ``homonyms`` also change minimum counts, which
            shifts the draws that follow (another sample of the same world). For robustness sweeps
            of the benchmark; not exposed on the command line.

    Returns:
        Where the engagement and the truth were written, rows per source and distinct persons.

    Raises:
        ValueError: ``n_records`` out of bounds, ``language`` unknown, or a corruption knob
            unknown or negative.

    Examples:
        >>> result = generate_demo(tmp_path / "demo", n_records=1000, seed=1)  # doctest: +SKIP
        >>> sum(result.rows_per_source.values())  # doctest: +SKIP
        1000
    """
    _check_n_records(n_records)
    if language not in ("fr", "en"):
        raise ValueError(f"language must be 'fr' or 'en'; got {language!r}")
    knobs = _Corruption.of(corruption)
    from rcu_kit.core.progress import bar

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder; give the folder the demo should be "
                         "written into (it is created if missing)")
    out.mkdir(parents=True, exist_ok=True)
    sizes = source_sizes(int(n_records))
    streams = np.random.SeedSequence(int(seed)).spawn(2 + len(sizes))
    rng_membership, rng_population, *rng_sources = (np.random.default_rng(s) for s in streams)

    steps = bar(total=2 + len(sizes) + 1, step="demo", disable=not progress)
    records, n_persons = _membership(rng_membership, sizes)
    population = _population(rng_population, n_persons, knobs)
    steps.update(2)

    person_ids = pd.Series(np.arange(1, n_persons + 1)).map("P{:07d}".format).to_numpy(dtype=object)
    household_ids = pd.Series(np.arange(1, population.household.max() + 2)).map("H{:07d}".format)
    household_ids = household_ids.to_numpy(dtype=object)
    truth_parts = []
    for (name, person), rng in zip(records.items(), rng_sources):
        steps.set_postfix_str(name)
        rec = _records(rng, population, person, name)
        frame = _BUILDERS[name](rng, rec, knobs)
        source = next(s for s in _sources(sizes) if s.name == name)
        # Extracts come sorted by their id.
        order = np.argsort(frame[source.id_column].to_numpy(), kind="stable")
        frame, person = frame.iloc[order].reset_index(drop=True), person[order]
        _write_source(name, frame, out / _FILES[name])
        truth_parts.append(pd.DataFrame({
            "source": name,
            "record_id": frame[source.id_column].astype(str).to_numpy(),
            "person_id": person_ids[person],
            "household_id": household_ids[population.household[person]],
        }))
        steps.update(1)

    truth_path = out / "truth.csv"
    pd.concat(truth_parts, ignore_index=True).to_csv(truth_path, index=False, lineterminator="\n")
    engagement_path = out / "engagement.yaml"
    save_engagement(_engagement(sizes, int(seed), language), engagement_path)
    steps.update(1)
    steps.close()
    return DemoResult(engagement_path=engagement_path, truth_path=truth_path,
                      rows_per_source=dict(sizes), n_persons=int(n_persons))


def true_values(n_records: int = 5000, seed: int = 42,
                corruption: dict[str, float] | None = None) -> pd.DataFrame:
    """Each demo person's true attribute values, for benchmarks of golden records.

    Draws the same persons as :func:`generate_demo` with the same arguments (no file is written)
    and returns what a perfect golden record would hold, written plainly, as a mapped record
    would carry it (standardise it like the records before comparing): the civility of the sex,
    the usage and birth names, the full first name (``Jean-Pierre``, never a short form), the
    birth date, the personal e-mail (not a family one), the mobile (the household landline for
    persons without one) and the current address (not the one before a move).

    Args:
        n_records, seed, corruption: as given to :func:`generate_demo`.

    Returns:
        One row per person: ``person_id`` (as in ``truth.csv``), ``civility``, ``last_name``,
        ``birth_name``, ``first_name``, ``birth_date`` (ISO), ``email``, ``phone``, ``street``,
        ``postcode``, ``city``, ``country``.

    Examples:
        >>> true_values(1000, seed=1).columns.tolist()[:4]
        ['person_id', 'civility', 'last_name', 'birth_name']
    """
    _check_n_records(n_records)
    knobs = _Corruption.of(corruption)
    sizes = source_sizes(int(n_records))
    streams = np.random.SeedSequence(int(seed)).spawn(2 + len(sizes))
    rng_membership, rng_population = (np.random.default_rng(s) for s in streams[:2])
    _, n_persons = _membership(rng_membership, sizes)
    pop = _population(rng_population, n_persons, knobs)
    address = {k: _str(v) for k, v in pop.address.items()}
    suffix = address["suffix"].where(address["suffix"] == "", " " + address["suffix"])
    mobile, landline = _str(pop.mobile), _str(pop.landline)
    phone = mobile.where(mobile.notna(), landline)
    return pd.DataFrame({
        "person_id": pd.Series(np.arange(1, n_persons + 1)).map("P{:07d}".format),
        "civility": np.where(pop.sex == "F", "Mme", "M."),
        "last_name": _str(pop.last_name), "birth_name": _str(pop.birth_name),
        "first_name": _str(pop.first_name),
        "birth_date": _date_strings(pop.birth_date, "iso"),
        "email": _str(pop.email),
        "phone": ("0" + phone).where(phone.notna(), None),
        "street": address["num"] + suffix + " " + address["type"] + " " + address["street"],
        "postcode": address["postcode"], "city": address["city"], "country": "France",
    })
