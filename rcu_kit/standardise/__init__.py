"""French-aware standardisation of customer records, the first step of deduplication."""

from rcu_kit.standardise.civility import normalise_civilities, normalise_civility
from rcu_kit.standardise.dates import normalise_date, normalise_dates
from rcu_kit.standardise.emails import normalise_email, normalise_emails
from rcu_kit.standardise.phones import normalise_phone, normalise_phones, phone_type, standardise_phones
from rcu_kit.standardise.postcodes import normalise_postcode, normalise_postcodes

__all__ = [
    "normalise_civilities", "normalise_civility", "normalise_date", "normalise_dates",
    "normalise_email", "normalise_emails", "normalise_phone", "normalise_phones", "phone_type",
    "standardise_phones", "normalise_postcode", "normalise_postcodes",
]
