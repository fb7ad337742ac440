"""The foundations every step uses: the engagement file (config), settings converters, where
outputs go (paths), stage timing, Excel writing, the text layer (i18n: labels and number
formatting in French or English) and the findings each step hands to the roadmap.
"""

from rcu_kit.core.config import ConfigError, Engagement, load_engagement, save_engagement
from rcu_kit.core.i18n import t, fmt_number, fmt_percent

__all__ = ["ConfigError", "Engagement", "load_engagement", "save_engagement", "t", "fmt_number",
           "fmt_percent"]
