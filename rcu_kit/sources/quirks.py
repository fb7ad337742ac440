"""Export quirks of client extracts, found and undone with the lines they touch.

Files sent by clients are exports from Excel, ERPs and CRMs, and carry their habits: two exports
concatenated (UTF-8 then latin-1, the header repeated in the middle), an Excel ``sep=;`` first
line, a title above the header, NUL bytes padding fixed-width fields, a DOS end-of-file mark
(Ctrl-Z), blank lines, lines of bare separators, a ``Total : 20 clients`` footer. The functions
here find them on bytes, text or cell values and say on which lines, so the loader can undo them
and report each one (:class:`rcu_kit.sources.loaders.LoadNote`); none of them drops anything
silently.

Examples:
    >>> decode_mixed("Noël\\n".encode("utf-8") + "Hélène\\n".encode("latin-1")).fallback_lines
    [2]
    >>> sep_hint("sep=;\\nnom;ville\\n")
    ';'
    >>> is_footer(["Total : 20 clients", None, None])
    True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["MixedText", "ByteScan", "decode_mixed", "utf16_without_bom", "nul_lines", "sep_hint",
           "is_footer", "is_blank", "is_title", "line_number_at", "EXCEL_ERRORS", "single_byte_encoding"]

#: Cell values Excel writes for a formula that failed; kept as written, reported per cell.
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA"})

# A footer line's first value: "Total : 20 clients", "Nombre de lignes : 20", "20 enregistrements",
# "Fin de fichier", "End of report" (accents folded, case ignored).
_FOOTER = re.compile(
    r"^\s*(?:total|totaux|sous[- ]?total|grand total|nombre (?:de |d')?(?:lignes|clients|"
    r"enregistrements|contacts)|nb (?:de )?(?:lignes|clients|enregistrements)|count|row count|"
    r"fin (?:de|du) (?:fichier|rapport|l'export|export)|end of (?:file|report|export)|"
    r"\d[\d .]*\s+(?:lignes?|rows?|enregistrements?|records?|clients?|contacts?)"
    r"(?:\s+(?:export[ée]s?|extraits?|exported|selected|s[ée]lectionn[ée]s?))?\s*\.?\s*$)",
    re.IGNORECASE)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SEP_HINT = re.compile(r"^sep=(.)\r?$", re.IGNORECASE)


@dataclass
class MixedText:
    """A file decoded line by line.

    Attributes:
        text: the decoded text (its main encoding is UTF-8).
        fallback: the encoding of the lines that are not valid UTF-8 (``cp1252`` or ``latin-1``).
        fallback_lines: 1-based lines decoded with ``fallback``.
    """

    text: str
    fallback: str
    fallback_lines: list[int] = field(default_factory=list)


class ByteScan:
    """What the encoding rules need to know of a file's bytes, fed block by block, so that a file
    read in chunks gets the encoding the whole file would (:func:`single_byte_encoding`).

    Attributes:
        c1: a byte 0x80-0x9F was seen.
        undefined: a byte cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) was seen.
        multibyte: a UTF-8 multi-byte sequence was seen (the file may mix UTF-8 and single-byte
            lines: :func:`decode_mixed` needs the whole file).

    Examples:
        >>> scan = ByteScan().feed("Noël ".encode("cp1252")).feed("Œuvre".encode("cp1252"))
        >>> scan.single_byte_encoding, scan.multibyte
        ('cp1252', False)
    """

    def __init__(self) -> None:
        self.c1 = self.undefined = self.multibyte = False
        self._last = b""

    def feed(self, block: bytes) -> "ByteScan":
        """Take the next block of the file's bytes into account; returns the scan."""
        self.c1 = self.c1 or _C1_BYTES.search(block) is not None
        self.undefined = self.undefined or _CP1252_UNDEFINED.search(block) is not None
        self.multibyte = (self.multibyte or _UTF8_MULTIBYTE.search(block) is not None
                          or _UTF8_MULTIBYTE.search(self._last + block[:1]) is not None)
        self._last = block[-1:]
        return self

    @property
    def single_byte_encoding(self) -> str:
        """:func:`single_byte_encoding` of the bytes fed so far."""
        if not self.c1:
            return "latin-1"
        return "latin-1" if self.undefined else "cp1252"


def single_byte_encoding(raw: bytes) -> str:
    """``cp1252`` or ``latin-1`` for bytes that are not UTF-8: cp1252 when they hold bytes
    0x80-0x9F (its letters and signs such as ``œ``, ``€``, ``’``) that it defines; latin-1 when
    there are none (both decode such bytes alike) or one is undefined in cp1252 (latin-1 decodes
    anything).

    Examples:
        >>> single_byte_encoding("Hélène".encode("cp1252")), single_byte_encoding("Œuvre €".encode("cp1252"))
        ('latin-1', 'cp1252')
    """
    return ByteScan().feed(raw).single_byte_encoding


def decode_mixed(raw: bytes) -> MixedText | None:
    """Decode a file made of UTF-8 lines and single-byte (cp1252/latin-1) lines, line by line.

    Called when the whole file is not valid UTF-8. It is *mixed* when some lines hold valid UTF-8
    multi-byte characters (``é`` as C3 A9) and others are not valid UTF-8: typically two exports
    concatenated. Decoding it all as cp1252 would garble the UTF-8 half (``Ã©``).

    Args:
        raw: the file's bytes (no BOM).

    Returns:
        The text, with the lines decoded as cp1252/latin-1 listed; ``None`` when the file is not
        mixed (no line holds UTF-8 multi-byte characters).

    Examples:
        >>> m = decode_mixed("nom\\nNoël\\n".encode("utf-8") + "Hélène\\n".encode("cp1252"))
        >>> m.text, m.fallback, m.fallback_lines
        ('nom\\nNoël\\nHélène\\n', 'latin-1', [3])
    """
    if _UTF8_MULTIBYTE.search(raw) is None:
        return None
    lines = raw.split(b"\n")
    bad: list[int] = []
    utf8_lines = 0
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
            continue
        if not line.isascii():
            utf8_lines += 1
    if not utf8_lines or not bad:
        return None
    fallback = single_byte_encoding(b"\n".join(lines[n - 1] for n in bad))
    bad_set = set(bad)
    decoded = [line.decode(fallback) if number in bad_set else line.decode("utf-8")
               for number, line in enumerate(lines, start=1)]
    return MixedText("\n".join(decoded), fallback, bad)


def utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the bytes look like UTF-16 text without a BOM, else None.

    UTF-16 text of Western characters has a NUL byte in every other position (odd positions in
    little-endian, even in big-endian); NUL bytes padding fields of a single-byte file do not.

    Examples:
        >>> utf16_without_bom("nom;ville\\n".encode("utf-16-le"))
        'utf-16-le'
        >>> utf16_without_bom(b"nom;ville\\nDUPONT\\x00\\x00;Lyon\\n") is None
        True
    """
    sample = raw[:65536]
    half = len(sample) // 2
    if half < 2:
        return None
    odd = sample[1::2].count(0) / half
    even = sample[0::2].count(0) / half
    if odd > 0.9 and even < 0.1:
        return "utf-16-le"
    if even > 0.9 and odd < 0.1:
        return "utf-16-be"
    return None


def line_number_at(data: bytes | str, positions: Sequence[int]) -> list[int]:
    """The 1-based line of each position (ascending) in ``data``.

    Examples:
        >>> line_number_at(b"a\\nb\\nc", [0, 2, 4])
        [1, 2, 3]
    """
    newline = b"\n" if isinstance(data, bytes) else "\n"
    out, line, previous = [], 1, 0
    for pos in positions:
        line += data.count(newline, previous, pos)  # type: ignore[arg-type]
        previous = pos
        out.append(line)
    return out


def nul_lines(raw: bytes) -> list[int]:
    """The 1-based lines holding NUL bytes (each line once).

    Examples:
        >>> nul_lines(b"a;b\\nx\\x00\\x00;y\\nz;w\\n\\x00;v")
        [2, 4]
    """
    positions = [m.start() for m in re.finditer(rb"\x00+", raw)]
    return sorted(set(line_number_at(raw, positions)))


def sep_hint(text: str) -> str | None:
    """The separator an Excel ``sep=;`` first line declares, else None.

    Examples:
        >>> sep_hint("SEP=,\\r\\na,b\\n"), sep_hint("nom;sep=;\\n")
        (',', None)
    """
    first = text.split("\n", 1)[0]
    match = _SEP_HINT.match(first)
    return match.group(1) if match else None


def _fold(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def is_footer(values: Sequence[str | None]) -> bool:
    """A row that is an export's footer (a total, a row count, an end mark), not a record.

    Its first filled value reads like ``Total : 20 clients``, ``Nombre de lignes : 20``,
    ``20 enregistrements`` or ``Fin de fichier``, and at most half of its values (rounded up) are filled.
    (The loaders only ask about rows at the end of a source.)

    Examples:
        >>> is_footer(["Total", None, None, "20"]), is_footer(["20 clients exportés", None])
        (True, True)
        >>> is_footer(["Totalement Bio SARL", "Lyon", "69001", "x@y.fr"])
        False
    """
    filled = [v for v in values if v is not None and str(v).strip() != ""]
    if not filled or len(filled) > max(1, (len(values) + 1) // 2):
        return False
    first = _fold(str(filled[0])).strip()
    if _FOOTER.match(first) is None:
        return False
    # "Total" must be a word on its own ("Total :", "TOTAL 20"), not the start of a name.
    return re.match(r"^(?:total|totaux)[a-z]", first, re.IGNORECASE) is None


def is_blank(text: str, separator: str) -> bool:
    """A line of nothing but spaces, separators and empty quotes.

    Examples:
        >>> is_blank(";;;;", ";"), is_blank(' ; "" ;', ";"), is_blank("a;;", ";")
        (True, True, False)
    """
    return text.replace(separator, "").replace('""', "").strip() == ""


def is_title(values: Sequence[str | None]) -> bool:
    """A row above the header that is a title (one filled value at most), not column names.

    Examples:
        >>> is_title(["Export clients du 01/02/2024", None, None]), is_title(["id", "nom"])
        (True, False)
    """
    return sum(v is not None and str(v).strip() != "" for v in values) <= 1
