"""ipywidgets editor of the flows between systems (notebook 02); rendering only.

One line per flow (name, from, to, both ways, mode, protocol, business process, usual volume and
period, peak, owner, supervision), a button to add a flow, and Save, which validates the flows
(:class:`rcu_kit.core.config.Flow`) and writes them into the engagement file; the status line says
how many flows still have open questions (:func:`rcu_kit.audit.flows.bridge_summary`).

Examples:
    >>> editor = FlowsEditor(engagement)  # doctest: +SKIP
    >>> editor.widget  # doctest: +SKIP
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w

from rcu_kit.core.config import Engagement, Flow
from rcu_kit.core.i18n import t

__all__ = ["FlowsEditor"]

FIELDS = ("name", "from_system", "to_system", "two_way", "mode", "protocol", "process",
          "volume_per_period", "period", "peak", "owner", "supervision")
_COLUMNS = ("8fr 9fr 9fr 4fr 8fr 7fr 12fr 7fr 6fr 6fr 9fr 11fr 3fr")
_PERIODS = ("hour", "day", "week", "month", "year")


class FlowsEditor:
    """Widgets to edit the engagement's ``flows``, with a Save button.

    Args:
        engagement: the engagement to edit (changed in place on save).
        language: of the labels (default: the engagement's).
        path: where Save writes (default: the engagement's own file).

    Attributes:
        rows: one dict of widgets per flow, by field of :data:`FIELDS`.
        grid: a header line, then one line per flow.
        widget: the editor to display.
    """

    def __init__(self, engagement: Engagement, language: str | None = None,
                 path: str | Path | None = None) -> None:
        self.engagement = engagement
        self.language = language or engagement.language
        self.path = path
        lang = self.language
        self.rows: list[dict] = []
        self.grid = w.GridBox(layout=w.Layout(width="100%", grid_gap="2px 4px",
                                              align_items="center",
                                              grid_template_columns=_COLUMNS))
        self._header = [w.HTML(f"<b>{html.escape(t(f'audit.flows_editor_{f}', lang))}</b>",
                               layout=w.Layout(width="auto", overflow="hidden"))
                        for f in FIELDS] + [w.HTML("")]
        for flow in engagement.flows:
            self._add_row(flow)
        self.add_button = w.Button(description=t("audit.flows_editor_add", lang), icon="plus",
                                   layout=w.Layout(width="auto"))
        self.add_button.on_click(lambda _: self.add_flow())
        self.save_button = w.Button(description=t("audit.flows_editor_save", lang), icon="save",
                                    button_style="primary", layout=w.Layout(width="auto"))
        self.save_button.on_click(lambda _: self.save())
        self.status = w.HTML()
        self._refresh_grid()
        self.widget = w.VBox([self.grid, w.HBox([self.add_button, self.save_button, self.status])],
                             layout=w.Layout(width="100%"))

    def _add_row(self, flow: Flow) -> None:
        fill = w.Layout(width="auto", min_width="0")
        lang = self.language

        def text(value: str) -> w.Text:
            return w.Text(value=value or "", layout=fill)

        def count(value: int | None) -> w.Text:  # empty means unknown: an IntText cannot say so
            return w.Text(value="" if value is None else str(value), layout=fill)

        row = {
            "name": text(flow.name), "from_system": text(flow.from_system),
            "to_system": text(flow.to_system),
            "two_way": w.Checkbox(value=flow.two_way, indent=False, layout=fill),
            "mode": w.Dropdown(options=[(t(f"audit.flow_mode_{m}", lang), m)
                                        for m in ("sync", "async")], value=flow.mode, layout=fill),
            "protocol": w.Dropdown(options=[(t(f"audit.flow_protocol_{p}", lang), p)
                                            for p in ("file", "api", "message", "database")],
                                   value=flow.protocol, layout=fill),
            "process": text(flow.process), "volume_per_period": count(flow.volume_per_period),
            "period": w.Dropdown(options=[(t(f"audit.period_{p}", lang), p) for p in _PERIODS]
                                 + ([] if flow.period in _PERIODS else [(flow.period, flow.period)]),
                                 value=flow.period, layout=fill),
            "peak": count(flow.peak), "owner": text(flow.owner),
            "supervision": text(flow.supervision),
        }
        remove = w.Button(icon="trash", tooltip=t("audit.flows_editor_remove", lang), layout=fill)
        remove.on_click(lambda _: self.remove_flow(row))
        row["_cells"] = [row[f] for f in FIELDS] + [remove]
        self.rows.append(row)

    def _refresh_grid(self) -> None:
        self.grid.children = tuple(self._header + [c for r in self.rows for c in r["_cells"]])

    def add_flow(self) -> None:
        """Add an empty flow line (named ``flow_<n>``, the first n no line uses), to fill in then
        save."""
        taken = {row["name"].value for row in self.rows}
        n = next(i for i in range(1, len(self.rows) + 2) if f"flow_{i}" not in taken)
        self._add_row(Flow(name=f"flow_{n}", from_system="", to_system=""))
        self._refresh_grid()

    def remove_flow(self, row: dict) -> None:
        """Drop a flow line (the engagement changes only on save)."""
        self.rows = [r for r in self.rows if r is not row]
        self._refresh_grid()

    def apply(self) -> Engagement:
        """Validate the lines and apply them to the engagement (no file written).

        Raises:
            ConfigError: a line is invalid; the message names the flow and the field.
        """
        from rcu_kit.core.config import ConfigError, repeated_names

        flows = []
        for i, row in enumerate(self.rows, start=1):
            name = row["name"].value.strip() or f"#{i}"
            values = {f: row[f].value for f in FIELDS}
            for field in ("volume_per_period", "peak"):
                raw = str(values[field]).replace(" ", "").replace("\u202f", "").strip()
                if raw and not raw.isdigit():
                    raise ConfigError(t("audit.flows_editor_not_a_count", self.language,
                                        flow=name, field=t(f"audit.flows_editor_{field}",
                                                           self.language), value=values[field]))
                values[field] = int(raw) if raw else None
            for field in ("name", "from_system", "to_system"):
                values[field] = values[field].strip()
                if not values[field]:
                    raise ConfigError(t("audit.flows_editor_missing", self.language, flow=name,
                                        field=t(f"audit.flows_editor_{field}", self.language)))
            flows.append(Flow(**values))
        repeated = repeated_names([f.name for f in flows])
        if repeated:
            raise ConfigError(t("audit.flows_editor_repeated", self.language,
                                names=", ".join(repeated)))
        self.engagement.flows = flows
        return self.engagement

    def save(self) -> Path | None:
        """Apply the lines and write the engagement YAML; the status line says what happened."""
        from rcu_kit.audit.flows import bridge_summary
        from rcu_kit.core.config import save_engagement

        try:
            self.apply()
            path = save_engagement(self.engagement, self.path)
        except ValueError as exc:  # ConfigError and pydantic's errors included
            message = html.escape(t("vision.editor_error", self.language, message=exc), quote=False)
            self.status.value = f"<span style='color:#c0392b'>{message}</span>"
            return None
        summary = bridge_summary(self.engagement)
        self.status.value = html.escape(t("audit.flows_editor_saved", self.language,
                                          path=path.name, n=summary["flows"],
                                          open=summary["open_questions"]))
        return path

    def _ipython_display_(self) -> None:  # pragma: no cover - display hook in Jupyter
        from IPython.display import display

        display(self.widget)
