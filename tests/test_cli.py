"""The rcu-kit command: every subcommand documents its options; errors are clean, not tracebacks."""

from __future__ import annotations

import pytest

from rcu_kit.cli import build_parser, main


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name in _subcommands():
        assert name in out


@pytest.mark.parametrize("name", _subcommands())
def test_each_subcommand_has_help_documenting_its_options(name, capsys):
    with pytest.raises(SystemExit) as info:
        main([name, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: rcu-kit {name}")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[name]
    for action in sub._actions:
        for flag in action.option_strings:
            assert flag in out
        if action.help and action.help != "==SUPPRESS==":
            assert action.help.split("(")[0].strip()[:30] in " ".join(out.split())


def test_missing_engagement_is_a_clean_error(tmp_path, capsys):
    code = main(["summary", str(tmp_path / "nope.yaml")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("rcu-kit summary: error: ")
    assert "nope.yaml: engagement file not found" in err


def test_summary_reports_every_row_and_writes_bad_lines(tmp_path, capsys):
    (tmp_path / "crm.csv").write_text("id;nom\n1;Dupont\n2;Martin;extra\n3;Durand\n", encoding="utf-8")
    (tmp_path / "engagement.yaml").write_text(
        "client: T\nlanguage: en\nsources:\n  - {name: crm, format: csv, path: crm.csv}\n",
        encoding="utf-8")
    assert main(["summary", str(tmp_path / "engagement.yaml")]) == 0
    out = capsys.readouterr().out
    assert "1 unreadable line(s)" in out
    assert f"Output: {tmp_path / 'output' / 'sources_summary.xlsx'}" in out
    bad = (tmp_path / "output" / "bad_lines.csv").read_text(encoding="utf-8").splitlines()
    # header + the one broken line: physical line 3 of the file
    assert len(bad) == 2 and bad[1].startswith("crm,3,")
    import pandas as pd
    summary = pd.read_csv(tmp_path / "output" / "sources_summary.csv")
    # 3 data rows read: 2 loaded + 1 reported, none lost
    assert summary[["rows_read", "rows_loaded", "bad_lines"]].values.tolist() == [[3, 2, 1]]


def test_summary_and_audit_of_the_quirk_corpus_report_every_source_and_exit_1(tmp_path, capsys):
    import pandas as pd

    from tests.sources.corpus import CORPUS, write_corpus

    engagement = write_corpus(tmp_path)
    assert main(["summary", str(engagement)]) == 1  # two sources in error: the others still load
    err = capsys.readouterr().err
    assert "2 source(s) in error, left out: missing, not_a_workbook" in err
    summary = pd.read_csv(tmp_path / "output" / "sources_summary.csv", keep_default_na=False)
    assert summary[["source", "status", "rows_loaded"]].values.tolist() == [
        [q.name, q.status, q.rows] for q in CORPUS]
    excluded = pd.read_csv(tmp_path / "output" / "excluded_lines.csv")
    assert len(excluded) == 14 and set(excluded["source"]) >= {"footer", "repeated_header"}

    assert main(["audit", str(engagement), "--no-profile"]) == 1
    capsys.readouterr()
    messages = pd.read_parquet(tmp_path / "output" / "audit" / "messages.parquet")
    errors = messages[messages["level"] == "error"]
    assert errors["source"].tolist() == ["missing", "not_a_workbook"]
    # saved as a code and its figures, worded when shown (issue 18)
    assert errors["message_code"].tolist() == ["source_left_out"] * 2
    from rcu_kit.core.wording import word_column

    worded = word_column(errors["message_code"], errors["message_params"], "en")
    assert worded.str.startswith("Source not loaded, left out: source 'missing'").iloc[0]
    inventory = pd.read_parquet(tmp_path / "output" / "audit" / "inventory.parquet")
    assert len(inventory) == len(CORPUS) - 2  # the audited sources, the empty one included


def test_review_draws_a_sheet_then_estimates_the_figures_from_its_labels(tmp_path, capsys):
    import json
    import re

    import pandas as pd

    from rcu_kit.sources.demo import generate_demo

    demo = generate_demo(tmp_path / "demo", n_records=1000, seed=5)
    engagement = str(demo.engagement_path)
    assert main(["review", engagement, "--labels", str(tmp_path / "none.csv")]) == 2
    assert "run `rcu-kit dedup" in capsys.readouterr().err
    assert main(["dedup", engagement]) == 0
    # the duplicates within sources apart from the customers seen again in another source; the
    # two add up to the repeated records (records - customers) of dedup/summary.json
    printed = capsys.readouterr().out
    total = re.search(r"duplicate rate: +[\d.]+% \(([\d,]+) duplicate records\)", printed)
    within = re.search(r"within sources: +[\d.]+% \(([\d,]+) records repeat", printed)
    across = re.search(r"across sources: +([\d,]+) records of a customer seen again", printed)
    figures = json.loads((demo.engagement_path.parent / "output" / "dedup" / "summary.json")
                         .read_text(encoding="utf-8"))
    assert int(total[1].replace(",", "")) == figures["n_duplicates"] == \
        int(within[1].replace(",", "")) + int(across[1].replace(",", ""))
    assert main(["review", engagement, "--sample", "40"]) == 0
    out = capsys.readouterr().out
    assert "40 pair(s) to label" in out and "not_proposed" in out
    review = demo.engagement_path.parent / "output" / "review"
    sheet = pd.read_csv(review / "sample.csv", dtype=str, keep_default_na=False)
    assert len(sheet) == 40 and (review / "sample.xlsx").exists()
    assert sheet.columns[:4].tolist() == ["source_a", "record_id_a", "source_b", "record_id_b"]
    # a reviewer who knows the truth fills the sheet in place; one typo first
    truth = pd.read_csv(demo.truth_path, dtype=str)
    person = dict(zip(zip(truth["source"], truth["record_id"]), truth["person_id"]))
    sheet["label"] = ["match" if person[(a, b)] == person[(c, d)] else "non-match" for a, b, c, d
                      in sheet[["source_a", "record_id_a", "source_b", "record_id_b"]].to_numpy()]
    sheet.loc[3, "label"] = "matchh"
    sheet.to_csv(review / "sample.csv", index=False)
    assert main(["review", engagement, "--labels", str(review / "sample.csv")]) == 2
    assert "row 5: label 'matchh' is not one of match, non-match, unsure" in capsys.readouterr().err
    sheet.loc[3, "label"] = "unsure"
    sheet.to_csv(review / "sample.csv", index=False)
    assert main(["review", engagement, "--labels", str(review / "sample.csv")]) == 0
    out = capsys.readouterr().out
    assert "40 label(s) read" in out and "39 labelled pair(s), 1 unsure left out" in out
    assert "distinct customers:" in out and "pairwise recall:" in out
    saved = json.loads((demo.engagement_path.parent / "output" / "dedup" / "summary.json")
                       .read_text(encoding="utf-8"))["estimates"]
    n = saved["n_customers"]
    assert n["low"] <= n["value"] <= n["high"]
    assert f"{n['value']:,.0f} [{n['low']:,.0f} - {n['high']:,.0f}]" in out
    assert "Threshold kept at 0.9" in out or "The labels move the threshold from 0.9" in out
    # a rerun of the deduplication re-estimates the figures from the labels kept
    assert main(["dedup", engagement]) == 0
    assert "With the 40 label(s) kept in" in capsys.readouterr().out
    # a new draw keeps every label (already in the store) and draws other pairs
    assert main(["review", engagement, "--sample", "20", "--informative"]) == 0
    assert "40 pair(s) already labelled: the new pairs go to the strata" in capsys.readouterr().out
    labels = pd.read_csv(review / "labels.csv")
    assert len(labels) == 40
    again = pd.read_csv(review / "sample.csv", dtype=str)
    assert not set(again["record_id_a"] + again["record_id_b"]) & \
        set(sheet["record_id_a"] + sheet["record_id_b"])


MAP_ENGAGEMENT = """\
# Test SA engagement: this comment stays
client: "Test SA"   # quoted on purpose
language: en
sources:
  - {name: crm, format: csv, path: 'crm.csv', id_column: id}
target_model:
  - {name: last_name, type: string}
  - {name: email, type: email}
"""


def test_map_prints_the_suggestion_and_save_keeps_comments_and_quotes(tmp_path, capsys):
    from rcu_kit.core.config import load_engagement

    (tmp_path / "crm.csv").write_text("id;nom;mail;divers\n1;Dupont;jean.dupont@free.fr;x\n"
                                      "2;Martin;anne.martin@orange.fr;y\n", encoding="utf-8")
    path = tmp_path / "engagement.yaml"
    path.write_text(MAP_ENGAGEMENT, encoding="utf-8")
    assert main(["map", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    # column -> attribute, confidence, reason; the id column and "divers" are left unmapped
    assert out[:6] == [
        "crm:",
        "  id      -> (not mapped)",
        "  nom     -> last_name   100%  name close to 'nom' (1.00); values look like last_name",
        "  mail    -> email       100%  name close to 'mail' (1.00); values look like email",
        "  divers  -> (not mapped)",
        "2 of 4 column(s) mapped (confidence 50% or more)"]
    assert path.read_text(encoding="utf-8") == MAP_ENGAGEMENT  # without --save, nothing written

    assert main(["map", str(path), "--save"]) == 0
    assert "crm (2 entries), each marked 'validated: false'" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert text.startswith(MAP_ENGAGEMENT)  # the comments and the quoted values are kept
    saved = load_engagement(path).mapping["crm"]
    assert [(e.column, e.attribute, e.validated) for e in saved] == [
        ("nom", "last_name", False), ("mail", "email", False)]

    # a second --save keeps the mapping now in the file; the gap analysis asks for its check
    assert main(["map", str(path), "--save"]) == 0
    assert "Kept the mapping already in" in capsys.readouterr().out
    assert main(["gaps", str(path)]) == 0
    assert "2 mapping entries of" in capsys.readouterr().err


def test_golden_writes_records_lineage_and_a_masked_workbook(tmp_path, capsys):
    import pandas as pd

    from rcu_kit.core.config import load_engagement
    from rcu_kit.sources.demo import generate_demo

    demo = generate_demo(tmp_path / "demo", n_records=1000, seed=5)
    assert main(["golden", str(demo.engagement_path)]) == 0
    out = capsys.readouterr().out
    folder = demo.engagement_path.parent / "output" / "golden"
    golden = pd.read_csv(folder / "golden_records.csv", dtype=str)
    lineage = pd.read_csv(folder / "golden_lineage.csv", dtype=str)
    # customer_id, the status the demo's customer definition gives (a purchase within 36
    # months), then the target model's attributes the sources feed, in its order.
    model = [a.name for a in load_engagement(demo.engagement_path).target_model]
    assert golden.columns[0] == "customer_id" and golden["customer_id"].is_unique
    assert golden.columns[1] == "customer_status"
    assert set(golden["customer_status"]) == {"customer", "prospect"}
    assert golden.columns[2:].tolist() == [a for a in model if a in golden.columns[2:]]
    assert f"{len(golden):,} golden records from 1,000 records" in out
    # One lineage row per filled golden value, each naming its record and what decided.
    filled = int(golden.drop(columns=["customer_id", "customer_status"]).notna().to_numpy().sum())
    assert len(lineage) == filled
    assert lineage[["source", "record_id", "decided_by"]].notna().all().all()
    # The raw value beside the standardised one: phones as the sources wrote them
    # (06 12 34 56 78, 33612345678...), the same nine national digits.
    phones = lineage[lineage["attribute"] == "phone"]
    assert phones["raw_value"].notna().all() and (phones["raw_value"] != phones["value"]).any()
    assert all("".join(c for c in r if c.isdigit()).endswith(v[-9:])
               for v, r in zip(phones["value"], phones["raw_value"]))
    # No update date is declared in the demo: most_recent fell back on the evidence, and said so.
    assert "most_recent without a declared update date" in out
    for name in ("golden_records.parquet", "golden_lineage.parquet", "golden_records.xlsx"):
        assert (folder / name).exists()
    book = pd.read_excel(folder / "golden_records.xlsx", sheet_name=None, dtype=str)
    shown = " ".join(" ".join(map(str, s.to_numpy().ravel())) for s in book.values())
    assert golden["email"].dropna().iloc[0] not in shown  # masked: the demo shows no raw values


# the same figures with the source read whole or in chunks (rcu_kit.audit.streaming)
@pytest.mark.parametrize("stream", [[], ["--stream", "always"]])
def test_audit_prints_its_headline_figures(tmp_path, capsys, stream):
    (tmp_path / "crm.csv").write_text("id;nom;email\nA1;Dupont;jean.dupont@free.fr\n"
                                      "A2;Martin;pas-un-mail\nA3;Durand;\n"
                                      "A4;Petit;jean.dupont@free.fr\n", encoding="utf-8")
    (tmp_path / "engagement.yaml").write_text(
        "client: T\nlanguage: fr\nsources:\n  - {name: crm, format: csv, path: crm.csv, "
        "id_column: id}\n", encoding="utf-8")
    assert main(["audit", str(tmp_path / "engagement.yaml"), "--no-profile", *stream]) == 0
    out = capsys.readouterr().out.splitlines()
    # filled: id 4/4, nom 4/4, email 3/4 -> (1 + 1 + 0.75) / 3 = 91.7 %; valid: nom 4/4 and
    # email 2/3 (pas-un-mail) -> (1 + 0.667) / 2 = 83.3 % (the id has no validity rule);
    # duplicates: A4 repeats A1's e-mail, 1 row of 4 = 25.0 %; id, nom, email are personal data
    assert out[:3] == [
        "Audit of 1 source(s): 4 rows, 3 columns",
        "  crm             4 rows  91.7% filled, 83.3% valid (over 2 checked column(s)), exact "
        "duplicates up to 25.0% (key email)",
        "  personal data: 3 column(s), 0 free-text column(s) to review"]


def test_the_console_speaks_english_for_a_french_engagement(tmp_path, capsys):
    # a French engagement whose CRM has one unreadable line (3 fields on line 3)
    (tmp_path / "crm.csv").write_text("id;nom\n1;DUPONT\n2;MARTIN;X;Y\n3;DURAND\n", encoding="utf-8")
    (tmp_path / "engagement.yaml").write_text(
        "client: x\nlanguage: fr\nsources:\n  - {name: crm, path: crm.csv, id_column: id}\n",
        encoding="utf-8")
    assert main(["audit", str(tmp_path / "engagement.yaml"), "--no-profile"]) == 0
    err = capsys.readouterr().err
    assert "warning: source crm: crm.csv: 1 unreadable line(s), not loaded: lines 3" in err
    assert "illisible" not in err
    # the saved summary keeps the engagement's language beside the English
    import pandas as pd

    saved = pd.read_csv(tmp_path / "output" / "sources_summary.csv", dtype=str)
    assert saved.loc[0, "message"].startswith("crm.csv: 1 ligne(s) illisible(s)")


def test_dedup_on_a_local_dask_cluster_gives_the_crosswalk_of_the_memory_engine(tmp_path, capsys):
    import json

    import pandas as pd
    import yaml

    from rcu_kit.sources.demo import generate_demo

    demo = generate_demo(tmp_path / "demo", n_records=1000, seed=5)
    engagement = str(demo.engagement_path)
    output = demo.engagement_path.parent / "output"
    assert main(["dedup", engagement, "--engine", "memory"]) == 0
    assert "engine:             memory (as asked): this process" in capsys.readouterr().out
    memory = pd.read_csv(output / "crosswalk.csv", dtype=str)
    assert main(["dedup", engagement, "--engine", "dask", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "engine:             dask (as asked): local Dask cluster: 1 worker process x 1 thread" \
        in printed
    pd.testing.assert_frame_equal(pd.read_csv(output / "crosswalk.csv", dtype=str), memory)
    summary = json.loads((output / "dedup" / "summary.json").read_text(encoding="utf-8"))
    assert summary["engine"]["name"] == "dask" and summary["engine"]["reason"] == "asked"
    # auto: below dedup.engine.dask_from records the memory engine runs, and says why
    data = yaml.safe_load(demo.engagement_path.read_text(encoding="utf-8"))
    data.setdefault("dedup", {})["engine"] = {"dask_from": 1001}
    demo.engagement_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["dedup", engagement]) == 0
    assert "memory (below dedup.engine.dask_from records" in capsys.readouterr().out
    data["dedup"]["engine"] = {"workerz": 2}
    demo.engagement_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["dedup", engagement]) != 0
    err = capsys.readouterr().err
    assert "section dedup.engine" in err and "workerz" in err and "scheduler" in err


def test_dedup_prints_customers_and_prospects_by_the_engagements_rule(tmp_path, capsys):
    import json

    from rcu_kit.sources.demo import generate_demo

    demo = generate_demo(tmp_path / "demo", n_records=1000, seed=5)
    assert main(["dedup", str(demo.engagement_path), "--engine", "memory"]) == 0
    printed = capsys.readouterr().out
    split = json.loads((demo.engagement_path.parent / "output" / "dedup" / "summary.json")
                       .read_text(encoding="utf-8"))["customer_split"]
    # the demo states its rule (a purchase within 36 months): the line gives the summary's counts
    assert split["status"] == "ok" and split["customers"] + split["prospects"] == split["n_customers"]
    line = next(x for x in printed.splitlines() if x.startswith("    By the engagement's definition"))
    assert f"a '{split['attribute']}' date within the 36 months before" in line
    assert f"customers: {split['customers']:,}; prospects: {split['prospects']:,}" in line
