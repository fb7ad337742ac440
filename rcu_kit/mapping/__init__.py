"""Step 3 of the method, data mapping and gaps: the suggested source-to-target mapping
(:mod:`~rcu_kit.mapping.suggest`), its application (:mod:`~rcu_kit.mapping.transforms`) and the gap
analysis (:mod:`~rcu_kit.mapping.gaps`); the editor is :mod:`rcu_kit.mapping.widgets`, the charts
:mod:`rcu_kit.mapping.charts`.
"""

from rcu_kit.mapping.suggest import (
    suggest_mapping, suggestions_table, working_mapping, saved_audit_types, compare_mappings
)
from rcu_kit.mapping.transforms import MappingError, validate_mapping, apply_mapping
from rcu_kit.mapping.gaps import GapAnalysis, run_gap_analysis

__all__ = ["suggest_mapping", "suggestions_table", "working_mapping", "saved_audit_types",
           "compare_mappings", "MappingError", "validate_mapping", "apply_mapping", "GapAnalysis",
           "run_gap_analysis"]
