"""Step 4 of the method, deduplication (the core): load, map, standardise and link every source
into customers (:func:`run_dedup`), the figures a client hears (:mod:`~rcu_kit.dedup.figures`) and
their evaluation against a truth (:mod:`~rcu_kit.dedup.evaluation`); charts in
:mod:`rcu_kit.dedup.charts`. The matching itself is :mod:`rcu_kit.standardise` and
:mod:`rcu_kit.linkage`.
"""

from rcu_kit.dedup.run import (
    DedupRun, dedup_settings, run_dedup, pair_examples, pair_headers, model_weights, model_weights_table,
    pass_stats_table, household_sentence, frequent_sentence, client_tables, write_dedup_outputs
)

__all__ = ["DedupRun", "dedup_settings", "run_dedup", "pair_examples", "pair_headers", "model_weights",
           "model_weights_table", "pass_stats_table", "household_sentence", "frequent_sentence",
           "client_tables",
           "write_dedup_outputs"]
