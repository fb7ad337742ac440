"""Engagement config: good files parse into typed objects, bad ones give precise messages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rcu_kit.core.config import ConfigError, MappingEntry, load_engagement, save_engagement

REPO_ROOT = Path(__file__).resolve().parents[2]

GOOD = """
client: "Maison Test"
language: en
output_dir: out
sources:
  - name: crm
    format: csv
    path: data/crm.csv
    separator: tab
    id_column: id
  - name: sav
    format: sql
    url: sqlite:///sav.db
    table: contacts
    flow: real-time
    volume_per_period: 10
    peak: 50
target_model:
  - {name: last_name, type: string, criticity: high, gdpr_category: identity}
  - {name: email, type: email}
mapping:
  crm:
    - {column: NOM, attribute: last_name}
    - {column: NOM_COMPLET, attribute: full_name, transform: split_full_name}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "engagement.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_file_parses_into_typed_objects(tmp_path):
    eng = load_engagement(_write(tmp_path, GOOD))
    assert eng.client == "Maison Test"
    assert eng.language == "en"
    assert [s.name for s in eng.sources] == ["crm", "sav"]
    assert eng.source("crm").separator == "\t"          # 'tab' is accepted and normalised
    assert eng.source("sav").flow == "real-time"
    assert eng.source("sav").peak == 50
    assert eng.mask_personal_data is True                 # masked unless allowed
    assert eng.attribute("last_name").criticity == "high"
    assert eng.attribute("email").criticity == "medium"   # the default
    assert eng.mapping["crm"][1] == MappingEntry(column="NOM_COMPLET", attribute="full_name",
                                                 transform="split_full_name")
    # relative paths resolve against the engagement file's folder
    assert eng.resolve(eng.source("crm").path) == tmp_path / "data" / "crm.csv"
    assert eng.output_path == tmp_path / "out" and eng.output_path.is_dir()


def test_save_round_trips(tmp_path):
    eng = load_engagement(_write(tmp_path, GOOD))
    eng.client = "Maison Renommée"
    copy = tmp_path / "copy.yaml"
    save_engagement(eng, copy)
    again = load_engagement(copy)
    assert again.client == "Maison Renommée"
    assert again.model_dump(exclude={"base_dir", "file"}) == eng.model_dump(exclude={"base_dir", "file"})


def test_template_is_a_valid_engagement():
    eng = load_engagement(REPO_ROOT / "templates" / "engagement.yaml")
    assert [s.name for s in eng.sources] == ["crm", "fidelite", "facturation", "service_client"]
    assert eng.source("facturation").sheet == "Tiers"


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        # a bad enumerated value: names the key, the value and what is allowed
        (("language: en", "language: de"),
         "language: allowed values are 'fr' or 'en' (got 'de')"),
        (("flow: real-time", "flow: streaming"),
         "sources[1](sav).flow: allowed values are 'batch' or 'real-time' (got 'streaming')"),
        (("format: csv", "format: json"),
         "sources[0](crm).format: allowed values are 'csv', 'excel', 'parquet' or 'sql' (got 'json')"),
        # a missing location for the format
        (("    path: data/crm.csv\n", ""),
         "sources[0](crm): format csv needs 'path' (relative to the engagement file)"),
        (("    table: contacts\n", ""),
         "sources[1](sav): format sql needs 'table' or 'query'"),
        # a typo in a key
        (("peak: 50", "peek: 50"),
         "sources[1](sav).peek: unknown key (check its spelling against templates/engagement.yaml)"),
        # a bad number
        (("volume_per_period: 10", "volume_per_period: -3"),
         "sources[1](sav).volume_per_period: Input should be greater than or equal to 0 (got -3)"),
        (("separator: tab", "separator: ';;'"),
         "sources[0](crm).separator: a single character, e.g. ';' or ',' or 'tab' (got ';;')"),
        # mapping to an unknown attribute names the column and the attribute
        (("attribute: last_name}", "attribute: surname}"),
         "  - mapping.crm: column 'NOM' maps to unknown attribute 'surname'; target attributes "
         "are: email, full_name, last_name"),
        (("transform: split_full_name", "transform: explode"),
         "transform: unknown transform 'explode'; allowed: split_full_name, parse_date_dmy, "
         "restore_postcode_zero, upper, strip (got 'explode')"),
        (('client: "Maison Test"\n', ""), "client: this key is required"),
    ],
)
def test_bad_files_name_file_key_value_and_allowed(tmp_path, patch, expected):
    old, new = patch
    text = textwrap.dedent(GOOD)
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_engagement(path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid engagement configuration")
    assert expected in message


def test_duplicate_source_names(tmp_path):
    text = textwrap.dedent(GOOD).replace("name: sav", "name: crm")
    with pytest.raises(ConfigError, match="source names must be unique; repeated: crm"):
        load_engagement(_write(tmp_path, text))


def test_mapping_for_unknown_source(tmp_path):
    text = textwrap.dedent(GOOD).replace("mapping:\n  crm:", "mapping:\n  erp:")
    with pytest.raises(ConfigError, match="mapping.erp: no source named 'erp'; sources are: crm, sav"):
        load_engagement(_write(tmp_path, text))


def test_missing_file_and_not_yaml(tmp_path):
    with pytest.raises(ConfigError, match="engagement file not found"):
        load_engagement(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("client: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml: not valid YAML"):
        load_engagement(bad)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping of keys"):
        load_engagement(listy)


def test_unknown_source_lookup_lists_known_ones(tmp_path):
    eng = load_engagement(_write(tmp_path, GOOD))
    with pytest.raises(KeyError, match="no source named 'erp'.*sources are: crm, sav"):
        eng.source("erp")


def test_template_sections_parse_with_each_steps_settings():
    from rcu_kit.golden.records import SurvivorshipSettings
    from rcu_kit.linkage.pipeline import DedupSettings
    from rcu_kit.roadmap.questionnaire import Questionnaire

    eng = load_engagement(REPO_ROOT / "templates" / "engagement.yaml")
    assert DedupSettings.coerce(eng.dedup).threshold == 0.9
    assert SurvivorshipSettings.coerce(eng.survivorship).source_priority[0] == "crm"
    assert Questionnaire.from_config(eng.questionnaire).budget == "medium"
    assert eng.roadmap["fte"] == 2


COMMENTED = """\
# engagement of Maison Test: comments and quotes stay as written
client: "Maison Test"   # shown on every report
language: en
sources:
  - name: crm           # the CRM extract
    format: csv
    path: 'data/crm.csv'
    separator: tab
target_model:
  - {name: last_name, type: string}
  - {name: email, type: email}
"""


def test_save_keeps_comments_quotes_order_and_adds_lean_keys(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    eng = load_engagement(path)
    eng.mapping = {"crm": [MappingEntry(column="NOM", attribute="last_name", confidence=0.9,
                                        validated=False)]}
    save_engagement(eng)
    text = path.read_text(encoding="utf-8")
    # every line of the file is still there, in its place: comments, quotes, and `separator: tab`
    # (read as a tab character, unchanged, so not rewritten as "\t")
    assert text.startswith(COMMENTED)
    # the new key only: the entry without the settings left at their default (transform None,
    # reason "", validated true are defaults; validated false is not)
    assert text[len(COMMENTED):] == (
        "mapping:\n"
        "  crm:\n"
        "    - column: NOM\n"
        "      attribute: last_name\n"
        "      confidence: 0.9\n"
        "      validated: false\n")
    assert load_engagement(path).mapping["crm"][0].validated is False


def test_save_rewrites_only_changed_values_and_matches_sources_by_name(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    eng = load_engagement(path)
    eng.client = "Maison Renommée"
    eng.source("crm").separator = ";"
    save_engagement(eng)
    lines = path.read_text(encoding="utf-8").splitlines()
    # the changed value is rewritten in the file's quoting, its comment kept
    assert lines[1] == 'client: "Maison Renommée" # shown on every report'
    assert lines[4] == "  - name: crm           # the CRM extract"
    assert lines[6:8] == ["    path: 'data/crm.csv'", "    separator: ;"]
    assert load_engagement(path).source("crm").separator == ";"


FLOWS_AND_VIEWS = """
client: x
target_model:
  - {name: last_name, gdpr_category: identity}
  - {name: email, gdpr_category: contact}
flows:
  - name: web_signup
    from_system: E-commerce
    to_system: CRM
    mode: sync
    protocol: api
    volume_per_period: 400
    peak: 2000
  - name: billing
    from_system: CRM
    to_system: ERP
    two_way: true
views:
  - name: Service client
    attributes: [last_name, email]
    purpose: answer the customer
"""


def test_flows_and_views_parse_and_name_what_is_wrong(tmp_path):
    eng = load_engagement(_write(tmp_path, textwrap.dedent(FLOWS_AND_VIEWS)))
    web, billing = eng.flows
    assert (web.from_system, web.to_system, web.mode, web.protocol, web.peak) == \
        ("E-commerce", "CRM", "sync", "api", 2000)
    # defaults: one direction, asynchronous, by file
    assert (billing.two_way, billing.mode, billing.protocol) == (True, "async", "file")
    assert eng.views[0].attributes == ["last_name", "email"] and eng.views[0].kind == "role"
    bad = textwrap.dedent(FLOWS_AND_VIEWS).replace("[last_name, email]", "[last_name, phone]")
    with pytest.raises(ConfigError, match=r"views.Service client: unknown attribute\(s\) phone; "
                                          "target attributes are: last_name, email"):
        load_engagement(_write(tmp_path, bad))
    bad = textwrap.dedent(FLOWS_AND_VIEWS).replace("name: billing", "name: web_signup")
    with pytest.raises(ConfigError, match="flow names must be unique; repeated: web_signup"):
        load_engagement(_write(tmp_path, bad))
    bad = textwrap.dedent(FLOWS_AND_VIEWS).replace("mode: sync", "mode: realtime")
    with pytest.raises(ConfigError, match=r"flows\[0\]\(web_signup\).mode: .*'sync'.*'async'"):
        load_engagement(_write(tmp_path, bad))


def test_definition_rules_apply_the_customer_definition_and_name_what_is_wrong(tmp_path):
    text = textwrap.dedent(GOOD).replace(
        "  - {name: email, type: email}\n",
        "  - {name: email, type: email}\n  - {name: last_purchase, type: date}\n") + textwrap.dedent("""
        definition_rules:
          customer: {attribute: last_purchase, within_months: 36, sources: [crm], reference_date: 2024-12-31}
        """)
    rule = load_engagement(_write(tmp_path, text)).definition_rules["customer"]
    assert (rule.attribute, rule.within_months, rule.sources, rule.reference_date.isoformat()) == \
        ("last_purchase", 36, ["crm"], "2024-12-31")
    cases = [
        ("attribute: last_purchase", "attribute: email",
         "definition_rules.customer.attribute: 'email' is of type email, not a date"),
        ("attribute: last_purchase", "attribute: last_order",
         "definition_rules.customer.attribute: 'last_order' is not an attribute of the target "
         "model; date attributes are: last_purchase"),
        ("sources: [crm]", "sources: [web]",
         "definition_rules.customer.sources: no source named web; sources are: crm, sav"),
        ("within_months: 36", "within_months: 0",
         "definition_rules.customer.within_months: Input should be greater than 0 (got 0)"),
        ("  customer:", "  prospect:", "definition_rules: unknown term(s) prospect; a rule can "
                                       "apply: customer"),
    ]
    for old, new, expected in cases:
        assert old in text
        with pytest.raises(ConfigError) as info:
            load_engagement(_write(tmp_path, text.replace(old, new, 1)))
        assert expected in str(info.value)
