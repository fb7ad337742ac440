"""GDPR classification of source columns."""

import pandas as pd

from rcu_kit.audit.personal_data import PERSONAL_DATA_COLUMNS, classify_personal_data, masking_types
from rcu_kit.core.wording import word, word_column


def types(*rows):
    return pd.DataFrame([{"source": "crm", "column": c, "semantic_type": t} for c, t in rows])


def test_classification_by_type_and_name():
    table = classify_personal_data(types(
        ("nom", "last_name"), ("civilite", "civility"), ("date_naiss", "birth_date"), ("id_client", "id"),
        ("email", "email"), ("tel", "phone"), ("adresse", "street"), ("cp", "postcode"), ("ville", "city"),
        ("commentaire", "text"), ("siret", "siret"), ("segment", "category"), ("date_creation", "date"),
        ("iban", "id"), ("revenu_annuel", "number"), ("allergies", "text"), ("num_secu", "id"),
    ))
    assert table.columns.tolist() == PERSONAL_DATA_COLUMNS
    assert table[["column", "personal_data", "gdpr_category"]].values.tolist() == [
        ["nom", "yes", "identity"], ["civilite", "yes", "identity"], ["date_naiss", "yes", "identity"],
        ["id_client", "yes", "identity"], ["email", "yes", "contact"], ["tel", "yes", "contact"],
        ["adresse", "yes", "location"], ["cp", "yes", "location"], ["ville", "yes", "location"],
        ["commentaire", "review", "none"], ["siret", "no", "none"], ["segment", "no", "none"],
        ["date_creation", "no", "none"],
        ["iban", "yes", "financial"], ["revenu_annuel", "yes", "financial"],
        ["allergies", "yes", "sensitive"], ["num_secu", "yes", "sensitive"],
    ]


def test_mapping_category_wins_over_type():
    table = classify_personal_data(types(("fidelite_niveau", "category")),
                                   {("crm", "fidelite_niveau"): ("loyalty_tier", "financial")})
    row = table.iloc[0]
    assert (row.personal_data, row.gdpr_category) == ("yes", "financial")
    assert (row.reason_code, row.reason_params) == ("gdpr_mapped", '{"attribute": "loyalty_tier"}')
    assert word(row.reason_code, row.reason_params, "en") == \
        "mapped to the target attribute 'loyalty_tier' (GDPR category set in the target model)"
    assert word(row.reason_code, row.reason_params, "fr") == \
        "rattachée à l'attribut cible 'loyalty_tier' (catégorie RGPD fixée dans le modèle cible)"


def test_masking_types_cover_financial_and_sensitive_columns():
    table = classify_personal_data(types(("iban", "id"), ("tel", "phone"), ("segment", "category"),
                                         ("sante", "category"), ("id_client", "id")))
    # a record id is masked like a financial or sensitive column (issue 23)
    assert masking_types(table, "crm") == {"iban": "text", "tel": "phone", "segment": "category",
                                           "sante": "text", "id_client": "text"}
    assert masking_types(table, "other") == {}


def test_reasons_saved_as_codes_and_worded_in_french_and_english():
    table = classify_personal_data(types(("tel", "phone"), ("iban", "id"), ("segment", "category")))
    # the saved table: a code per reason, the type named in its figures when the wording needs it
    assert table[["reason_code", "reason_params"]].values.tolist() == [
        ["gdpr_phone", "{}"], ["gdpr_financial", "{}"], ["gdpr_not_personal", '{"kind": "category"}']]
    assert word_column(table["reason_code"], table["reason_params"], "fr").tolist() == [
        "numéro de téléphone", "le nom de colonne désigne une donnée financière",
        "category : pas une donnée personnelle à elle seule"]
    assert word_column(table["reason_code"], table["reason_params"], "en").tolist() == [
        "phone number", "the column name points to financial data", "category: not personal on its own"]
