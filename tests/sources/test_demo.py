"""Tests of rcu_kit.sources.demo: the demo engagement generator.

Files are read back with plain pandas / sqlite3 (not with rcu_kit's loaders) so the generator is
checked against what any consultant's tool would see.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

from rcu_kit.core.config import load_engagement
from rcu_kit.sources.demo import CORRUPTION_KNOBS, SOURCE_SHARES, demo_mapping, generate_demo, source_sizes

FILES = ["truth.csv", "engagement.yaml", "data/crm_clients.csv", "data/ecommerce_accounts.parquet",
         "data/fidelite_cartes.csv", "data/facturation_tiers.csv", "data/service_client.db"]


def read_sources(folder: Path) -> dict[str, pd.DataFrame]:
    """Every demo source as strings, read with plain pandas / sqlite3."""
    data = folder / "data"
    with sqlite3.connect(data / "service_client.db") as con:
        service = pd.read_sql("select * from contacts", con)
    return {
        "crm": pd.read_csv(data / "crm_clients.csv", dtype=str, encoding="utf-8", sep=","),
        "ecommerce": pd.read_parquet(data / "ecommerce_accounts.parquet"),
        "fidelite": pd.read_csv(data / "fidelite_cartes.csv", dtype=str, encoding="latin-1", sep=";"),
        "facturation": pd.read_csv(data / "facturation_tiers.csv", dtype=str, encoding="cp1252", sep="\t"),
        "service_client": service,
    }


ID_COLUMNS = {"crm": "id_client", "ecommerce": "customer_id", "fidelite": "NUM_CARTE",
              "facturation": "CODE_TIERS", "service_client": "contact_id"}
# Name columns per source (facturation has only NOM_COMPLET).
NAME_COLUMNS = {"crm": ("prenom", "nom"), "ecommerce": ("first_name", "last_name"),
                "fidelite": ("PRENOM", "NOM"), "service_client": ("prenom", "nom")}


def norm(value) -> str:
    """Upper-case ASCII, for comparing names across sources."""
    return unidecode(str(value)).upper().strip() if isinstance(value, str) else ""


@pytest.fixture(scope="module")
def demo(demo_engagement) -> dict:
    """The shared small demo (1,500 records, seed 7): folder, sources, truth, joined records."""
    folder = Path(demo_engagement).parent
    sources = read_sources(folder)
    truth = pd.read_csv(folder / "truth.csv", dtype=str)
    names = []
    for name, (first, last) in NAME_COLUMNS.items():
        frame = sources[name]
        names.append(pd.DataFrame({"source": name, "record_id": frame[ID_COLUMNS[name]].astype(str),
                                   "first": frame[first].map(norm), "last": frame[last].map(norm)}))
    names = pd.concat(names).merge(truth, on=["source", "record_id"], validate="one_to_one")
    return {"folder": folder, "sources": sources, "truth": truth, "names": names}


# -- sizes and bounds ---------------------------------------------------------------------------
def test_source_sizes_split_by_share_and_add_up():
    # 1,001 * (0.35, 0.30, 0.20, 0.10, 0.05) = 350.35, 300.3, 200.2, 100.1, 50.05 -> rounded
    # 350, 300, 200, 100, 50 = 1,000; the missing record goes to the largest source, crm.
    assert source_sizes(1001) == {"crm": 351, "ecommerce": 300, "fidelite": 200, "facturation": 100,
                                  "service_client": 50}
    assert list(SOURCE_SHARES) == ["crm", "ecommerce", "fidelite", "facturation", "service_client"]


def test_files_hold_the_requested_sizes(demo):
    # The shared demo has 1,500 records: 35 % = 525, 30 % = 450, 20 % = 300, 10 % = 150, 5 % = 75.
    rows = {name: len(frame) for name, frame in demo["sources"].items()}
    assert rows == {"crm": 525, "ecommerce": 450, "fidelite": 300, "facturation": 150, "service_client": 75}


@pytest.mark.parametrize("bad", [999, 1_000_001, 0, -5])
def test_n_records_out_of_bounds_is_a_clear_error(tmp_path, bad):
    with pytest.raises(ValueError, match=r"n_records must be between 1,000 and 1,000,000"):
        generate_demo(tmp_path, n_records=bad)
    assert not (tmp_path / "engagement.yaml").exists()


@pytest.mark.parametrize("bad", [1500.0, "1500", True])
def test_n_records_must_be_an_integer(tmp_path, bad):
    with pytest.raises(ValueError, match=r"n_records must be an integer"):
        generate_demo(tmp_path, n_records=bad)


def test_unknown_language_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"language must be 'fr' or 'en'; got 'de'"):
        generate_demo(tmp_path, n_records=1000, language="de")


# -- determinism --------------------------------------------------------------------------------
def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a = generate_demo(tmp_path / "a", n_records=1000, seed=1)
    b = generate_demo(tmp_path / "b", n_records=1000, seed=1)
    c = generate_demo(tmp_path / "c", n_records=1000, seed=2, language="en")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for name in FILES:
        if name != "engagement.yaml":
            assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes(), name
    assert (a.rows_per_source, a.n_persons) == (b.rows_per_source, b.n_persons)
    assert load_engagement(c.engagement_path).language == "en"
    assert load_engagement(a.engagement_path).seed == 1


# -- ground truth -------------------------------------------------------------------------------
def test_truth_covers_every_record_exactly_once(demo):
    truth, sources = demo["truth"], demo["sources"]
    assert list(truth.columns) == ["source", "record_id", "person_id", "household_id"]
    assert not truth.duplicated(["source", "record_id"]).any()
    assert truth["person_id"].notna().all() and truth["household_id"].notna().all()
    for name, frame in sources.items():
        ids = frame[ID_COLUMNS[name]].astype(str)
        assert ids.is_unique, name
        assert sorted(ids) == sorted(truth.loc[truth["source"] == name, "record_id"]), name
    assert len(truth) == 1500


def test_persons_are_in_one_to_four_sources_with_duplicates_inside_sources(demo, tmp_path):
    truth = demo["truth"]
    per_person = truth.groupby("person_id")["source"].nunique()
    assert per_person.min() == 1 and per_person.max() <= 4
    assert {1, 2, 3} <= set(per_person)
    # Within-source duplicates: round(size * rate) second records per source:
    # crm 525*4 % = 21, ecommerce 450*3 % = 13.5 -> 14, fidelite 300*3 % = 9, facturation
    # 150*2 % = 3, service_client 75*5 % = 3.75 -> 4.
    records = truth.groupby(["source", "person_id"]).size()
    extra = (records - 1).groupby(level="source").sum().to_dict()
    assert extra == {"crm": 21, "ecommerce": 14, "facturation": 3, "fidelite": 9, "service_client": 4}
    # n_persons in the result is the number of distinct persons in the truth.
    result = generate_demo(tmp_path, n_records=1000, seed=5)
    truth_1000 = pd.read_csv(result.truth_path, dtype=str)
    assert result.n_persons == truth_1000["person_id"].nunique()
    assert sum(result.rows_per_source.values()) == len(truth_1000) == 1000


# -- engagement ---------------------------------------------------------------------------------
def test_engagement_loads_and_every_mapped_column_exists(demo, demo_engagement):
    eng = load_engagement(demo_engagement)
    assert eng.client == "Maison Démo" and eng.language == "fr" and eng.seed == 7
    assert eng.output_dir == "output" and eng.mask_personal_data
    assert set(eng.definitions) == {"customer", "prospect", "target"}
    assert [s.name for s in eng.sources] == list(SOURCE_SHARES)
    assert eng.source("ecommerce").flow == "real-time"
    # crm and fidelite are left to the loaders' detection; the ERP's cp1252 is declared, as a
    # consultant would once the ERP team told them (cp1252 without € or œ reads like latin-1)
    assert eng.source("crm").encoding is None and eng.source("fidelite").separator is None
    assert eng.source("facturation").encoding == "cp1252" and eng.source("facturation").separator == "\t"
    from rcu_kit.sources.loaders import load_all
    loaded = load_all(eng, ["crm", "fidelite"])
    assert (loaded["crm"].encoding, loaded["crm"].separator, loaded["crm"].encoding_detected) == ("utf-8", ",", True)
    assert (loaded["fidelite"].encoding, loaded["fidelite"].separator) == ("latin-1", ";")
    assert [a.name for a in eng.target_model][:3] == ["civility", "last_name", "birth_name"]
    assert eng.mapping == demo_mapping()
    for source in eng.sources:
        columns = list(demo["sources"][source.name].columns)
        mapped = [e.column for e in eng.mapping[source.name]]
        assert source.id_column in columns
        # Every column except the id is mapped, once, and validated.
        assert sorted(mapped) == sorted(c for c in columns if c != source.id_column), source.name
        assert all(e.validated for e in eng.mapping[source.name])
        for src in (source.path, source.url):
            if src:
                assert (demo["folder"] / src.removeprefix("sqlite:///")).exists()


def test_mapping_transforms():
    mapping = {s: {e.column: (e.attribute, e.transform) for e in entries}
               for s, entries in demo_mapping().items()}
    assert mapping["facturation"]["NOM_COMPLET"] == ("full_name", "split_full_name")
    assert mapping["facturation"]["CP"] == ("postcode", "restore_postcode_zero")
    dmy = {(s, c) for s, cols in mapping.items() for c, (_, t) in cols.items() if t == "parse_date_dmy"}
    # Exactly the dd/mm/yyyy columns: three in fidelite, one in facturation.
    assert dmy == {("fidelite", "DATE_NAISS"), ("fidelite", "DATE_ADHESION"),
                   ("fidelite", "DERNIER_ACHAT"), ("facturation", "DATE_DERNIERE_FACTURE")}
    assert mapping["crm"]["nom_naissance"] == ("birth_name", None)


# -- file formats -------------------------------------------------------------------------------
def test_encodings_and_separators(demo):
    data = demo["folder"] / "data"
    fidelite = (data / "fidelite_cartes.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        fidelite.decode("utf-8")
    header = fidelite.decode("latin-1").splitlines()[0]
    assert header.split(";") == ["NUM_CARTE", "CIVILITE", "NOM", "PRENOM", "DATE_NAISS", "TEL", "EMAIL",
                                 "ADRESSE", "CP", "VILLE", "DATE_ADHESION", "DERNIER_ACHAT"]
    facturation = (data / "facturation_tiers.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        facturation.decode("utf-8")
    assert facturation.decode("cp1252").splitlines()[0].split("\t")[:2] == ["CODE_TIERS", "NOM_COMPLET"]
    crm = (data / "crm_clients.csv").read_bytes().decode("utf-8")
    assert crm.splitlines()[0].startswith("id_client,civilite,nom,nom_naissance,prenom,date_naissance")
    assert "é" in crm
    with sqlite3.connect(data / "service_client.db") as con:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
    assert tables == ["contacts"]


def test_source_conventions(demo):
    src = demo["sources"]
    crm, ecom, fid, fact, sc = (src[k] for k in SOURCE_SHARES)
    # Dates: ISO in crm and e-commerce, dd/mm/yyyy in loyalty and billing.
    assert crm["date_naissance"].dropna().str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert ecom["created_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    assert fid["DATE_NAISS"].dropna().str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    assert fact["DATE_DERNIERE_FACTURE"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    # Phones: mostly '06 12 34 56 78' in crm, '+33 6 ...' in e-commerce, '33612345678' in billing,
    # '0612345678' in loyalty.
    assert crm["telephone"].dropna().str.fullmatch(r"0\d( \d\d){4}").mean() > 0.7
    assert ecom["phone"].dropna().str.fullmatch(r"\+33 \d( \d\d){4}").mean() > 0.6
    assert fact["TELEPHONE"].dropna().str.fullmatch(r"33\d{9}").mean() > 0.8
    assert fid["TEL"].dropna().str.fullmatch(r"0\d{9}").mean() > 0.9
    # Loyalty names: upper case without accents.
    assert (fid["NOM"] == fid["NOM"].map(lambda v: unidecode(v).upper())).all()
    # Billing postcodes are integers: departments 01-09 lost their leading zero.
    cp = fact["CP"].astype(int)
    assert (cp < 10000).any() and (cp >= 1000).all()
    assert crm["code_postal"].dropna().str.fullmatch(r"\d{5}").all()
    assert crm["code_postal"].dropna().str.startswith("0").any()
    # Civilities: several spellings.
    assert {"M.", "Mme", "MME", "Monsieur", "Madame"} <= set(crm["civilite"].dropna())
    assert set(crm["optin_email"]) == {"oui", "non"}
    assert ecom["newsletter"].dtype == bool
    # Missing values where sources have them, never on the ids.
    assert crm["email"].isna().any() and fid["EMAIL"].isna().any() and sc["courriel"].isna().any()


# -- traps --------------------------------------------------------------------------------------
def test_addresses_carry_abbreviations_bis_ter_and_cedex(demo):
    src = demo["sources"]
    streets = pd.concat([src["crm"]["adresse"], src["ecommerce"]["street"], src["fidelite"]["ADRESSE"],
                         src["facturation"]["ADRESSE_1"]]).dropna().str.lower()
    for abbreviation in (r" av\.? ", r" (?:bd|bld|boul\.) ", r" r\.? ", r" (?:chem\.|ch\.) "):
        assert streets.str.contains(abbreviation).any(), abbreviation
    assert streets.str.contains(r"^\d+ ?(?:bis|ter|b|t) ").any()
    cities = pd.concat([src["crm"]["ville"], src["facturation"]["VILLE"]]).str.upper()
    assert cities.str.contains(" CEDEX").any()


def test_household_members_share_address_and_surname(demo):
    crm = demo["sources"]["crm"].merge(demo["truth"], left_on="id_client", right_on="record_id")
    crm["key"] = crm["nom"].map(norm) + "|" + crm["adresse"].fillna("?").map(norm)
    persons = crm.groupby(["household_id", "key"])["person_id"].nunique()
    assert (persons >= 2).any()


def test_loyalty_name_lacks_the_crm_accent(demo):
    crm = demo["sources"]["crm"].merge(demo["truth"], left_on="id_client", right_on="record_id")
    fid = demo["sources"]["fidelite"].merge(demo["truth"], left_on="NUM_CARTE", right_on="record_id")
    both = crm.merge(fid, on="person_id")
    accented = both["nom"].map(lambda v: isinstance(v, str) and v != unidecode(v))
    stripped = both["NOM"] == both["nom"].map(norm)
    assert (accented & stripped).any()


def test_married_and_birth_names(demo):
    crm = demo["sources"]["crm"]
    filled = crm.dropna(subset=["nom_naissance"])
    # Sparsely filled, and always a name different from the usage name.
    assert 0 < len(filled) < 0.2 * len(crm)
    assert (filled["nom_naissance"].map(norm) != filled["nom"].map(norm)).mean() > 0.9
    # A married woman known under her birth name in another source.
    crm = crm.merge(demo["truth"], left_on="id_client", right_on="record_id")
    other = demo["names"][demo["names"]["source"] != "crm"]
    both = crm.dropna(subset=["nom_naissance"]).merge(other, on="person_id")
    assert (both["last"] == both["nom_naissance"].map(norm)).any()


def test_compound_first_name_variants(demo):
    names = demo["names"]
    full = names[names["first"].str.fullmatch(r"[A-Z]+-[A-Z]+")]
    variants = names[names["first"].str.fullmatch(r"[A-Z]{2}|[A-Z]+-[A-Z]\.|[A-Z]+ [A-Z]+")]
    assert len(full) and len(variants)
    assert set(full["person_id"]) & set(variants["person_id"])


def test_swapped_first_and_last_names(demo):
    names = demo["names"]
    pairs = names.merge(names, on="person_id")
    swapped = (pairs["first_x"] == pairs["last_y"]) & (pairs["last_x"] == pairs["first_y"]) \
        & (pairs["first_x"] != pairs["last_x"])
    assert swapped.any()


def test_typos_are_one_character_edits(demo):
    names = demo["names"]
    pairs = names.merge(names, on="person_id").query("record_id_x != record_id_y")
    distance = [Levenshtein.distance(a, b) for a, b in zip(pairs["last_x"], pairs["last_y"])]
    assert 1 in distance


def test_homonyms_and_father_son(demo):
    names = demo["names"].merge(demo["truth"][["person_id"]].drop_duplicates(), on="person_id")
    jean_martin = names[(names["first"] == "JEAN") & (names["last"] == "MARTIN")]
    assert jean_martin["person_id"].nunique() >= 2
    # Father and son: two persons of one household with the same first and last name.
    same = names.groupby(["household_id", "first", "last"])["person_id"].nunique()
    assert (same >= 2).any()


def test_people_who_moved_and_shared_contacts(demo):
    src, truth = demo["sources"], demo["truth"]
    rows = []
    for name, col in (("crm", "code_postal"), ("ecommerce", "zip"), ("fidelite", "CP"),
                      ("service_client", "code_postal")):
        rows.append(pd.DataFrame({"record_id": src[name][ID_COLUMNS[name]].astype(str), "source": name,
                                  "postcode": src[name][col].str.replace(" ", "")}))
    pcs = pd.concat(rows).merge(truth, on=["source", "record_id"]).dropna(subset=["postcode"])
    assert (pcs.groupby("person_id")["postcode"].nunique() >= 2).any()
    # A household e-mail or landline shared by two persons.
    crm = src["crm"].merge(truth, left_on="id_client", right_on="record_id")
    crm["digits"] = crm["telephone"].str.replace(r"\D", "", regex=True).str[-9:]
    assert (crm.dropna(subset=["digits"]).groupby("digits")["person_id"].nunique() >= 2).any()
    emails = pd.concat([crm[["email", "person_id"]].rename(columns={"email": "e"}),
                        src["fidelite"].merge(truth, left_on="NUM_CARTE", right_on="record_id")
                        [["EMAIL", "person_id"]].rename(columns={"EMAIL": "e"})])
    emails["e"] = emails["e"].str.lower()
    assert (emails.dropna().groupby("e")["person_id"].nunique() >= 2).any()


def test_placeholder_birth_date_in_crm(demo):
    assert (demo["sources"]["crm"]["date_naissance"] == "1900-01-01").any()


def test_out_dir_that_is_a_file_is_a_clear_error(tmp_path):
    target = tmp_path / "demo"
    target.write_text("not a folder")
    with pytest.raises(ValueError, match=r"demo: exists and is not a folder"):
        generate_demo(target, n_records=1000)


def test_dates_are_plausible(demo):
    src, truth = demo["sources"], demo["truth"]
    crm = src["crm"].dropna(subset=["date_naissance"])
    crm = crm[crm["date_naissance"] != "1900-01-01"]
    born = pd.to_datetime(crm["date_naissance"])
    # Nobody opens an account before turning 18, and every date is on or before the extraction.
    assert (pd.to_datetime(crm["date_creation"]) >= born + pd.DateOffset(years=18)).all()
    assert (pd.to_datetime(crm["date_modification"]) >= pd.to_datetime(crm["date_creation"])).all()
    assert pd.to_datetime(crm["date_modification"]).max() <= pd.Timestamp("2024-12-31")
    ecom = src["ecommerce"].dropna(subset=["last_order_at"])
    assert (pd.to_datetime(ecom["last_order_at"]) >= pd.to_datetime(ecom["created_at"])).all()
    # No pile-up of persons on one birth date (ages are drawn, never clipped to a bound): among
    # ~950 persons over ~27,000 possible days, three sharing a date is already rare.
    crm = crm.merge(truth, left_on="id_client", right_on="record_id")
    assert crm.groupby("date_naissance")["person_id"].nunique().max() <= 3
    # Call-centre contacts are numbered in call order.
    calls = src["service_client"].sort_values("contact_id")["date_dernier_appel"]
    assert calls.is_monotonic_increasing


def test_city_postcode_and_name_order_variants(demo):
    src = demo["sources"]
    cities = pd.concat([src["crm"]["ville"], src["ecommerce"]["city"], src["fidelite"]["VILLE"]]).str.upper()
    assert cities.str.fullmatch(r"PARIS (1ER|\d{1,2}E)").any()             # 'Paris 15e'
    assert cities.str.startswith("ST ").any()                               # 'St Etienne'
    assert src["ecommerce"]["zip"].str.fullmatch(r"\d\d \d{3}").any()       # '75 015'
    # Billing full names: mostly 'DUPONT Jean', some 'Jean Dupont'.
    first_token = src["facturation"]["NOM_COMPLET"].str.split(" ").str[0]
    upper = first_token == first_token.str.upper()
    assert upper.mean() > 0.7 and (~upper).any()


def test_jean_martin_homonyms_have_different_birth_dates(demo):
    src, truth = demo["sources"], demo["truth"]
    crm = src["crm"].merge(truth, left_on="id_client", right_on="record_id")
    fid = src["fidelite"].merge(truth, left_on="NUM_CARTE", right_on="record_id")
    known = pd.concat([
        pd.DataFrame({"person_id": crm["person_id"], "first": crm["prenom"].map(norm),
                      "last": crm["nom"].map(norm), "born": pd.to_datetime(crm["date_naissance"])}),
        pd.DataFrame({"person_id": fid["person_id"], "first": fid["PRENOM"].map(norm),
                      "last": fid["NOM"].map(norm),
                      "born": pd.to_datetime(fid["DATE_NAISS"], format="%d/%m/%Y")}),
    ])
    jm = known[(known["first"] == "JEAN") & (known["last"] == "MARTIN")].dropna(subset=["born"])
    born = jm.groupby("person_id")["born"].first()
    assert len(born) >= 2 and born.is_unique


def test_ids_follow_creation_order_and_logins_are_unique(demo):
    src = demo["sources"]
    crm = src["crm"]
    # Files are sorted by id, and ids grow with the creation date (as a sequence would).
    assert crm["id_client"].is_monotonic_increasing
    assert crm["date_creation"].is_monotonic_increasing
    ecom = src["ecommerce"]
    assert ecom["customer_id"].is_monotonic_increasing and ecom["created_at"].is_monotonic_increasing
    # The e-mail is the e-commerce login: a second account of a person has another e-mail.
    assert ecom["email"].is_unique


# -- corruption knobs (robustness sweeps) --------------------------------------------------------
def test_corruption_at_one_is_the_default_demo_byte_for_byte(tmp_path):
    generate_demo(tmp_path / "default", n_records=1000, seed=5)
    generate_demo(tmp_path / "ones", n_records=1000, seed=5, corruption={knob: 1.0 for knob in CORRUPTION_KNOBS})
    for name in FILES:
        assert (tmp_path / "default" / name).read_bytes() == (tmp_path / "ones" / name).read_bytes(), name


@pytest.mark.parametrize("corruption, message", [
    ({"typos": 2.0}, r"unknown knob\(s\) 'typos'"),
    ({"moves": -1.0}, r"'moves' must be a multiplier >= 0"),
    ({"missing": "2"}, r"'missing' must be a multiplier >= 0"),
])
def test_bad_corruption_is_a_clear_error(tmp_path, corruption, message):
    with pytest.raises(ValueError, match=message):
        generate_demo(tmp_path, n_records=1000, corruption=corruption)


def test_corruption_multiplies_the_rates_it_names(tmp_path):
    base = generate_demo(tmp_path / "base", n_records=4000, seed=11)
    more = generate_demo(tmp_path / "more", n_records=4000, seed=11,
                         corruption={"missing": 2.0, "homonyms": 2.0})
    a, b = read_sources(tmp_path / "base"), read_sources(tmp_path / "more")
    # CRM e-mails are blanked at 12 %, 24 % with missing x2 (the same draws: a superset of blanks).
    blank_a, blank_b = a["crm"]["email"].isna(), b["crm"]["email"].isna()
    assert 0.09 < blank_a.mean() < 0.15 and 0.20 < blank_b.mean() < 0.28
    assert not (blank_a & ~blank_b).any()
    # Jean MARTIN homonyms: max(5, persons // 1000) = 5 by default (2,499 persons), 10 at x2;
    # counted on the truth's persons whose CRM or e-commerce records carry the name.
    def jean_martin(folder: Path, sources: dict[str, pd.DataFrame]) -> int:
        truth = pd.read_csv(folder / "truth.csv", dtype=str)
        crm = sources["crm"]
        ids = crm.loc[(crm["prenom"] == "Jean") & (crm["nom"].map(norm) == "MARTIN"), "id_client"]
        return truth[(truth["source"] == "crm") & truth["record_id"].isin(ids)]["person_id"].nunique()
    assert jean_martin(tmp_path / "more", b) > jean_martin(tmp_path / "base", a)
    assert (base.n_persons, base.rows_per_source) == (more.n_persons, more.rows_per_source)


def test_true_values_give_every_person_of_the_truth_their_values(demo):
    from rcu_kit.sources.demo import true_values

    values = true_values(1500, seed=7)  # the persons of the shared demo (1,500 records, seed 7)
    truth = demo["truth"]
    assert values["person_id"].is_unique
    assert set(values["person_id"]) == set(truth["person_id"])
    assert not values.drop(columns="person_id").isna().any().any()
    # the CRM's records carry their person's true names, but for the demo's corruption (typos,
    # short forms, married names): 503 of the 525 CRM records (95.8 %) write the usage or birth
    # name, 499 (95.0 %) the first name, exactly as the truth does
    crm = demo["sources"]["crm"].merge(truth[truth["source"] == "crm"], left_on="id_client",
                                       right_on="record_id").merge(values, on="person_id")
    last = (crm["nom"].map(norm) == crm["last_name"].map(norm)) | \
        (crm["nom"].map(norm) == crm["birth_name"].map(norm))
    assert (len(crm), int(last.sum()), int((crm["prenom"].map(norm) ==
                                            crm["first_name"].map(norm)).sum())) == (525, 503, 499)
