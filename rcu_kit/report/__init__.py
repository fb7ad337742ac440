"""The client deliverable: the method's notebooks run with papermill and published as HTML
without code (:func:`run_report`), with the executive summary page
(:mod:`~rcu_kit.report.summary`, :mod:`~rcu_kit.report.html`).
"""

from rcu_kit.report.run import EngagementReport, run_report
from rcu_kit.report.summary import ExecutiveSummary, collect_summary

__all__ = ["EngagementReport", "run_report", "ExecutiveSummary", "collect_summary"]
