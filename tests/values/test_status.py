"""The three verdicts of a value rule follow from what its normalisation made of each value."""

from __future__ import annotations

import pandas as pd

from rcu_kit.values.emails import standardise_emails
from rcu_kit.values.status import INVALID, REPAIRABLE, VALID, rule_statuses, statuses


def test_statuses_from_normalised_repaired_and_present():
    normalised = pd.Series(["a", "b", None, None], index=[10, 11, 12, 13])
    repaired = pd.Series([False, True, True, False], index=normalised.index)
    present = pd.Series([True, True, True, False], index=normalised.index)
    out = statuses(normalised, repaired, present)
    # normalised as is: valid; only after a repair: repairable; rejected: invalid (even if a
    # repair was tried); no value: NA. The index is kept.
    assert out.tolist()[:3] == [VALID, REPAIRABLE, INVALID] and pd.isna(out.iloc[3])
    assert out.index.tolist() == [10, 11, 12, 13]


def test_rule_statuses_runs_the_rule_once_on_the_text():
    values = pd.Series(["jean@free.fr", "mailto:jean@free.fr", "jean@", None, 12])
    out = rule_statuses(values, standardise_emails, "email")
    # the mailto: prefix is a repair; "jean@" has no domain; 12 (a number) is no e-mail
    assert out.tolist()[:3] == [VALID, REPAIRABLE, INVALID]
    assert pd.isna(out.iloc[3]) and out.iloc[4] == INVALID
