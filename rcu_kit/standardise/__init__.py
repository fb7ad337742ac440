"""French-aware standardisation of customer records, the first step of deduplication.

Each attribute has a small scalar function (for one value, e.g. a preventive check before a
record is created) and a vectorised version for a whole column, computed once per distinct value.
:func:`standardise_records` applies them all to mapped records.

Examples:
    >>> from rcu_kit.standardise import normalise_phone, normalise_postcode, split_full_name
    >>> normalise_phone("06 12 34 56 78"), normalise_postcode(1000)
    ('+33612345678', '01000')
    >>> split_full_name("Jean DUPONT")
    ('DUPONT', 'JEAN')
"""

from rcu_kit.standardise.addresses import normalise_cities, normalise_city, parse_street, \
    parse_streets, split_postcode_city
from rcu_kit.values.civility import normalise_civilities, normalise_civility
from rcu_kit.standardise.countries import normalise_countries, normalise_country
from rcu_kit.values.dates import normalise_date, normalise_dates
from rcu_kit.values.emails import normalise_email, normalise_emails
from rcu_kit.standardise.names import detect_swapped_names, normalise_first_name, \
    normalise_first_names, normalise_name, normalise_names, parse_name, parse_names, \
    split_full_name, split_full_names
from rcu_kit.values.phones import normalise_phone, normalise_phones, phone_type, \
    phone_types, standardise_phones
from rcu_kit.standardise.phonetic import phonetic_key, phonetic_keys
from rcu_kit.values.postcodes import normalise_postcode, normalise_postcodes
from rcu_kit.standardise.records import OUTPUT_COLUMNS, standardise_records
from rcu_kit.standardise.single import standardise_record

__all__ = [
    "standardise_record",
    "standardise_records", "OUTPUT_COLUMNS",
    "normalise_civility", "normalise_civilities",
    "normalise_name", "normalise_names", "parse_name", "parse_names",
    "normalise_first_name", "normalise_first_names", "split_full_name", "split_full_names",
    "detect_swapped_names", "phonetic_key", "phonetic_keys",
    "normalise_date", "normalise_dates", "normalise_email", "normalise_emails",
    "normalise_phone", "normalise_phones", "phone_type", "phone_types", "standardise_phones",
    "normalise_postcode", "normalise_postcodes",
    "parse_street", "parse_streets", "normalise_city", "normalise_cities", "split_postcode_city",
    "normalise_country", "normalise_countries",
]
