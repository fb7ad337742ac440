"""coerce_settings / check_known_keys: settings dataclasses from None, an object or a mapping."""

from __future__ import annotations

import doctest
from dataclasses import dataclass, field
from types import MappingProxyType

import pytest

from rcu_kit.core import settings as settings_module
from rcu_kit.core.settings import check_known_keys, coerce_settings


@dataclass
class Toy:
    threshold: float = 0.9
    sources: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 0 < self.threshold < 1:
            raise ValueError(f"toy: threshold must be between 0 and 1, got {self.threshold}")


def test_none_gives_the_defaults():
    assert coerce_settings(Toy, None, "toy") == Toy(threshold=0.9, sources=[])


def test_an_instance_is_returned_as_it_is():
    given = Toy(threshold=0.5)
    assert coerce_settings(Toy, given, "toy") is given


def test_a_mapping_sets_the_fields_it_names():
    assert coerce_settings(Toy, {"sources": ["crm"]}, "toy") == Toy(threshold=0.9, sources=["crm"])
    # any Mapping, not only dict
    proxy = MappingProxyType({"threshold": 0.75})
    assert coerce_settings(Toy, proxy, "toy") == Toy(threshold=0.75, sources=[])


def test_unknown_keys_are_named_with_the_allowed_ones():
    with pytest.raises(ValueError) as err:
        coerce_settings(Toy, {"treshold": 0.8, "source": ["crm"], "sources": []}, "toy settings")
    assert str(err.value) == ("toy settings: unknown key(s) source, treshold; "
                              "allowed: sources, threshold")


def test_the_class_checks_the_values():
    with pytest.raises(ValueError, match="^toy: threshold must be between 0 and 1, got 1.5$"):
        coerce_settings(Toy, {"threshold": 1.5}, "toy")


def test_anything_else_is_a_type_error():
    with pytest.raises(TypeError) as err:
        coerce_settings(Toy, [("threshold", 0.8)], "toy settings")
    assert str(err.value) == "toy settings must be Toy or a dict, got list"
    with pytest.raises(TypeError, match="coerce_settings needs a dataclass"):
        coerce_settings(dict, {}, "plain dict")


def test_check_known_keys():
    check_known_keys({"rule": "x"}, {"rule", "sources"}, "where")  # nothing to say
    with pytest.raises(ValueError) as err:
        check_known_keys({"rules": "x", "rule": "y"}, ("sources", "rule"),
                         "survivorship.attributes.email")
    assert str(err.value) == ("survivorship.attributes.email: unknown key(s) rules; "
                              "allowed: rule, sources")


def test_module_examples():
    result = doctest.testmod(settings_module)
    # the import, the class and its three conversions
    assert result.attempted == 5 and result.failed == 0
