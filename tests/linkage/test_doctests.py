"""The examples in the linkage modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["classify", "cluster", "compare", "frequent", "indexing", "pipeline", "prepare"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"rcu_kit.linkage.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"rcu_kit.linkage.{name} has no examples"
    assert result.failed == 0
