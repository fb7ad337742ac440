"""What the RCU would look like (notebook 04b): golden records with survivorship and lineage
(:mod:`~rcu_kit.golden.records`), the preventive match of a new record
(:mod:`~rcu_kit.golden.preventive`) and the clerical review of uncertain pairs
(:mod:`~rcu_kit.golden.review`) with the figures re-estimated from its labels
(:mod:`~rcu_kit.golden.estimates`); the review panel is :mod:`rcu_kit.golden.widgets`.
"""

from rcu_kit.golden.records import (
    GoldenResult, build_golden_records, golden_for_engagement, write_golden_outputs
)
from rcu_kit.golden.preventive import (
    ReferenceIndex, reference_index_path, build_reference_for_engagement, engagement_reference,
    candidates_shown
)
from rcu_kit.golden.review import (
    LabelStore, labels_path, sample_pairs_for_review, quality_table, supervised_comparison,
    draw_review_sample, review_sheet, read_label_sheet, review_queue, sheet_paths
)
from rcu_kit.golden.estimates import estimate_figures

__all__ = ["GoldenResult", "build_golden_records", "golden_for_engagement", "write_golden_outputs",
           "ReferenceIndex", "reference_index_path", "build_reference_for_engagement",
           "engagement_reference", "candidates_shown", "LabelStore", "labels_path",
           "sample_pairs_for_review", "quality_table", "supervised_comparison",
           "draw_review_sample", "review_sheet", "read_label_sheet", "review_queue",
           "sheet_paths", "estimate_figures"]
