"""Where each step writes: one place for paths, folders created on demand."""

from __future__ import annotations

from rcu_kit.core.config import Engagement
from rcu_kit.core.paths import crosswalk_path, dedup_summary_path, findings_path, roadmap_dir, step_dir


def test_each_step_writes_under_the_output_folder(tmp_path):
    engagement = Engagement(client="Test", output_dir="out")
    engagement.base_dir = tmp_path
    out = tmp_path / "out"
    assert step_dir(engagement, "audit") == out / "audit" and (out / "audit").is_dir()
    assert crosswalk_path(engagement) == out / "crosswalk.csv"
    assert dedup_summary_path(engagement) == out / "dedup" / "summary.json"
    assert findings_path(engagement, "mapping") == out / "mapping" / "findings.csv"
    assert roadmap_dir(engagement) == out / "roadmap" and (out / "roadmap").is_dir()
