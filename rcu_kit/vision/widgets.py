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

__all__ = ["VisionEditor", "ViewsEditor"]

# one grid for the header and every row, in shares of the notebook's width, so the columns line up
# and the table fits a normal window without a sideways scroll per row
_COLUMNS = {"name": "10fr", "label_fr": "10fr", "label_en": "10fr", "type": "8fr",
            "definition": "12fr", "owner": "11fr", "criticity": "9fr", "gdpr_category": "12fr",
            "retention": "10fr", "required": "9fr"}
_REMOVE_COLUMN = "4fr"
# coded choices shown by their label in the engagement's language (the value saved stays the code)
_CODED = {"criticity": ("criticity", Criticity), "gdpr_category": ("gdpr", GdprCategory)}


class VisionEditor:
    """Widgets to edit an engagement's definitions and target model, with a Save button.

    Args:
        engagement: the engagement to edit (changed in place on save).
        language: of the labels (default: the engagement's).
        path: where Save writes (default: the engagement's own file).

    Attributes:
        rows: one dict of widgets per attribute, by field.
        grid: the target-model table: a header line, then one line per attribute.
        widget: the editor to display.
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
        self._header: list[w.Widget] = []
        self.grid = w.GridBox(layout=w.Layout(
            width="100%", grid_gap="2px 4px", align_items="center",
            grid_template_columns=" ".join([*_COLUMNS.values(), _REMOVE_COLUMN])))
        for attr in engagement.target_model:
            self._add_row(attr)
        self.new_name = w.Text(placeholder=t("vision.editor_new_name", lang))
        self.add_button = w.Button(description=t("vision.editor_add", lang), icon="plus")
        self.add_button.on_click(lambda _: self.add_attribute(self.new_name.value))
        self.save_button = w.Button(description=t("vision.editor_save", lang), button_style="primary",
                                    icon="save", layout=w.Layout(width="auto"))
        self.save_button.on_click(lambda _: self.save())
        self.status = w.HTML()
        self._header = [w.HTML(f"<b title='{html.escape(t(f'vision.{f}', lang), quote=True)}'>"
                               f"{html.escape(t(f'vision.{f}', lang))}</b>",
                               layout=w.Layout(width="auto", overflow="hidden"))
                        for f in ATTRIBUTE_FIELDS] + [w.HTML("")]
        self._refresh_grid()
        self.add_button.layout = w.Layout(width="auto")
        self.widget = w.VBox([
            w.HTML(f"<h3>{t('vision.definitions', lang)}</h3>"), *self.definitions.values(),
            w.HTML(f"<h3>{t('vision.target_model', lang)}</h3>"), self.grid,
            w.HBox([self.new_name, self.add_button]), w.HBox([self.save_button, self.status]),
        ], layout=w.Layout(width="100%"))

    # -- rows ------------------------------------------------------------------------------
    def _add_row(self, attr: Attribute) -> None:
        fill = w.Layout(width="auto", min_width="0")

        def text(value: str) -> w.Text:
            return w.Text(value=value, layout=fill)

        def choice(value: str, field: str) -> w.Dropdown:
            if field in _CODED:
                prefix, codes = _CODED[field]
                options = [(t(f"vision.{prefix}_{code}", self.language), code)
                           for code in get_args(codes)]
            else:
                options = list(get_args(AttributeType))
            return w.Dropdown(value=value, options=options, layout=fill)

        row: dict[str, w.Widget] = {
            "name": text(attr.name), "label_fr": text(attr.label_fr),
            "label_en": text(attr.label_en), "type": choice(attr.type, "type"),
            "definition": text(attr.definition), "owner": text(attr.owner),
            "criticity": choice(attr.criticity, "criticity"),
            "gdpr_category": choice(attr.gdpr_category, "gdpr_category"),
            "retention": text(attr.retention),
            "required": w.Checkbox(value=attr.required, indent=False, layout=fill),
        }
        remove = w.Button(icon="trash", tooltip=t("vision.editor_remove", self.language),
                          layout=fill)
        remove.on_click(lambda _: self.remove_attribute(row["name"].value))
        row["_cells"] = [row[f] for f in ATTRIBUTE_FIELDS] + [remove]
        self.rows.append(row)
        self._refresh_grid()

    def _refresh_grid(self) -> None:
        self.grid.children = tuple(self._header + [c for r in self.rows for c in r["_cells"]])

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
        self._refresh_grid()

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


class ViewsEditor:
    """Widgets to edit who receives which golden attributes (the engagement's ``views``): one
    column per role or application with its kind and purpose, one checkbox per target attribute,
    a field to add a view, and a Save button that writes the engagement file and says how many
    data minimisation findings remain (:func:`rcu_kit.vision.views.view_findings`).

    Args:
        engagement: the engagement to edit (changed in place on save).
        language: of the labels (default: the engagement's).
        path: where Save writes (default: the engagement's own file).

    Attributes:
        columns: one dict of widgets per view: ``name``, ``kind``, ``purpose`` and ``boxes``
            (attribute -> checkbox).
        grid: the matrix: three header lines (name, kind, purpose), then one line per attribute.
        widget: the editor to display.
    """

    def __init__(self, engagement: Engagement, language: str | None = None,
                 path: str | Path | None = None) -> None:
        self.engagement = engagement
        self.language = language or engagement.language
        self.path = path
        self.columns: list[dict] = []
        self.grid = w.GridBox(layout=w.Layout(width="100%", grid_gap="2px 6px",
                                              align_items="center"))
        for view in engagement.views:
            self._add_column(view.name, view.kind, view.purpose, set(view.attributes))
        lang = self.language
        self.new_name = w.Text(placeholder=t("vision.views_editor_new_name", lang))
        self.add_button = w.Button(description=t("vision.views_editor_add", lang), icon="plus",
                                   layout=w.Layout(width="auto"))
        self.add_button.on_click(lambda _: self.add_view(self.new_name.value))
        self.save_button = w.Button(description=t("vision.views_editor_save", lang), icon="save",
                                    button_style="primary", layout=w.Layout(width="auto"))
        self.save_button.on_click(lambda _: self.save())
        self.status = w.HTML()
        self.widget = w.VBox([self.grid, w.HBox([self.new_name, self.add_button]),
                              w.HBox([self.save_button, self.status])],
                             layout=w.Layout(width="100%"))
        self._refresh_grid()

    def _add_column(self, name: str, kind: str, purpose: str, chosen: set[str]) -> None:
        fill = w.Layout(width="auto", min_width="0")
        lang = self.language
        self.columns.append({
            "name": w.Text(value=name, layout=fill),
            "kind": w.Dropdown(options=[(t(f"vision.view_kind_{k}", lang), k)
                                        for k in ("role", "application")], value=kind, layout=fill),
            "purpose": w.Textarea(value=purpose, placeholder=t("vision.view_purpose", lang),
                                  layout=w.Layout(width="auto", min_width="0", height="54px")),
            "boxes": {a.name: w.Checkbox(value=a.name in chosen, indent=False, layout=fill)
                      for a in self.engagement.target_model},
        })

    def _refresh_grid(self) -> None:
        lang = self.language
        blank = w.HTML("")
        cells: list[w.Widget] = [w.HTML(f"<b>{html.escape(t('vision.view', lang))}</b>"),
                                 *[c["name"] for c in self.columns],
                                 w.HTML(html.escape(t("vision.view_kind", lang))),
                                 *[c["kind"] for c in self.columns],
                                 w.HTML(html.escape(t("vision.view_purpose", lang))),
                                 *[c["purpose"] for c in self.columns]]
        for a in self.engagement.target_model:
            label = f"{a.label(lang)} <small>({t(f'vision.gdpr_{a.gdpr_category}', lang)})</small>"
            cells += [w.HTML(label), *[c["boxes"][a.name] for c in self.columns]]
        self.grid.layout.grid_template_columns = " ".join(["16fr"] + ["10fr"] * len(self.columns))
        self.grid.children = tuple(cells) if self.columns else (blank,)

    def add_view(self, name: str) -> None:
        """Add a view called ``name`` receiving nothing yet (edited, then saved, like the others)."""
        name = (name or "").strip()
        if not name:
            self.status.value = t("vision.editor_error", self.language,
                                  message=t("vision.views_editor_new_name", self.language))
            return
        self._add_column(name, "role", "", set())
        self._refresh_grid()
        self.new_name.value = ""

    def apply(self) -> Engagement:
        """Apply the edits to the engagement (validated; no file written).

        Raises:
            ConfigError: a view without a name, or two views with one name.
        """
        from rcu_kit.core.config import ConfigError, View, repeated_names

        views = [View(name=c["name"].value.strip(), kind=c["kind"].value,
                      purpose=c["purpose"].value.strip(),
                      attributes=[a for a, box in c["boxes"].items() if box.value])
                 for c in self.columns]
        names = [v.name for v in views]
        if "" in names:
            raise ConfigError(t("vision.views_editor_unnamed", self.language))
        repeated = repeated_names(names)
        if repeated:
            raise ConfigError(t("vision.views_editor_repeated", self.language,
                                names=", ".join(repeated)))
        self.engagement.views = views
        return self.engagement

    def save(self) -> Path | None:
        """Apply the edits and write the engagement YAML; the status line says what happened."""
        from rcu_kit.vision.views import view_findings

        try:
            self.apply()
            path = save_vision(self.engagement, self.path)
        except ValueError as exc:  # ConfigError included
            message = html.escape(t("vision.editor_error", self.language, message=exc), quote=False)
            self.status.value = f"<span style='color:#c0392b'>{message}</span>"
            return None
        found = len(view_findings(self.engagement))
        self.status.value = html.escape(t("vision.views_editor_saved", self.language,
                                          path=path.name, n=found))
        return path

    def _ipython_display_(self) -> None:  # pragma: no cover - display hook in Jupyter
        from IPython.display import display

        display(self.widget)
