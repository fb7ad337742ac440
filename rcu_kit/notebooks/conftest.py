"""nbval run of the method's notebooks on a small demo engagement (CI).

    .venv/bin/python -m pytest --nbval-lax notebooks/

The notebooks' ``engagement_path`` parameter is empty by default, so they read the engagement
named by ``$RCU_ENGAGEMENT``. Unless it is already set, a small demo engagement (1,500 records,
seed 7, as in tests/conftest.py) is generated in a temporary folder before any kernel starts, and
the variable points at it; the kernels inherit it.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from rcu_kit.jupyter.notebook import ENV_VAR

SMALL_DEMO_RECORDS = 1500
_created: list[str] = []


def pytest_configure(config):
    if os.environ.get(ENV_VAR):
        return
    from rcu_kit.sources.demo import generate_demo

    folder = tempfile.mkdtemp(prefix="rcu_nbval_demo_")
    _created.append(folder)
    demo = generate_demo(folder, n_records=SMALL_DEMO_RECORDS, seed=7)
    os.environ[ENV_VAR] = str(demo.engagement_path)


def pytest_unconfigure(config):
    for folder in _created:
        if os.environ.get(ENV_VAR, "").startswith(folder):
            del os.environ[ENV_VAR]
        shutil.rmtree(folder, ignore_errors=True)
