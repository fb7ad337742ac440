"""An ipywidgets form to fill in the roadmap questionnaire during a workshop, and save it.

Logic (reading and writing answers) is in :mod:`rcu_kit.roadmap.questionnaire`; this module only builds
widgets from the questionnaire's fields and reads them back.
"""

from __future__ import annotations

import typing

import ipywidgets as widgets

from rcu_kit.core.config import Engagement, save_engagement
from rcu_kit.roadmap.questionnaire import Questionnaire

__all__ = ["questionnaire_widgets", "read_widgets", "questionnaire_form"]


def questionnaire_widgets(q: Questionnaire) -> dict[str, widgets.Widget]:
    """One widget per question, initialised with the current answers."""
    out: dict[str, widgets.Widget] = {}
    style = {"description_width": "initial"}
    for name, field in Questionnaire.model_fields.items():
        value = getattr(q, name)
        label = name.replace("_", " ")
        tooltip = field.description or ""
        if field.annotation is bool:
            out[name] = widgets.Checkbox(value=value, description=label, tooltip=tooltip,
                                         style=style, indent=False)
        elif typing.get_origin(field.annotation) is typing.Literal:
            out[name] = widgets.Dropdown(options=list(typing.get_args(field.annotation)),
                                         value=value, description=label, tooltip=tooltip,
                                         style=style)
        else:
            out[name] = widgets.Textarea(value=value, description=label, tooltip=tooltip,
                                         style=style, layout=widgets.Layout(width="60%"))
    return out


def read_widgets(controls: dict[str, widgets.Widget]) -> Questionnaire:
    """The questionnaire as currently filled in the widgets."""
    return Questionnaire(**{name: w.value for name, w in controls.items()})


def questionnaire_form(engagement: Engagement) -> widgets.VBox:
    """The form, with a Save button writing the answers back to the engagement file."""
    q = Questionnaire.from_config(engagement.questionnaire)
    controls = questionnaire_widgets(q)
    status = widgets.HTML()
    save = widgets.Button(description="Save / Enregistrer", button_style="primary", icon="save")

    def on_save(_):
        engagement.questionnaire = read_widgets(controls).to_config()
        path = save_engagement(engagement)
        status.value = f"<b>Saved</b> to {path}"

    save.on_click(on_save)
    return widgets.VBox([*controls.values(), widgets.HBox([save, status])])
