"""Engagement configuration: one YAML file per client engagement, parsed into typed objects.

The YAML is what a consultant edits (start from ``templates/engagement.yaml``); these pydantic
models are what the code uses. Every validation error is turned into a :class:`ConfigError` whose
message names the file, the key, the bad value and what is allowed.

Examples:
    >>> from rcu_kit.core.config import load_engagement
    >>> eng = load_engagement("demo/engagement.yaml")  # doctest: +SKIP
    >>> eng.client, [s.name for s in eng.sources]  # doctest: +SKIP
    ('Maison Démo', ['crm', 'ecommerce', 'fidelite', 'facturation', 'service_client'])
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "ConfigError",
    "Attribute",
    "MappingEntry",
    "Source",
    "PersonalDataPolicy",
    "Flow",
    "View",
    "CustomerRule",
    "Engagement",
    "DERIVED_ATTRIBUTES",
    "load_engagement",
    "save_engagement",
    "repeated_names",
]

Language = Literal["fr", "en"]
SourceFormat = Literal["csv", "excel", "parquet", "sql"]
FlowType = Literal["batch", "real-time"]
Criticity = Literal["high", "medium", "low"]
GdprCategory = Literal["identity", "contact", "location", "financial", "sensitive", "none"]
FlowMode = Literal["sync", "async"]
FlowProtocol = Literal["file", "api", "message", "database"]
ViewKind = Literal["role", "application"]
AttributeType = Literal["string", "date", "email", "phone", "postcode", "civility", "siren", "siret",
                        "boolean", "number", "category"]

# Pseudo-attributes a source column may map to although they are not in the target model: the
# standardisation splits them into real attributes.
DERIVED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "full_name": ("last_name", "first_name"),
}

# Transforms a mapping entry may ask for (implemented in rcu_kit.mapping.suggest).
KNOWN_TRANSFORMS = ("split_full_name", "parse_date_dmy", "restore_postcode_zero", "upper", "strip")


def repeated_names(names: list[str]) -> list[str]:
    """The names given more than once, sorted (sources, attributes, flows, views must be unique).

    Examples:
        >>> repeated_names(["crm", "web", "crm"])
        ['crm']
    """
    return sorted({n for n in names if names.count(n) > 1})


class ConfigError(ValueError):
    """An engagement file is invalid; the message says where and how to fix it."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Attribute(_Model):
    """One attribute of the target customer record ("fiche client")."""

    name: str = Field(description="snake_case identifier, e.g. last_name")
    label_fr: str = ""
    label_en: str = ""
    type: AttributeType = "string"
    definition: str = ""
    owner: str = ""
    criticity: Criticity = "medium"
    gdpr_category: GdprCategory = "none"
    retention: str = ""
    required: bool = False

    def label(self, language: str) -> str:
        """Client-facing label in the engagement's language, falling back to the name."""
        text = self.label_fr if language == "fr" else self.label_en
        return text or self.name


class MappingEntry(_Model):
    """A source column mapped to a target attribute, possibly through a transform."""

    column: str
    attribute: str
    transform: str | None = None
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    reason: str = ""
    validated: bool = True

    @field_validator("transform")
    @classmethod
    def _known_transform(cls, value: str | None) -> str | None:
        if value is not None and value not in KNOWN_TRANSFORMS:
            raise ValueError(f"unknown transform {value!r}; allowed: {', '.join(KNOWN_TRANSFORMS)}")
        return value


class Source(_Model):
    """A collection point: a system holding customer data, and the extract we received from it."""

    name: str = Field(description="short identifier used everywhere, e.g. crm")
    system: str = ""
    owner: str = ""
    channel: str = ""
    format: SourceFormat = "csv"
    path: str | None = None
    url: str | None = Field(default=None, description="SQLAlchemy URL, for format sql")
    table: str | None = None
    query: str | None = None
    sheet: str | int | None = None
    header_row: int | None = Field(default=None, ge=1,
                                   description="1-based line (Excel: row) of the column names, when "
                                               "title lines sit above it; default: found")
    encoding: str | None = None
    separator: str | None = None
    id_column: str | None = Field(default=None, description="column holding the record id")
    flow: FlowType = "batch"
    refresh: str = ""
    volume_per_period: int | None = Field(default=None, ge=0)
    period: str = "day"
    peak: int | None = Field(default=None, ge=0)
    semantic_types: dict[str, str] = Field(default_factory=dict,
                                           description="consultant overrides: column -> semantic type")

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not value or not value.replace("_", "").replace("-", "").isalnum():
            raise ValueError("use letters, digits, '_' or '-' only (e.g. crm, e_commerce)")
        return value

    @field_validator("separator")
    @classmethod
    def _separator(cls, value: str | None) -> str | None:
        if value is None:
            return value
        value = {"\\t": "\t", "tab": "\t"}.get(value, value)
        if len(value) != 1:
            raise ValueError("a single character, e.g. ';' or ',' or 'tab'")
        return value

    @model_validator(mode="after")
    def _location(self) -> "Source":
        if self.format == "sql":
            if not self.url:
                raise ValueError("format sql needs 'url' (a SQLAlchemy URL such as sqlite:///data.db)")
            if not (self.table or self.query):
                raise ValueError("format sql needs 'table' or 'query'")
        elif not self.path:
            raise ValueError(f"format {self.format} needs 'path' (relative to the engagement file)")
        return self


class PersonalDataPolicy(_Model):
    """What personal data client-facing outputs may show. Masked unless explicitly allowed."""

    show_raw_values: bool = False


class Flow(_Model):
    """A bridge that carries customer data between two systems of the client's information system
    (the CRM or the RCU and another one): who sends, who receives, how, how much, who watches it.
    """

    name: str = Field(description="short identifier, e.g. web_signup")
    from_system: str = Field(description="the system that sends, e.g. E-commerce")
    to_system: str = Field(description="the system that receives, e.g. CRM")
    two_way: bool = Field(default=False, description="the data also goes back (both directions)")
    mode: FlowMode = "async"
    protocol: FlowProtocol = "file"
    process: str = Field(default="", description="business process served, e.g. web signup")
    volume_per_period: int | None = Field(default=None, ge=0)
    period: str = "day"
    peak: int | None = Field(default=None, ge=0, description="records in the busiest period")
    owner: str = ""
    supervision: str = Field(default="", description="who watches it and how (alerts, reruns)")
    notes: str = ""


class View(_Model):
    """What one role or consuming application receives of the golden record, and why."""

    name: str = Field(description="role or application, e.g. Service client, Site web")
    kind: ViewKind = "role"
    attributes: list[str] = Field(default_factory=list,
                                  description="golden attributes it receives")
    purpose: str = Field(default="", description="why it needs them (data minimisation)")


class CustomerRule(_Model):
    """The engagement's definition of a customer, as a rule the code applies.

    A person (a customer of the crosswalk) is a *customer* when one of their records holds a
    date of ``attribute`` within ``within_months`` months before the reference date; the others
    are *prospects*. ``sources`` restricts the records read to those where the date means what
    the definition says (a purchase: the web orders, the till, the invoices; not the call
    centre's last call); ``reference_date`` is the day the window ends (default: the latest date
    of the attribute in those sources that is not in the future, i.e. the extract's date as the
    data show it).

    Examples:
        >>> CustomerRule(attribute="last_activity_at", within_months=36).sources
        []
    """

    attribute: str = Field(description="a date attribute of the target model, e.g. last_activity_at")
    within_months: int = Field(gt=0, description="the window, in months, e.g. 36")
    sources: list[str] = Field(default_factory=list,
                               description="sources whose date counts (default: every source)")
    reference_date: date | None = Field(default=None,
                                        description="end of the window (default: the extract's date)")


#: The terms a rule may apply (``definition_rules:``): only the customer for now.
DEFINITION_RULES = ("customer",)


class Engagement(_Model):
    """A client engagement: everything the notebooks and commands need to know."""

    client: str
    language: Language = "fr"
    output_dir: str = "output"
    seed: int = 42
    personal_data: PersonalDataPolicy = Field(default_factory=PersonalDataPolicy)
    definitions: dict[str, str] = Field(default_factory=dict,
                                        description="customer, prospect, target, ...")
    definition_rules: dict[str, CustomerRule] = Field(
        default_factory=dict, description="the definitions as rules the code applies (customer)")
    sources: list[Source] = Field(default_factory=list)
    target_model: list[Attribute] = Field(default_factory=list)
    mapping: dict[str, list[MappingEntry]] = Field(default_factory=dict)
    audit: dict[str, Any] = Field(default_factory=dict,
                                  description="audit settings (rcu_kit.audit.streaming.AuditSettings)")
    dedup: dict[str, Any] = Field(default_factory=dict)
    survivorship: dict[str, Any] = Field(default_factory=dict)
    questionnaire: dict[str, Any] = Field(default_factory=dict)
    roadmap: dict[str, Any] = Field(default_factory=dict)
    flows: list[Flow] = Field(default_factory=list)
    views: list[View] = Field(default_factory=list)
    # Where the file was read from; relative paths resolve against its folder. Not written back.
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    file: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> "Engagement":
        names = [s.name for s in self.sources]
        duplicated = repeated_names(names)
        if duplicated:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicated)}")
        attrs = [a.name for a in self.target_model]
        repeated = repeated_names(attrs)
        if repeated:
            raise ValueError(f"target_model attribute names must be unique; repeated: {', '.join(repeated)}")
        known = set(attrs) | set(DERIVED_ATTRIBUTES)
        for source_name, entries in self.mapping.items():
            if source_name not in names:
                raise ValueError(f"mapping.{source_name}: no source named {source_name!r}; "
                                 f"sources are: {', '.join(names) or '(none)'}")
            for entry in entries:
                if entry.attribute not in known:
                    raise ValueError(
                        f"mapping.{source_name}: column {entry.column!r} maps to unknown attribute "
                        f"{entry.attribute!r}; target attributes are: {', '.join(sorted(known))}")
        repeated = repeated_names([f.name for f in self.flows])
        if repeated:
            raise ValueError(f"flow names must be unique; repeated: {', '.join(repeated)}")
        repeated = repeated_names([v.name for v in self.views])
        if repeated:
            raise ValueError(f"view names must be unique; repeated: {', '.join(repeated)}")
        unknown = [k for k in self.definition_rules if k not in DEFINITION_RULES]
        if unknown:
            raise ValueError(f"definition_rules: unknown term(s) {', '.join(unknown)}; a rule can "
                             f"apply: {', '.join(DEFINITION_RULES)}")
        for term, rule in self.definition_rules.items():
            wrong = [s for s in rule.sources if s not in names]
            if wrong:
                raise ValueError(f"definition_rules.{term}.sources: no source named "
                                 f"{', '.join(wrong)}; sources are: {', '.join(names) or '(none)'}")
            if self.target_model:
                types = {a.name: a.type for a in self.target_model}
                if rule.attribute not in types:
                    raise ValueError(f"definition_rules.{term}.attribute: {rule.attribute!r} is not "
                                     f"an attribute of the target model; date attributes are: "
                                     f"{', '.join(n for n, k in types.items() if k == 'date') or '(none)'}")
                if types[rule.attribute] != "date":
                    raise ValueError(f"definition_rules.{term}.attribute: {rule.attribute!r} is of "
                                     f"type {types[rule.attribute]}, not a date")
        if self.target_model:
            for view in self.views:
                unknown = [a for a in view.attributes if a not in set(attrs)]
                if unknown:
                    raise ValueError(
                        f"views.{view.name}: unknown attribute(s) {', '.join(unknown)}; target "
                        f"attributes are: {', '.join(attrs)}")
        return self

    # -- convenience -----------------------------------------------------------------------
    def source(self, name: str) -> Source:
        """The source called ``name``; the error lists the known ones."""
        for src in self.sources:
            if src.name == name:
                return src
        raise KeyError(f"no source named {name!r} in {self.file or 'the engagement'}; "
                       f"sources are: {', '.join(s.name for s in self.sources)}")

    def attribute(self, name: str) -> Attribute:
        for attr in self.target_model:
            if attr.name == name:
                return attr
        raise KeyError(f"no attribute named {name!r} in the target model; "
                       f"attributes are: {', '.join(a.name for a in self.target_model)}")

    def resolve(self, path: str | Path) -> Path:
        """A path from the config, resolved against the engagement file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    @property
    def output_path(self) -> Path:
        """The engagement's output folder (created on demand)."""
        out = self.resolve(self.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        return out

    @property
    def mask_personal_data(self) -> bool:
        return not self.personal_data.show_raw_values


def _format_error(err: ValidationError, file: Path | str, raw: dict[str, Any]) -> str:
    lines = [f"{file}: invalid engagement configuration"]
    for e in err.errors():
        loc = e.get("loc", ())
        key_parts: list[str] = []
        node: Any = raw
        for part in loc:
            if isinstance(part, int) and isinstance(node, list) and part < len(node):
                node = node[part]
                name = node.get("name") if isinstance(node, dict) else None
                key_parts.append(f"[{part}]" + (f"({name})" if name else ""))
            else:
                key_parts.append(f".{part}" if key_parts else str(part))
                node = node.get(part) if isinstance(node, dict) else None
        key = "".join(key_parts)
        msg = e.get("msg", "").removeprefix("Value error, ")
        if e.get("type") == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            msg = f"allowed values are {expected}"
        elif e.get("type") == "extra_forbidden":
            msg = "unknown key (check its spelling against templates/engagement.yaml)"
        elif e.get("type") == "missing":
            msg = "this key is required"
        bad = e.get("input")
        shown = "" if e.get("type") == "missing" or isinstance(bad, dict) else f" (got {bad!r})"
        lines.append(f"  - {key}: {msg}{shown}" if key else f"  - {msg}")
    return "\n".join(lines)


def load_engagement(path: str | Path) -> Engagement:
    """Read and validate an engagement YAML file.

    Args:
        path: the engagement file.

    Returns:
        The parsed engagement; relative paths in it resolve against the file's folder.

    Raises:
        ConfigError: the file is missing, is not YAML, or breaks a rule; the message names the
            file, the key, the bad value and what is allowed.
    """
    file = Path(path)
    if not file.exists():
        raise ConfigError(f"{file}: engagement file not found. Copy templates/engagement.yaml "
                          "or run `rcu-kit demo` to create one.")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping of keys (client, sources, ...) at the top level")
    try:
        eng = Engagement.model_validate({**raw, "base_dir": file.resolve().parent, "file": file})
    except ValidationError as exc:
        raise ConfigError(_format_error(exc, file, raw)) from None
    return eng


def engagement_to_dict(engagement: Engagement, *, defaults: bool = True) -> dict[str, Any]:
    """The engagement as plain data, as it is written to YAML.

    With ``defaults`` false, keys left at their default value are left out (what a new key added
    to a file written by a person needs to say).
    """
    return engagement.model_dump(mode="json", exclude_none=True, exclude_defaults=not defaults)


def _round_trip_yaml():
    """A ruamel.yaml reader/writer that keeps comments, key order and quotes."""
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap the lines a person wrote
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _item_key(items: list) -> str | None:
    """The key naming each item of a list of mappings (``name``, else ``column``), if unique."""
    for key in ("name", "column"):
        if items and all(isinstance(i, dict) and isinstance(i.get(key), str) for i in items):
            values = [i[key] for i in items]
            if len(set(values)) == len(values):
                return key
    return None


def _merge(node: Any, full: Any, lean: Any, before: Any = None) -> Any:
    """``node`` (read from the file, with its comments) updated in place to hold ``full``.

    Keys and items already in the file keep their place, comments and quoting: a value that did
    not change (``before`` is the file as parsed, so ``tab`` read as a tab character is no change)
    stays the file's own node. Keys that are new take their ``lean`` form (defaults left out);
    keys no longer in ``full`` are removed. Lists of named items (sources, attributes, mapping
    entries) are matched by name, other lists item by item.
    """
    if isinstance(node, dict) and isinstance(full, dict):
        lean = lean if isinstance(lean, dict) else {}
        before = before if isinstance(before, dict) else {}
        for key in [k for k in node if k not in full]:
            del node[key]
        previous = None
        for key, value in full.items():
            if key in node:
                node[key] = _merge(node[key], value, lean.get(key, value), before.get(key))
            elif key in lean:
                if hasattr(node, "insert"):  # a new key goes where the model's order puts it
                    position = 0 if previous is None else list(node).index(previous) + 1
                    node.insert(position, key, lean[key])
                else:
                    node[key] = lean[key]
            previous = key if key in node else previous
        return node
    if isinstance(node, list) and isinstance(full, list):
        lean = lean if isinstance(lean, list) and len(lean) == len(full) else full
        before = before if isinstance(before, list) else []
        key = _item_key(full)
        if key and _item_key(list(node)) == key:
            known = {item[key]: item for item in node}
            was = {item[key]: item for item in before if isinstance(item, dict) and key in item}
            merged = [_merge(known[v[key]], v, lv, was.get(v[key])) if v[key] in known else lv
                      for v, lv in zip(full, lean)]
            if [m[key] for m in merged] != [item[key] for item in node]:
                node[:] = merged  # order or membership changed
            else:
                for i, item in enumerate(merged):
                    node[i] = item
            return node
        del node[len(full):]
        for i, value in enumerate(full):
            if i < len(node):
                node[i] = _merge(node[i], value, lean[i], before[i] if i < len(before) else None)
            else:
                node.append(lean[i])
        return node
    if isinstance(node, (dict, list)) or isinstance(full, (dict, list)):
        return lean
    unchanged = (before == full and isinstance(before, bool) == isinstance(full, bool)) or \
        (node == full and isinstance(node, bool) == isinstance(full, bool))
    return node if unchanged else lean


def save_engagement(engagement: Engagement, path: str | Path | None = None) -> Path:
    """Write the engagement back to YAML (to its own file unless ``path`` is given).

    The file a person wrote stays theirs: when the target (or, for a new file, the engagement's
    own file) exists, it is updated in place by a round-trip YAML writer (ruamel.yaml), so its
    comments, key order and quoting survive and only the values that changed are rewritten;
    keys the file did not have are added without the settings left at their default. A new
    file gets every setting, defaults included, as a starting point to edit.

    Examples:
        >>> eng = load_engagement("clients/acme/engagement.yaml")  # doctest: +SKIP
        >>> eng.client = "Acme SA"  # doctest: +SKIP
        >>> save_engagement(eng)  # doctest: +SKIP
        PosixPath('clients/acme/engagement.yaml')
    """
    import io

    target = Path(path) if path is not None else engagement.file
    if target is None:
        raise ConfigError("save_engagement: no path given and the engagement was not read from a file")
    full = engagement_to_dict(engagement)
    lean = engagement_to_dict(engagement, defaults=False)
    lean = {**lean, "client": full["client"]}  # the required key, even if a default were added
    base = target if target.exists() else engagement.file
    rt = _round_trip_yaml()
    node = None
    if base is not None and Path(base).exists():
        try:
            node = rt.load(Path(base).read_text(encoding="utf-8"))
        except Exception as exc:  # noqa: BLE001 - ruamel's errors have no common base
            raise ConfigError(f"{base}: not valid YAML, not rewritten: {exc}") from exc
    if isinstance(node, dict):
        try:  # the file's values as parsed, to tell a rewritten value from a normalised one
            before = engagement_to_dict(load_engagement(base))
        except ConfigError:
            before = None
        _merge(node, full, lean, before)
    else:  # a new file: every setting written, as a starting point to edit
        node = full
    buffer = io.StringIO()
    rt.dump(node, buffer)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target
