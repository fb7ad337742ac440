"""Risk register, RACI, data ownership and decision log, computed from a handmade engagement."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from rcu_kit.core.config import load_engagement
from rcu_kit.roadmap.registers import decision_log, ownership_table, raci_table, risk_register
from rcu_kit.roadmap.run import build_roadmap, client_tables

ENGAGEMENT = """
client: Test
language: fr
output_dir: out
sources:
  - {name: crm, format: csv, path: crm.csv, owner: Ventes}
  - {name: web, format: csv, path: web.csv, owner: E-commerce}
target_model:
  - {name: last_name, owner: Relation client, gdpr_category: identity, retention: 3 ans}
  - {name: email, gdpr_category: contact}
  - {name: segment, owner: Marketing}
mapping:
  crm: [{column: nom, attribute: last_name}, {column: mail, attribute: email}]
  web: [{column: email, attribute: email}]
questionnaire: {crm_is_central: true, budget: low, team_capacity: low, data_governance: low}
roadmap:
  fte: 2
  start_date: 2027-01-04
  gdpr: {legal_basis: contract}
  parallel_projects:
    - {name: New site, start: 2027-01-04, end: 2029-12-31, moves: [Website]}
flows:
  - {name: signup, from_system: Website, to_system: CRM, two_way: true, mode: sync,
     volume_per_period: 10, peak: 100}
views:
  - {name: Marketing, attributes: [last_name, email]}
"""


@pytest.fixture()
def roadmap(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text(textwrap.dedent(ENGAGEMENT), encoding="utf-8")
    engagement = load_engagement(path)
    return build_roadmap(engagement, today=date(2026, 12, 1)), engagement


def test_risks_come_from_the_evidence_highest_first(roadmap):
    rm, engagement = roadmap
    risks = risk_register(rm, engagement, rm.gdpr, rm.bridges)
    # provisional (7 questions unanswered): high x high; the flow is built (1 flow: medium x
    # high); the new site moves the signup flow while the interfaces run (high x high); its
    # peak is 10 times its volume (medium x high); it has no owner, supervision nor process
    # (medium x medium); the view's purpose is missing (medium x medium); governance low and
    # email has no owner (high x medium). The legal basis is stated: no risk. No crosswalk:
    # consent and retention are not judged.
    assert risks[["id", "risk", "probability", "impact"]].values.tolist() == [
        ["R1", "provisional", "high", "high"],
        ["R2", "parallel", "high", "high"],
        ["R3", "integration", "medium", "high"],
        ["R4", "sync_peak", "medium", "high"],
        ["R5", "ownership", "high", "medium"],
        ["R6", "flows_open", "medium", "medium"],
        ["R7", "minimisation", "medium", "medium"]]
    assert risks.set_index("risk").loc["ownership", "evidence_params"] == \
        '{"governance": "low", "n": 1}'
    # the website is the hub of this one-flow system (the first system named): the new site
    # moves the build P4 too, the first item it overlaps
    assert risks.set_index("risk").loc["parallel", "workstream"] == "P4"
    assert rm.parallel.iloc[0]["items"] == ("P4", "P5", "W2")


def test_raci_has_one_accountable_per_item_and_can_be_overridden(roadmap):
    rm, _ = roadmap
    raci = raci_table(rm).set_index("id")
    assert list(raci.index) == list(rm.plan["id"])
    assert raci.loc["W3", "dpo"] == "A" and raci.loc["W4", "sponsor"] == "A"
    changed = raci_table(rm, {"W3": {"dpo": "C", "business": "A"}}).set_index("id")
    assert (changed.loc["W3", "dpo"], changed.loc["W3", "business"]) == ("C", "A")
    with pytest.raises(ValueError, match=r"roadmap.raci.W3: an item needs exactly one accountable \(A\), got 2"):
        raci_table(rm, {"W3": {"it": "A"}})
    with pytest.raises(ValueError, match="roadmap.raci.W3: unknown role 'cfo'"):
        raci_table(rm, {"W3": {"cfo": "R"}})


def test_ownership_names_owners_sources_and_views(roadmap):
    _, engagement = roadmap
    own = ownership_table(engagement).set_index("attribute")
    assert own.loc["last_name", ["owner", "sources", "source_owners", "views", "issues"]].tolist() \
        == ["Relation client", "crm", "Ventes", "Marketing", ""]
    assert own.loc["email", "sources"] == "crm, web"
    assert own.loc["email", "source_owners"] == "Ventes, E-commerce"
    # no owner, and a personal attribute without retention; segment: no source provides it
    assert own.loc["email", "issues"] == "no_owner,no_retention"
    assert own.loc["segment", "issues"] == "no_source"


def test_decision_log_lists_answered_and_pending(roadmap):
    rm, engagement = roadmap
    log = decision_log(rm, engagement, rm.gdpr).set_index("topic")
    # four answers given in the questionnaire, six defaults
    assert (log.loc[:"data_governance", "status"] == "answered").sum() == 4
    assert log.loc["crm_is_central", ["status", "value"]].tolist() == ["answered", "true"]
    assert log.loc["objective", "status"] == "pending"
    assert log.loc["legal_basis", ["status", "value"]].tolist() == ["answered", "contract"]
    assert log.loc["team", ["status", "value"]].tolist() == ["answered", "2"]
    assert log.loc["start_date", ["status", "value"]].tolist() == ["answered", "2027-01-04"]
    assert log.loc["form", "status"] == "pending" and log.loc["budget_envelope", "status"] == "pending"
    # the pivots of the sensitivity table are flagged
    sens = rm.recommendation.sensitivity()
    assert set(log.index[log["changes_form"]]) == set(sens.loc[sens["changes"], "question"])
    tables = client_tables(rm, "fr")
    words = tables["decisions"].set_index("Réf.")
    assert words.loc["D12", "Décision"] == "Base légale du traitement"
    assert words.loc["D12", "Réponse ou valeur retenue"] == "exécution du contrat"
    assert list(tables["risks"].columns) == ["Réf.", "Risque", "Constat", "Probabilité", "Impact",
                                             "Réponse prévue", "Chantier"]
