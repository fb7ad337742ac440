"""Find and mask e-mail addresses and French phone numbers left in free text.

A safety net for client-facing HTML: the notebooks mask personal data themselves (through
:mod:`rcu_kit.values.masking`), but a report must not leak a raw value because one notebook cell printed
one. The report builder runs :func:`redact_text` over every notebook output before rendering it
when the engagement's policy masks personal data, and says how many values it had to mask.

Only shapes that can be recognised without knowing the data are handled: e-mail addresses and
French phone numbers in their usual spellings (``06 12 34 56 78``, ``06.12.34.56.78``,
``0612345678``, ``+33 6 12 34 56 78``, ``+33 (0)6 12 34 56 78``, ``0033612345678``,
``33612345678`` and a mobile that lost its leading zero, ``612345678``). Names cannot be found
this way; they remain the notebooks' responsibility. Base64 payloads (``"bdata"`` arrays of
plotly figures, ``data:`` URIs) and ``<script>`` blocks are left untouched, so a chart, an image
or a script is never corrupted (figures saved as plotly JSON are masked through
:func:`redact_json` instead).

Examples:
    >>> redact_text("Contact: jean.dupont@gmail.com, 06 12 34 56 78")
    ('Contact: j***@g***.com, ** ** ** ** 78', 2)
    >>> [f.kind for f in find_personal_data("+33 6 12 34 56 78 / j***@g***.fr")]
    ['phone']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Finding", "EMAIL_RE", "PHONE_RE", "find_personal_data", "redact_text", "redact_json"]

EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*",
)
PHONE_RE = re.compile(
    r"(?<![\w+\-])(?<!\d[.,])(?:"
    # +33 / 0033 prefix, optional (0), then a 9-digit national number in pairs
    r"(?:\+|00)33[\s.\-]?(?:\(0\)[\s.\-]?)?[1-9](?:[\s.\-]?\d{2}){4}"
    # national format 0X XX XX XX XX with optional separators
    r"|0[1-9](?:[\s.\-]?\d{2}){4}"
    # 33612345678: country code without '+'
    r"|33[1-9]\d{8}"
    # 612345678: a mobile that lost its leading zero in a spreadsheet
    r"|[67]\d{8}"
    r")(?!\w)(?![.,]\d)",
)
# Value shapes shown by the audit ("a.a@a.a", "a9999@a.a": letters as a/A, digits as 9).
_SHAPE_RE = re.compile(r"[aA9._%+\-]+@[aA9._\-]+")
# Spans that must never be rewritten: plotly base64 arrays, data: URIs and <script> blocks (code
# is full of digit runs such as "0123456789" that a rewrite would break).
_PROTECTED_RE = re.compile(r'"bdata"\s*:\s*"[^"]*"|data:[\w/+.\-]+;base64,[A-Za-z0-9+/=]+'
                           r"|<script\b[^>]*>.*?</script\s*>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One personal value found in a text: ``kind`` is ``email`` or ``phone``."""

    kind: str
    value: str
    start: int


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    head, dot, tld = domain.rpartition(".")
    if not dot:  # no dot in the domain: mask it whole
        return f"{local[:1]}***@{domain[:1]}***"
    return f"{local[:1]}***@{head[:1]}***.{tld}"


def _mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "** ** ** ** " + digits[-2:]


def _scan(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every match outside protected spans, in order, non-overlapping."""
    protected = [m.span() for m in _PROTECTED_RE.finditer(text)]

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in protected)

    spans: list[tuple[int, int, str]] = []
    for kind, regex in (("email", EMAIL_RE), ("phone", PHONE_RE)):
        for m in regex.finditer(text):
            if kind == "email" and _SHAPE_RE.fullmatch(m.group(0)):
                continue
            if free(*m.span()):
                spans.append((m.start(), m.end(), kind))
    spans.sort(key=lambda s: (s[0], -s[1]))  # at one start, the longest match wins
    kept: list[tuple[int, int, str]] = []
    for span in spans:  # an e-mail such as 0612345678@sfr.fr wins over the phone inside it
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return kept


def find_personal_data(text: str) -> list[Finding]:
    """Every e-mail address and French phone number in ``text``, in order of appearance.

    Args:
        text: any text (plain, HTML, JSON).

    Returns:
        The findings; masked values such as ``j***@g***.fr`` or ``06******78`` are not findings.
    """
    return [Finding(kind, text[s:e], s) for s, e, kind in _scan(text)]


def redact_text(text: str) -> tuple[str, int]:
    """Mask every e-mail address and French phone number in ``text``.

    Returns:
        The masked text and the number of values masked.
    """
    spans = _scan(text)
    if not spans:
        return text, 0
    out: list[str] = []
    pos = 0
    for start, end, kind in spans:
        out.append(text[pos:start])
        value = text[start:end]
        out.append(_mask_email(value) if kind == "email" else _mask_phone(value))
        pos = end
    out.append(text[pos:])
    return "".join(out), len(spans)


def redact_json(data: Any) -> tuple[Any, int]:
    """Mask personal values in every string of a JSON-like structure (``bdata`` arrays skipped).

    Returns:
        A masked copy of ``data`` and the number of values masked.
    """
    if isinstance(data, str):
        return redact_text(data)
    if isinstance(data, list):
        total = 0
        items = []
        for item in data:
            new, n = redact_json(item)
            items.append(new)
            total += n
        return items, total
    if isinstance(data, dict):
        total = 0
        out = {}
        for key, value in data.items():
            if key == "bdata":
                out[key] = value
                continue
            new, n = redact_json(value)
            out[key] = new
            total += n
        return out, total
    return data, 0
