"""Customer vision (step 1 of the method): shared definitions and the target customer record.

The target customer record ("fiche client") is a list of :class:`~rcu_kit.core.config.Attribute`
held in the engagement config. This module reads the shipped models (French B2C, French B2B),
turns the record into an editable table and back (with errors that name the row and the column),
applies edits to an engagement without breaking its mapping, and writes everything back to the
engagement YAML. The ipywidgets editor of notebook 01 lives apart, in
:mod:`rcu_kit.vision.widgets`.

Examples:
    >>> attrs = load_target_model("b2b")
    >>> [a.name for a in attrs][:3]
    ['company_name', 'siren', 'siret']
    >>> table = target_model_table(attrs)
    >>> attributes_from_table(table) == attrs
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError

from rcu_kit.core.config import DERIVED_ATTRIBUTES, Attribute, ConfigError, Engagement, save_engagement
from rcu_kit.core.excel import write_workbook
from rcu_kit.core.i18n import t

__all__ = [
    "TARGET_MODEL_KINDS",
    "DEFINITION_KEYS",
    "DEFAULT_DEFINITIONS",
    "ATTRIBUTE_FIELDS",
    "load_target_model",
    "target_model_table",
    "attributes_from_table",
    "set_target_model",
    "set_definitions",
    "start_vision",
    "save_vision",
    "definitions_table",
    "vision_table",
    "export_vision",
    "render_target_model_template",
    "write_target_model_templates",
]

TARGET_MODEL_KINDS = ("b2c", "b2b")
DEFINITION_KEYS = ("customer", "prospect", "target")
# The fields of an attribute, in the order the editor and the tables show them.
ATTRIBUTE_FIELDS = ("name", "label_fr", "label_en", "type", "definition", "owner", "criticity",
                    "gdpr_category", "retention", "required")

DEFAULT_DEFINITIONS: dict[str, dict[str, str]] = {
    "b2c": {
        "customer": "Personne ayant effectué au moins un achat au cours des 36 derniers mois",
        "prospect": "Personne connue sans achat (inscription newsletter, demande de devis, "
                    "carte de fidélité non utilisée)",
        "target": "Tous les clients et prospects actifs, particuliers, France métropolitaine et DOM",
    },
    "b2b": {
        "customer": "Entreprise (SIREN) ayant au moins une facture au cours des 36 derniers mois",
        "prospect": "Entreprise identifiée sans facture (demande de devis, salon, contact entrant)",
        "target": "Entreprises clientes et prospects actifs en France, leurs établissements (SIRET) "
                  "et leurs contacts nommés",
    },
}


def _model_resource(kind: str):
    if kind not in TARGET_MODEL_KINDS:
        raise ValueError(f"unknown target model {kind!r}; choose one of: {', '.join(TARGET_MODEL_KINDS)}")
    return resources.files("rcu_kit") / "resources" / "target_models" / f"{kind}_fr.yaml"


def load_target_model(kind: str = "b2c") -> list[Attribute]:
    """The shipped French target customer record: ``"b2c"`` (people) or ``"b2b"`` (companies).

    Args:
        kind: ``"b2c"`` or ``"b2b"``.

    Returns:
        The attributes, in the order a customer record shows them.

    Examples:
        >>> [a.name for a in load_target_model("b2c")][:4]
        ['civility', 'last_name', 'birth_name', 'first_name']
    """
    raw = yaml.safe_load(_model_resource(kind).read_text(encoding="utf-8"))
    return [Attribute.model_validate(item) for item in raw]


def target_model_table(attributes: Iterable[Attribute]) -> pd.DataFrame:
    """The attributes as an editable table, one row each, columns :data:`ATTRIBUTE_FIELDS`."""
    rows = [{f: getattr(a, f) for f in ATTRIBUTE_FIELDS} for a in attributes]
    return pd.DataFrame(rows, columns=list(ATTRIBUTE_FIELDS))


def _clean_cell(value: Any) -> Any:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    return value.strip() if isinstance(value, str) else value


def attributes_from_table(table: pd.DataFrame) -> list[Attribute]:
    """Turn an edited table back into attributes.

    Args:
        table: columns named like :data:`ATTRIBUTE_FIELDS` (``name`` is required, the others
            optional); empty cells take the attribute's default.

    Returns:
        One attribute per row, in row order.

    Raises:
        ConfigError: an unknown column, an empty or repeated name, or a bad value; the message
            names the row (1-based), the attribute and the column, and lists what is allowed.
    """
    unknown = [c for c in table.columns if c not in ATTRIBUTE_FIELDS]
    if unknown:
        raise ConfigError(f"target model table: unknown column(s) {', '.join(map(repr, unknown))}; "
                          f"allowed: {', '.join(ATTRIBUTE_FIELDS)}")
    if "name" not in table.columns:
        raise ConfigError("target model table: column 'name' is required")
    out: list[Attribute] = []
    seen: dict[str, int] = {}
    for i, record in enumerate(table.to_dict(orient="records"), start=1):
        values = {k: _clean_cell(v) for k, v in record.items()}
        values = {k: v for k, v in values.items() if v is not None and v != ""}
        name = values.get("name")
        if not name:
            raise ConfigError(f"target model table, row {i}: column 'name' is empty; give the "
                              "attribute a snake_case identifier such as last_name")
        if name in seen:
            raise ConfigError(f"target model table, row {i}: attribute {name!r} repeats row {seen[name]}; "
                              "attribute names must be unique")
        seen[name] = i
        if "required" in values and isinstance(values["required"], str):
            values["required"] = values["required"].lower() in {"true", "yes", "oui", "1", "x"}
        try:
            out.append(Attribute.model_validate(values))
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                field = ".".join(str(p) for p in err.get("loc", ()))
                msg = err.get("msg", "")
                if err.get("type") == "literal_error":
                    msg = f"allowed values are {err.get('ctx', {}).get('expected', '')}"
                problems.append(f"column {field!r}: {msg} (got {err.get('input')!r})")
            raise ConfigError(f"target model table, row {i} (attribute {name!r}): "
                              + "; ".join(problems)) from None
    return out


def set_target_model(engagement: Engagement, attributes: Iterable[Attribute]) -> Engagement:
    """Replace the engagement's target model, refusing to orphan a mapping entry or a view.

    Args:
        engagement: modified in place (and returned).
        attributes: the new target model.

    Raises:
        ConfigError: an attribute that the mapping or a view uses would disappear; the message
            names the source and column, or the view, and the attribute.
    """
    attributes = list(attributes)
    known = {a.name for a in attributes} | set(DERIVED_ATTRIBUTES)
    orphans = [f"mapping.{src}: column {e.column!r} maps to {e.attribute!r}"
               for src, entries in engagement.mapping.items() for e in entries
               if e.attribute not in known]
    if orphans:
        raise ConfigError("cannot remove attribute(s) still used by the mapping: " + "; ".join(orphans)
                          + ". Change or delete these mapping entries first (notebook 03).")
    viewed = [f"views.{v.name}: {a!r}" for v in engagement.views for a in v.attributes
              if a not in known]
    if viewed:
        raise ConfigError("cannot remove attribute(s) still given to a view: " + "; ".join(viewed)
                          + ". Change these views first (the views editor of notebook 01).")
    try:
        engagement.target_model = attributes
    except ValidationError as exc:
        raise ConfigError(f"target model: {exc.errors()[0].get('msg', exc)}") from None
    return engagement


def set_definitions(engagement: Engagement, definitions: Mapping[str, str]) -> Engagement:
    """Update the shared definitions (customer, prospect, target, or any other term).

    Values are stripped; an empty value removes the term. The engagement is modified in place.
    """
    merged = dict(engagement.definitions)
    for key, text in definitions.items():
        key = str(key).strip()
        if not key:
            raise ConfigError("definitions: a term has an empty name")
        text = (text or "").strip()
        if text:
            merged[key] = text
        else:
            merged.pop(key, None)
    engagement.definitions = merged
    return engagement


def start_vision(engagement: Engagement, kind: str = "b2c", *, replace: bool = False) -> Engagement:
    """Fill an engagement's empty vision from a shipped model.

    The target model is taken from :func:`load_target_model` when the engagement has none (or
    ``replace`` is true); the standard definitions fill the terms not defined yet. Nothing the
    consultant already wrote is overwritten unless ``replace`` is true.
    """
    if replace or not engagement.target_model:
        set_target_model(engagement, load_target_model(kind))
    if kind not in DEFAULT_DEFINITIONS:
        raise ValueError(f"unknown target model {kind!r}; choose one of: {', '.join(TARGET_MODEL_KINDS)}")
    defaults = DEFAULT_DEFINITIONS[kind]
    missing = {k: v for k, v in defaults.items() if replace or not engagement.definitions.get(k)}
    set_definitions(engagement, missing)
    return engagement


def save_vision(engagement: Engagement, path: str | Path | None = None) -> Path:
    """Write the engagement (definitions and target model included) back to its YAML file."""
    return save_engagement(engagement, path)


def _criticity_label(value: str, language: str) -> str:
    return t(f"vision.criticity_{value}", language)


def _gdpr_label(value: str, language: str) -> str:
    return t(f"vision.gdpr_{value}", language)


def definitions_table(engagement: Engagement, language: str | None = None) -> pd.DataFrame:
    """Client-facing table of the shared definitions (standard terms first, translated)."""
    lang = language or engagement.language
    keys = [k for k in DEFINITION_KEYS if k in engagement.definitions]
    keys += [k for k in engagement.definitions if k not in DEFINITION_KEYS]
    rows = [{t("vision.term", lang): t(f"vision.{k}", lang) if k in DEFINITION_KEYS else k,
             t("vision.definition", lang): engagement.definitions[k]} for k in keys]
    return pd.DataFrame(rows, columns=[t("vision.term", lang), t("vision.definition", lang)])


def vision_table(engagement: Engagement, language: str | None = None) -> pd.DataFrame:
    """Client-facing table of the target customer record, headers and codes translated."""
    lang = language or engagement.language
    rows = []
    for a in engagement.target_model:
        rows.append({
            t("vision.label", lang): a.label(lang),
            t("vision.name", lang): a.name,
            t("vision.type", lang): a.type,
            t("vision.definition", lang): a.definition,
            t("vision.owner", lang): a.owner,
            t("vision.criticity", lang): _criticity_label(a.criticity, lang),
            t("vision.gdpr_category", lang): _gdpr_label(a.gdpr_category, lang),
            t("vision.retention", lang): a.retention,
            t("vision.required", lang): t("vision.answer_yes" if a.required else "vision.answer_no", lang),
        })
    columns = [t(f"vision.{k}", lang) for k in ("label", "name", "type", "definition", "owner",
                                                 "criticity", "gdpr_category", "retention", "required")]
    return pd.DataFrame(rows, columns=columns)


def export_vision(engagement: Engagement, path: str | Path | None = None) -> Path:
    """Excel workbook with the definitions, the target record and, when the engagement has views,
    the role x attribute matrix and its data minimisation findings (default: output/vision.xlsx)."""
    lang = engagement.language
    target = Path(path) if path is not None else engagement.output_path / "vision.xlsx"
    from rcu_kit.vision.views import view_findings_table, views_table

    sheets = {t("vision.definitions", lang): definitions_table(engagement, lang),
              t("vision.target_model", lang): vision_table(engagement, lang)}
    if engagement.views:
        sheets[t("vision.views", lang)] = views_table(engagement, lang)
        sheets[t("vision.view_findings", lang)] = view_findings_table(engagement, lang)
    return write_workbook(target, sheets)


_TEMPLATE_HEADER = """\
# Target customer record ("fiche client"), French {kind_upper} model, shipped with rcu_kit.
# GENERATED from rcu_kit/resources/target_models/{kind}_fr.yaml by
#   python3.11 tasks.py templates
# (do not edit by hand: edit the package resource, then regenerate; a test checks they agree).
#
# Paste the list below under `target_model:` in your engagement.yaml, or let notebook 01 do it
# (`rcu_kit.vision.model.start_vision(engagement, "{kind}")`), then adapt it with the client.
# Each attribute:
#   name           snake_case identifier used by the mapping (e.g. last_name)
#   label_fr/en    label shown in client-facing reports
#   type           string, date, email, phone, postcode, civility, siren, siret, boolean, number, category
#   definition     what the attribute holds, agreed with the client
#   owner          the business owner of the data (who keeps it right)
#   criticity      high, medium, low: drives the severity of the gaps found in step 3
#   gdpr_category  identity, contact, location, financial, sensitive, none (RGPD register)
#   retention      how long it may be kept (durée de conservation)
#   required       true when a record without it is not a valid customer record
"""


def render_target_model_template(kind: str) -> str:
    """The annotated template file for ``templates/target_model_<kind>.yaml``.

    The package resource is the single source of truth: the template is its text under an
    explanatory header.
    """
    body = _model_resource(kind).read_text(encoding="utf-8")
    body_lines = body.splitlines(keepends=True)
    while body_lines and body_lines[0].startswith("#"):  # the resource's own comment header
        body_lines.pop(0)
    return _TEMPLATE_HEADER.format(kind=kind, kind_upper=kind.upper()) + "".join(body_lines)


def write_target_model_templates(folder: str | Path) -> list[Path]:
    """Write ``target_model_b2c.yaml`` and ``target_model_b2b.yaml`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in TARGET_MODEL_KINDS:
        path = folder / f"target_model_{kind}.yaml"
        path.write_text(render_target_model_template(kind), encoding="utf-8")
        written.append(path)
    return written
