"""E-mail addresses: lower case, trimmed, syntax-checked; invalid or placeholder ones become NA.

The check is the practical subset of RFC 5322 that mail providers accept: a dot-atom local part
(letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots not leading, trailing or doubled), one ``@``, a
domain of dot-separated labels (letters, digits, inner hyphens) ending in an alphabetic TLD of two
letters or more. Quoted local parts and IP-literal domains are rejected: no customer base uses
them and they are mostly typing accidents. A few placeholders typed by agents to get past a
mandatory field (``noemail@...``, ``...@example.com``) are also set to NA: kept, they would link
unrelated customers.

Examples:
    >>> normalise_email("  Jean.Dupont@Orange.FR "), normalise_email("jean.dupont@orange")
    ('jean.dupont@orange.fr', None)
"""

from __future__ import annotations

import re

import pandas as pd

from rcu_kit.values.text import as_text, choose, on_unique, scalar

__all__ = ["EMAIL_PATTERN", "PLACEHOLDER_LOCAL_PARTS", "PLACEHOLDER_DOMAINS", "normalise_email",
           "normalise_emails"]

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z]{{2,63}}$"

PLACEHOLDER_LOCAL_PARTS = frozenset({
    "noemail", "no-email", "nomail", "no-mail", "pasdemail", "pas.de.mail", "aucun",
    "aucunmail", "inconnu", "none", "nc", "na", "xxx", "xx", "x", "test", "noreply", "no-reply",
})
PLACEHOLDER_DOMAINS = frozenset({
    "example.com", "example.fr", "example.org", "test.com", "test.fr", "noemail.com",
    "nomail.com", "nomail.fr", "noemail.fr", "xxx.com", "xxx.fr", "inconnu.fr", "aucun.fr",
})

_PLACEHOLDER_PATTERN = (
    "^(?:" + "|".join(re.escape(p) for p in sorted(PLACEHOLDER_LOCAL_PARTS)) + ")@"
    + "|@(?:" + "|".join(re.escape(d) for d in sorted(PLACEHOLDER_DOMAINS)) + ")$")


def normalise_emails(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_email`.

    Examples:
        >>> normalise_emails(pd.Series(["A@B.fr", "a@@b.fr", "noemail@orange.fr", None])).tolist()
        ['a@b.fr', <NA>, <NA>, <NA>]
    """
    def clean(uniques: pd.Series) -> pd.Series:
        text = uniques.str.lower()
        text = text.str.replace(r"^mailto:|^<|>$", "", regex=True).str.strip()
        valid = text.str.contains(EMAIL_PATTERN, regex=True) & (text.str.len() <= 254)
        placeholder = text.str.contains(_PLACEHOLDER_PATTERN, regex=True)
        return choose(valid.fillna(False) & ~placeholder.fillna(False), text, None)

    return on_unique(as_text(values), clean)


def normalise_email(value: object) -> str | None:
    """The address lower-cased and trimmed, or None if it is not a deliverable-looking address.

    Examples:
        >>> normalise_email("mailto:Marie@Gmail.com")
        'marie@gmail.com'
        >>> normalise_email("marie@gmail..com") is None
        True
    """
    return scalar(normalise_emails, value)
