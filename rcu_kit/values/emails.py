"""E-mail addresses: THE rule of what is a valid address and how it is normalised.

The audit's verdict (:func:`email_status`) and the standardisation (:func:`normalise_emails`)
come from one function, :func:`standardise_emails`, so they cannot disagree: an address is
invalid exactly when it is normalised to NA (see :mod:`rcu_kit.values.status`).

The check is the practical subset of RFC 5322 that mail providers accept: a dot-atom local part
(letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots not leading, trailing or doubled), one ``@``, a
domain of dot-separated labels (letters, digits, inner hyphens; 63 characters at most) ending in
an alphabetic TLD of 2 to 63 letters, 254 characters in all. Quoted local parts and IP-literal
domains are rejected: no customer base uses them and they are mostly typing accidents. A few
placeholders typed by agents to get past a mandatory field (``noemail@...``, ``...@example.com``)
are invalid too: kept, they would link unrelated customers.

Normalised: lower case, trimmed. Repaired (the audit's "repairable"): a ``mailto:`` prefix or
``<...>`` brackets removed, spaces next to ``@``, ``.`` or ``,`` removed (``jean.dupont @free.fr``),
a comma typed for a dot in the domain (``jean@free,fr``). A space between two letters
(``jean dupont@free.fr``) is not repaired: it could stand for a dot, an underscore or nothing.

Examples:
    >>> normalise_email("  Jean.Dupont@Orange.FR "), normalise_email("jean.dupont@orange")
    ('jean.dupont@orange.fr', None)
    >>> email_status(pd.Series(["a.b@x.fr", "a.b @x.fr", "a@x", "noemail@x.fr"])).tolist()
    ['valid', 'repairable', 'invalid', 'invalid']
"""

from __future__ import annotations

import re

import pandas as pd

from rcu_kit.values.status import rule_statuses
from rcu_kit.values.text import Unsupported, as_text, choose, extract, on_unique, regex_replace, \
    scalar, text_value

__all__ = ["EMAIL_PATTERN", "WRAPPER_PATTERN", "STRAY_SPACE_PATTERN", "PLACEHOLDER_LOCAL_PARTS",
           "PLACEHOLDER_DOMAINS", "PLACEHOLDER_PATTERN", "MAX_LENGTH", "standardise_emails",
           "normalise_email", "normalise_emails", "email_status"]

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z]{{2,63}}$"
MAX_LENGTH = 254
# A mailto: link or angle brackets around the address (removed: a repair).
WRAPPER_PATTERN = r"^mailto:|^<|>$"
# Spaces typed next to '@', '.' or ',' (removed: a repair).
STRAY_SPACE_PATTERN = r"\s*([@.,])\s*"
PLACEHOLDER_LOCAL_PARTS = frozenset({
    "noemail", "no-email", "nomail", "no-mail", "pasdemail", "pas.de.mail", "aucun",
    "aucunmail", "inconnu", "none", "nc", "na", "xxx", "xx", "x", "test", "noreply", "no-reply",
})
PLACEHOLDER_DOMAINS = frozenset({
    "example.com", "example.fr", "example.org", "test.com", "test.fr", "noemail.com",
    "nomail.com", "nomail.fr", "noemail.fr", "xxx.com", "xxx.fr", "inconnu.fr", "aucun.fr",
})
PLACEHOLDER_PATTERN = (
    "^(?:" + "|".join(re.escape(p) for p in sorted(PLACEHOLDER_LOCAL_PARTS)) + ")@"
    + "|@(?:" + "|".join(re.escape(d) for d in sorted(PLACEHOLDER_DOMAINS)) + ")$")


def _standardise_unique(uniques: pd.Series) -> pd.DataFrame:
    lower = uniques.str.lower()
    text = lower.str.replace(WRAPPER_PATTERN, "", regex=True).str.strip()
    text = regex_replace(text, STRAY_SPACE_PATTERN, r"\1")
    parts = extract(text, r"^(?P<local>[^@]*)@(?P<domain>.*)$")
    # a comma typed for a dot in the domain (where commas never occur)
    text = choose(parts["domain"].str.contains(",", regex=False),
                  parts["local"].fillna("") + "@" + parts["domain"].str.replace(",", ".", regex=False),
                  text)
    valid = text.str.contains(EMAIL_PATTERN, regex=True) & (text.str.len() <= MAX_LENGTH)
    placeholder = text.str.contains(PLACEHOLDER_PATTERN, regex=True)
    keep = valid.fillna(False) & ~placeholder.fillna(False)
    return pd.DataFrame({"email": choose(keep, text, None),
                         "repaired": (text != lower).fillna(False).astype(bool)},
                        index=uniques.index)


def standardise_emails(values: pd.Series) -> pd.DataFrame:
    """The normalised address and whether it had to be repaired, for each value.

    Returns:
        A frame on ``values``' index: ``email`` (text, ``<NA>`` when invalid or missing) and
        ``repaired`` (bool).

    Examples:
        >>> out = standardise_emails(pd.Series(["A@B.fr", "mailto:a@b.fr", "a@b"]))
        >>> out["email"].tolist(), out["repaired"].tolist()
        (['a@b.fr', 'a@b.fr', <NA>], [False, True, False])
    """
    out = on_unique(as_text(values), _standardise_unique)
    out["repaired"] = out["repaired"].fillna(False).astype(bool)
    return out


def normalise_emails(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_email`.

    Examples:
        >>> normalise_emails(pd.Series(["A@B.fr", "a@@b.fr", "noemail@orange.fr", None])).tolist()
        ['a@b.fr', <NA>, <NA>, <NA>]
    """
    return standardise_emails(values)["email"]


def email_status(values: pd.Series) -> pd.Series:
    """The audit's verdict per value: ``valid``, ``repairable``, ``invalid`` or NA if missing.

    Examples:
        >>> email_status(pd.Series(["a.b@x.fr", "a b@x.fr", "a@x,fr", "a..b@x.fr", None])).tolist()
        ['valid', 'invalid', 'repairable', 'invalid', <NA>]
    """
    return rule_statuses(values, standardise_emails, "email")


_EMAIL = re.compile(EMAIL_PATTERN, re.ASCII)
_WRAPPER = re.compile(WRAPPER_PATTERN, re.ASCII)
_STRAY_SPACE = re.compile(STRAY_SPACE_PATTERN, re.ASCII)
_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN, re.ASCII)


def normalise_email(value: object) -> str | None:
    """The address lower-cased and trimmed, or None if it is not a deliverable-looking address.

    A missing or blank value (as :func:`~rcu_kit.values.text.text_value` reads it, the scalar
    form of the vectorised path's :func:`~rcu_kit.values.text.as_text`) is None at once, and
    printable ASCII text (nearly every address) takes a plain-Python path (microseconds) that
    applies the same patterns as :func:`normalise_emails`; anything else goes through it.

    Examples:
        >>> normalise_email("mailto:Marie@Gmail.com")
        'marie@gmail.com'
        >>> normalise_email("marie@gmail..com") is None, normalise_email(None) is None
        (True, True)
    """
    try:
        text = text_value(value)
    except Unsupported:
        return scalar(normalise_emails, value)
    if text is None:
        return None
    if not (text.isascii() and text.isprintable()):
        return scalar(normalise_emails, value)
    text = _STRAY_SPACE.sub(r"\g<1>", _WRAPPER.sub("", text.lower()).strip())
    local, at, domain = text.partition("@")
    if at:
        text = f"{local}@{domain.replace(',', '.')}"
    if text and _EMAIL.search(text) and len(text) <= MAX_LENGTH and not _PLACEHOLDER.search(text):
        return text
    return None
