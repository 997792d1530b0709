"""Lab results: tests and units, conversion to one unit per test, interpretive bands, timing
warnings, and the services and selectors the pages and monitoring rules use.

The stable API for other code: `latest_results(patient)`, `band(result)` (a `Band`, which is a
plain string such as "deficient"), and `LabResult.canonical_value` in `canonical_unit(test)`.
"""

from .bands import Band, band, band_for, band_words
from .catalogue import canonical_unit, to_canonical
from .selectors import latest_results, results_of

__all__ = [
    "Band",
    "band",
    "band_for",
    "band_words",
    "canonical_unit",
    "latest_results",
    "results_of",
    "to_canonical",
]
