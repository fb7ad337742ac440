"""Column KPIs over all rows: exact figures on small frames built by hand."""

import math

import pandas as pd

from rcu_kit.audit.quality import KPI_COLUMNS, column_kpis, quality_tables, value_shape, value_shapes
from rcu_kit.core.wording import word

TODAY = "2026-01-01"


def words(k: dict, name: str, language: str = "en") -> str:
    """A KPI's text (note, outlier rule), saved as code + params, as the client reads it."""
    return word(k[f"{name}_code"], k[f"{name}_params"], language)


def test_value_shapes():
    assert value_shape("Jean-Pierre") == "Aa-Aa"
    assert value_shape("DUPONT") == "A"
    assert value_shape("Éloïse") == "Aa"
    assert value_shape("75011") == "99999"
    assert value_shape("1000") == "9999"
    assert value_shape("+33 6 12") == "+99 9 99"
    assert value_shape("jean.dupont@gmail.com") == "a.a@a.a"
    assert value_shapes(pd.Series(["ab", None])).tolist()[0] == "a"
    assert pd.isna(value_shapes(pd.Series(["ab", None])).iloc[1])


def test_postcode_column():
    series = pd.Series(["75011", "75011", "1000", "ABCDE", None, "  ", "69003", "75011"])
    k, top, shapes = column_kpis(series, "postcode", mask=False, today=TODAY)
    # 8 rows; None and a blank are missing -> 6 filled
    assert (k["rows"], k["filled"], k["completeness"]) == (8, 6, 0.75)
    # 75011 x3 and 69003 valid = 4; 1000 lost its zero = 1 repairable; ABCDE invalid
    assert (k["valid"], k["repairable"], k["invalid"]) == (4, 1, 1)
    assert k["validity"] == 4 / 6
    # distinct: 75011, 1000, ABCDE, 69003 = 4; duplicated = 6 - 4 = 2 (the 2nd and 3rd 75011)
    assert (k["distinct"], k["duplicated"], k["uniqueness"]) == (4, 2, 4 / 6)
    assert (k["min_length"], k["max_length"]) == (4, 5)
    # lengths 5,5,4,5,5,5: Q1 = Q3 = 5, IQR 0 -> any length but 5 is an outlier: '1000'
    assert k["outliers"] == 1 and words(k, "outlier_rule") == "length outside [5, 5] (3 IQR)"
    assert top[["value", "count"]].values.tolist() == [["75011", 3], ["1000", 1], ["69003", 1], ["ABCDE", 1]]
    assert top["share"].tolist() == [0.5, 1 / 6, 1 / 6, 1 / 6]
    # shapes: 99999 for 75011 x3 and 69003 = 4; 9999 x1; A (letters collapse) x1
    assert shapes[["shape", "count"]].values.tolist() == [["99999", 4], ["9999", 1], ["A", 1]]
    assert (k["top_value"], k["top_value_count"], k["top_shape"]) == ("75011", 3, "99999")


def test_top_values_are_masked_by_policy():
    series = pd.Series(["jean@free.fr", "jean@free.fr", "paul@orange.fr"])
    k, top, _ = column_kpis(series, "email", mask=True, today=TODAY)
    assert top["value"].tolist() == ["j***@f***.fr", "p***@o***.fr"]
    assert k["top_value"] == "j***@f***.fr"
    _, raw, _ = column_kpis(series, "email", mask=False, today=TODAY)
    assert raw["value"].tolist() == ["jean@free.fr", "paul@orange.fr"]


def test_empty_column_gives_a_clear_note():
    k, top, shapes = column_kpis(pd.Series([None, None, ""]), "email", today=TODAY)
    assert (k["rows"], k["filled"], k["completeness"], k["distinct"]) == (3, 0, 0.0, 0)
    assert math.isnan(k["validity"]) and math.isnan(k["uniqueness"])
    assert words(k, "note") == "column 100% empty"
    assert top.empty and shapes.empty


def test_garbage_dates():
    series = pd.Series(["hier", "demain", "??", "31/02/2020"])
    k, _, _ = column_kpis(series, "date", today=TODAY)
    # nothing parses: 4 invalid, validity 0, no date range, and the note says why
    assert (k["filled"], k["valid"], k["invalid"], k["validity"]) == (4, 0, 4, 0.0)
    assert pd.isna(k["min_date"]) and pd.isna(k["max_date"])
    assert words(k, "note") == "no value parses as a date"


def test_dates_range_and_outliers():
    series = pd.Series(["01/01/1850", "15/06/2020", "2024-12-31", "01/01/2030", None])
    k, _, _ = column_kpis(series, "date", today=TODAY)
    assert k["min_date"] == pd.Timestamp("1850-01-01") and k["max_date"] == pd.Timestamp("2030-01-01")
    # 1850 is before 1900 and 2030 after today: 2 outliers
    assert k["outliers"] == 2
    assert k["valid"] == 4  # all four are real calendar days


def test_birth_dates():
    series = pd.Series(["12/03/1985", "01/01/1900", "01/06/2020", "01/01/1930"])
    k, _, _ = column_kpis(series, "birth_date", mask=True, today=TODAY)
    # 1900 is more than 120 years ago: invalid; the three others are plausible
    assert (k["valid"], k["invalid"]) == (3, 1)
    # ages: 40, 126, 5, 96 -> under 15 or over 100: 1900 and 2020 = 2 outliers
    assert k["outliers"] == 2


def test_numbers_iqr_outliers():
    series = pd.Series(["10", "11", "12", "13", "1 000", "abc"])
    k, _, _ = column_kpis(series, "number", today=TODAY)
    assert (k["valid"], k["invalid"]) == (5, 1)
    assert (k["min_number"], k["max_number"]) == (10.0, 1000.0)
    # weighted quartiles of 10, 11, 12, 13, 1000: Q1 = 11, Q3 = 13, fences [8, 16] -> 1000
    assert k["outliers"] == 1 and words(k, "outlier_rule") == "outside [8, 16] (1.5 IQR)"


def test_types_without_validity_rule():
    k, _, _ = column_kpis(pd.Series(["12 rue A", "3 av. B"]), "street", today=TODAY)
    assert math.isnan(k["validity"]) and words(k, "note") == "no validity rule for street"


def test_quality_tables_empty_source_and_one_row():
    empty = pd.DataFrame({"nom": pd.Series([], dtype=object), "cp": pd.Series([], dtype=object)})
    tables = quality_tables(empty, {"nom": "last_name", "cp": "postcode"}, source="vide", today=TODAY)
    assert tables.kpis["rows"].tolist() == [0, 0]
    assert tables.kpis[["note_code", "note_params"]].values.tolist() == [["note_no_rows", "{}"]] * 2
    assert tables.kpis["completeness"].isna().all()
    assert tables.top_values.empty and tables.shapes.empty

    one = pd.DataFrame({"nom": ["DUPONT"], "cp": ["75011"]})
    tables = quality_tables(one, {"nom": "last_name", "cp": "postcode"}, source="un", mask=True, today=TODAY)
    assert tables.kpis.columns.tolist() == KPI_COLUMNS
    assert tables.kpis[["source", "column", "filled", "valid", "distinct", "duplicated"]].values.tolist() == [
        ["un", "nom", 1, 1, 1, 0], ["un", "cp", 1, 1, 1, 0]]
    assert tables.top_values[["column", "value", "count"]].values.tolist() == [["nom", "D*****", 1], ["cp", "75***", 1]]


def test_top_values_ties_are_deterministic():
    series = pd.Series(["b", "a", "c", "a", "b"])
    _, top, _ = column_kpis(series, "category", top_n=2, today=TODAY)
    # a and b both appear twice: ordered by value
    assert top[["value", "count"]].values.tolist() == [["a", 2], ["b", 2]]


def test_top_values_among_many_ties_keep_the_smallest_values():
    # 'z' twice, then 1,000 identifiers seen once each: only 'z' is above the tie, and the two
    # remaining places go to the smallest of the tied identifiers, 'id0000' and 'id0001'
    series = pd.Series(["z", "z"] + [f"id{i:04d}" for i in range(999, -1, -1)])
    k, top, _ = column_kpis(series, "id", mask=False, top_n=3, today=TODAY)
    assert top[["value", "count"]].values.tolist() == [["z", 2], ["id0000", 1], ["id0001", 1]]
    assert (k["filled"], k["distinct"], k["duplicated"]) == (1002, 1001, 1)


def test_notes_and_outlier_rules_in_french():
    # same columns as the English tests above, language 'fr'
    k, _, _ = column_kpis(pd.Series([None, " "]), "email", today=TODAY)
    assert words(k, "note", "fr") == "colonne vide à 100\u00a0%"
    k, _, _ = column_kpis(pd.Series(["12 rue A", "3 av. B"]), "street", today=TODAY)
    assert words(k, "note", "fr") == "pas de règle de validité pour street"
    # lengths 8 and 7: Q1 = 7, Q3 = 8, fences [max(0, 7 - 3), 8 + 3] = [4, 11]
    assert words(k, "outlier_rule", "fr") == "longueur hors de [4 ; 11] (3 écarts interquartiles)"
    k, _, _ = column_kpis(pd.Series(["10", "11", "12", "13", "1000"]), "number", today=TODAY)
    # quartiles 11 and 13 (see the English test): fences [8, 16]
    assert words(k, "outlier_rule", "fr") == "hors de [8 ; 16] (1,5 écart interquartile)"
    k, _, _ = column_kpis(pd.Series(["01/02/2020"]), "date", today=TODAY)
    assert words(k, "outlier_rule", "fr") == "avant le 01/01/1900 ou après le 01/01/2026"


def test_distinct_values_passed_in_give_the_same_kpis():
    from rcu_kit.values.validity import distinct_values

    series = pd.Series(["75011", " 75011", "1000", None, ""])
    shared = distinct_values(series)
    assert column_kpis(series, "postcode", today=TODAY, distinct=shared)[0] == \
        column_kpis(series, "postcode", today=TODAY)[0]
    # ' 75011' is stripped: 2 distinct values, 3 filled rows
    assert (shared.values.tolist(), shared.counts.tolist()) == (["75011", "1000"], [2, 1])


def test_notes_and_outlier_rules_are_saved_as_codes_and_figures():
    # the same KPIs in any language: the rule's bounds and day as numbers, the type as a name
    k, _, _ = column_kpis(pd.Series(["10", "11", "12", "13", "1000"]), "number", today=TODAY)
    assert (k["outlier_rule_code"], k["outlier_rule_params"]) == ("rule_number", '{"lo": 8.0, "hi": 16.0}')
    assert (k["note_code"], k["note_params"]) == ("", "{}")
    k, _, _ = column_kpis(pd.Series(["01/02/2020"]), "date", today=TODAY)
    assert (k["outlier_rule_code"], k["outlier_rule_params"]) == ("rule_date", '{"today": "2026-01-01"}')
    assert words(k, "outlier_rule", "en") == "before 1900-01-01 or after 2026-01-01"
    k, _, _ = column_kpis(pd.Series(["12 rue A"]), "street", today=TODAY)
    assert (k["note_code"], k["note_params"]) == ("note_no_rule", '{"semantic_type": "street"}')


def test_shapes_counted_slice_by_slice_add_up(monkeypatch):
    # 'Aa99' x3 (Jo12, Al34, Jo12) and 'a@a.a' x2 (one non-ASCII: é), '99' x1: the same shape
    # counts whether the distinct values are shaped all at once or two at a time
    import rcu_kit.audit.quality as quality

    series = pd.Series(["Jo12", "Al34", "jé@x.fr", "a@b.fr", "12", "Jo12"])
    whole = column_kpis(series, "text", mask=False)[2]
    monkeypatch.setattr(quality, "_SHAPE_SLICE", 2)
    sliced = column_kpis(series, "text", mask=False)[2]
    pd.testing.assert_frame_equal(whole, sliced)
    assert whole[["shape", "count"]].values.tolist() == [["Aa99", 3], ["a@a.a", 2], ["99", 1]]
