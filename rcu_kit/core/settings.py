"""Settings objects built from a dict: one converter for every settings dataclass.

Settings are declared as dataclasses (e.g. the golden records' ``SurvivorshipSettings``); a plain
mapping, such as a section of the engagement YAML, is accepted too and turned into the object by
:func:`coerce_settings`. A key the dataclass does not have is an error that names the allowed
keys, so a misspelt setting is never ignored silently.

Examples:
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Demo:
    ...     threshold: float = 0.9
    ...     passes: int = 2
    >>> coerce_settings(Demo, None, "demo")
    Demo(threshold=0.9, passes=2)
    >>> coerce_settings(Demo, {"threshold": 0.8}, "demo")
    Demo(threshold=0.8, passes=2)
    >>> coerce_settings(Demo, {"treshold": 0.8}, "demo")
    Traceback (most recent call last):
    ...
    ValueError: demo: unknown key(s) treshold; allowed: passes, threshold
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

__all__ = ["coerce_settings", "check_known_keys"]

S = TypeVar("S")


def check_known_keys(mapping: Mapping[str, Any], allowed: Collection[str], what: str) -> None:
    """Raise if ``mapping`` has a key outside ``allowed``.

    Args:
        mapping: the settings as given.
        allowed: the keys that mean something.
        what: where the mapping comes from, first in the message (``survivorship``).

    Raises:
        ValueError: ``<what>: unknown key(s) a, b; allowed: x, y, z`` (both lists sorted).
    """
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise ValueError(f"{what}: unknown key(s) {', '.join(unknown)}; allowed: "
                         f"{', '.join(sorted(allowed))}")


def coerce_settings(cls: type[S], settings: S | Mapping[str, Any] | None, what: str) -> S:
    """A ``cls`` settings object from an object, a mapping or None.

    Args:
        cls: a dataclass whose fields all have defaults.
        settings: None (the defaults), an instance of ``cls`` (returned as it is) or a mapping of
            some of its fields (passed to ``cls``, which checks the values).
        what: names the settings in error messages (``dedup settings``, ``survivorship``).

    Raises:
        TypeError: ``settings`` is none of the three.
        ValueError: a key that is not a field of ``cls`` (the message names the allowed keys),
            or whatever ``cls`` raises about a value.
    """
    if not is_dataclass(cls):
        raise TypeError(f"coerce_settings needs a dataclass, got {cls!r}")
    if settings is None:
        return cls()
    if isinstance(settings, cls):
        return settings
    if not isinstance(settings, Mapping):
        raise TypeError(f"{what} must be {cls.__name__} or a dict, got {type(settings).__name__}")
    check_known_keys(settings, {f.name for f in fields(cls)}, what)
    return cls(**dict(settings))
