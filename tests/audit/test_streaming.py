"""The audit of a source streamed from disk equals the audit of the same source loaded whole."""

import json

import pandas as pd
import pytest

from rcu_kit.audit.profiling import sample_positions
from rcu_kit.audit.run import run_audit
from rcu_kit.audit.streaming import AuditSettings, audit_settings, profile_rows, source_columns
from rcu_kit.core.config import Engagement
from rcu_kit.core.progress import label
from rcu_kit.sources.loaders import load_source, stream_source

TODAY = "2026-01-01"


def _customers(n: int = 90) -> str:
    """``n`` customer records: e-mails repeated every 7 rows (upper/lower case), phones in two
    formats, names and birth dates repeated every 11 rows, amounts, creation dates, blanks, garbage;
    24 names on two lines (``"LE\nGALL"``, i % 11 in 2, 6, 10); a short row (line 14), the header
    repeated (line 50), a blank line (line 76) and a footer (line 119)."""
    lines = ["id;civilite;nom;prenom;email;telephone;date_naissance;montant;date_creation"]
    for i in range(n):
        email = f"client{i % 7}@free.fr" if i % 5 else f"CLIENT{i % 7}@FREE.FR"
        email = "n/a" if i % 13 == 0 else ("" if i % 17 == 0 else email)
        phone = f"06123456{i % 9:02d}" if i % 2 else f"+33 6 12 34 56 {i % 9:02d}"
        civ = ["M.", "Mme", "MME", ""][i % 4]
        nom = ["DUPONT", "Martin", '"LE\nGALL"', "N'DIAYE"][i % 11 % 4]
        birth = f"{1 + i % 11:02d}/03/19{50 + i % 11}" if i % 3 else ""
        amount = f"{(i * 37) % 500},{i % 100:02d}" if i != 5 else "99999"
        created = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" if i != 8 else "2031-01-01"
        lines.append(f"C{i:05d};{civ};{nom};Jean;{email};{phone};{birth};{amount};{created}")
        if len(lines) == 11:
            lines.append("C99999;M.")  # a short row: line 12
        if len(lines) == 39:
            lines.append(lines[0])  # the header again: line 40
        if len(lines) == 60:
            lines.append("")  # a blank line: line 61
    return "\n".join(lines + ["Total : 90 clients;;;;;;;;", ""])


def _engagement(tmp_path, **audit) -> Engagement:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "crm.csv").write_text(_customers(), encoding="utf-8")
    (tmp_path / "small.csv").write_text("id;email\n1;a@b.fr\n2;a@b.fr\n", encoding="utf-8")
    return Engagement(client="T", base_dir=tmp_path, language="fr", audit=audit, sources=[
        {"name": "crm", "path": "crm.csv", "semantic_types": {"montant": "number"}},
        {"name": "small", "path": "small.csv"}])


def test_settings_defaults_modes_and_errors():
    assert audit_settings(None) == AuditSettings("auto", 500.0, 64.0)
    assert audit_settings({"stream_above_mb": 1}).stream_above_bytes == 1_048_576
    assert audit_settings({"stream": "always"}).stream_above_bytes == 0
    assert audit_settings({"stream": "auto"}, stream="never").stream_above_bytes is None
    assert audit_settings({"chunk_mb": 0.5}).chunk_bytes == 524_288
    with pytest.raises(ValueError, match="audit.stream: 'sometimes' is not one of auto, always, never"):
        audit_settings({"stream": "sometimes"})
    with pytest.raises(ValueError, match="audit.chunk_mb: 0 must be a positive number of MB"):
        audit_settings({"chunk_mb": 0})
    with pytest.raises(ValueError, match="unknown key"):
        audit_settings({"chunk_size": 3})


def _without_timing(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = dict(tables)
    out["inventory"] = out["inventory"].drop(columns=["load_seconds", "location"])
    out["profiles"] = out["profiles"].drop(columns=["seconds", "path"])
    out["messages"] = out["messages"][~out["messages"]["message_code"].str.startswith("load_")]
    return out


# chunks of 209 and 2,097 bytes: crm.csv (about 7 kB) in 22 and 2 chunks, its last 64 lines
# (loaders.TAIL_LINES) in the last one
@pytest.mark.parametrize(("chunk_mb", "chunks"), [(0.0002, 22), (0.002, 2)])
def test_streamed_audit_equals_the_audit_in_memory(tmp_path, chunk_mb, chunks):
    memory = run_audit(_engagement(tmp_path / "m"), profile_sample_size=40, progress=False,
                       today=TODAY, stream="never")
    streamed = run_audit(_engagement(tmp_path / "s", chunk_mb=chunk_mb), profile_sample_size=40,
                         progress=False, today=TODAY, stream="always")
    a, b = _without_timing(memory.tables()), _without_timing(streamed.tables())
    for name in a:
        pd.testing.assert_frame_equal(a[name].reset_index(drop=True), b[name].reset_index(drop=True),
                                      obj=name)
    crm = streamed.kpis[streamed.kpis["source"] == "crm"].set_index("column")
    assert crm.loc["id", "rows"] == 90  # 90 records; the short row is a bad line, not a row
    # 5 blank e-mails (i = 17, 34, 51, 68, 85); 7 'n/a' (i = 0, 13, ..., 78) filled but invalid
    assert (crm.loc["email", "filled"], crm.loc["email", "invalid"]) == (85, 7)
    assert streamed.profiles.set_index("source").loc["crm", "rows_profiled"] == 40
    # the streamed sources say so, in the engagement's language; the spill is gone
    notes = streamed.messages[streamed.messages["message_code"] == "load_streamed"]
    assert notes["source"].tolist() == ["crm", "small"]
    assert json.loads(notes["message_params"].iat[0])["chunks"] == chunks
    assert not list((tmp_path / "s" / "output" / "audit").glob("stream-*"))


def test_streamed_audit_reports_the_same_bad_and_excluded_lines(tmp_path):
    for mode in ("never", "always"):
        run_audit(_engagement(tmp_path / mode, chunk_mb=0.0002), profile=False, progress=False,
                  today=TODAY, stream=mode)
    for name in ("bad_lines.csv", "excluded_lines.csv"):
        memory = pd.read_csv(next((tmp_path / "never").rglob(name)))
        streamed = pd.read_csv(next((tmp_path / "always").rglob(name)))
        pd.testing.assert_frame_equal(memory, streamed)
    bad = pd.read_csv(next((tmp_path / "always").rglob("bad_lines.csv")))
    excluded = pd.read_csv(next((tmp_path / "always").rglob("excluded_lines.csv")))
    assert bad["line_number"].tolist() == [14]
    assert excluded["reason"].tolist() == ["repeated header", "blank line", "footer line"]
    # 1 header + 90 records + 24 second lines of names + the short row, the repeated header and
    # the blank line: the footer is line 119
    assert excluded["line_number"].tolist() == [50, 76, 119]


def test_progress_bars_in_a_non_interactive_run(tmp_path, capsys):
    result = run_audit(_engagement(tmp_path, stream="always", chunk_mb=0.001), profile=False,
                       progress=True, today=TODAY)
    assert result.sources == ["crm", "small"]
    assert label("streaming") in capsys.readouterr().err


def test_columns_and_profile_rows_of_a_streamed_source(tmp_path):
    (tmp_path / "crm.csv").write_text(_customers(), encoding="utf-8")
    from rcu_kit.core.config import Source

    source = Source(name="crm", path=str(tmp_path / "crm.csv"))
    memory = load_source(source)
    streamed = stream_source(source, None, tmp_path / "crm.parquet", chunk_bytes=300)
    for whole, spilled in zip(source_columns(memory), source_columns(streamed)):
        pd.testing.assert_series_equal(whole, spilled)
    frame, rows = profile_rows(streamed, 25, seed=7)
    assert rows == 90 and len(frame) == 25
    pd.testing.assert_frame_equal(frame, memory.frame.sample(n=25, random_state=7).sort_index())
    assert list(frame.index) == sample_positions(90, 25, seed=7).tolist()
    assert profile_rows(memory, 25, seed=7) == (memory.frame, None)
