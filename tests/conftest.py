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
    from rcu_kit.sources.demo import generate_demo

    out = tmp_path_factory.mktemp("demo")
    return generate_demo(out, n_records=SMALL_DEMO_RECORDS, seed=7).engagement_path


# column-name hints of the demo's e-mail and phone columns (email, EMAIL, MAIL, courriel, telephone,
# TEL, TELEPHONE, phone, tel_portable...)
CONTACT_COLUMN_HINTS = ("mail", "courriel", "tel", "phone", "mobile")


@pytest.fixture(scope="session")
def demo_raw_contacts(demo_engagement) -> set[str]:
    """Every raw e-mail and phone value (8 characters or more) of the small demo's sources, as the
    files hold them: what no client-facing output may show under the default policy."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.sources.loaders import load_all

    raw: set[str] = set()
    for ls in load_all(load_engagement(demo_engagement)).values():
        for col in ls.frame.columns:
            if any(hint in col.lower() for hint in CONTACT_COLUMN_HINTS):
                raw |= {v for v in ls.frame[col].dropna() if len(v) >= 8}
    return raw
