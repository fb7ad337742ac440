"""Step 2 of the method, the audit of collection points: inventory, quality KPIs over every row,
exact-key duplicates, personal data and a ydata-profiling report per source
(:func:`run_audit`); its charts are :mod:`rcu_kit.audit.charts`.
"""

from rcu_kit.audit.run import (
    AuditResult, run_audit, save_audit, load_audit, export_audit, localise_table
)

__all__ = ["AuditResult", "run_audit", "save_audit", "load_audit", "export_audit", "localise_table"]
