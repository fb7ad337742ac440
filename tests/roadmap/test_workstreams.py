"""The plan: seven workstreams the findings attach to, efforts and budgets from the reference
ranges, scheduled on French working days within the team's capacity."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from rcu_kit.roadmap.workstreams import (DAY_RATE, budget_total, build_workstreams, closed_days,
                                         schedule, size_class)

FINDINGS = pd.DataFrame([
    {"kind": "gap", "key": "gap:single_source:birth_name", "subject": "birth_name",
     "detail_code": "gap_single", "detail_params": '{"source": "crm"}', "severity": "medium"},
    {"kind": "gap", "key": "gap:conflicting_formats:email_optin", "subject": "email_optin",
     "detail_code": "gap_formats", "detail_params": "{}", "severity": "low"},
    {"kind": "gap", "key": "gap:conflicting_formats:city", "subject": "city",
     "detail_code": "gap_formats", "detail_params": "{}", "severity": "low"},
    {"kind": "quality", "key": "quality:fidelite.TEL", "subject": "fidelite.TEL",
     "detail_code": "validity", "detail_params": '{"rate": 0.62}', "severity": "high"},
    {"kind": "dedup", "key": "dedup:crm", "subject": "crm", "detail_code": "duplicates",
     "detail_params": '{"rate": 0.06}', "severity": "medium"},
    # the same finding listed twice counts once
    {"kind": "dedup", "key": "dedup:crm", "subject": "crm", "detail_code": "duplicates",
     "detail_params": '{"rate": 0.06}', "severity": "medium"},
])


def test_findings_attach_to_seven_workstreams_beside_the_phases():
    ws = build_workstreams(FINDINGS, form="mdm", n_records=50_000, n_sources=2,
                           language="en").set_index("id")
    assert list(ws.index) == ["P1", "P2", "P3", "P4", "P5", "W1", "W2", "W3", "W4", "W5", "W6", "W7"]
    assert ws.loc["W3", "label"] == "GDPR and consent"
    # the consent attribute goes to GDPR, the single-source attribute to interfaces, duplicates,
    # validity and formats to standardisation; the duplicated finding once
    assert ws.loc["W1", "causes"] == ("gap:conflicting_formats:city", "quality:fidelite.TEL",
                                      "dedup:crm")
    assert ws.loc["W2", "causes"] == ("gap:single_source:birth_name",)
    assert ws.loc["W3", "causes"] == ("gap:conflicting_formats:email_optin",)
    assert ws["n_findings"].sum() == 5
    assert ws.loc["W1", "severity"] == "high"
    # MDM, small (50k records, 2 sources): the low end of each range. Standardisation 40 days
    # + 3 for the high finding + 1 for the medium one (a low one adds nothing); interfaces 15
    # per source x 2 + 1 for its medium finding
    assert (ws.loc["W1", "effort_low"], ws.loc["W1", "effort_high"]) == (44, 84)
    assert ws.loc["W1", "effort_days"] == 44
    assert (ws.loc["W2", "effort_low"], ws.loc["W2", "effort_high"]) == (31, 51)
    # budgets: days x day rate, 650 to 950 euros
    assert DAY_RATE == (650, 950)
    assert (ws.loc["W1", "budget_low"], ws.loc["W1", "budget_high"]) == (44 * 650, 84 * 950)
    assert ws.loc["P2", "weeks"] == 12 and ws.loc["P4", "weeks"] == 26   # tender, build (MDM)


def test_efforts_depend_on_the_form_and_size():
    def build_weeks(form, records, sources):
        ws = build_workstreams(FINDINGS.iloc[:0], form=form, n_records=records, n_sources=sources)
        return ws.set_index("id").loc["P4", "weeks"]

    assert size_class(50_000, 2) == "small" and size_class(5_000, 5) == "medium"
    assert size_class(3_000_000, 2) == "large" and size_class(10_000, 8) == "large"
    # MDM build: 26-52 weeks; small low end, medium middle, large high end
    assert [build_weeks("mdm", *s) for s in ((50_000, 2), (5_000, 5), (3_000_000, 5))] == [26, 39, 52]
    # a CRM-hosted build: 12-24 weeks; a correspondence table: 4-8
    assert build_weeks("crm_hosted", 5_000, 5) == 18 and build_weeks("crosswalk", 5_000, 5) == 6
    # no tender nor vendor lead time for a table: what waited for them waits for scoping
    table = build_workstreams(FINDINGS.iloc[:0], form="crosswalk").set_index("id")
    assert "P2" not in table.index and "P3" not in table.index
    assert table.loc["P4", "depends_on"] == ("P1",) and table.loc["W2", "depends_on"] == ("P1",)
    assert table.loc["W5", "depends_on"] == ("W1", "P1")
    # licences: first year, by form; the total adds every item's days
    mdm = build_workstreams(FINDINGS.iloc[:0], form="mdm", n_records=5_000, n_sources=5)
    low, high = budget_total(mdm)
    assert low == mdm["budget_low"].sum() + 100_000 and high == mdm["budget_high"].sum() + 300_000


def test_overrides_and_their_errors():
    ws = build_workstreams(FINDINGS, form="mdm", durations={"build": 40},
                           overrides={"W4": {"effort_days": [10, 20], "fte": 2}},
                           day_rate=[500, 700], licences=[0, 50_000]).set_index("id")
    assert ws.loc["P4", "weeks"] == 40
    assert (ws.loc["W4", "effort_low"], ws.loc["W4", "fte"]) == (10, 2)
    assert ws.loc["W4", "budget_high"] == 20 * 700
    with pytest.raises(ValueError, match="unknown item 'Z9'"):
        build_workstreams(FINDINGS, overrides={"Z9": {"effort_days": 1}})
    with pytest.raises(ValueError, match="cannot set 'owner'"):
        build_workstreams(FINDINGS, overrides={"W1": {"owner": "x"}})
    with pytest.raises(ValueError, match=r"roadmap.durations: unknown phase 'pilot'"):
        build_workstreams(FINDINGS, durations={"pilot": 3})
    with pytest.raises(ValueError, match=r"roadmap.day_rate: expected a number or \[low, high\]"):
        build_workstreams(FINDINGS, day_rate=[900, 600])
    with pytest.raises(ValueError, match="unknown RCU form 'sap'"):
        build_workstreams(FINDINGS, form="sap")


def test_schedule_keeps_within_the_team_and_the_french_calendar():
    # a correspondence table, small: scoping 2 weeks, build 4, go-live 2; workstreams at the low
    # end: W1 15 days, W2 3 x 2 sources = 6, W3 8, W4 8, W5 10, W6 5, W7 10, one person each
    ws = build_workstreams(FINDINGS.iloc[:0], form="crosswalk", n_records=50_000, n_sources=2)
    plan = schedule(ws, start=date(2027, 1, 4), team=2).set_index("id")
    days = {i: (plan.loc[i, "start_day"], plan.loc[i, "end_day"]) for i in plan.index}
    # P1 0-10 and the build 10-30 take both people: W1 waits for day 30 (30-45), W2 beside it
    # (30-36), W3 when W2 ends (36-44), W4 when W3 ends (44-52), W5 after W1 (45-55), W6 in
    # the first 5-day window with one person free (52-57), go-live after all (57-67), W7 67-77
    assert days == {"P1": (0, 10), "P4": (10, 30), "P5": (57, 67), "W1": (30, 45),
                    "W2": (30, 36), "W3": (36, 44), "W4": (44, 52), "W5": (45, 55),
                    "W6": (52, 57), "W7": (67, 77)}
    load = plan.attrs["load"]
    assert load.max() == 2 and len(load) == 77
    # day by day, the people busy never exceed the team
    for day in range(77):
        running = plan[(plan["start_day"] <= day) & (plan["end_day"] > day)]
        assert running["fte"].sum() == load[day] <= 2
    # 77 working days from Monday 4 January 2027: 15 weeks and 2 days -> Wednesday 21 April,
    # plus Easter Monday (29 March) off -> Thursday 22 April
    assert plan.loc["W7", "finish"] == date(2027, 4, 22)
    # the same plan with 4 people runs its workstreams side by side and ends earlier
    wider = schedule(ws, start=date(2027, 1, 4), team=4)
    assert wider["end_day"].max() < 77 and wider.attrs["load"].max() <= 4


def test_an_item_larger_than_the_team_is_named():
    ws = build_workstreams(FINDINGS.iloc[:0], form="crosswalk")
    with pytest.raises(ValueError, match=r"P1, P4, P5 need\(s\) 2 people at once but the team has 1"):
        schedule(ws, start=date(2027, 1, 4), team=1)


def test_closures_and_the_tender_over_christmas():
    days = closed_days(2027, 2027)
    assert date(2027, 12, 24) in days and date(2027, 12, 31) in days and date(2027, 1, 1) in days
    assert date(2027, 5, 6) in days            # Ascension Day 2027 (holidays.France)
    # scoping of one week from Monday 6 December 2027: the tender would be launched on 13
    # December; it moves to Friday 7 January 2028, the first working day out of the period
    ws = build_workstreams(FINDINGS.iloc[:0], form="mdm", durations={"scoping": 1})
    plan = schedule(ws, start=date(2027, 12, 6), team=4).set_index("id")
    assert plan.loc["P2", "start"] == date(2028, 1, 7)
    # a tender launched in September that would close in the Christmas period: its deadline is
    # extended to the first working day after 6 January. Scoping 1 week from 6 September 2027:
    # the tender starts on 13 September; 14 weeks (70 working days, 1 and 11 November off)
    # would close on Monday 20 December
    ws = build_workstreams(FINDINGS.iloc[:0], form="mdm", durations={"scoping": 1, "tender": 14})
    plan = schedule(ws, start=date(2027, 9, 6), team=4).set_index("id")
    assert plan.loc["P2", "start"] == date(2027, 9, 13)
    last_day = pd.Timestamp(plan.loc["P2", "finish"]) - pd.offsets.BDay(1)
    assert plan.loc["P2", "finish"] == date(2028, 1, 10)          # Monday after Friday 7 January
    assert last_day.date() == date(2028, 1, 7)


def test_a_demo_size_mdm_lasts_at_least_nine_months():
    # 5 sources, 5,000 records (the demo): medium size, MDM: scoping 7 weeks, tender 14, lead
    # time 7, build 39, go-live 8 = 75 weeks of phases in a row, then the Excel files retired
    ws = build_workstreams(FINDINGS, form="mdm", n_records=5_000, n_sources=5)
    plan = schedule(ws, start=date(2026, 12, 7), team=4)
    months = (max(plan["finish"]) - min(plan["start"])).days / 30.44
    assert months >= 9
    assert plan.attrs["load"].max() <= 4


def test_dependency_cycle_is_named():
    ws = build_workstreams(FINDINGS.iloc[:0], form="crosswalk")
    ws.loc[ws["id"] == "P1", "depends_on"] = pd.Series([("W7",)], index=ws.index[:1])
    with pytest.raises(ValueError, match="dependency cycle among workstreams"):
        schedule(ws, start=date(2027, 1, 4))
