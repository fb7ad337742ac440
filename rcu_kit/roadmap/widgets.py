"""An ipywidgets form to fill in the roadmap questionnaire during a workshop, and save it.

Each question is a dropdown whose first choice is "not answered yet": a question left there
keeps its default and stays listed as unanswered (the recommendation is then provisional); only
the answers the client gave are written to the engagement file. Logic (reading and writing
answers) is in :mod:`rcu_kit.roadmap.questionnaire`; this module only builds widgets from the
questionnaire's fields and reads them back.
"""

from __future__ import annotations

import typing
from typing import Any

import ipywidgets as widgets

from rcu_kit.core.config import Engagement, save_engagement
from rcu_kit.core.i18n import t
from rcu_kit.roadmap.questionnaire import QUESTIONS, Questionnaire, answered_config

__all__ = ["questionnaire_widgets", "read_widgets", "questionnaire_form"]


def _choices(name: str, language: str) -> list[tuple[str, Any]]:
    annotation = Questionnaire.model_fields[name].annotation
    values = (True, False) if annotation is bool else typing.get_args(annotation)
    keys = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    # "" stands for "not answered yet": a dropdown shows no label for None
    return [(t("roadmap.not_answered", language), ""),
            *[(t(f"roadmap.answer_{k}", language), v) for k, v in zip(keys, values)]]


def questionnaire_widgets(answers: dict[str, Any] | None,
                          language: str = "fr") -> dict[str, widgets.Widget]:
    """One widget per question, showing the answers given (unanswered: "not answered yet").

    Args:
        answers: the engagement's ``questionnaire:`` mapping.
        language: of the labels and choices.
    """
    given = answered_config(answers)
    Questionnaire.from_config(given)                  # a bad answer is named before the form
    out: dict[str, widgets.Widget] = {}
    # one column of labels, the answers aligned beside them and wide enough to read
    style = {"description_width": "16em"}
    for name in QUESTIONS:
        out[name] = widgets.Dropdown(options=_choices(name, language), value=given.get(name, ""),
                                     description=t(f"roadmap.question_{name}", language),
                                     style=style,
                                     layout=widgets.Layout(width="34em"))
    out["notes"] = widgets.Textarea(value=str(given.get("notes", "")),
                                    description=t("roadmap.questionnaire_notes", language),
                                    style=style, layout=widgets.Layout(width="60%", min_width="34em"))
    return out


def read_widgets(controls: dict[str, widgets.Widget]) -> dict[str, Any]:
    """The answers given in the widgets (questions left unanswered are not in it)."""
    return answered_config({name: w.value for name, w in controls.items()})  # "" not answered


def questionnaire_form(engagement: Engagement) -> widgets.VBox:
    """The form, with a Save button writing the answers given back to the engagement file."""
    import html

    language = engagement.language
    controls = questionnaire_widgets(engagement.questionnaire, language)
    status = widgets.HTML()
    save = widgets.Button(description=t("roadmap.questionnaire_save", language),
                          button_style="primary", icon="save", layout=widgets.Layout(width="auto"))

    def on_save(_):
        engagement.questionnaire = read_widgets(controls)
        path = save_engagement(engagement)
        answered = len([k for k in engagement.questionnaire if k in QUESTIONS])
        status.value = html.escape(t("roadmap.questionnaire_saved", language, path=path.name,
                                     n=answered, total=len(QUESTIONS)))

    save.on_click(on_save)
    return widgets.VBox([*controls.values(), widgets.HBox([save, status])])
