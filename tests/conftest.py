"""Shared fixtures: a small demo engagement generated once per test session (per xdist worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"  # tests import it with an explicit path, not from conftest

SMALL_DEMO_RECORDS = 1500


@pytest.fixture(scope="session")
def demo_engagement(tmp_path_factory) -> Path:
    """Path of a small demo engagement YAML (1,500 records, seed 7), shared by the session."""
    from rcu_kit.demo import generate_demo

    out = tmp_path_factory.mktemp("demo")
    return generate_demo(out, n_records=SMALL_DEMO_RECORDS, seed=7).engagement_path
