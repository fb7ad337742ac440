"""Roadmap charts: what each plotly figure draws, from a hand-made recommendation."""

from __future__ import annotations

import pandas as pd
import pytest

from rcu_kit.roadmap import charts
from rcu_kit.roadmap.scoring import Recommendation

# Two criteria; a form's total is the sum of its column: mdm 7.4 + 0 = 7.4, crm_hosted
# 1.26 + 0 = 1.26, decision_db 0 + 0 = 0, crosswalk -2.5 + 0 = -2.5; budget_low contributes
# nothing anywhere, so it gets no bar. The totals are written with one decimal.
CONTRIBUTIONS = pd.DataFrame({
    "criterion": ["many_sources", "budget_low"], "signal": [1.0, 0.0], "basis": ["5", "-"],
    "mdm": [7.4, 0.0], "crm_hosted": [1.26, 0.0], "decision_db": [0.0, 0.0],
    "crosswalk": [-2.5, 0.0]})
SCORES = pd.DataFrame({"form": ["mdm", "crm_hosted", "decision_db", "crosswalk"],
                       "score": [7.4, 1.26, 0.0, -2.5], "rank": [1, 2, 3, 4]})
REC = Recommendation(best="mdm", scores=SCORES, contributions=CONTRIBUTIONS)


@pytest.mark.parametrize("language, totals", [
    ("fr", ["7,4", "1,3", "0,0", "-2,5"]),
    ("en", ["7.4", "1.3", "0.0", "-2.5"]),
])
def test_score_breakdown_totals_in_the_chart_language(language, totals):
    fig = charts.score_breakdown_chart(REC, language)
    bars = [tr for tr in fig.data if tr.type == "bar"]
    # budget_low contributes nothing anywhere: only many_sources gets a bar trace
    assert len(bars) == 1 and list(bars[0].y) == [7.4, 1.26, 0.0, -2.5]
    total = fig.data[-1]
    assert total.name == "Total"
    assert list(total.y) == [7.4, 1.26, 0.0, -2.5]
    assert list(total.text) == totals


def test_score_breakdown_labels_in_french():
    fig = charts.score_breakdown_chart(REC, "fr")
    assert fig.data[0].name == "Nombre de sources"
    assert fig.data[0].x[0] == "Outil MDM dédié"


def test_charts_use_the_report_language_separators():
    # plotly's separators: decimal mark then thousands mark, for hovers and axis ticks
    plan = pd.DataFrame({"id": ["P1"], "label": ["Cadrage"], "kind": ["phase"], "effort_days": [5],
                         "n_findings": [0], "start": ["2024-01-01"], "finish": ["2024-01-08"]})
    workstreams = plan[["id", "label", "kind", "effort_days", "n_findings"]].assign(value=[3])
    for language, separators in (("fr", ", "), ("en", ".,")):
        figs = [charts.score_breakdown_chart(REC, language), charts.gantt_chart(plan, language),
                charts.priority_matrix_chart(workstreams, language)]
        assert [fig.layout.separators for fig in figs] == [separators] * 3


def test_team_load_chart_draws_the_schedule_load_under_the_team():
    from datetime import date

    from rcu_kit.core.findings import FINDING_COLUMNS
    from rcu_kit.roadmap.workstreams import build_workstreams, schedule

    ws = build_workstreams(pd.DataFrame(columns=FINDING_COLUMNS), form="crosswalk",
                           n_records=50_000, n_sources=2)
    plan = schedule(ws, start=date(2027, 1, 4), team=2)
    fig = charts.team_load_chart(plan, "fr")
    line = fig.data[0]
    # one point per working day of the plan (77, see test_workstreams), none above the team
    assert len(line.y) == 77 and max(line.y) == 2
    # the days are the plan's working days: Easter Monday 2027 (29 March) is not one of them
    assert line.x[0] == date(2027, 1, 4) and date(2027, 3, 29) not in list(line.x)
    assert fig.layout.shapes[0].y0 == 2                      # the team, dashed
    assert fig.layout.annotations[0].text == "équipe : 2 personnes"


def test_gantt_shows_the_parallel_projects_with_the_items_depending_on_them():
    from datetime import date

    plan = pd.DataFrame({"id": ["P1", "W2"], "key": ["scoping", "interfaces"],
                         "label": ["Scoping", "Interfaces"], "kind": ["phase", "workstream"],
                         "start": [date(2027, 1, 4), date(2027, 2, 1)],
                         "finish": [date(2027, 2, 1), date(2027, 4, 1)],
                         "effort_days": [20.0, 30.0], "n_findings": [0, 1]})
    parallel = pd.DataFrame({"name": ["New ERP", "Intranet"], "start": [date(2027, 3, 1)] * 2,
                             "end": [date(2027, 9, 30)] * 2, "items": [("W2",), ()]})
    fig = charts.gantt_chart(plan, "en", parallel)
    bars = {tr.name: list(tr.y) for tr in fig.data}
    # the two plan items, then the two projects, each naming what depends on it
    assert bars == {"Project phase": ["P1 · Scoping"], "Workstream": ["W2 · Interfaces"],
                    "Parallel project (→ items depending on it)": ["New ERP → W2", "Intranet → –"]}



def test_matrix_spreads_close_points_of_one_value_row_so_labels_do_not_overlap():
    from rcu_kit.roadmap import charts

    # W1 and P1 are 2 days apart on a 0-500 day axis (closer than 4 % of it) on the 'high' row;
    # W2 is alone on its row, P4 far away
    workstreams = pd.DataFrame({"id": ["W1", "P1", "P4", "W2"], "label": ["a", "b", "c", "d"],
                                "kind": ["workstream", "phase", "phase", "workstream"],
                                "effort_days": [20, 22, 500, 40], "n_findings": [1, 0, 0, 2],
                                "value": [3, 3, 3, 2]})
    fig = charts.priority_matrix_chart(workstreams, "en")
    points = {t: (y, pos) for trace in fig.data
              for t, y, pos in zip(trace.text, trace.y, trace.textposition)}
    # the two close ones move 0.15 up and down, labels above then below; the others stay put
    assert points == {"W1": (3.15, "top center"), "P1": (2.85, "bottom center"),
                      "P4": (3.0, "top center"), "W2": (2.0, "top center")}


def test_gantt_months_read_in_the_report_language():
    from rcu_kit.roadmap import charts

    plan = pd.DataFrame({"id": ["P1", "W1"], "label": ["Cadrage", "Chantier"],
                         "kind": ["phase", "workstream"], "effort_days": [5, 10],
                         "n_findings": [0, 1], "start": ["2027-01-04", "2027-02-01"],
                         "finish": ["2027-02-26", "2027-04-30"]})
    fig = charts.gantt_chart(plan, "fr")
    # January to April 2027 (under a year: every month), in French
    assert list(fig.layout.xaxis.ticktext) == ["févr. 2027", "mars 2027", "avr. 2027"]
    assert list(charts.gantt_chart(plan, "en").layout.xaxis.ticktext) == ["Feb 2027", "Mar 2027",
                                                                          "Apr 2027"]


def test_month_ticks_within_one_month_still_name_it():
    from rcu_kit.core.i18n import plotly_month_ticks

    ticks = plotly_month_ticks("2027-01-15", "2027-01-30", "fr")
    assert [str(d.date()) for d in ticks["tickvals"]] == ["2027-01-15"]
    assert ticks["ticktext"] == ["janv. 2027"]
