"""Step 5 of the method, the roadmap: the recommended form of RCU with its transparent scoring
(:mod:`~rcu_kit.roadmap.scoring`), the client's questionnaire, the workstreams and their schedule
(:func:`build_roadmap`); the questionnaire form is :mod:`rcu_kit.roadmap.widgets`, the charts
:mod:`rcu_kit.roadmap.charts`.
"""

from rcu_kit.roadmap.run import (
    Roadmap, build_roadmap, client_tables, flows_costing, pending_inputs, export_roadmap,
    questionnaire_table
)

__all__ = ["Roadmap", "build_roadmap", "client_tables", "flows_costing", "pending_inputs",
           "export_roadmap", "questionnaire_table"]
