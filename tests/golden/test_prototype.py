"""The RCU prototype page's figures: golden records summarised, a typed record, its check."""

from __future__ import annotations

import pandas as pd
import pytest

from rcu_kit.golden.prototype import (golden_figures, preventive_example, survivorship_table,
                                      typed_record)
from rcu_kit.golden.records import build_golden_records

# Five records, three customers:
#   C1: crm/1 and web/a agree on the name, disagree on the e-mail (a choice is made)
#   C2: crm/2 and web/b agree on everything they hold; web/b's e-mail is invalid (left out)
#   C3: crm/3 alone
RECORDS = pd.DataFrame({
    "source": ["crm", "web", "crm", "web", "crm"], "record_id": ["1", "a", "2", "b", "3"],
    "last_name": ["DUPONT", "DUPONT", "MARTIN", "MARTIN", "PETIT"],
    "first_name": ["JEAN", "JEAN", "ANNE", "ANNE", "LUC"],
    "email": ["jean.dupont@free.fr", "jdupont@orange.fr", "anne.martin@gmail.com", "pas-un-mail",
              None],
    "postcode": ["75011", "75011", "69002", "69002", "44000"]})
CROSSWALK = RECORDS[["source", "record_id"]].assign(customer_id=["C1", "C1", "C2", "C2", "C3"])


@pytest.fixture(scope="module")
def result():
    return build_golden_records(RECORDS, CROSSWALK, {"attributes": {"email": "most_frequent"}})


def test_golden_figures_count_records_values_and_choices(result):
    figures = golden_figures(result, "en")
    assert figures["value"].tolist() == [
        3,      # golden records: one per customer
        5,      # records they come from
        2,      # customers made of several records: C1 and C2
        11,     # values kept: 3 customers x (last name, first name, postcode) + 2 e-mails (C3 none)
        1,      # values chosen among disagreeing records: C1's e-mail
        9.1,    # 1 of 11 values, in %
        1]      # invalid values left out: web/b's 'pas-un-mail'
    assert figures["figure"].iloc[0] == "Golden records (one per customer)"


def test_survivorship_table_lists_the_most_contested_attributes_first(result):
    table = survivorship_table(result, "fr", {"email": "Courriel"})
    # the e-mail: 2 customers with one, 1 of them (C1) with disagreeing records; the others agree
    assert table.values.tolist()[0] == ["Courriel", "la plus fréquente", 2, 1, 0.5]
    assert table["conflicts"].tolist()[1:] == [0, 0, 0]
    assert set(table["rule"].iloc[1:]) == {"preuves de qualité"}


def test_typed_record_is_a_record_of_a_customer_with_several_records_typed_again():
    typed, customer = typed_record(RECORDS, CROSSWALK, seed=1)
    # the records holding a last name, a first name, an e-mail and a postcode, of a customer with
    # several records: crm/1, web/a, crm/2 and web/b; names in title case, two e-mail letters
    # swapped, no phone
    assert customer in ("C1", "C2")
    assert typed["last_name"] in ("Dupont", "Martin")
    assert set(typed) == {"last_name", "first_name", "email", "postcode"}
    source = RECORDS[RECORDS["last_name"].str.title() == typed["last_name"]]
    assert typed["email"] not in set(source["email"].dropna())
    assert sorted(typed["email"]) in [sorted(e) for e in source["email"].dropna()]
    assert typed_record(RECORDS, CROSSWALK, seed=1) == (typed, customer)  # seeded
    with pytest.raises(ValueError, match="no record holds a last name, a first name, an e-mail"):
        typed_record(RECORDS.assign(email=None), CROSSWALK)


@pytest.mark.notebook
def test_preventive_example_finds_the_customer_a_typed_record_came_from(demo_engagement):
    from rcu_kit.core.config import load_engagement
    from rcu_kit.dedup.run import run_dedup
    from rcu_kit.golden.preventive import ReferenceIndex

    engagement = load_engagement(demo_engagement)
    run = run_dedup(engagement, progress=False)
    index = ReferenceIndex.from_run(run)
    typed, expected = typed_record(run.records, run.crosswalk, seed=engagement.seed)
    check = preventive_example(index, typed, mask=True, language="en", expected=expected)
    assert (check["decision"], check["best"]) == ("same", expected)
    assert check["sentence"].endswith(f"customer {expected}: the check finds it.")
    # masked: the typed values and the candidates' values are masked, no record id shown
    assert "record_id" not in check["candidates"].columns
    assert typed["email"] not in check["typed"]["typed_value"].tolist()
    assert check["typed"]["typed_value"].str.contains(r"\*").any()
    raw = preventive_example(index, typed, mask=False, language="en")
    assert typed["email"] in raw["typed"]["typed_value"].tolist()
    assert "record_id" in raw["candidates"].columns


def test_golden_records_carry_the_customer_status_of_the_engagements_definition(tmp_path):
    import yaml

    from rcu_kit.core.config import load_engagement
    from rcu_kit.golden.prototype import golden_sample
    from rcu_kit.golden.records import golden_for_engagement, write_golden_outputs

    # C1 bought on the web in 2024, C2 in 2019 (older than 36 months), C3 never
    records = RECORDS.assign(last_purchase=[None, "2024-03-01", None, "2019-05-01", None])
    (tmp_path / "engagement.yaml").write_text(yaml.safe_dump({
        "client": "Test", "language": "fr",
        "sources": [{"name": "crm", "path": "crm.csv"}, {"name": "web", "path": "web.csv"}],
        "target_model": [{"name": n} for n in ("last_name", "first_name", "email", "postcode")]
        + [{"name": "last_purchase", "type": "date"}],
        "definition_rules": {"customer": {"attribute": "last_purchase", "within_months": 36,
                                          "reference_date": "2024-12-31"}}}), encoding="utf-8")
    engagement = load_engagement(tmp_path / "engagement.yaml")
    result = golden_for_engagement(engagement, records, CROSSWALK)
    assert list(result.golden.columns[:4]) == ["customer_id", "n_records", "sources",
                                               "customer_status"]
    assert result.golden["customer_status"].tolist() == ["customer", "prospect", "prospect"]
    # the page: 1 customer and 2 prospects under the 3 golden records, the status in words
    figures = golden_figures(result, "fr")
    assert figures.values.tolist()[:3] == [["Fiches clients uniques (une par client)", 3],
                                           ["… dont clients (définition de la mission)", 1],
                                           ["… dont prospects", 2]]
    sample = golden_sample(result, "fr", mask=True)
    assert sample["customer_status"].tolist() == ["client", "prospect", "prospect"]
    assert sample["sources"].tolist() == ["crm, web", "crm, web", "crm"]
    assert sample["last_name"].tolist() == ["D*****", "M*****", "P****"]
    # the CSV keeps the codes, the client's workbook words them
    paths = write_golden_outputs(result, tmp_path / "golden", language="fr")
    assert pd.read_csv(paths["golden_csv"])["customer_status"].tolist() == \
        ["customer", "prospect", "prospect"]
    book = pd.read_excel(paths["workbook"], sheet_name="Fiches clients uniques")
    assert book["Statut (définition de la mission)"].tolist() == ["client", "prospect", "prospect"]
    # no rule stated: no status column
    engagement.definition_rules = {}
    assert "customer_status" not in golden_for_engagement(engagement, records, CROSSWALK).golden
