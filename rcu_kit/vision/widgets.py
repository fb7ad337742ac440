"""ipywidgets editor of the customer vision (notebook 01): definitions and target record.

Rendering only: the editor shows the engagement's definitions and target model as widgets, and
on *Save* turns them back into a table and hands it to :mod:`rcu_kit.vision.model` (which validates it
and writes the engagement YAML). In a workshop the consultant edits with the client in
JupyterLab, then saves.

Examples:
    >>> from rcu_kit.core.config import Engagement
    >>> from rcu_kit.vision.model import start_vision
    >>> eng = start_vision(Engagement(client="x"), "b2c")
    >>> editor = VisionEditor(eng)
    >>> editor.rows[0]["name"].value
    'civility'
    >>> editor.to_table().shape
    (14, 10)
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import get_args

import ipywidgets as w
import pandas as pd

from rcu_kit.core.config import Attribute, AttributeType, Criticity, Engagement, GdprCategory
from rcu_kit.core.i18n import t
from rcu_kit.vision.model import (
    ATTRIBUTE_FIELDS,
    DEFINITION_KEYS,
    attributes_from_table,
    save_vision,
    set_definitions,
    set_target_model,
)

__all__ = ["VisionEditor"]

_WIDTHS = {"name": "130px", "label_fr": "150px", "label_en": "150px", "type": "100px",
           "definition": "220px", "owner": "140px", "criticity": "90px", "gdpr_category": "110px",
           "retention": "180px", "required": "60px"}


class VisionEditor:
    """Widgets to edit an engagement's definitions and target model, with a Save button.

    Args:
        engagement: the engagement to edit (changed in place on save).
        language: of the labels (default: the engagement's).
        path: where Save writes (default: the engagement's own file).
    """

    def __init__(self, engagement: Engagement, language: str | None = None,
                 path: str | Path | None = None) -> None:
        self.engagement = engagement
        self.language = language or engagement.language
        self.path = path
        lang = self.language
        keys = list(DEFINITION_KEYS) + [k for k in engagement.definitions if k not in DEFINITION_KEYS]
        self.definitions = {
            k: w.Textarea(value=engagement.definitions.get(k, ""),
                          description=t(f"vision.{k}", lang) if k in DEFINITION_KEYS else k,
                          layout=w.Layout(width="95%", height="60px"),
                          style={"description_width": "100px"})
            for k in keys}
        self.rows: list[dict[str, w.Widget]] = []
        self._rows_box = w.VBox()
        for attr in engagement.target_model:
            self._add_row(attr)
        self.new_name = w.Text(placeholder=t("vision.editor_new_name", lang))
        self.add_button = w.Button(description=t("vision.editor_add", lang), icon="plus")
        self.add_button.on_click(lambda _: self.add_attribute(self.new_name.value))
        self.save_button = w.Button(description=t("vision.editor_save", lang), button_style="primary",
                                    icon="save", layout=w.Layout(width="auto"))
        self.save_button.on_click(lambda _: self.save())
        self.status = w.HTML()
        header = w.HBox([w.HTML(f"<b>{t(f'vision.{f}', lang)}</b>", layout=w.Layout(width=_WIDTHS[f]))
                         for f in ATTRIBUTE_FIELDS])
        self.widget = w.VBox([
            w.HTML(f"<h3>{t('vision.definitions', lang)}</h3>"), *self.definitions.values(),
            w.HTML(f"<h3>{t('vision.target_model', lang)}</h3>"), header, self._rows_box,
            w.HBox([self.new_name, self.add_button]), w.HBox([self.save_button, self.status]),
        ])

    # -- rows ------------------------------------------------------------------------------
    def _add_row(self, attr: Attribute) -> None:
        def text(value: str, field: str) -> w.Text:
            return w.Text(value=value, layout=w.Layout(width=_WIDTHS[field]))

        def choice(value: str, options, field: str) -> w.Dropdown:
            return w.Dropdown(value=value, options=list(options), layout=w.Layout(width=_WIDTHS[field]))

        row: dict[str, w.Widget] = {
            "name": text(attr.name, "name"), "label_fr": text(attr.label_fr, "label_fr"),
            "label_en": text(attr.label_en, "label_en"),
            "type": choice(attr.type, get_args(AttributeType), "type"),
            "definition": text(attr.definition, "definition"), "owner": text(attr.owner, "owner"),
            "criticity": choice(attr.criticity, get_args(Criticity), "criticity"),
            "gdpr_category": choice(attr.gdpr_category, get_args(GdprCategory), "gdpr_category"),
            "retention": text(attr.retention, "retention"),
            "required": w.Checkbox(value=attr.required, indent=False, layout=w.Layout(width=_WIDTHS["required"])),
        }
        remove = w.Button(description=t("vision.editor_remove", self.language), icon="trash",
                          layout=w.Layout(width="110px"))
        box = w.HBox([row[f] for f in ATTRIBUTE_FIELDS] + [remove])
        remove.on_click(lambda _: self.remove_attribute(row["name"].value))
        row["_box"] = box
        self.rows.append(row)
        self._rows_box.children = tuple(r["_box"] for r in self.rows)

    def add_attribute(self, name: str) -> None:
        """Add an empty attribute row called ``name`` (edited, then saved, like the others)."""
        name = (name or "").strip()
        if not name:
            self.status.value = t("vision.editor_error", self.language,
                                  message=t("vision.editor_new_name", self.language))
            return
        self._add_row(Attribute(name=name))
        self.new_name.value = ""

    def remove_attribute(self, name: str) -> None:
        """Drop the row of attribute ``name`` (the engagement changes only on save)."""
        self.rows = [r for r in self.rows if r["name"].value != name]
        self._rows_box.children = tuple(r["_box"] for r in self.rows)

    # -- back to the model -----------------------------------------------------------------
    def to_table(self) -> pd.DataFrame:
        """The target model as currently edited (columns :data:`rcu_kit.vision.model.ATTRIBUTE_FIELDS`)."""
        return pd.DataFrame([{f: r[f].value for f in ATTRIBUTE_FIELDS} for r in self.rows],
                            columns=list(ATTRIBUTE_FIELDS))

    def apply(self) -> Engagement:
        """Validate the edits and apply them to the engagement (no file written).

        Raises:
            ConfigError: the edits are invalid (the message names the row and the column).
        """
        attributes = attributes_from_table(self.to_table())
        set_target_model(self.engagement, attributes)
        set_definitions(self.engagement, {k: box.value for k, box in self.definitions.items()})
        return self.engagement

    def save(self) -> Path | None:
        """Apply the edits and write the engagement YAML; the status line says what happened."""
        try:
            self.apply()
            path = save_vision(self.engagement, self.path)
        except ValueError as exc:  # ConfigError included
            message = html.escape(t("vision.editor_error", self.language, message=exc), quote=False)
            self.status.value = f"<span style='color:#c0392b'>{message}</span>"
            return None
        self.status.value = t("vision.editor_saved", self.language, path=path)
        return path

    def _ipython_display_(self) -> None:  # pragma: no cover - display hook in Jupyter
        from IPython.display import display

        display(self.widget)
