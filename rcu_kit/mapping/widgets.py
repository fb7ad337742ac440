"""ipywidgets editor of the mapping (notebook 03): one row per source column.

Rendering only: each row shows a column with the suggester's attribute, transform, confidence
and reason; the consultant changes the attribute or the transform, ticks *validated*, and saves.
Saving turns the rows back into a table, then :func:`rcu_kit.mapping.suggest.mapping_from_table` and
:func:`rcu_kit.mapping.transforms.validate_mapping` check it and the engagement YAML is written.

Where the engagement already holds a mapping for a source, its entries are shown (they win over
the suggestions); the other columns show the suggestion.

Examples:
    >>> import pandas as pd
    >>> from rcu_kit.core.config import Attribute, Engagement, Source
    >>> eng = Engagement(client="x", sources=[Source(name="crm", path="a")],
    ...                  target_model=[Attribute(name="email", type="email")])
    >>> suggestions = pd.DataFrame({"source": ["crm"], "column": ["mail"], "attribute": ["email"],
    ...                             "transform": [None], "confidence": [0.9], "reason": ["name"]})
    >>> editor = MappingEditor(eng, suggestions)
    >>> editor.to_table()[["column", "attribute", "validated"]].values.tolist()
    [['mail', 'email', False]]
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from rcu_kit.core.config import DERIVED_ATTRIBUTES, KNOWN_TRANSFORMS, Engagement, save_engagement
from rcu_kit.core.i18n import fmt_number, t
from rcu_kit.mapping.suggest import MAPPING_COLUMNS, mapping_from_table, suggestion_reasons
from rcu_kit.mapping.transforms import validate_mapping

__all__ = ["MappingEditor", "editor_rows"]


def editor_rows(engagement: Engagement, suggestions: pd.DataFrame) -> pd.DataFrame:
    """The rows the editor starts from: saved mapping entries first, suggestions elsewhere.

    Returns:
        One row per suggested source column (plus saved entries whose column the suggestions
        do not list), columns :data:`rcu_kit.mapping.suggest.MAPPING_COLUMNS` + ``validated``:
        a suggestion's reason is worded in the engagement's language, the note saved with the
        entry in the engagement file.
    """
    saved = {(src, e.column): e for src, entries in engagement.mapping.items() for e in entries}
    rows = []
    seen = set()
    suggestions = suggestions.assign(reason=suggestion_reasons(suggestions, engagement.language))
    for r in suggestions.to_dict(orient="records"):
        key = (r["source"], r["column"])
        seen.add(key)
        e = saved.get(key)
        if e is not None:
            rows.append({"source": r["source"], "column": r["column"], "attribute": e.attribute,
                         "transform": e.transform, "confidence": e.confidence if e.confidence is not None
                         else r.get("confidence"), "reason": e.reason or r.get("reason", ""),
                         "validated": e.validated})
        else:
            rows.append({**{k: r.get(k) for k in MAPPING_COLUMNS}, "validated": False})
    for (src, column), e in saved.items():
        if (src, column) not in seen:
            rows.append({"source": src, "column": column, "attribute": e.attribute, "transform": e.transform,
                         "confidence": e.confidence, "reason": e.reason, "validated": e.validated})
    return pd.DataFrame(rows, columns=[*MAPPING_COLUMNS, "validated"])


class MappingEditor:
    """Widgets to review and correct the suggested mapping, with a Save button.

    Args:
        engagement: the engagement (its target model gives the attribute choices; its mapping
            is replaced on save).
        suggestions: from :func:`rcu_kit.mapping.suggest.suggest_mapping`.
        loaded: the loaded sources; when given, saving checks every column exists.
        language: of the labels (default: the engagement's).
        path: where Save writes (default: the engagement's own file).
    """

    def __init__(self, engagement: Engagement, suggestions: pd.DataFrame,
                 loaded: Mapping[str, Any] | None = None, language: str | None = None,
                 path: str | Path | None = None) -> None:
        self.engagement = engagement
        self.loaded = loaded
        self.language = lang = language or engagement.language
        self.path = path
        unmapped = t("mapping.unmapped", lang)
        none = t("mapping.no_transform", lang)
        # "" stands for "not mapped" / "no transform": a dropdown shows no label for None
        attribute_options = [(unmapped, "")] + [(f"{a.label(lang)} ({a.name})", a.name)
                                                for a in engagement.target_model]
        attribute_options += [(name, name) for name in DERIVED_ATTRIBUTES]
        transform_options = [(none, "")] + [(x, x) for x in KNOWN_TRANSFORMS]
        fill = w.Layout(width="auto", min_width="0")
        self.rows: list[dict[str, Any]] = []
        cells_by_source: dict[str, list[w.Widget]] = {}
        for r in editor_rows(engagement, suggestions).to_dict(orient="records"):
            attribute = r["attribute"] if isinstance(r["attribute"], str) else ""
            transform = r["transform"] if isinstance(r["transform"], str) else ""
            row = {
                "source": r["source"], "column": r["column"],
                "attribute": w.Dropdown(options=attribute_options, value=attribute, layout=fill),
                "transform": w.Dropdown(options=transform_options, value=transform, layout=fill),
                "validated": w.Checkbox(value=bool(r["validated"]), indent=False, layout=fill),
                "confidence": r["confidence"], "reason": r["reason"] or "",
            }
            # a choice changed by hand is the consultant's, to be validated again
            for name in ("attribute", "transform"):
                row[name].observe(lambda _change, row=row: self._changed(row), names="value")
            confidence = "" if pd.isna(r["confidence"]) else fmt_number(r["confidence"], lang, 2)
            self.rows.append(row)
            cells_by_source.setdefault(r["source"], []).extend([
                w.HTML(f"<code>{html.escape(str(r['column']))}</code>", layout=fill),
                row["attribute"], row["transform"], row["validated"],
                w.HTML(confidence, layout=fill),
                w.HTML(f"<small>{html.escape(str(row['reason']))}</small>", layout=fill)])
        header = [("column", "200px"), ("attribute", "240px"), ("transform", "190px"),
                  ("validated", "40px"), ("confidence", "50px"), ("reason", "300px")]
        grid = w.Layout(width="100%", grid_gap="2px 6px", align_items="center",
                        grid_template_columns="15fr 22fr 15fr 6fr 6fr 26fr")
        self.tabs = w.Tab(children=[
            w.GridBox([w.HTML(f"<b>{html.escape(t(f'mapping.{k}', lang))}</b>", layout=fill)
                       for k, _ in header] + cells, layout=grid)
            for cells in cells_by_source.values()])
        for i, name in enumerate(cells_by_source):
            self.tabs.set_title(i, name)
        self.accept_button = w.Button(description=t("mapping.editor_accept_all", lang), icon="check",
                                      layout=w.Layout(width="auto"))
        self.accept_button.on_click(lambda _: self.validate_all())
        self.save_button = w.Button(description=t("mapping.editor_save", lang), button_style="primary",
                                    icon="save", layout=w.Layout(width="auto"))
        self.save_button.on_click(lambda _: self.save())
        self.status = w.HTML()
        self.widget = w.VBox([self.tabs, w.HBox([self.accept_button, self.save_button]), self.status])

    def _changed(self, row: dict[str, Any]) -> None:
        """A choice changed by hand: no longer validated, no longer the suggester's confidence."""
        row["validated"].value = False
        row["confidence"] = None
        row["reason"] = t("mapping.changed_by_hand", self.language)

    def validate_all(self) -> None:
        """Tick *validated* on every mapped row (the consultant accepts what is shown)."""
        for row in self.rows:
            if row["attribute"].value:
                row["validated"].value = True

    def to_table(self) -> pd.DataFrame:
        """The mapping as currently edited, one row per column (attribute None = not mapped)."""
        return pd.DataFrame([{"source": r["source"], "column": r["column"],
                              "attribute": r["attribute"].value or None,
                              "transform": r["transform"].value or None,
                              "confidence": r["confidence"], "reason": r["reason"],
                              "validated": r["validated"].value} for r in self.rows],
                            columns=[*MAPPING_COLUMNS, "validated"])

    def apply(self) -> Engagement:
        """Check the edited mapping and put it into the engagement (no file written).

        Raises:
            MappingError: a bad transform, an unknown attribute or (with ``loaded``) a missing
                column; the message names the source, the column and the attribute.
        """
        mapping = mapping_from_table(self.to_table())
        if self.loaded is not None:
            validate_mapping(self.engagement, self.loaded, mapping)
        self.engagement.mapping = mapping
        return self.engagement

    def save(self) -> Path | None:
        """Apply the edits and write the engagement YAML; the status line says what happened."""
        try:
            self.apply()
            path = save_engagement(self.engagement, self.path)
        except ValueError as exc:  # MappingError, ConfigError
            message = html.escape(t("mapping.editor_error", self.language, message=exc), quote=False)
            self.status.value = f"<span style='color:#c0392b'>{message}</span>"
            return None
        n = sum(len(v) for v in self.engagement.mapping.values())
        self.status.value = t("mapping.editor_saved", self.language, path=path, n=n)
        return path

    def _ipython_display_(self) -> None:  # pragma: no cover - display hook in Jupyter
        from IPython.display import display

        display(self.widget)
