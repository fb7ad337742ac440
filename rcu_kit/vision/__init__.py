"""Step 1 of the method, the customer vision: shared definitions and the target customer record
(:mod:`~rcu_kit.vision.model`); its ipywidgets editor is :mod:`rcu_kit.vision.widgets`.
"""

from rcu_kit.vision.model import (
    load_target_model, start_vision, save_vision, definitions_table, vision_table, export_vision
)

__all__ = ["load_target_model", "start_vision", "save_vision", "definitions_table", "vision_table",
           "export_vision"]
