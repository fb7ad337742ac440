"""rcu_kit: a workbench for scoping single-customer-view (RCU) projects.

The public surface is small; the machinery lives in one module per responsibility.
"""

from rcu_kit.core.config import ConfigError, Engagement, load_engagement, save_engagement

__all__ = ["ConfigError", "Engagement", "load_engagement", "save_engagement", "__version__"]
__version__ = "0.1.0"
