"""French-aware standardisation of customer records, the first step of deduplication.

Each attribute has a small scalar function (for one value, e.g. a preventive check before a
record is created) and a vectorised version for a whole column, computed once per distinct value.
:func:`standardise_records` applies them all to mapped records; :func:`standardise_record` is the
one-record path of the preventive match, with the same answers. The rules of e-mails, phones,
postcodes, civilities and dates live in :mod:`rcu_kit.values` (the audit uses them too); names,
addresses and countries are here.

Examples:
    >>> from rcu_kit.standardise import normalise_name, split_full_name
    >>> normalise_name("Dupont-Durand")
    'DUPONT DURAND'
    >>> split_full_name("Jean DUPONT")
    ('DUPONT', 'JEAN')
"""

from rcu_kit.standardise.addresses import normalise_city, parse_street, split_postcode_city
from rcu_kit.standardise.countries import normalise_country
from rcu_kit.standardise.names import detect_swapped_names, normalise_first_name, normalise_name, \
    parse_name, split_full_name
from rcu_kit.standardise.phonetic import phonetic_key
from rcu_kit.standardise.records import OUTPUT_COLUMNS, standardise_records
from rcu_kit.standardise.single import standardise_record

__all__ = [
    "standardise_records", "standardise_record", "OUTPUT_COLUMNS",
    "normalise_name", "normalise_first_name", "parse_name", "split_full_name",
    "detect_swapped_names", "phonetic_key",
    "parse_street", "normalise_city", "split_postcode_city", "normalise_country",
]
