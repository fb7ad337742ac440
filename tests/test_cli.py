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
