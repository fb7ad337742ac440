"""The three verdicts of a value rule, and how a rule's normalisation gives them.

Every rule of :mod:`rcu_kit.values` (e-mail, phone, postcode, civility, date) normalises a column
and says, per value, whether it had to *repair* it (undo damage such as a lost leading zero, a
``mailto:`` prefix, a two-digit year) rather than only format it. The audit's verdict follows:

* ``"valid"``: the rule normalises the value without repairing it;
* ``"repairable"``: the rule normalises it, but only after a repair;
* ``"invalid"``: the rule rejects it (the standardisation sets it to missing);
* NA: the value is missing.

So the audit and the standardisation cannot disagree: a value is invalid exactly when the
standardised column holds NA for it.

Examples:
    >>> import pandas as pd
    >>> statuses(pd.Series(["a", "b", None, None]), pd.Series([False, True, False, False]),
    ...          pd.Series([True, True, True, False])).tolist()
    ['valid', 'repairable', 'invalid', <NA>]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from rcu_kit.values.text import as_text

__all__ = ["VALID", "REPAIRABLE", "INVALID", "statuses", "rule_statuses"]

VALID, REPAIRABLE, INVALID = "valid", "repairable", "invalid"


def statuses(normalised: pd.Series, repaired: pd.Series, present: pd.Series) -> pd.Series:
    """Verdict per value from what a rule made of it.

    Args:
        normalised: the rule's output (NA where it rejected the value).
        repaired: True where the rule had to repair the value to normalise it.
        present: True where there was a value to check.

    Returns:
        An object Series of ``"valid"`` / ``"repairable"`` / ``"invalid"``, NA where
        ``present`` is False, on ``normalised``' index.
    """
    ok = normalised.notna().to_numpy(dtype=bool)
    fixed = pd.array(repaired, dtype="boolean").to_numpy(dtype=bool, na_value=False)
    there = pd.array(present, dtype="boolean").to_numpy(dtype=bool, na_value=False)
    out = np.where(ok, np.where(fixed, REPAIRABLE, VALID), INVALID).astype(object)
    out[~there] = pd.NA
    return pd.Series(out, index=normalised.index, dtype=object)


def rule_statuses(values: pd.Series, standardise: Callable[[pd.Series], pd.DataFrame],
                  column: str) -> pd.Series:
    """:func:`statuses` of ``values`` from a rule's ``standardise`` function.

    ``standardise`` takes the text values and returns a frame on their index holding the
    normalised ``column`` and the bool ``repaired`` (e.g. ``emails.standardise_emails``).
    """
    text = as_text(values)
    out = standardise(text)
    return statuses(out[column], out["repaired"], text.notna())
