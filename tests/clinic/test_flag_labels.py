"""Every kind of flag has a short name for the patient list, never its internal code."""

from clinic.selectors.rows import SHORT_KIND_LABELS
from monitoring.models import Flag


def test_every_flag_kind_has_a_short_label_for_the_patient_list():
    assert set(SHORT_KIND_LABELS) == set(Flag.Kind.values)
    assert all("_" not in label for label in SHORT_KIND_LABELS.values())
