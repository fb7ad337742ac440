"""The clerical review panel: an ipywidgets view over :mod:`rcu_kit.golden.review` (rendering only).

Each uncertain pair is shown side by side (masked per the engagement's personal-data policy),
with its match probability and the comparison evidence, and three decisions: *match*,
*non-match*, *unsure* (plus *skip* and *back*). Every decision is written at once to the label
store, so closing the notebook or restarting the kernel loses nothing.

Keyboard: the small text box under the buttons takes one key (``m``, ``n``, ``u``, ``s``,
``b``) and acts at once; it keeps the focus, so a reviewer labels pair after pair without the
mouse.

Examples:
    >>> panel = ReviewPanel(sample, run.records, LabelStore(labels_path(engagement)),
    ...                     mask=engagement.mask_personal_data)  # doctest: +SKIP
    >>> panel.widget  # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import pandas as pd

from rcu_kit.core.i18n import fmt_number, t
from rcu_kit.report.tables import EMPTY
from rcu_kit.golden.review import LabelStore, borderline_view, evidence_words, mark_sheet_label

__all__ = ["ReviewPanel"]

_KEYS = {"m": "match", "n": "non_match", "u": "unsure", "s": "skip", "b": "back"}


class ReviewPanel:
    """Label ``pairs`` one after the other; labels go to ``store``.

    Args:
        pairs: the pairs to review (e.g. :func:`rcu_kit.golden.review.sample_pairs_for_review`).
        records: the standardised records (to show both sides).
        store: where labels are written.
        mask: mask personal data (``engagement.mask_personal_data``).
        language: ``fr`` or ``en``.
        reviewer: written with each label.
        sheet: the engagement's review sheet (:func:`rcu_kit.golden.review.sheet_paths`), whose
            label column each decision also fills in (None: the label store only).
        labels: attribute -> its label in the target model (default: the attributes' words).

    Attributes:
        position: index of the pair on screen (``len(pairs)`` when done).
        widget: the panel to display.
    """

    def __init__(self, pairs: pd.DataFrame, records: pd.DataFrame, store: LabelStore, *,
                 mask: bool = True, language: str = "fr", reviewer: str = "",
                 sheet: Any = None, labels: dict[str, str] | None = None) -> None:
        self.pairs = pairs.reset_index(drop=True)
        self.labels = labels
        self.sheet = sheet
        self.records, self.store = records, store
        self.mask, self.language, self.reviewer = mask, language, reviewer
        self.position = 0
        self.header = widgets.HTML()
        self.body = widgets.HTML()
        self.buttons = {}
        styles = {"match": "success", "non_match": "danger", "unsure": "warning", "skip": "",
                  "back": ""}
        for action, key in ((a, k) for k, a in _KEYS.items()):
            button = widgets.Button(description=t(f"review.{action}", language),
                                    button_style=styles[action], tooltip=f"{key}")
            button.on_click(lambda _b, a=action: self.act(a))
            self.buttons[action] = button
        self.keys = widgets.Text(value="", placeholder="m / n / u / s / b",
                                 layout=widgets.Layout(width="12em"))
        self.keys.observe(self._on_key, names="value")
        self.help = widgets.HTML(f"<small>{html.escape(t('review.keys', language))}</small>")
        self.widget = widgets.VBox([self.header, self.body,
                                    widgets.HBox(list(self.buttons.values())),
                                    widgets.HBox([self.keys, self.help])])
        self._render()

    @property
    def current(self) -> pd.Series | None:
        """The pair on screen (None when every pair was seen)."""
        return self.pairs.iloc[self.position] if self.position < len(self.pairs) else None

    def _on_key(self, change: dict[str, Any]) -> None:
        key = str(change.get("new", "")).strip().lower()[-1:]
        if key in _KEYS:
            self.act(_KEYS[key])
        if change.get("new"):
            self.keys.value = ""

    def act(self, action: str) -> None:
        """Apply one decision (``match``, ``non_match``, ``unsure``, ``skip``, ``back``)."""
        if action == "back":
            self.position = max(0, self.position - 1)
        elif action == "skip":
            self.position = min(len(self.pairs), self.position + 1)
        elif self.current is not None:
            self.store.add(self.current, action, reviewer=self.reviewer)
            if self.sheet is not None:
                mark_sheet_label(self.sheet, self.current, action)
            self.position += 1
        self._render()

    def _render(self) -> None:
        lang = self.language
        pair = self.current
        if pair is None:
            self.header.value = f"<b>{html.escape(t('review.done', lang, n=len(self.store)))}</b>"
            self.body.value = ""
            return
        # the attributes both records leave empty are left out; each comparison in words
        view = borderline_view(self.records, pair, mask=self.mask, language=lang,
                               labels=self.labels)
        view = view.rename(columns={c: t(f"review.col_{c}", lang) for c in view.columns})
        view = view.astype(object).where(view.notna(), EMPTY)   # a value one record lacks
        evidence = evidence_words(str(pair.get("evidence", "")), lang)
        probability = float(pair["match_probability"])
        shown = (t("review.not_proposed", lang) if probability != probability
                 else fmt_number(probability, lang, 3))
        self.header.value = (
            f"<b>{html.escape(t('review.pair_of', lang, i=self.position + 1, n=len(self.pairs)))}"
            f"</b> &nbsp; {html.escape(t('review.probability', lang, p=shown))} &nbsp; "
            f"<small>{html.escape(t('review.labelled', lang, n=len(self.store)))}</small>")
        self.body.value = (view.to_html(index=False, escape=True)
                           + f"<p><small>{html.escape(t('review.evidence', lang, e=evidence))}"
                           "</small></p>")
