"""A French phonetic key for names: Phonex (F. Brouard, 1999), kept as a readable string.

Why not a library: on PyPI, ``phonetic-fr`` (a port of E. Bergé's 2007 PHP algorithm, maintained)
keeps Lefèvre/Lefebvre, Meyer/Mayer and Thibault/Thibaut apart and costs ~180 µs a call;
``phonex`` (0.0.2, 2021, unmaintained) returns a float whose precision truncates long names and
keeps Faure/Fort and Thibault/Thibaut apart; ``abydos`` (FONEM, 2020) is unmaintained and GPL.
So this module implements the published Phonex algorithm:

    Frédéric Brouard, "Soundex, Soundex2, Phonex... les algorithmes phonétiques pour le
    français", SQLpro, 1999 (https://sqlpro.developpez.com/cours/soundex/).

Steps 1-16 of Phonex are applied as published, with the intermediate string (letters and the
sound digits 1-5) returned instead of the final base-22 float, which loses precision after ~11
letters and cannot be read. Adaptations, each for French surnames and marked ``[A]`` below:

* a leading H is dropped like any other mute H (``Henri`` = ``Enri``);
* ``SCH`` is read before ``CH`` (``Schmitt`` = ``Chmit``) and ``QU`` before ``Q``;
* step 9 (S between vowels -> Z) is applied twice so that overlapping matches are not missed;
* a final ``AULT``/``AULD``/``OLT`` is read ``O`` (``Thibault`` = ``Thibaut`` = ``Thibaud``);
* after step 16, a final ``S`` and then a final mute ``E`` (in keys of three symbols or more)
  are dropped (``Faure`` = ``Fort``, ``Philippe`` = ``Filipe``, ``Marie`` = ``Mary``).

Spaces, hyphens and apostrophes are ignored, so ``LE GALL`` = ``LEGAL`` and ``N'DIAYE`` =
``NDIAYE``. All rules are RE2 expressions applied by pyarrow to every distinct name at once.

Examples:
    >>> [phonetic_key(n) for n in ("Lefèvre", "Lefebvre", "Lefeuvre")]
    ['LEFEFR', 'LEFEFR', 'LEFEFR']
    >>> phonetic_key("Dupont") == phonetic_key("Dupond")
    True
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rcu_kit.values.text import TEXT, as_text, blank_to_na, fold_ascii_upper, on_unique, \
    scalar

__all__ = ["PHONEX_RULES", "PHONEX_SYMBOLS", "phonetic_key", "phonetic_keys"]

_V = "AEIOU1234"  # vowels and the vowel-like sound digits of Phonex

# (pattern, replacement, is_regex), applied in order. Numbers refer to Brouard's steps.
PHONEX_RULES: tuple[tuple[str, str, bool], ...] = (
    ("[^A-Z]", "", True),                               # 0 letters only
    ("(E?AU|O)L[TDX]$", "O", True),                     # [A] Thibault, Renault, Arnauld
    ("Y", "I", False),                                  # 1
    ("([^CSP])H", r"\1", True),                         # 2 mute H ...
    ("^H", "", True),                                   # [A] ... also in first position
    ("PH", "F", False),                                 # 3
    ("G(AI?[NM])", r"K\1", True),                       # 4 GAN, GAM, GAIN, GAIM
    ("[AE]I[NM]([AEIOU])", r"YN\1", True),              # 5
    ("EAU", "O", False), ("OUA", "2", False),           # 6 sounds o, oua ...
    ("EIN", "4", False), ("AIN", "4", False),           #   ... and in
    ("EIM", "4", False), ("AIM", "4", False),
    ("AI", "Y", False), ("EI", "Y", False),             # 7 sound e (accents already folded)
    ("ER", "YR", False), ("ESS", "YS", False),
    ("ET", "YT", False), ("EZ", "YZ", False),
    (f"AN([^{_V}]|$)", r"1\1", True),                   # 8 sounds an, in unless a vowel follows
    (f"ON([^{_V}]|$)", r"1\1", True),
    (f"AM([^{_V}]|$)", r"1\1", True),
    (f"EN([^{_V}]|$)", r"1\1", True),
    (f"EM([^{_V}]|$)", r"1\1", True),
    (f"IN([^{_V}]|$)", r"4\1", True),
    (f"([{_V}Y])S([{_V}Y])", r"\1Z\2", True),           # 9 S between vowels sounds Z
    (f"([{_V}Y])S([{_V}Y])", r"\1Z\2", True),           #   [A] second pass for overlaps
    ("OE", "E", False), ("EU", "E", False),             # 10
    ("AU", "O", False), ("OI", "2", False),
    ("OY", "2", False), ("OU", "3", False),
    ("SCH", "5", False), ("CH", "5", False),            # 11 [A] SCH before CH
    ("SH", "5", False), ("SS", "S", False), ("SC", "S", False),
    ("C([EI])", r"S\1", True),                          # 12
    ("QU", "K", False), ("C", "K", False),              # 13 [A] QU before Q
    ("Q", "K", False), ("GU", "K", False),
    ("GA", "KA", False), ("GO", "KO", False), ("GY", "KY", False),
    ("A", "O", False), ("D", "T", False),               # 14
    ("P", "T", False), ("J", "G", False),
    ("B", "F", False), ("V", "F", False), ("M", "N", False),
)
PHONEX_SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ12345"


def _encode(names: pd.Series) -> pd.Series:
    array = pa.array(fold_ascii_upper(names).array)
    for pattern, replacement, is_regex in PHONEX_RULES:
        if is_regex:
            array = pc.replace_substring_regex(array, pattern, replacement)
        else:
            array = pc.replace_substring(array, pattern, replacement)
    for symbol in PHONEX_SYMBOLS:                            # 15 collapse repeated symbols
        array = pc.replace_substring_regex(array, f"{symbol}{symbol}+", symbol)
    array = pc.replace_substring_regex(array, "(.)[TX]$", r"\1")   # 16 final T, X
    array = pc.replace_substring_regex(array, "(.)S$", r"\1")      # [A] final S
    array = pc.replace_substring_regex(array, "(..)E$", r"\1")    # [A] mute final E
    out = pd.Series(pd.array(array, dtype=TEXT), index=names.index)
    return blank_to_na(out)


def phonetic_keys(values: pd.Series) -> pd.Series:
    """Vectorised :func:`phonetic_key` (computed once per distinct name).

    Examples:
        >>> phonetic_keys(pd.Series(["Meyer", "Mayer", "Meier", None])).tolist()
        ['NYR', 'NYR', 'NYR', <NA>]
    """
    return on_unique(as_text(values), _encode)


def phonetic_key(value: object) -> str | None:
    """The Phonex key of a name (see the module doc), or None for a blank value.

    Examples:
        >>> phonetic_key("Philippe"), phonetic_key("Filipe")
        ('FILIT', 'FILIT')
    """
    return scalar(phonetic_keys, value)
