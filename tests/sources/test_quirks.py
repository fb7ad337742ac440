"""Tests for rcu_kit.sources.quirks, and the corpus of awkward extracts loaded as one engagement."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from rcu_kit.core.config import load_engagement
from rcu_kit.sources import quirks
from rcu_kit.sources.loaders import excluded_lines_frame, load_all, summarise_sources
from tests.sources.corpus import CORPUS, write_corpus


def test_docstring_examples():
    result = doctest.testmod(quirks)
    assert result.attempted > 0 and result.failed == 0


def test_single_byte_file_is_not_mixed():
    assert quirks.decode_mixed("Noël;Hélène\n".encode("cp1252")) is None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    engagement = load_engagement(write_corpus(tmp_path_factory.mktemp("corpus")))
    return engagement, load_all(engagement)


@pytest.mark.parametrize("quirk", CORPUS, ids=[q.name for q in CORPUS])
def test_corpus_source_status_rows_and_message(corpus, quirk):
    engagement, loaded = corpus
    row = summarise_sources(loaded, "en").set_index("source").loc[quirk.name]
    assert (row["status"], row["rows_loaded"]) == (quirk.status, quirk.rows)
    if quirk.status == "error":
        assert quirk.message in row["message"] and quirk.file in row["message"]
        assert quirk.name in loaded.failed and quirk.name not in loaded
        return
    assert row["message"] == quirk.message
    if quirk.first_column is not None:
        assert loaded[quirk.name].frame.iloc[:, 0].tolist() == quirk.first_column


def test_corpus_every_source_is_reported_in_declared_order(corpus):
    engagement, loaded = corpus
    summary = summarise_sources(loaded, "fr")
    assert summary["source"].tolist() == [q.name for q in CORPUS]
    # The failed sources are out of the dict the steps use, and listed apart.
    assert sorted(loaded.failed) == ["missing", "not_a_workbook"]
    assert len(loaded) == len(CORPUS) - 2


def test_corpus_values_decoded_and_cleaned(corpus):
    _, loaded = corpus
    assert loaded["mixed_encoding"].frame["nom"].tolist() == ["Noël", "Hélène", "Françoise", "Zoé"]
    assert loaded["mixed_encoding"].encoding == "utf-8 + latin-1"
    assert loaded["nul_bytes"].frame["nom"].tolist() == ["DUPONT", "MARTIN"]
    assert loaded["sep_hint"].frame.to_dict("list") == {"id": ["1"], "nom": ["Dupont;Martin"]}
    assert loaded["eof_marker"].frame["nom"].tolist() == ["a", "b"]


def test_corpus_excluded_lines_are_listed_with_their_reason(corpus):
    _, loaded = corpus
    frame = excluded_lines_frame(loaded)
    got = {(r.source, r.line_number, r.reason) for r in frame.itertuples(index=False)}
    assert got == {
        ("repeated_header", 4, "repeated header"),
        ("blank_lines", 3, "blank line"), ("blank_lines", 5, "blank line"),
        ("separators_only", 3, "separator-only line"), ("separators_only", 5, "separator-only line"),
        ("footer", 4, "blank line"), ("footer", 5, "footer line"),
        ("sep_hint", 1, "sep= line"),
        ("title_lines", 1, "title line above the header"), ("title_lines", 2, "blank line"),
        ("excel_title", 1, "title line above the header"), ("excel_title", 6, "footer line"),
        ("excel_header_row", 1, "above header_row"), ("excel_header_row", 2, "above header_row"),
    }
    footer = frame[(frame["source"] == "footer") & (frame["reason"] == "footer line")]
    assert footer["content"].tolist() == ["Total : 2 clients;;"]
    # Every line is accounted for: rows + bad lines + excluded lines + header (+ title lines).
    src = loaded["footer"]
    assert len(src.frame) + len(src.bad_lines) + len(src.excluded_lines) + 1 == 5
    assert isinstance(frame["line_number"].dtype, type(pd.Series([1]).dtype))
