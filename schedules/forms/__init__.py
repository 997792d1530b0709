"""Forms for the patient pages: a prescription, an injection, a correction and a void.

They parse and check what a person typed; services decide and write. Re-exported from here.
"""

from __future__ import annotations

from .fields import DATE_FORMAT, DateInput, TimeInput
from .injections import CorrectionForm, InjectionForm, VoidForm
from .prescriptions import (
    CUSTOM,
    MAX_COUNT,
    MedicineForm,
    PhaseFields,
    PrescriptionEditForm,
    PrescriptionForm,
    RegimenForm,
    StopForm,
)

__all__ = [
    "CUSTOM",
    "DATE_FORMAT",
    "MAX_COUNT",
    "CorrectionForm",
    "DateInput",
    "InjectionForm",
    "MedicineForm",
    "PhaseFields",
    "PrescriptionEditForm",
    "PrescriptionForm",
    "RegimenForm",
    "StopForm",
    "TimeInput",
    "VoidForm",
]
