"""Where each step writes its outputs inside an engagement's output folder: one place for paths.

Later steps and the report read earlier steps' outputs through these functions, never through
hand-built paths.
"""

from __future__ import annotations

from pathlib import Path

from rcu_kit.core.config import Engagement

__all__ = ["step_dir", "crosswalk_path", "dedup_summary_path", "review_threshold_path",
           "findings_path", "roadmap_dir", "sources_summary_path"]


def step_dir(engagement: Engagement, step: str) -> Path:
    """The folder of one step (``audit``, ``mapping``, ``dedup``, ``golden``, ``roadmap``), created."""
    folder = engagement.output_path / step
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def crosswalk_path(engagement: Engagement) -> Path:
    """The crosswalk (source, record_id, customer_id): the minimal form of a RCU."""
    return engagement.output_path / "crosswalk.csv"


def dedup_summary_path(engagement: Engagement) -> Path:
    """Headline figures of the deduplication (JSON): records, customers, rates per source."""
    return step_dir(engagement, "dedup") / "summary.json"


def review_threshold_path(engagement: Engagement) -> Path:
    """The threshold the reviewer's labels chose (JSON, written by ``rcu-kit review --labels``,
    read by the deduplication): ``<output>/review/threshold.json``."""
    return engagement.output_path / "review" / "threshold.json"


def findings_path(engagement: Engagement, step: str) -> Path:
    """The findings a step hands to the roadmap (CSV: :data:`rcu_kit.core.findings.FINDING_COLUMNS`)."""
    return step_dir(engagement, step) / "findings.csv"


def roadmap_dir(engagement: Engagement) -> Path:
    return step_dir(engagement, "roadmap")


def sources_summary_path(engagement: Engagement) -> Path:
    """The loading of every source, one row each with its status (CSV: ``source``, ``status``,
    ``rows_read``, ``rows_loaded``, ``bad_lines``, ``message``…); ``bad_lines.csv`` and
    ``excluded_lines.csv`` sit beside it."""
    return engagement.output_path / "sources_summary.csv"
