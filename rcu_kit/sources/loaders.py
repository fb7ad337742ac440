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

Examples:
    >>> from rcu_kit.core.config import load_engagement
    >>> from rcu_kit.sources.loaders import load_all, summarise_sources
    >>> engagement = load_engagement("demo/engagement.yaml")  # doctest: +SKIP
    >>> loaded = load_all(engagement)  # doctest: +SKIP
    >>> summarise_sources(loaded, "fr")  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import math
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from rcu_kit.core.config import Engagement, Source
from rcu_kit.core.i18n import t

__all__ = [
    "BadLine",
    "LoadedSource",
    "SEPARATORS",
    "detect_encoding",
    "detect_separator",
    "load_source",
    "load_all",
    "summarise_sources",
    "bad_lines_frame",
]

#: Separators considered by detection, in order of preference on a tie.
SEPARATORS: tuple[str, ...] = (";", ",", "\t", "|")

#: A bad line's ``content`` is cut to this many characters (an unclosed quote can swallow a file).
MAX_CONTENT_CHARS = 2000

_SAMPLE_CHARS = 65536
_SAMPLE_RECORDS = 200
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class BadLine:
    """A row of a source that could not be parsed; it is not in the frame.

    Attributes:
        line_number: 1-based physical line in the file where the row starts (for Excel, the
            sheet's row number).
        content: the row's text as found, all its physical lines for a multi-line row (for Excel,
            the row's cells joined by tabs); cut to ``MAX_CONTENT_CHARS`` characters.
        error: why it was rejected, e.g. ``expected 3 fields, found 2``.
    """

    line_number: int
    content: str
    error: str


@dataclass
class LoadedSource:
    """One source read into memory, with what was detected and every rejected row.

    Attributes:
        name: the source's name in the engagement.
        format: ``csv``, ``excel``, ``parquet`` or ``sql``.
        location: resolved file path, or the SQLAlchemy URL (password masked) plus table/query.
        frame: every value as text (``object`` dtype), empty as missing (``None``), nothing else
            converted.
        rows_read: data rows seen (header and blank lines excluded)
            = ``len(frame) + len(bad_lines)``.
        bad_lines: rows that could not be parsed, in file order.
        encoding: the text encoding used (``None`` for Excel, Parquet and SQL).
        encoding_detected: True if detected, False if declared in the engagement.
        separator: the CSV field separator (``None`` for other formats).
        separator_detected: True if detected, False if declared in the engagement.
        sheet: the Excel sheet read (``None`` for other formats).
        seconds: time taken to load.
    """

    name: str
    format: str
    location: str
    frame: pd.DataFrame
    rows_read: int
    bad_lines: list[BadLine] = field(default_factory=list)
    encoding: str | None = None
    encoding_detected: bool = False
    separator: str | None = None
    separator_detected: bool = False
    sheet: str | None = None
    seconds: float = 0.0

    @property
    def rows_loaded(self) -> int:
        """Rows in the frame (``rows_read - len(bad_lines)``)."""
        return len(self.frame)


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
    if _C1_BYTES.search(raw) is None:
        # No byte in 0x80-0x9F: cp1252 and latin-1 decode the file identically.
        return "latin-1", raw.decode("latin-1")
    try:
        return "cp1252", raw.decode("cp1252")
    except UnicodeDecodeError:
        # Bytes 0x81, 0x8D, 0x8F, 0x90 or 0x9D are undefined in cp1252; latin-1 decodes anything.
        return "latin-1", raw.decode("latin-1")


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


def _decode_declared(raw: bytes, encoding: str, where: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"{where}: unknown encoding {encoding!r}; use a Python codec name such as "
                         "utf-8, cp1252 or latin-1, or remove 'encoding' to detect it") from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"{where}: cannot decode as {encoding!r} (declared): byte "
                         f"{raw[exc.start:exc.start + 1]!r} on line {line} is invalid; fix 'encoding' "
                         "in the engagement or remove it to detect the encoding") from None


def _load_csv(source: Source, path: Path) -> dict[str, Any]:
    where = f"source {source.name!r} ({path})"
    raw = path.read_bytes()
    if source.encoding:
        encoding, encoding_detected = source.encoding, False
        text = _decode_declared(raw, encoding, where)
    else:
        if b"\x00" in raw[:65536] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ValueError(f"{where}: the file contains NUL bytes: it is binary, or UTF-16/UTF-32 "
                             "without a byte-order mark; declare its 'encoding' (e.g. utf-16-le) "
                             "or re-export it as CSV")
        encoding, text = _detect_and_decode(raw)
        encoding_detected = True
    if text.startswith("\ufeff"):
        text = text[1:]
    if re.search(r"\S", text) is None:
        raise ValueError(f"{where}: the file is empty (no header line); re-export the extract "
                         "with its column names on the first line")
    if source.separator:
        separator, separator_detected = source.separator, False
    else:
        separator, separator_detected = detect_separator(text), True

    # pyarrow parses UTF-8: hand it the bytes as they are when possible, else re-encode.
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        data = raw
    else:
        data = text.encode("utf-8")
    del raw

    header_names = next(r for r in _sample_records(text[:_SAMPLE_CHARS], separator, False))
    n_fields = len(header_names)
    del text
    rejected: list[tuple[int, str, int, int]] = []

    def on_invalid(row: Any) -> str:
        rejected.append((row.number, row.text, row.expected_columns, row.actual_columns))
        return "skip"

    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(use_threads=False, autogenerate_column_names=True,
                                           block_size=1 << 23),
            parse_options=pacsv.ParseOptions(delimiter=separator, quote_char='"', double_quote=True,
                                             newlines_in_values=True, ignore_empty_lines=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(n_fields)},
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:
        if "straddl" in str(exc):
            first, end = _longest_record(data, separator)
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
    names = [n if n != "" else f"unnamed_{i}" for i, n in enumerate(names, start=1)]
    _check_columns(names, where)
    table = table.slice(1).rename_columns(names)

    # An unclosed quote in the last field of a row swallows the rest of the file into that value
    # without changing the field count: check the last row when the quotes do not pair up.
    suspect_last = False
    if table.num_rows and data.count(b'"') % 2 == 1:
        last = table.slice(table.num_rows - 1).to_pylist()[0]
        suspect_last = any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in last.values())

    bad_lines: list[BadLine] = []
    if rejected or suspect_last:
        last_record = table.num_rows + len(rejected) + 1  # pyarrow numbers the header 1
        rejected_numbers = {r[0] for r in rejected}
        suspect_last = suspect_last and last_record not in rejected_numbers
        spans = _record_spans(data, separator, rejected_numbers | ({last_record} if suspect_last else set()))
        for number, content, expected, actual in rejected:
            first, end, content = spans.get(number, (number, number, content.rstrip("\r\n")))
            error = f"expected {expected} fields, found {actual}"
            if end > first and content.count('"') % 2 == 1:
                error = (f"a quote (\") opened on line {first} is never closed: lines {first}-{end} "
                         f"were read as one row; {error}")
            bad_lines.append(BadLine(first, _cut(content), error))
        if suspect_last and last_record in spans:
            first, end, content = spans[last_record]
            if end > first and content.count('"') % 2 == 1:
                bad_lines.append(BadLine(
                    first, _cut(content),
                    f"a quote (\") opened on line {first} is never closed: lines {first}-{end} "
                    "(end of file) were read as one row"))
                table = table.slice(0, table.num_rows - 1)
        bad_lines.sort(key=lambda b: b.line_number)
    del data

    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    frame = frame.astype(object) if frame.empty else frame
    return dict(location=str(path), frame=frame, rows_read=len(frame) + len(bad_lines),
                bad_lines=bad_lines, encoding=encoding, encoding_detected=encoding_detected,
                separator=separator, separator_detected=separator_detected)


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------
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
        sheets = workbook.sheetnames
        listed = ", ".join(repr(s) for s in sheets)
        wanted = source.sheet
        if wanted is None:
            sheet = sheets[0]
        elif isinstance(wanted, int) and str(wanted) not in sheets:
            if not 0 <= wanted < len(sheets):
                raise ValueError(f"{where}: no sheet at index {wanted} (0-based); the workbook has "
                                 f"{len(sheets)} sheet(s): {listed}")
            sheet = sheets[wanted]
        elif str(wanted) in sheets:
            sheet = str(wanted)
        else:
            raise ValueError(f"{where}: no sheet named {wanted!r}; sheets are: {listed}")
        where = f"source {source.name!r} ({path}, sheet {sheet!r})"
        rows = workbook[sheet].iter_rows(values_only=True)
        header: list[str] | None = None
        width = 0
        columns: list[list[str | None]] = []
        bad_lines: list[BadLine] = []
        rows_read = 0
        for row_number, row in enumerate(rows, start=1):
            values = [_text(v) for v in row]
            if not any(v is not None for v in values):
                continue  # blank row
            if header is None:
                while values and values[-1] is None:
                    values.pop()
                width = len(values)
                missing = [get_column_letter(i) for i, v in enumerate(values, start=1) if v is None]
                if missing:
                    raise ValueError(f"{where}: header row {row_number} has empty cells in column(s) "
                                     f"{', '.join(missing)}; give every column a name")
                header = [str(v) for v in values]
                _check_columns(header, where)
                columns = [[] for _ in header]
                continue
            rows_read += 1
            extra = [(i, v) for i, v in enumerate(values[width:], start=width + 1) if v is not None]
            if extra:
                cells = ", ".join(f"{get_column_letter(i)}{row_number}" for i, _ in extra)
                content = "\t".join("" if v is None else v for v in values)
                bad_lines.append(BadLine(row_number, _cut(content),
                                         f"values beyond the {width} header columns (cells {cells})"))
                continue
            values += [None] * (width - len(values))
            for col, v in zip(columns, values):
                col.append(v)
    finally:
        workbook.close()
    if header is None:
        raise ValueError(f"{where}: the sheet is empty (no header row); choose another 'sheet' or "
                         "put the column names on the first row")
    frame = pd.DataFrame({name: pd.Series(col, dtype=object) for name, col in zip(header, columns)})
    return dict(location=str(path), frame=frame, rows_read=rows_read, bad_lines=bad_lines, sheet=sheet)


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
                    tables = inspector.get_table_names(schema=schema or None)
                    raise ValueError(f"{where}: no table {source.table!r}; tables are: "
                                     f"{', '.join(tables) or '(none)'}")
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


def load_all(engagement: Engagement, sources: list[str] | None = None,
             progress: bool = False) -> dict[str, LoadedSource]:
    """Load the engagement's sources, in the order they are declared.

    Args:
        engagement: the engagement.
        sources: names of the sources to load (default: all); an unknown name raises KeyError
            listing the known ones.
        progress: show a progress bar (tqdm) over the sources.

    Returns:
        Source name -> loaded source.

    Examples:
        >>> loaded = load_all(engagement, ["crm"])  # doctest: +SKIP
        >>> loaded["crm"].rows_read  # doctest: +SKIP
        1200
    """
    chosen = [engagement.source(n) for n in sources] if sources is not None else list(engagement.sources)
    iterator: Any = chosen
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(chosen, desc="Loading sources", unit="source")
    out: dict[str, LoadedSource] = {}
    for src in iterator:
        if progress:
            iterator.set_postfix_str(src.name)
        out[src.name] = load_source(src, engagement)
    return out


def _how(detected: bool, language: str) -> str:
    return t("loaders.detected" if detected else "loaders.declared", language)


def summarise_sources(loaded: dict[str, LoadedSource], language: str = "en") -> pd.DataFrame:
    """One row per loaded source: what was read, how, and how many rows made it.

    Args:
        loaded: the result of :func:`load_all`.
        language: ``fr`` or ``en``, for the words in the encoding and separator cells
            (``cp1252 (detected)`` / ``cp1252 (détecté)``, ``tab`` / ``tabulation``).

    Returns:
        Columns ``source, format, location, encoding, separator, rows_read, rows_loaded,
        bad_lines, columns`` (plain snake_case headers). ``encoding``/``separator`` are empty for
        formats without them; the Excel sheet is appended to ``location`` as ``[sheet]``.

    Examples:
        >>> summarise_sources(loaded, "en")  # doctest: +SKIP
          source format ...  encoding            separator          rows_read rows_loaded bad_lines columns
             crm    csv ...  cp1252 (detected)   ; (detected)           1200        1199         1      12
    """
    rows = []
    for name, src in loaded.items():
        encoding = f"{src.encoding} ({_how(src.encoding_detected, language)})" if src.encoding else ""
        separator = ""
        if src.separator:
            shown = t("loaders.tab", language) if src.separator == "\t" else src.separator
            separator = f"{shown} ({_how(src.separator_detected, language)})"
        location = src.location + (f" [{src.sheet}]" if src.sheet is not None else "")
        rows.append({"source": name, "format": src.format, "location": location, "encoding": encoding,
                     "separator": separator, "rows_read": src.rows_read, "rows_loaded": len(src.frame),
                     "bad_lines": len(src.bad_lines), "columns": src.frame.shape[1]})
    columns = ["source", "format", "location", "encoding", "separator", "rows_read", "rows_loaded",
               "bad_lines", "columns"]
    return pd.DataFrame(rows, columns=columns)


def bad_lines_frame(loaded: dict[str, LoadedSource]) -> pd.DataFrame:
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
