"""Record linkage and deduplication: standardised records in, a customer crosswalk out.

The pipeline (:func:`deduplicate`) runs five steps, one module each:

1. :mod:`~rcu_kit.linkage.prepare`: check the input contract, encode text as categories, derive keys.
2. :mod:`~rcu_kit.linkage.indexing`: candidate pairs by multi-pass blocking (recordlinkage index
   algorithms), with oversized blocks skipped and reported.
3. :mod:`~rcu_kit.linkage.compare`: graded agreement levels per attribute (recordlinkage compare
   features on rapidfuzz).
4. :mod:`~rcu_kit.linkage.classify`: Fellegi-Sunter with EM, term-frequency adjustment and
   household / homonym rules; or a supervised scikit-learn model.
5. :mod:`~rcu_kit.linkage.cluster`: connected components with a guard against chained links.

Examples:
    >>> from rcu_kit.linkage import deduplicate, DedupSettings
    >>> result = deduplicate(records, DedupSettings(threshold=0.95))  # doctest: +SKIP
    >>> result.crosswalk.head()  # doctest: +SKIP
"""

from rcu_kit.linkage.classify import FellegiSunterEM, SupervisedClassifier
from rcu_kit.linkage.indexing import ExactBlockIndex, MultiPassIndex, SortedNeighbourhoodIndex
from rcu_kit.linkage.pipeline import DedupResult, DedupSettings, deduplicate, default_passes
from rcu_kit.linkage.prepare import prepare_records

__all__ = [
    "deduplicate",
    "DedupSettings",
    "DedupResult",
    "default_passes",
    "prepare_records",
    "ExactBlockIndex",
    "SortedNeighbourhoodIndex",
    "MultiPassIndex",
    "FellegiSunterEM",
    "SupervisedClassifier",
]
