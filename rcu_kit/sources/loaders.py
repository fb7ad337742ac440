"""Source loading: read each extract of an engagement into a frame of text, accounting for every row.

One function per format (CSV, Excel, Parquet, SQL) behind :func:`load_source`. Whatever the
format, the result is a :class:`LoadedSource` whose ``frame`` holds **every value as text**
(``object`` dtype), an empty value as missing (``None``), and nothing else converted: ``"NA"``,
``"null"``, ``"0612345678"`` and ``"01000"`` stay exactly as written. The raw files are opened
read-only and never modified.

Every data row is accounted for: ``rows_read == len(frame) + len(bad_lines)``. A CSV row that
cannot be parsed (wrong number of fields, unclosed quote) is kept out of the frame and reported as
a :class:`BadLine` with its 1-based physical line number in the file, its text and the reason.
Blank lines are not data rows and are not counted.

CSV reading uses pyarrow's single-threaded parser (fast, and it numbers the rows it rejects);
encoding and separator are detected unless the source declares them (see
:func:`detect_encoding` and :func:`detect_separator`).

A file larger than memory is read chunk by chunk by :func:`stream_source` (``load_all`` with a
``spill_dir``, which the audit gives it for files above ``audit.stream_above_mb``): each chunk goes
through the same parse, the rows are written to a Parquet spill, and the bad and excluded lines
are numbered as lines of the whole file. A quirk undone on the whole file at once (lines in two
encodings, NUL bytes, UTF-16, a Ctrl-Z mark) makes it load whole instead, with a note saying why.

Examples:
    >>> from rcu_kit.core.config import load_engagement
    >>> from rcu_kit.sources.loaders import load_all, summarise_sources
    >>> engagement = load_engagement("demo/engagement.yaml")  # doctest: +SKIP
    >>> loaded = load_all(engagement)  # doctest: +SKIP
    >>> summarise_sources(loaded, "fr")  # doctest: +SKIP
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime as _dt
import functools
import io
import math
import re
import time
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from rcu_kit.core.config import Engagement, Source
from rcu_kit.core.i18n import t
from rcu_kit.sources import quirks

__all__ = [
    "BadLine",
    "LoadNote",
    "LoadedSource",
    "LoadedSources",
    "EXCLUDED_REASONS",
    "SUMMARY_COLUMNS",
    "lines_text",
    "SEPARATORS",
    "detect_encoding",
    "detect_separator",
    "load_source",
    "load_all",
    "summarise_sources",
    "bad_lines_frame",
    "excluded_lines_frame",
    "save_sources_summary",
    "left_out",
    "loading_sentence",
    "left_out_sentence",
    "every_source",
    "CannotStream",
    "stream_source",
    "read_spill_column",
    "read_spill_rows",
]

#: Separators considered by detection, in order of preference on a tie.
SEPARATORS: tuple[str, ...] = (";", ",", "\t", "|")

#: A bad line's ``content`` is cut to this many characters (an unclosed quote can swallow a file).
MAX_CONTENT_CHARS = 2000

#: The quote character of every CSV read (pyarrow's ``quote_char``, doubled inside a quoted value).
_QUOTE = '"'
_SAMPLE_CHARS = 65536
_SAMPLE_RECORDS = 200
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class BadLine:
    """A row of a source that could not be parsed, or a line that is not a record; not in the frame.

    Attributes:
        line_number: 1-based physical line in the file where the row starts (for Excel, the
            sheet's row number).
        content: the row's text as found, all its physical lines for a multi-line row (for Excel,
            the row's cells joined by tabs); cut to ``MAX_CONTENT_CHARS`` characters.
        error: why it was rejected, e.g. ``expected 3 fields, found 2``; for an excluded line one
            of :data:`EXCLUDED_REASONS` (``blank line``, ``footer line``…).
    """

    line_number: int
    content: str
    error: str


#: Why a line that is not a record was left out of the frame (``BadLine.error`` of excluded lines).
EXCLUDED_REASONS = ("blank line", "separator-only line", "repeated header", "footer line",
                    "title line above the header", "above header_row", "sep= line")

# Notes that inform (nothing of the data was at stake); every other note makes the status 'warning'.
_INFO_NOTES = frozenset({"sep_hint", "header_row", "blank_lines", "separator_lines", "eof_marker",
                         "utf16_no_bom", "streamed", "no_stream_encoding", "no_stream_quirk",
                         "no_stream_format"})
_MAX_LINES_SHOWN = 12


@dataclass
class LoadNote:
    """Something the loader did to a source's text or rows, on which lines: one line of the report.

    Attributes:
        code: what, e.g. ``mixed_encoding``, ``nul_bytes``, ``repeated_header``, ``footer_lines``
            (worded by ``loaders.note_<code>`` in ``resources/i18n/loaders.yaml``).
        lines: the 1-based lines (Excel: rows) concerned.
        params: the other values the wording needs (an encoding, a sheet, cells).
    """

    code: str
    lines: list[int] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def level(self) -> str:
        """``info`` (nothing of the data at stake) or ``warning`` (check it)."""
        return "info" if self.code in _INFO_NOTES else "warning"

    def text(self, language: str) -> str:
        """The note worded for the client, e.g. ``lignes 4-5 décodées en latin-1, …``."""
        return t(f"loaders.note_{self.code}", language, n=len(self.lines),
                 lines=lines_text(self.lines), **self.params)


def lines_text(lines: list[int]) -> str:
    """Line numbers as ``3, 7-9, 12``, the first runs only when there are many (``… (+40)``).

    Examples:
        >>> lines_text([3, 7, 8, 9, 12]), lines_text(list(range(1, 40, 2)))
        ('3, 7-9, 12', '1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23 … (+8)')
    """
    runs: list[list[int]] = []
    for n in sorted(set(lines)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    shown = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:_MAX_LINES_SHOWN]]
    more = len(runs) - _MAX_LINES_SHOWN
    return ", ".join(shown) + (f" … (+{more})" if more > 0 else "")


@dataclass
class LoadedSource:
    """One source read into memory, with what was detected, every rejected row and every note.

    Attributes:
        name: the source's name in the engagement.
        format: ``csv``, ``excel``, ``parquet`` or ``sql``.
        location: resolved file path, or the SQLAlchemy URL (password masked) plus table/query.
        frame: every value as text (``object`` dtype), empty as missing (``None``), nothing else
            converted. Empty (no column) when the source failed.
        rows_read: data rows seen (header, blank, footer and other excluded lines not counted)
            = ``len(frame) + len(bad_lines)``.
        bad_lines: rows that could not be parsed, in file order.
        excluded_lines: lines that are not records (blank, bare separators, repeated header,
            footer, title), left out of the frame and of ``rows_read``, in file order.
        notes: what the loader found and did (mixed encodings, NUL bytes, sheet chosen…).
        error: why the source could not be loaded at all (``None`` when it loaded).
        encoding: the text encoding used (``None`` for Excel, Parquet and SQL).
        encoding_detected: True if detected, False if declared in the engagement.
        separator: the CSV field separator (``None`` for other formats).
        separator_detected: True if detected, False if declared in the engagement.
        sheet: the Excel sheet read (``None`` for other formats).
        seconds: time taken to load.
        spill: when the source was streamed (:func:`stream_source`), the Parquet file its rows were
            written to chunk by chunk; ``frame`` then holds its columns and no row.
        spilled_rows: rows in ``spill``.
    """

    name: str
    format: str
    location: str
    frame: pd.DataFrame
    rows_read: int
    bad_lines: list[BadLine] = field(default_factory=list)
    excluded_lines: list[BadLine] = field(default_factory=list)
    notes: list[LoadNote] = field(default_factory=list)
    error: str | None = None
    encoding: str | None = None
    encoding_detected: bool = False
    separator: str | None = None
    separator_detected: bool = False
    sheet: str | None = None
    seconds: float = 0.0
    spill: Path | None = None
    spilled_rows: int = 0

    @property
    def rows_loaded(self) -> int:
        """Rows in the frame, or in the spill of a streamed source (``rows_read - len(bad_lines)``)."""
        return self.spilled_rows if self.spill is not None else len(self.frame)

    @property
    def status(self) -> str:
        """``error`` (not loaded), ``warning`` (loaded; a note, an unreadable line or no row to
        check) or ``ok``."""
        if self.error is not None:
            return "error"
        if self.bad_lines or self.rows_loaded == 0 or any(n.level == "warning" for n in self.notes):
            return "warning"
        return "ok"

    def messages(self, language: str) -> list[str]:
        """What the report says about the source, one sentence each, in ``language``."""
        if self.error is not None:
            return [self.error]
        out = [n.text(language) for n in self.notes]
        if self.bad_lines:
            out.append(t("loaders.note_bad_lines", language, n=len(self.bad_lines),
                         lines=lines_text([b.line_number for b in self.bad_lines])))
        if self.rows_loaded == 0:
            out.append(t("loaders.note_no_rows", language))
        return out


class LoadedSources(dict):
    """The sources that loaded (name -> :class:`LoadedSource`, in declared order), and the others.

    It is the dict of the usable sources, so steps use it as before; ``failed`` holds the sources
    in error (their ``error`` says why) and :meth:`every` all of them in declared order, for the
    summary.
    """

    def __init__(self, every: list[LoadedSource] = ()):  # type: ignore[assignment]
        super().__init__((s.name, s) for s in every if s.error is None)
        self._every = list(every)

    @property
    def failed(self) -> dict[str, LoadedSource]:
        """Source name -> the source in error."""
        return {s.name: s for s in self._every if s.error is not None}

    def every(self) -> list[LoadedSource]:
        """Every source asked for, loaded or not, in declared order."""
        return list(self._every)


# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------
def _detect_and_decode(raw: bytes) -> tuple[str, str]:
    """(encoding, decoded text) following the rule documented in :func:`detect_encoding`."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return encoding, raw.decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = quirks.single_byte_encoding(raw)
    return encoding, raw.decode(encoding)


def detect_encoding(raw: bytes) -> str:
    """The text encoding of a file's bytes, among utf-8-sig, utf-16 (BOM), utf-8, cp1252, latin-1.

    The rule, in order:

    1. A byte-order mark decides: ``utf-8-sig`` (EF BB BF) or ``utf-16`` (FF FE / FE FF), if the
       whole file then decodes strictly.
    2. ``utf-8`` if the whole file decodes strictly as UTF-8 (pure ASCII files land here).
    3. Otherwise it is a single-byte Western encoding, cp1252 (Windows "ANSI") or latin-1
       (ISO-8859-1). They agree on every byte except 0x80-0x9F, where cp1252 has printable
       characters (``€`` 0x80, ``œ`` 0x9C, ``Œ`` 0x8C, ``…`` 0x85, curly quotes 0x91-0x94) and
       latin-1 has invisible C1 control codes that never occur in real text. So:

       * no byte in 0x80-0x9F: both decode the file identically; ``latin-1`` is reported;
       * bytes in 0x80-0x9F that cp1252 decodes: ``cp1252`` (a ``€`` or ``œ`` is far likelier
         than a control code);
       * a byte cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): ``latin-1``, which
         decodes anything (such a file is probably in another encoding: declare it).

    Args:
        raw: the file's bytes.

    Returns:
        The Python codec name to decode ``raw`` with.

    Examples:
        >>> detect_encoding("Noël;Cœur;12 €".encode("cp1252"))
        'cp1252'
        >>> detect_encoding("Noël;Hélène".encode("latin-1"))
        'latin-1'
        >>> detect_encoding("Noël;Cœur".encode("utf-8"))
        'utf-8'
    """
    return _detect_and_decode(raw)[0]


def _sample_records(sample: str, separator: str, truncated: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=separator, quotechar='"',
                        strict=False)
    records = [row for row in reader if row]
    if truncated and len(records) > 1:
        records = records[:-1]  # the last record may be cut in the middle
    return records[:_SAMPLE_RECORDS]


def detect_separator(text: str) -> str:
    """The field separator of CSV text, among ``;`` ``,`` tab and ``|``.

    Each candidate splits the first records (up to 200, quotes respected). A candidate is better
    when it splits the header into several fields, then when more records have the same number
    of fields as the header, then when it gives more fields; remaining ties go to the order
    ``; , tab |`` (the French habit first). A one-column file therefore gets a separator that
    does not occur in it.

    Args:
        text: the decoded file, or its beginning (only the first 64 KiB are examined).

    Returns:
        The separator character.

    Examples:
        >>> detect_separator("nom;montant\\nDupont;12,50\\nMartin;3,00\\n")
        ';'
        >>> detect_separator("nom|ville\\nDupont|Lyon\\n")
        '|'
    """
    sample = text[:_SAMPLE_CHARS]
    truncated = len(text) > _SAMPLE_CHARS
    best: tuple | None = None
    best_sep = SEPARATORS[0]
    for rank, sep in enumerate(SEPARATORS):
        records = _sample_records(sample, sep, truncated)
        if not records:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records) / len(records)
        score = (width > 1, consistent, width, -rank)
        if best is None or score > best:
            best, best_sep = score, sep
    return best_sep


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    """A cell value from Excel, SQL or Parquet as the text a CSV export would show.

    ``None``/NaN/empty -> ``None``; integer-valued floats without ``.0`` (Excel stores every
    number as a float); booleans ``TRUE``/``FALSE``; dates ISO (``2024-01-31``), datetimes ISO
    with a space (the time is dropped when it is midnight); anything else ``str(value)``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None and value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.hex()
    return str(value)


def _check_columns(names: list[str], where: str) -> None:
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    repeated = [n for n, c in counts.items() if c > 1]
    if repeated:
        shown = ", ".join(repr(n) for n in repeated)
        raise ValueError(f"{where}: duplicate column names {shown}; rename them in the extract "
                         "(each column needs a distinct header) and load again")


def _cut(content: str) -> str:
    if len(content) <= MAX_CONTENT_CHARS:
        return content
    return content[:MAX_CONTENT_CHARS] + f" … ({len(content) - MAX_CONTENT_CHARS:,} more characters)"


def _engagement_note(engagement: Engagement | None) -> str:
    if engagement is None:
        return "relative to the current folder (no engagement given)"
    where = engagement.file or "the engagement"
    return f"declared in {where}, relative to {engagement.base_dir}"


def _resolve_path(source: Source, engagement: Engagement | None) -> Path:
    assert source.path is not None  # the config model guarantees it for file formats
    path = engagement.resolve(source.path) if engagement is not None else Path(source.path).expanduser()
    path = path.resolve()
    if not (path.is_file() or (path.is_dir() and source.format == "parquet")):
        what = "is a folder, not a file" if path.is_dir() else "file not found"
        raise FileNotFoundError(
            f"source {source.name!r}: {what}: {path} (path {source.path!r} "
            f"{_engagement_note(engagement)}); fix 'path' in the engagement file or put the extract there")
    return path


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------
@contextmanager
def _large_csv_fields():
    """Let the csv module read fields of any size (its default limit is 128 KiB), then restore."""
    previous = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _record_spans(data: bytes, separator: str, wanted: set[int]) -> dict[int, tuple[int, int, str]]:
    """First and last physical line, and raw text, of the wanted records of UTF-8 CSV ``data``.

    Records are numbered like pyarrow numbers them (header = 1, blank lines skipped); the CSV
    module follows the same quoting rules, and ``line_num`` counts the physical lines consumed.
    """
    out: dict[int, tuple[int, int, str]] = {}
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    pending: list[str] = []

    def lines():
        for line in stream:
            pending.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=separator, quotechar='"', strict=False)
    k = prev = 0
    last = max(wanted)
    with _large_csv_fields():
        for row in reader:
            if row:
                k += 1
                if k in wanted:
                    out[k] = (prev + 1, reader.line_num, "".join(pending).rstrip("\r\n"))
                    if k >= last:
                        break
            pending.clear()
            prev = reader.line_num
    return out


def _longest_record(data: bytes, separator: str) -> tuple[int, int]:
    """Physical (first, last) line of the record spanning the most lines (an unclosed quote)."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(stream, delimiter=separator, quotechar='"', strict=False)
    best = (1, 1)
    prev = 0
    with _large_csv_fields():
        for _ in reader:
            if reader.line_num - prev > best[1] - best[0] + 1:
                best = (prev + 1, reader.line_num)
            prev = reader.line_num
    return best


def _decode_declared(raw: bytes, encoding: str, where: str, first_line: int = 1) -> str:
    """``raw`` decoded with the declared ``encoding``; ``first_line``: the file's line where
    ``raw`` starts (a chunk of a streamed file), for the line named in the error."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"{where}: unknown encoding {encoding!r}; use a Python codec name such as "
                         "utf-8, cp1252 or latin-1, or remove 'encoding' to detect it") from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + first_line
        raise ValueError(f"{where}: cannot decode as {encoding!r} (declared): byte "
                         f"{raw[exc.start:exc.start + 1]!r} on line {line} is invalid; fix 'encoding' "
                         "in the engagement or remove it to detect the encoding") from None


def _detect_text(raw: bytes, where: str) -> tuple[str, str, list[LoadNote]]:
    """(encoding, text, notes) of a file whose encoding is not declared.

    On top of :func:`detect_encoding`: UTF-16 without a byte-order mark is recognised; NUL bytes
    padding fields are stripped (their lines noted); a file of UTF-8 lines and cp1252/latin-1
    lines (two exports concatenated) is decoded line by line (the single-byte lines noted).
    """
    notes: list[LoadNote] = []
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        utf16 = quirks.utf16_without_bom(raw)
        if utf16 is not None:
            try:
                return utf16, raw.decode(utf16), [LoadNote("utf16_no_bom", params={"encoding": utf16})]
            except UnicodeDecodeError:
                pass
        notes.append(LoadNote("nul_bytes", quirks.nul_lines(raw)))
        raw = raw.replace(b"\x00", b"")
    has_bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8):] if has_bom else raw
    try:
        return ("utf-8-sig" if has_bom else "utf-8"), body.decode("utf-8"), notes
    except UnicodeDecodeError:
        mixed = quirks.decode_mixed(body)
        if mixed is not None:
            notes.append(LoadNote("mixed_encoding", mixed.fallback_lines, {"fallback": mixed.fallback}))
            return f"utf-8 + {mixed.fallback}", mixed.text, notes
    encoding, text = _detect_and_decode(raw)
    return encoding, text, notes


def _drop_top(text: str, n: int) -> tuple[list[str], str]:
    """The first ``n`` lines of ``text`` and the rest."""
    parts = text.split("\n", n)
    if len(parts) <= n:
        return parts, ""
    return parts[:n], parts[n]


def _title_lines(text: str, separator: str | None) -> int:
    """How many lines above the header are titles: non-blank lines before the first line that
    splits into two filled fields (with ``separator``, or any candidate), within the first 20."""
    seps = (separator,) if separator else SEPARATORS
    lines = text.split("\n", 21)[:20]
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        for sep in seps:
            fields = next(csv.reader([line], delimiter=sep, quotechar='"', strict=False), [])
            if sum(f.strip() != "" for f in fields) >= 2:
                return number
    return 0


def _blank_lines(data: bytes, separator: str) -> list[int]:
    """1-based lines of ``data`` that are empty (pyarrow skips them), outside quoted values."""
    if not (data.startswith((b"\n", b"\r\n")) or b"\n\n" in data or b"\n\r\n" in data):
        return []
    if b'"' not in data:
        positions = [0] if data.startswith((b"\n", b"\r\n")) else []
        positions += [m.start() + 1 for m in re.finditer(rb"\n(?=\r?\n)", data)]
        return quirks.line_number_at(data, positions)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(stream, delimiter=separator, quotechar='"', strict=False)
    with _large_csv_fields():
        return [reader.line_num for row in reader if not row]


def _record_number(row: int, rejected: list[int]) -> int:
    """pyarrow's record number (header = 1) of the table's data row ``row`` (0-based), given the
    sorted record numbers pyarrow rejected."""
    number = row + 2
    while True:
        shifted = row + 2 + bisect.bisect_right(rejected, number)
        if shifted == number:
            return number
        number = shifted


@dataclass
class _CsvLayout:
    """What the top of a CSV text says: separator, header width, the lines above the header.

    Attributes:
        separator: the field separator (declared, from a ``sep=`` line, or detected).
        separator_detected: False when declared in the engagement.
        n_fields: fields of the header.
        offset: physical lines above the header (``sep=`` line, titles, lines above
            ``header_row``), added back to every line number of the text below.
        notes: what was found at the top (``sep_hint``, ``header_row``, ``title_lines``).
        excluded: the lines above the header, as excluded lines.
    """

    separator: str
    separator_detected: bool
    n_fields: int
    offset: int
    notes: list[LoadNote]
    excluded: list[BadLine]


def _csv_layout(source: Source, text: str, where: str) -> tuple[_CsvLayout, str]:
    """The layout of a decoded CSV text (BOM and end-of-file mark already removed) and the text
    from its header line on. ``text`` may be the whole file or, when streaming, its beginning."""
    notes: list[LoadNote] = []
    if re.search(r"\S", text) is None:
        raise ValueError(f"{where}: the file is empty (no header line); re-export the extract "
                         "with its column names on the first line")

    excluded: list[BadLine] = []
    offset = 0  # physical lines taken off the top of the text: added back to every line number
    hint = quirks.sep_hint(text)
    if hint is not None:
        notes.append(LoadNote("sep_hint", [1], {"separator": "tab" if hint == "\t" else hint}))
        top, text = _drop_top(text, 1)
        excluded.append(BadLine(1, _cut(top[0].rstrip("\r")), "sep= line"))
        offset = 1
    if source.separator:
        separator, separator_detected = source.separator, False
    elif hint is not None:
        separator, separator_detected = hint, True
    else:
        separator, separator_detected = None, True

    if source.header_row is not None:
        above = source.header_row - 1 - offset
        if above < 0 or above >= text.count("\n") + 1:
            raise ValueError(f"{where}: header_row {source.header_row} is not a line of the file "
                             f"(it has {text.count(chr(10)) + 1 + offset} lines); fix 'header_row'")
        top, text = _drop_top(text, above)
        lines = [offset + i for i, line in enumerate(top, start=1) if line.strip()]
        excluded += [BadLine(offset + i, _cut(line.rstrip("\r")), "above header_row")
                     for i, line in enumerate(top, start=1) if line.strip()]
        notes.append(LoadNote("header_row", lines, {"row": source.header_row}))
        offset += above
    else:
        titles = _title_lines(text, separator)
        if titles:
            top, text = _drop_top(text, titles)
            kept = [(offset + i, line.rstrip("\r")) for i, line in enumerate(top, start=1) if line.strip()]
            excluded += [BadLine(n, _cut(line), "title line above the header") for n, line in kept]
            excluded += [BadLine(offset + i, "", "blank line")
                         for i, line in enumerate(top, start=1) if not line.strip()]
            if kept:
                notes.append(LoadNote("title_lines", [n for n, _ in kept]))
            offset += titles
    if re.search(r"\S", text) is None:  # only what was taken off the top (a sep= line, titles)
        raise ValueError(f"{where}: no header line below line {offset} (what is above was left "
                         "out: see the notes); re-export the extract with its column names, or "
                         "fix 'header_row'")
    if separator is None:
        separator = detect_separator(text)

    header_names = next(r for r in _sample_records(text[:_SAMPLE_CHARS], separator, False))
    return _CsvLayout(separator, separator_detected, len(header_names), offset, notes, excluded), text


def _parse_csv(data: bytes, separator: str, n_fields: int, *, where: str, encoding: str,
               offset: int, at_end: bool) -> tuple[pa.Table, list[BadLine], list[BadLine]]:
    """Parse UTF-8 CSV ``data`` (header line first) into a table of text, with its bad and
    excluded lines numbered as physical lines of the file (``offset`` added).

    The whole file's data in one call when loading in memory; one chunk at a time (the header
    line put back in front, ``offset`` shifted to the chunk's place) when streaming. Footer lines
    and a quote left open at the very end are only looked for when ``at_end`` (the data ends the
    file).

    Returns:
        ``(table, bad_lines, excluded_lines)``; the table's columns are named from the header.
    """
    excluded: list[BadLine] = []
    rejected: list[tuple[int, str, int, int]] = []

    def on_invalid(row: Any) -> str:
        rejected.append((row.number, row.text, row.expected_columns, row.actual_columns))
        return "skip"

    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(use_threads=False, autogenerate_column_names=True,
                                           block_size=1 << 23),
            parse_options=pacsv.ParseOptions(delimiter=separator, quote_char=_QUOTE, double_quote=True,
                                             newlines_in_values=True, ignore_empty_lines=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(n_fields)},
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:
        if "straddl" in str(exc):
            first, end = _longest_record(data, separator)
            first, end = first + offset, end + offset
            raise ValueError(f"{where}: a quote (\") opened on line {first} is never closed: lines "
                             f"{first}-{end} would form a single value, too large to load; fix that "
                             "quote in the extract (a quote inside a value must be doubled) and load "
                             "again") from None
        raise ValueError(f"{where}: cannot be parsed as CSV with separator {separator!r} and "
                         f"encoding {encoding!r}: {exc}. Check for an unclosed quote (\") or declare "
                         "'separator'/'encoding' in the engagement") from None

    names = [v if v is not None else "" for v in table.slice(0, 1).to_pylist()[0].values()]
    if len(names) != n_fields:  # pragma: no cover - both parsers read the same header
        raise ValueError(f"{where}: the header could not be read consistently")
    raw_names = list(names)
    names = [n if n != "" else f"unnamed_{i}" for i, n in enumerate(names, start=1)]
    _check_columns(names, where)
    table = table.slice(1).rename_columns(names)

    # Rows that are not records: bare separators (every value empty), the header repeated (two
    # exports joined), a footer at the end ("Total : 20 clients").
    drop: dict[int, str] = {}
    if table.num_rows and table.num_columns:
        empty = pc.is_null(table.column(0))
        repeated = pc.equal(table.column(0), raw_names[0])
        for i in range(1, table.num_columns):
            empty = pc.and_(empty, pc.is_null(table.column(i)))
            repeated = pc.and_kleene(repeated, pc.equal(table.column(i), raw_names[i])
                                     if raw_names[i] else pc.is_null(table.column(i)))
        for i in pc.indices_nonzero(pc.fill_null(empty, False)).to_pylist():
            drop[i] = "separator-only line"
        for i in pc.indices_nonzero(pc.fill_null(repeated, False)).to_pylist():
            drop[i] = "repeated header"
        last = table.num_rows - 1
        while at_end and last >= 0 and (last in drop or quirks.is_footer(list(table.slice(last, 1).to_pylist()[0].values()))):
            drop.setdefault(last, "footer line")
            last -= 1

    # An unclosed quote in the last field of a row swallows the rest of the file into that value
    # without changing the field count: check the last row when it holds a line break and the
    # data ends inside a quote.
    suspect_last = False
    if at_end and table.num_rows:
        last_row = table.slice(table.num_rows - 1).to_pylist()[0]
        suspect_last = (any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in last_row.values())
                        and _ends_in_open_quote(data, separator))

    rejected_numbers = sorted(r[0] for r in rejected)
    dropped_records = {_record_number(i, rejected_numbers): i for i in drop}
    bad_lines: list[BadLine] = []
    last_record = table.num_rows + len(rejected) + 1  # pyarrow numbers the header 1
    rejected_set = set(rejected_numbers)
    suspect_last = suspect_last and last_record not in rejected_set
    wanted = rejected_set | set(dropped_records) | ({last_record} if suspect_last else set())
    spans = _record_spans(data, separator, wanted) if wanted else {}
    last_good = last_record  # the last record that is a row of the frame
    while last_good > 1 and (last_good in rejected_set or last_good in dropped_records):
        last_good -= 1
    for number, content, expected, actual in rejected:
        first, end, content = spans.get(number, (number, number, content.rstrip("\r\n")))
        first, end = first + offset, end + offset
        if quirks.is_blank(content, separator):
            excluded.append(BadLine(first, _cut(content), "blank line" if not content.strip()
                                    else "separator-only line"))
            continue
        if at_end and number > last_good and quirks.is_footer(next(csv.reader([content], delimiter=separator), [])):
            excluded.append(BadLine(first, _cut(content), "footer line"))
            continue
        error = f"expected {expected} fields, found {actual}"
        if end > first and content.count('"') % 2 == 1:
            error = (f"a quote (\") opened on line {first} is never closed: lines {first}-{end} "
                     f"were read as one row; {error}")
        bad_lines.append(BadLine(first, _cut(content), error))
    for number, row in dropped_records.items():
        first, _, content = spans.get(number, (number, number, ""))
        excluded.append(BadLine(first + offset, _cut(content), drop[row]))
    if drop:
        keep = pa.array([i not in drop for i in range(table.num_rows)])
        table = table.filter(keep)
    if suspect_last and last_record in spans:
        first, end, content = spans[last_record]
        if end > first:
            first, end = first + offset, end + offset
            bad_lines.append(BadLine(
                first, _cut(content),
                f"a quote (\") opened on line {first} is never closed: lines {first}-{end} "
                "(end of file) were read as one row"))
            table = table.slice(0, table.num_rows - 1)
    excluded += [BadLine(n + offset, "", "blank line") for n in _blank_lines(data, separator)]
    bad_lines.sort(key=lambda b: b.line_number)
    excluded.sort(key=lambda b: b.line_number)
    return table, bad_lines, excluded


def _load_csv(source: Source, path: Path) -> dict[str, Any]:
    where = f"source {source.name!r} ({path})"
    raw = path.read_bytes()
    notes: list[LoadNote] = []
    if source.encoding:
        encoding, encoding_detected = source.encoding, False
        text = _decode_declared(raw, encoding, where)
    else:
        encoding, text, notes = _detect_text(raw, where)
        encoding_detected = True
    del raw
    if text.startswith("\ufeff"):
        text = text[1:]
    if text[-64:].rstrip("\r\n \t").endswith("\x1a"):  # DOS end-of-file mark (Ctrl-Z) left
        tail = text.rstrip("\r\n \t")                     # by old ERP exports (only then a copy)
        notes.append(LoadNote("eof_marker", [tail.count("\n") + 1]))
        text = tail.rstrip("\x1a")
    layout, text = _csv_layout(source, text, where)
    # pyarrow parses UTF-8: hand it the text re-encoded (the raw bytes were released above).
    data = text.encode("utf-8")
    del text
    table, bad_lines, excluded = _parse_csv(data, layout.separator, layout.n_fields, where=where,
                                            encoding=encoding, offset=layout.offset, at_end=True)
    del data
    excluded = sorted(layout.excluded + excluded, key=lambda b: b.line_number)
    notes += layout.notes + _excluded_notes(excluded)
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    frame = frame.astype(object) if frame.empty else frame
    return dict(location=str(path), frame=frame, rows_read=len(frame) + len(bad_lines),
                bad_lines=bad_lines, excluded_lines=excluded, notes=notes, encoding=encoding,
                encoding_detected=encoding_detected, separator=layout.separator,
                separator_detected=layout.separator_detected)


_EXCLUDED_NOTES = {"blank line": "blank_lines", "separator-only line": "separator_lines",
                   "repeated header": "repeated_header", "footer line": "footer_lines"}


def _excluded_notes(excluded: list[BadLine]) -> list[LoadNote]:
    """One note per kind of excluded line (titles and header_row have theirs already)."""
    by_code: dict[str, list[int]] = {}
    for b in excluded:
        code = _EXCLUDED_NOTES.get(b.error)
        if code is not None:
            by_code.setdefault(code, []).append(b.line_number)
    return [LoadNote(code, lines) for code, lines in by_code.items()]


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------
def _sheet_has_values(worksheet: Any) -> bool:
    return any(v is not None and v != "" for row in worksheet.iter_rows(values_only=True) for v in row)


def _choose_sheet(source: Source, workbook: Any, where: str) -> tuple[str, list[LoadNote]]:
    """The sheet to read and the notes on the choice: the declared one, else the first non-empty."""
    sheets = workbook.sheetnames
    listed = ", ".join(repr(s) for s in sheets)
    wanted = source.sheet
    if wanted is not None:
        if isinstance(wanted, int) and str(wanted) not in sheets:
            if not 0 <= wanted < len(sheets):
                raise ValueError(f"{where}: no sheet at index {wanted} (0-based); the workbook has "
                                 f"{len(sheets)} sheet(s): {listed}")
            return sheets[wanted], []
        if str(wanted) in sheets:
            return str(wanted), []
        raise ValueError(f"{where}: no sheet named {wanted!r}; sheets are: {listed}")
    filled = [s for s in sheets if _sheet_has_values(workbook[s])]
    if not filled:
        raise ValueError(f"{where}: every sheet is empty (sheets: {listed}); check that the right "
                         "workbook was sent")
    notes = []
    if filled[0] != sheets[0]:
        empty = [s for s in sheets[:sheets.index(filled[0])]]
        notes.append(LoadNote("sheet_chosen", params={
            "sheet": filled[0], "empty": ", ".join(repr(s) for s in empty), "sheets": listed}))
    if len(filled) > 1:
        notes.append(LoadNote("other_sheets", params={
            "sheet": filled[0], "others": ", ".join(repr(s) for s in filled[1:])}))
    return filled[0], notes


def _load_excel(source: Source, path: Path) -> dict[str, Any]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    where = f"source {source.name!r} ({path})"
    if path.suffix.lower() == ".xls":
        raise ValueError(f"{where}: old .xls workbooks cannot be read; open it in Excel and save it "
                         "as .xlsx (or export the sheet as CSV)")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException
        raise ValueError(f"{where}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        sheet, notes = _choose_sheet(source, workbook, where)
        where = f"source {source.name!r} ({path}, sheet {sheet!r})"
        rows = enumerate(workbook[sheet].iter_rows(values_only=True), start=1)
        top: list[tuple[int, list[str | None]]] = []  # non-blank rows up to the header
        excluded: list[BadLine] = []
        for row_number, row in rows:
            values = [_text(v) for v in row]
            if source.header_row is not None:
                if row_number < source.header_row:
                    if any(v is not None for v in values):
                        excluded.append(BadLine(row_number, _cut(_cells(values)), "above header_row"))
                    continue
                top = [(row_number, values)]
                break
            if not any(v is not None for v in values):
                continue
            top.append((row_number, values))
            if not quirks.is_title(values) or len(top) >= 20:
                break
        if source.header_row is not None:
            if not top or not any(v is not None for v in top[0][1]):
                raise ValueError(f"{where}: header_row {source.header_row} is blank or beyond the "
                                 "last row; give the row of the column names")
            notes.append(LoadNote("header_row", [b.line_number for b in excluded],
                                  {"row": source.header_row}))
            pending = []
        elif top and not quirks.is_title(top[-1][1]):
            for number, values in top[:-1]:
                excluded.append(BadLine(number, _cut(_cells(values)), "title line above the header"))
            if len(top) > 1:
                notes.append(LoadNote("title_lines", [n for n, _ in top[:-1]]))
            top, pending = top[-1:], []
        else:  # a one-column sheet: the first non-blank row is the header
            top, pending = top[:1], top[1:]
        if not top:
            raise ValueError(f"{where}: the sheet is empty (no header row); choose another 'sheet' or "
                             "put the column names on the first row")
        header_number, values = top[0]
        while values and values[-1] is None:
            values.pop()
        width = len(values)
        missing = [get_column_letter(i) for i, v in enumerate(values, start=1) if v is None]
        if missing:
            raise ValueError(f"{where}: header row {header_number} has empty cells in column(s) "
                             f"{', '.join(missing)}; give every column a name")
        header = [str(v) for v in values]
        _check_columns(header, where)
        columns: list[list[str | None]] = [[] for _ in header]
        numbers: list[int] = []
        bad_lines: list[BadLine] = []
        blank: list[int] = []
        errors: list[str] = []
        error_rows: list[int] = []

        def data_rows():
            yield from pending
            for number, row in rows:
                yield number, [_text(v) for v in row]

        for row_number, values in data_rows():
            if not any(v is not None for v in values):
                blank.append(row_number)
                continue
            excluded += [BadLine(n, "", "blank line") for n in blank]
            blank = []
            if values[:width] == header and not any(v is not None for v in values[width:]):
                excluded.append(BadLine(row_number, _cut(_cells(values)), "repeated header"))
                continue
            extra = [(i, v) for i, v in enumerate(values[width:], start=width + 1) if v is not None]
            if extra:
                cells = ", ".join(f"{get_column_letter(i)}{row_number}" for i, _ in extra)
                bad_lines.append(BadLine(row_number, _cut(_cells(values)),
                                         f"values beyond the {width} header columns (cells {cells})"))
                continue
            values += [None] * (width - len(values))
            failed = [f"{get_column_letter(i)}{row_number}" for i, v in enumerate(values, start=1)
                      if v in quirks.EXCEL_ERRORS]
            if failed:
                errors += failed
                error_rows.append(row_number)
            for col, v in zip(columns, values):
                col.append(v)
            numbers.append(row_number)
    finally:
        workbook.close()
    # A footer at the end: "Total", "Nombre de clients : 20" (the rows after it are blank).
    while numbers and quirks.is_footer([col[-1] for col in columns]):
        values = [col.pop() for col in columns]
        excluded.append(BadLine(numbers.pop(), _cut(_cells(values)), "footer line"))
    excluded.sort(key=lambda b: b.line_number)
    notes += _excluded_notes(excluded)
    if errors:
        shown = ", ".join(errors[:10]) + (f" … (+{len(errors) - 10})" if len(errors) > 10 else "")
        notes.append(LoadNote("excel_errors", error_rows, {"cells": shown, "count": len(errors)}))
    frame = pd.DataFrame({name: pd.Series(col, dtype=object) for name, col in zip(header, columns)})
    return dict(location=str(path), frame=frame, rows_read=len(frame) + len(bad_lines),
                bad_lines=bad_lines, excluded_lines=excluded, notes=notes, sheet=sheet)


def _cells(values: list[str | None]) -> str:
    return "\t".join("" if v is None else v for v in values).rstrip("\t")


# ---------------------------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------------------------
def _arrow_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        column = column.cast(pa.string())
    else:
        column = pa.chunked_array([pa.array([_text(v) for v in column.to_pylist()], type=pa.string())])
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def _load_parquet(source: Source, path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    where = f"source {source.name!r} ({path})"
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValueError(f"{where}: not a readable Parquet file: {exc}") from None
    _check_columns(table.column_names, where)
    columns = [_arrow_text(table.column(i)) for i in range(table.num_columns)]
    text_table = pa.table(columns, names=table.column_names) if columns else table
    frame = text_table.to_pandas()
    frame = frame.astype(object) if frame.empty else frame
    return dict(location=str(path), frame=frame, rows_read=table.num_rows, bad_lines=[])


# ---------------------------------------------------------------------------------------------
# SQL
# ---------------------------------------------------------------------------------------------
_DRIVER_HINTS = {
    "postgresql": 'pip install "psycopg[binary]" (or psycopg2-binary with a postgresql+psycopg2:// URL)',
    "mysql": "pip install pymysql, with a mysql+pymysql:// URL",
    "mariadb": "pip install pymysql, with a mariadb+pymysql:// URL",
    "mssql": "pip install pyodbc (and the Microsoft ODBC driver), with a mssql+pyodbc:// URL",
    "oracle": "pip install oracledb, with an oracle+oracledb:// URL",
}


def _mask_url(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _tables_listed(inspector: Any, schema: str | None) -> str:
    """``tables are: a, b; views are: v`` in ``schema`` (the schemas when it has neither)."""
    tables = inspector.get_table_names(schema=schema)
    views = inspector.get_view_names(schema=schema)
    where = f" in schema {schema!r}" if schema else ""
    text = (f"tables{where} are: {', '.join(sorted(tables)) or '(none)'}; "
            f"views{where} are: {', '.join(sorted(views)) or '(none)'}")
    if schema and not tables and not views:
        schemas = [s for s in inspector.get_schema_names() if s != "information_schema"
                   and not s.startswith("pg_")]
        text += f"; schemas are: {', '.join(schemas) or '(none)'}"
    return text


def _load_sql(source: Source, engagement: Engagement | None) -> dict[str, Any]:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    assert source.url is not None  # the config model guarantees it for format sql
    masked = _mask_url(source.url)
    try:
        url = make_url(source.url)
    except ArgumentError:
        raise ValueError(f"source {source.name!r}: {masked!r} is not a SQLAlchemy URL; expected e.g. "
                         "sqlite:///extract.db or postgresql+psycopg2://user:password@host/db") from None
    masked = url.render_as_string(hide_password=True)
    password = url.password

    def clean(message: str) -> str:
        return message.replace(str(password), "***") if password else message

    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not url.database.startswith("file:"):
        db = engagement.resolve(url.database) if engagement is not None else Path(url.database)
        if not db.is_file():
            raise FileNotFoundError(f"source {source.name!r}: SQLite database not found: {db.resolve()} "
                                    f"(from {masked}, {_engagement_note(engagement)})")
        url = url.set(database=str(db.resolve()))
        masked = url.render_as_string(hide_password=True)
    what = f"table={source.table}" if source.table else \
        "query=" + " ".join(str(source.query).split())[:200]
    location = f"{masked} {what}"
    where = f"source {source.name!r} ({location})"
    try:
        engine = sa.create_engine(url)
    except (NoSuchModuleError, ImportError) as exc:
        hint = _DRIVER_HINTS.get(url.get_backend_name(), "install the Python package of the driver "
                                 "named in the URL (dialect+driver://...)")
        raise ValueError(f"{where}: the database driver for {url.drivername!r} is not installed "
                         f"({clean(str(exc))}); {hint}") from None
    try:
        with engine.connect() as conn:
            if source.table:
                schema, _, name = source.table.rpartition(".")
                inspector = sa.inspect(conn)
                if not inspector.has_table(name, schema=schema or None):
                    raise ValueError(f"{where}: no table or view {source.table!r}; "
                                     f"{_tables_listed(inspector, schema or None)}; fix 'table' in "
                                     "the engagement (schema.table for another schema)")
                prep = engine.dialect.identifier_preparer
                quoted = (prep.quote_schema(schema) + "." if schema else "") + prep.quote(name)
                statement = sa.text(f"SELECT * FROM {quoted}")
            else:
                statement = sa.text(str(source.query))
            result = conn.execution_options(stream_results=True).execute(statement)
            names = [str(k) for k in result.keys()]
            _check_columns(names, where)
            columns: list[list[str | None]] = [[] for _ in names]
            while True:
                chunk = result.fetchmany(50_000)
                if not chunk:
                    break
                for col, values in zip(columns, zip(*chunk)):
                    col.extend(v if type(v) is str and v else _text(v) for v in values)
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise ValueError(f"{where}: cannot read: {clean(str(detail)).splitlines()[0]}") from None
    finally:
        engine.dispose()
    frame = pd.DataFrame({n: pd.Series(c, dtype=object) for n, c in zip(names, columns)})
    return dict(location=location, frame=frame, rows_read=len(frame), bad_lines=[])


# ---------------------------------------------------------------------------------------------
# Streaming: a source larger than memory read chunk by chunk into a Parquet spill
# ---------------------------------------------------------------------------------------------
class CannotStream(ValueError):
    """A quirk of the file needs the whole file at once: it cannot be read chunk by chunk.

    Attributes:
        code: which quirk (``encoding``: not UTF-8 and no encoding declared; ``quirk``: NUL
            bytes, UTF-16, an end-of-file mark; ``format``: Excel and SQL are read whole), the
            :class:`LoadNote` ``no_stream_<code>`` the caller adds when it loads the file whole.
        params: the note's parameters.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


#: The last lines of a CSV always belong to the last chunk, so that a footer of several lines is
#: seen whole (a footer is only looked for at the end of the file).
TAIL_LINES = 64
_HEAD_BYTES = 1 << 22
_SCAN_BYTES = 1 << 24


def _scan_csv(path: Path) -> tuple[int, bool, bool, bytes, bytes, quirks.ByteScan]:
    """One pass over the bytes: (newlines, has NUL bytes, valid UTF-8, first bytes, last bytes,
    what the single-byte encoding rule needs)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines, nul, utf8, first, last = 0, False, True, b"", b""
    bytes_scan = quirks.ByteScan()
    with open(path, "rb") as f:
        while block := f.read(_SCAN_BYTES):
            first = first or block[:4]
            newlines += block.count(b"\n")
            nul = nul or b"\x00" in block
            bytes_scan.feed(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            last = (last + block)[-64:]
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return newlines, nul, utf8, first, last, bytes_scan


def _stream_encoding(source: Source, path: Path, where: str, scan: tuple) -> tuple[str, bool]:
    """(encoding, detected) of a CSV read chunk by chunk, the one :func:`_detect_text` finds on the
    whole file; :class:`CannotStream` when that rule needs the whole file at once (a file that
    may mix UTF-8 and single-byte lines is decoded line by line) or the file's lines are not
    bytes ending in ``\\n`` (UTF-16, NUL)."""
    _, nul, utf8, first, last, bytes_scan = scan
    if source.encoding:
        _decode_declared(b"", source.encoding, where)  # an unknown codec is named here
        if codecs.lookup(source.encoding).name.startswith(("utf-16", "utf-32")):
            raise CannotStream("quirk", f"{where}: UTF-16/32 files are read whole", quirk="UTF-16")
        return source.encoding, False
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CannotStream("quirk", f"{where}: UTF-16 files are read whole", quirk="UTF-16")
    if nul:
        raise CannotStream("quirk", f"{where}: NUL bytes (or UTF-16 without a byte-order mark) are "
                           "undone on the whole file", quirk="NUL")
    if last.rstrip(b"\r\n \t").endswith(b"\x1a"):
        raise CannotStream("quirk", f"{where}: an end-of-file mark (Ctrl-Z) is undone on the whole "
                           "file", quirk="Ctrl-Z")
    if not utf8 and bytes_scan.multibyte:
        raise CannotStream("encoding", f"{where}: not UTF-8 but holding UTF-8 characters: lines "
                           "in two encodings are decoded one by one over the whole file; declare "
                           "'encoding' for the source (e.g. cp1252) to read it chunk by chunk")
    if not utf8:
        return bytes_scan.single_byte_encoding, True
    return ("utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"), True


@functools.lru_cache(maxsize=8)
def _whole_records(separator: str) -> re.Pattern[bytes]:
    """The quote rule of :func:`_parse_csv`'s parser, as a pattern matching, from the start of a
    record, the longest run of whole lines of records (up to a ``\\n`` outside quoted values).

    pyarrow (and :mod:`csv`) open a quoted value only with a quote (:data:`_QUOTE`) at the start
    of a field: at the start of a line or after ``separator`` (``\\r`` ends a line too). Inside
    it, a doubled quote is a quote and a single one closes it; the field then goes on unquoted up
    to the next separator or line end. A quote anywhere else (``12" pouces``, ``Résidence "Les
    Pins"``) is text and changes nothing. Lines without any quote are whole records (taken many
    at a time); a line with quotes is a run of: text without quote or ``\\n``; a quoted value
    opened at a field start and closed; a quote inside a value. The quantifiers are possessive:
    an opening quote never closed in the buffer stops the match before its line instead of being
    read again as text.
    """
    sep, quote = re.escape(separator.encode("utf-8")), re.escape(_QUOTE.encode("ascii"))
    quoted = quote + rb"[^" + quote + rb"]*+(?:" + quote + quote + rb"[^" + quote + rb"]*+)*+" + quote
    line = (rb"(?:[^" + quote + rb"\n]++"  # text, separators, a lone \r: no quote, no \n
            + rb"|(?<![^" + sep + rb"\r\n])" + quoted  # a quote at a field start: a quoted value
            + rb"|(?<=[^" + sep + rb"\r\n])" + quote  # a quote inside a value: text
            + rb")*+\n")
    return re.compile(rb"(?:[^" + quote + rb"]*\n|" + line + rb")*+")


def _chunk_end(buffer: bytes, separator: str) -> int:
    """Position after the last newline of ``buffer`` that ends a record (outside any quoted value,
    by :func:`_whole_records`' rule), 0 when there is none. ``buffer`` starts at the start of a
    record (the file's first record, or where the previous chunk ended): the quote state at a
    chunk's end, outside any value, is the one the next chunk starts with."""
    return _whole_records(separator).match(buffer).end()


def _ends_in_open_quote(data: bytes, separator: str) -> bool:
    """Whether ``data`` (from the start of a record) ends inside a quoted value never closed, by
    :func:`_whole_records`' rule (a last line without ``\\n`` is not one)."""
    rest = data[_chunk_end(data, separator):]
    return bool(rest) and _chunk_end(rest + b"\n", separator) <= len(rest)


def _csv_chunks(f: Any, chunk_bytes: int, newlines_left: int, tail_lines: int, separator: str):
    """Raw chunks of the file ``f`` from its current position (the start of a record), each ending
    at a record boundary (:func:`_chunk_end`); the last ``tail_lines`` lines stay in the last
    chunk. Yields (chunk, is_last)."""
    buffer = b""
    while True:
        more = f.read(chunk_bytes - len(buffer) if len(buffer) < chunk_bytes else chunk_bytes)
        buffer += more
        if not more:
            if buffer:
                yield buffer, True
            return
        if len(buffer) < chunk_bytes:
            continue
        end = _chunk_end(buffer, separator)
        if end == 0:
            continue  # one record longer than a chunk (or an open quote): read on
        newlines_left -= buffer.count(b"\n", 0, end)
        if newlines_left <= tail_lines:
            yield buffer + f.read(), True
            return
        yield buffer[:end], False
        buffer = buffer[end:]


def _stream_csv(source: Source, path: Path, write: Any, chunk_bytes: int, bar: Any,
                tail_lines: int) -> dict[str, Any]:
    """:func:`_load_csv` chunk by chunk: the layout read from the head of the file, every chunk
    parsed by :func:`_parse_csv` (the header line put back in front) and handed to ``write``."""
    where = f"source {source.name!r} ({path})"
    scan = _scan_csv(path)
    encoding, encoding_detected = _stream_encoding(source, path, where, scan)
    utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig") and scan[2]  # valid: as is
    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES)
        whole = len(head) < _HEAD_BYTES
        if not whole:
            head = head[: head.rfind(b"\n") + 1] or head
        text = _decode_declared(head, encoding, where)
        bom = text.startswith("\ufeff")
        if re.search(r"\S", text) is None and whole:
            raise ValueError(f"{where}: the file is empty (no header line); re-export the extract "
                             "with its column names on the first line")
        layout, rest = _csv_layout(source, text[1:] if bom else text, where)
        start = len(codecs.BOM_UTF8) if bom and utf8 and layout.offset == 0 else 0
        for _ in range(layout.offset):
            start = head.index(b"\n", start) + 1
        first, end, header = _record_spans(rest[:_SAMPLE_CHARS].encode("utf-8"), layout.separator,
                                           {1})[1]
        header_bytes = (header + "\n").encode("utf-8")
        header_lines = end - first + 1  # physical lines of the header record
        f.seek(start)
        newlines_left = scan[0] - head.count(b"\n", 0, start)
        line = layout.offset + 1  # physical line where the next chunk starts
        bad_lines: list[BadLine] = []
        excluded: list[BadLine] = list(layout.excluded)
        chunks = 0
        for chunk, last in _csv_chunks(f, chunk_bytes, newlines_left, tail_lines,
                                       layout.separator):
            data = chunk if utf8 else _decode_declared(chunk, encoding, where, line).encode("utf-8")
            if chunks == 0:
                offset = layout.offset
            else:
                data, offset = header_bytes + data, line - 1 - header_lines
            table, bad, exc = _parse_csv(data, layout.separator, layout.n_fields, where=where,
                                         encoding=encoding, offset=offset, at_end=last)
            del data
            bad_lines += bad
            excluded += exc
            write(table)
            chunks += 1
            line += chunk.count(b"\n")
            bar.update(len(chunk))
    excluded.sort(key=lambda b: b.line_number)
    notes = [*layout.notes, *_excluded_notes(excluded),
             LoadNote("streamed", params={"chunks": chunks, "chunk_mb": f"{chunk_bytes / 2**20:.3g}"})]
    return dict(location=str(path), bad_lines=bad_lines, excluded_lines=excluded, notes=notes,
                encoding=encoding, encoding_detected=encoding_detected, separator=layout.separator,
                separator_detected=layout.separator_detected)


def _stream_parquet(source: Source, path: Path, write: Any, chunk_bytes: int, bar: Any,
                    tail_lines: int) -> dict[str, Any]:
    """:func:`_load_parquet` one record batch at a time."""
    import pyarrow.dataset as pds

    where = f"source {source.name!r} ({path})"
    chunks = 0
    try:
        dataset = pds.dataset(path, format="parquet", partitioning="hive")  # as pq.read_table
        _check_columns(dataset.schema.names, where)
        batches = dataset.to_batches(batch_size=max(1024, chunk_bytes // 256))
        for batch in batches:
            columns = [_arrow_text(pa.chunked_array([batch.column(i)])) for i in range(batch.num_columns)]
            write(pa.table(columns, names=batch.schema.names))
            bar.update(batch.nbytes)
            chunks += 1
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValueError(f"{where}: not a readable Parquet file: {exc}") from None
    return dict(location=str(path), bad_lines=[], notes=[LoadNote("streamed", params={
        "chunks": chunks, "chunk_mb": f"{chunk_bytes / 2**20:.3g}"})])


def stream_source(source: Source, engagement: Engagement | None, spill: Path, *,
                  chunk_bytes: int = 64 << 20, progress: bool = False,
                  tail_lines: int = TAIL_LINES) -> LoadedSource:
    """Read a CSV or Parquet source chunk by chunk into the Parquet file ``spill``, never holding
    it whole in memory.

    Each chunk goes through the same code as :func:`load_source` (for a CSV: the layout found at
    the top of the file, then the parse, bad lines and excluded lines of each chunk numbered as
    lines of the whole file), so the rows, bad lines, excluded lines and notes are those of
    :func:`load_source`. Chunks end at record boundaries (a newline outside quoted values, by the
    parser's quote rule: :func:`_whole_records`); the last :data:`TAIL_LINES` lines stay in the
    last chunk, where footers are looked for.

    Args:
        source: a CSV or Parquet source.
        engagement: resolves relative paths.
        spill: the Parquet file to write (columns named ``c0``, ``c1``… in the source's order:
            read them with :func:`read_spill_column`).
        chunk_bytes: bytes of the file read at a time (a CSV chunk may be longer by one record).
        progress: a progress bar over the file's bytes.
        tail_lines: lines at the end of a CSV kept in its last chunk (footers are looked for
            there).

    Returns:
        The loaded source: ``frame`` has the columns and no row, ``spill`` and ``spilled_rows``
        say where the rows are; a ``streamed`` note says so.

    Raises:
        CannotStream: a quirk of the file needs it whole (encoding detection of a non-UTF-8 file,
            NUL bytes, UTF-16, an end-of-file mark) or the format is Excel or SQL; its ``code``
            names the note to add when loading it whole with :func:`load_source`.
        FileNotFoundError, ValueError: as :func:`load_source`.
    """
    import pyarrow.parquet as pq

    from rcu_kit.core.progress import bar as progress_bar

    if source.format not in ("csv", "parquet"):
        raise CannotStream("format", f"source {source.name!r}: {source.format} sources are read "
                           "whole", format=source.format)
    start = time.perf_counter()
    path = _resolve_path(source, engagement)
    size = sum(p.stat().st_size for p in path.rglob("*.parquet")) if path.is_dir() else path.stat().st_size
    state: dict[str, Any] = {"writer": None, "rows": 0, "names": None}

    def write(table: pa.Table) -> None:
        if state["writer"] is None:
            state["names"] = list(table.column_names)
            schema = pa.schema([(f"c{i}", pa.string()) for i in range(table.num_columns)])
            state["writer"] = pq.ParquetWriter(spill, schema)
        state["writer"].write_table(table.rename_columns([f"c{i}" for i in range(table.num_columns)]))
        state["rows"] += table.num_rows

    reader = _stream_csv if source.format == "csv" else _stream_parquet
    with progress_bar(total=size, step="streaming", unit="byte", disable=not progress,
                      unit_scale=True, unit_divisor=1024) as bar:
        try:
            parts = reader(source, path, write, chunk_bytes, bar, tail_lines)
        finally:
            if state["writer"] is not None:
                state["writer"].close()
    names = state["names"] or []
    frame = pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    parts.setdefault("excluded_lines", [])
    return LoadedSource(name=source.name, format=source.format, frame=frame,
                        rows_read=state["rows"] + len(parts["bad_lines"]), spill=spill,
                        spilled_rows=state["rows"], seconds=time.perf_counter() - start, **parts)


def read_spill_column(source: LoadedSource, position: int) -> pd.Series:
    """One column of a streamed source (its ``position`` in ``frame.columns``), as
    :func:`load_source` would have put it in the frame: text, missing as None."""
    import pyarrow.parquet as pq

    assert source.spill is not None, "read_spill_column needs a streamed source"
    name = source.frame.columns[position]
    column = pq.ParquetFile(source.spill).read(columns=[f"c{position}"]).column(0)
    return pd.Series(column.to_pandas(), name=name, dtype=object)


def read_spill_rows(source: LoadedSource, positions: Sequence[int]) -> pd.DataFrame:
    """The rows of a streamed source at ``positions`` (0-based, ascending), read one row group at
    a time; the frame's index is the positions."""
    import pyarrow.parquet as pq

    assert source.spill is not None, "read_spill_rows needs a streamed source"
    wanted = np.asarray(positions, dtype=np.int64)
    parts, first = [], 0
    file = pq.ParquetFile(source.spill)
    for group in range(file.num_row_groups):
        n = file.metadata.row_group(group).num_rows
        lo, hi = np.searchsorted(wanted, [first, first + n])
        if hi > lo:
            parts.append(file.read_row_group(group).take(pa.array(wanted[lo:hi] - first)))
        first += n
    names = list(source.frame.columns)
    if not parts:
        return source.frame.iloc[:0]
    frame = pa.concat_tables(parts).to_pandas()
    frame.columns = names
    frame.index = pd.Index(wanted)
    return frame.astype(object)


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------
def load_source(source: Source, engagement: Engagement | None = None) -> LoadedSource:
    """Read one source into a :class:`LoadedSource` (never modifying the source).

    CSV: encoding and separator are detected unless declared (see :func:`detect_encoding`,
    :func:`detect_separator`); the quote character is ``"`` (doubled inside a quoted value);
    quoted values may hold separators and line breaks; rows with the wrong number of fields are
    reported in ``bad_lines``; an empty header cell names its column ``unnamed_<position>``.
    Excel (.xlsx/.xlsm): ``sheet`` by name or 0-based index, default the first; the header is the
    first non-blank row. Parquet: a file or a folder of files. SQL: any SQLAlchemy URL with
    ``table`` (``schema.table`` allowed) or ``query``; a relative SQLite path resolves against the
    engagement's folder.

    Args:
        source: the source as declared in the engagement (format, path or url, options).
        engagement: the engagement it belongs to; relative paths (and relative SQLite database
            paths) resolve against its folder. Without it, against the current folder.

    Returns:
        The loaded source: a frame of text plus what was detected and every rejected row.

    Raises:
        FileNotFoundError: the file is missing; the message names the source, the resolved path
            and the engagement file.
        ValueError: the file is empty, has duplicate column names, a wrong sheet name, cannot be
            decoded with a declared encoding, or the database cannot be read; the message names
            the source and says what to do.

    Examples:
        >>> from rcu_kit.core.config import Source
        >>> loaded = load_source(Source(name="crm", path="crm.csv"))  # doctest: +SKIP
        >>> loaded.encoding, loaded.separator, loaded.rows_read, len(loaded.bad_lines)  # doctest: +SKIP
        ('cp1252', ';', 1200, 1)
    """
    start = time.perf_counter()
    if source.format == "sql":
        parts = _load_sql(source, engagement)
    else:
        path = _resolve_path(source, engagement)
        loader = {"csv": _load_csv, "excel": _load_excel, "parquet": _load_parquet}[source.format]
        parts = loader(source, path)
    return LoadedSource(name=source.name, format=source.format,
                        seconds=time.perf_counter() - start, **parts)


def _location_of(source: Source, engagement: Engagement | None) -> str:
    """Where a source is (for a source that failed before saying it)."""
    if source.format == "sql":
        what = f"table={source.table}" if source.table else "query"
        return f"{_mask_url(str(source.url))} {what}"
    path = engagement.resolve(str(source.path)) if engagement is not None else Path(str(source.path))
    return str(path.expanduser().resolve())


def _load_or_stream(source: Source, engagement: Engagement, spill_dir: Path | None,
                    stream_above_bytes: int | None, chunk_bytes: int, progress: bool) -> LoadedSource:
    """:func:`stream_source` when the source is to be streamed, else :func:`load_source`; a source
    that cannot be streamed is loaded whole with a note saying why (never silently)."""
    if spill_dir is None or stream_above_bytes is None:
        return load_source(source, engagement)
    if stream_above_bytes > 0:
        if source.format == "sql":
            return load_source(source, engagement)
        path = _resolve_path(source, engagement)
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() \
            else path.stat().st_size
        if size <= stream_above_bytes:
            return load_source(source, engagement)
    try:
        return stream_source(source, engagement, Path(spill_dir) / f"{source.name}.parquet",
                             chunk_bytes=chunk_bytes, progress=progress)
    except CannotStream as exc:
        loaded = load_source(source, engagement)
        loaded.notes.append(LoadNote(f"no_stream_{exc.code}", params=exc.params))
        return loaded


def load_all(engagement: Engagement, sources: list[str] | None = None,
             progress: bool = False, *, spill_dir: Path | None = None,
             stream_above_bytes: int | None = None, chunk_bytes: int = 64 << 20) -> LoadedSources:
    """Load the engagement's sources, in the order they are declared; one that fails never stops
    the others.

    Args:
        engagement: the engagement.
        sources: names of the sources to load (default: all); an unknown name raises KeyError
            listing the known ones.
        progress: show a progress bar (tqdm) over the sources.
        spill_dir: a folder where sources too large for memory are streamed to (see
            :func:`stream_source`); None: every source is loaded whole.
        stream_above_bytes: with ``spill_dir``, stream the CSV and Parquet files larger than
            this (0: every source; an Excel or SQL source is then loaded whole with a
            ``no_stream_format`` note); None: none.
        chunk_bytes: bytes read at a time when streaming.

    Returns:
        The sources that loaded, by name (a dict); ``.failed`` holds those in error, each with
        its ``error`` (the file missing, unreadable, a database unreachable…), and ``.every()``
        all of them for the summary (:func:`summarise_sources`).

    Examples:
        >>> loaded = load_all(engagement, ["crm"])  # doctest: +SKIP
        >>> loaded["crm"].rows_read, list(loaded.failed)  # doctest: +SKIP
        (1200, [])
    """
    chosen = [engagement.source(n) for n in sources] if sources is not None else list(engagement.sources)
    iterator: Any = chosen
    if progress:
        from rcu_kit.core.progress import bar

        iterator = bar(chosen, step="loading", unit="source")
    every: list[LoadedSource] = []
    for src in iterator:
        if progress:
            iterator.set_postfix_str(src.name)
        start = time.perf_counter()
        try:
            every.append(_load_or_stream(src, engagement, spill_dir, stream_above_bytes,
                                         chunk_bytes, progress))
        except (OSError, ValueError, ImportError, MemoryError) as exc:
            message = str(exc) if isinstance(exc, (ValueError, FileNotFoundError)) else \
                f"source {src.name!r}: cannot be loaded ({type(exc).__name__}: {exc})"
            every.append(LoadedSource(name=src.name, format=src.format,
                                      location=_location_of(src, engagement), frame=pd.DataFrame(),
                                      rows_read=0, error=message,
                                      seconds=time.perf_counter() - start))
    return LoadedSources(every)


def every_source(loaded: Mapping[str, LoadedSource]) -> list[LoadedSource]:
    """Every source asked for, loaded or not, in declared order (:meth:`LoadedSources.every`);
    a plain mapping of loaded sources is all of them."""
    return loaded.every() if isinstance(loaded, LoadedSources) else list(loaded.values())


def _how(detected: bool, language: str) -> str:
    return t("loaders.detected" if detected else "loaders.declared", language)


#: Columns of :func:`summarise_sources` (and of ``sources_summary.csv``).
SUMMARY_COLUMNS = ["source", "status", "format", "location", "encoding", "separator", "rows_read",
                   "rows_loaded", "bad_lines", "excluded_lines", "columns", "message", "message_en"]


def summarise_sources(loaded: Mapping[str, LoadedSource], language: str = "en") -> pd.DataFrame:
    """One row per source, loaded or not: its status, what was read, how, and what happened.

    Args:
        loaded: the result of :func:`load_all` (the sources in error included), or any mapping
            of name -> :class:`LoadedSource`.
        language: ``fr`` or ``en``, for the words in the encoding, separator and message cells
            (``cp1252 (detected)`` / ``cp1252 (détecté)``, ``tab`` / ``tabulation``).

    Returns:
        Columns :data:`SUMMARY_COLUMNS`: ``status`` is ``ok``, ``warning`` or ``error``;
        ``message`` the notes (file name first) or the error, joined by `` | ``, in
        ``language``; ``message_en`` the same in English, what the command line prints (its
        console speaks one language whatever the engagement's).
        ``encoding``/``separator`` are empty for formats without them; the Excel sheet is appended
        to ``location`` as ``[sheet]``.

    Examples:
        >>> summarise_sources(loaded, "en")  # doctest: +SKIP
          source  status format ...  rows_read rows_loaded bad_lines excluded_lines columns message
             crm warning    csv ...       1200        1199         1              0      12 crm.csv: ...
    """
    def message_in(src: LoadedSource, lang: str) -> str:
        messages = src.messages(lang)
        message = " | ".join(messages)
        if messages and src.error is None and src.format != "sql":
            message = f"{Path(src.location).name}: {message}"
        return message

    rows = []
    for src in every_source(loaded):
        encoding = f"{src.encoding} ({_how(src.encoding_detected, language)})" if src.encoding else ""
        separator = ""
        if src.separator:
            shown = t("loaders.tab", language) if src.separator == "\t" else src.separator
            separator = f"{shown} ({_how(src.separator_detected, language)})"
        location = src.location + (f" [{src.sheet}]" if src.sheet is not None else "")
        rows.append({"source": src.name, "status": src.status, "format": src.format,
                     "location": location, "encoding": encoding, "separator": separator,
                     "rows_read": src.rows_read, "rows_loaded": src.rows_loaded,
                     "bad_lines": len(src.bad_lines), "excluded_lines": len(src.excluded_lines),
                     "columns": src.frame.shape[1], "message": message_in(src, language),
                     "message_en": message_in(src, "en")})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def bad_lines_frame(loaded: Mapping[str, LoadedSource]) -> pd.DataFrame:
    """Every rejected row of every source: ``source, line_number, error, content``.

    The content is the raw row and may hold personal data: mask it before showing it to the
    client unless the engagement allows raw values.

    Examples:
        >>> bad_lines_frame(loaded).head()  # doctest: +SKIP
          source  line_number                      error        content
             crm           57  expected 12 fields, found 11  C57;M.;DUPONT;...
    """
    rows = [{"source": name, "line_number": b.line_number, "error": b.error, "content": b.content}
            for name, src in loaded.items() for b in src.bad_lines]
    frame = pd.DataFrame(rows, columns=["source", "line_number", "error", "content"])
    return frame.astype({"line_number": "int64"})


def excluded_lines_frame(loaded: Mapping[str, LoadedSource]) -> pd.DataFrame:
    """Every line left out because it is not a record: ``source, line_number, reason, content``.

    ``reason`` is one of :data:`EXCLUDED_REASONS`. The content may hold personal data (a title,
    a footer rarely does, a misplaced row might).
    """
    rows = [{"source": name, "line_number": b.line_number, "reason": b.error, "content": b.content}
            for name, src in loaded.items() for b in src.excluded_lines]
    frame = pd.DataFrame(rows, columns=["source", "line_number", "reason", "content"])
    return frame.astype({"line_number": "int64"})


def left_out(loaded: Mapping[str, LoadedSource]) -> dict[str, str]:
    """Source name -> error, for the sources that failed to load (empty when all loaded, or for a
    plain mapping of frames or loaded sources, which holds only what loaded)."""
    if not isinstance(loaded, LoadedSources):
        return {}
    return {name: str(s.error) for name, s in loaded.failed.items()}


def save_sources_summary(loaded: Mapping[str, LoadedSource], engagement: Engagement,
                         summary: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write how every source loaded to the engagement's output folder, failed sources included.

    ``sources_summary.csv`` (:func:`summarise_sources` in the engagement's language) and its
    ``.xlsx``, ``bad_lines.csv`` (:func:`bad_lines_frame`) and ``excluded_lines.csv``
    (:func:`excluded_lines_frame`), the last two with their header even when empty (so no file
    from an earlier run lingers). They hold raw rows: for the consultant, not the client.

    Args:
        loaded: :func:`load_all`'s result.
        engagement: gives the output folder and the language.
        summary: :func:`summarise_sources`'s table when the caller has it already.

    Returns:
        ``summary``, ``workbook``, ``bad_lines``, ``excluded_lines`` -> path written.
    """
    from rcu_kit.core.excel import write_workbook
    from rcu_kit.core.paths import sources_summary_path

    summary_path = sources_summary_path(engagement)
    folder = summary_path.parent
    if summary is None:
        summary = summarise_sources(loaded, engagement.language)
    summary.to_csv(summary_path, index=False)
    paths = {"summary": summary_path,
             "workbook": write_workbook(folder / "sources_summary.xlsx", {"sources": summary}),
             "bad_lines": folder / "bad_lines.csv", "excluded_lines": folder / "excluded_lines.csv"}
    bad_lines_frame(loaded).to_csv(paths["bad_lines"], index=False)
    excluded_lines_frame(loaded).to_csv(paths["excluded_lines"], index=False)
    return paths


def loading_sentence(summary: pd.DataFrame, language: str) -> str:
    """One sentence for the report: every source loaded, or which were left out.

    Args:
        summary: :func:`summarise_sources`'s table (``source``, ``status``…).
        language: ``fr`` or ``en``.

    Examples:
        >>> loading_sentence(pd.DataFrame({"source": ["crm", "erp"], "status": ["ok", "error"]}), "en")
        'Sources left out because they could not be read: erp (see the loading of the sources).'
    """
    failed = summary.loc[summary["status"] == "error", "source"].astype(str).tolist()
    return left_out_sentence(failed, language) if failed else t("loaders.all_loaded", language)


def left_out_sentence(sources: Sequence[str], language: str) -> str:
    """The sentence naming the sources left out because they could not be loaded.

    Examples:
        >>> left_out_sentence(["erp", "web"], "fr")
        'Sources laissées de côté car illisibles : erp, web (voir le chargement des sources).'
    """
    return t("loaders.left_out_sentence", language, sources=", ".join(sources))
