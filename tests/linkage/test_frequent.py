"""Values too frequent to be evidence: counted, added across partitions, chosen, tabled."""

from __future__ import annotations

import pandas as pd

from rcu_kit.linkage.frequent import (FREQUENT_MIN, add_counts, add_surnames, candidate_values,
                                      frequent_table, frequent_values, no_evidence, value_counts,
                                      value_surnames)
from rcu_kit.linkage.prepare import prepare_records

# 25 records share the CRM's default date, 30 hold 15 other dates twice each, 5 have none.
DATES = ["1970-01-01"] * 25 + [f"1985-03-{d:02d}" for d in range(1, 16)] * 2 + [None] * 5


def _prepared(dates: list, web: int = 0, surnames: list | None = None) -> pd.DataFrame:
    """The dates prepared, the first ``web`` of them in source web, the others in the crm; each
    record a surname of its own unless ``surnames`` are given."""
    sources = ["web"] * web + ["crm"] * (len(dates) - web)
    names = surnames or [f"NOM{chr(65 + k // 26)}{chr(65 + k % 26)}" for k in range(len(dates))]
    return prepare_records(pd.DataFrame({"source": sources,
                                         "record_id": [str(k) for k in range(len(dates))],
                                         "last_name": names, "birth_date": dates}))


def _frequent(prepared: pd.DataFrame) -> dict[str, pd.Series]:
    counts = value_counts(prepared)
    return frequent_values(counts, value_surnames(prepared, candidate_values(counts)))


def test_value_counts_are_records_per_source_and_value_without_the_missing():
    counts = value_counts(_prepared(DATES, web=3))["birth_date"]
    assert counts[("web", "1970-01-01")] == 3 and counts[("crm", "1970-01-01")] == 22
    assert counts[("crm", "1985-03-07")] == 2
    assert len(counts) == 17 and counts.sum() == 55


def test_counts_and_surnames_of_partitions_add_up_to_those_of_all_the_records():
    whole = _prepared(DATES, web=3)
    halves = [whole.iloc[:20].reset_index(drop=True), whole.iloc[20:].reset_index(drop=True)]
    added = add_counts([value_counts(h) for h in halves])["birth_date"]
    pd.testing.assert_series_equal(added.sort_index(), value_counts(whole)["birth_date"].sort_index(),
                                   check_names=False)
    asked = {"birth_date": ["1970-01-01", "1985-03-01"]}
    united = add_surnames([value_surnames(h, asked) for h in halves])
    assert united == value_surnames(whole, asked)
    assert len(united["birth_date"]["1970-01-01"]) == 25      # 25 records, a surname each
    assert len(united["birth_date"]["1985-03-01"]) == 2


def test_a_value_of_many_surnames_held_by_ten_times_the_mean_and_the_minimum_is_frequent():
    # mean: 55 dated records over 16 values = 3.4; 25 > 34 is false: not frequent yet
    assert _frequent(_prepared(DATES))["birth_date"].empty
    # 45 other dates held once: mean 70 / 46 = 1.5, so 25 (>= 20 and > 15.2) is frequent
    more = DATES + [f"1990-07-{d:02d}" for d in range(1, 31)] + [f"1991-07-{d:02d}" for d in range(1, 16)]
    frequent = _frequent(_prepared(more, web=3))
    assert frequent["birth_date"].to_dict() == {("crm", "1970-01-01"): 22, ("web", "1970-01-01"): 3}
    assert no_evidence(frequent) == {"birth_date": frozenset({"1970-01-01"})}
    assert frequent_table(frequent).to_dict("records") == [
        {"column": "birth_date", "value": "1970-01-01", "source": "crm", "records": 22},
        {"column": "birth_date", "value": "1970-01-01", "source": "web", "records": 3}]


def test_one_customers_many_records_are_not_a_frequent_value():
    # the same 25 records and dates, but the 25 holding 1970-01-01 are one MARTIN's orders
    # (and 9 more surnames would still be too few: 10 are needed)
    more = DATES + [f"1990-07-{d:02d}" for d in range(1, 31)] + [f"1991-07-{d:02d}" for d in range(1, 16)]
    for holders in (["MARTIN"] * 25, [f"NOM{chr(65 + k % 9)}" for k in range(25)]):
        names = holders + [f"AUTRE{chr(65 + k // 26)}{chr(65 + k % 26)}" for k in range(len(more) - 25)]
        prepared = _prepared(more, surnames=names)
        assert candidate_values(value_counts(prepared)) == {"birth_date": frozenset({"1970-01-01"})}
        assert _frequent(prepared)["birth_date"].empty


def test_below_the_minimum_nothing_is_frequent_however_rare_the_others():
    # 19 records share a date, 89 dates are held once: mean 1.2, 19 > 12 but under 20
    dates = ["1970-01-01"] * (FREQUENT_MIN - 1) + [f"19{y}-07-01" for y in range(10, 99)]
    frequent = _frequent(_prepared(dates))
    assert frequent["birth_date"].empty
    assert no_evidence(frequent) == {}
    assert frequent_table(frequent).empty
