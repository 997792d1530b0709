"""The fixed choices of prescriptions, phases and injections, as Django TextChoices.

Owns products, routes, causes, who gives it, phase kinds, cadence units, bounds and sites.
"""

from __future__ import annotations

from django.db import models


class Product(models.TextChoices):
    HYDROXOCOBALAMIN = "hydroxocobalamin", "Hydroxocobalamin"
    CYANOCOBALAMIN = "cyanocobalamin", "Cyanocobalamin"
    METHYLCOBALAMIN = "methylcobalamin", "Methylcobalamin"
    OTHER = "other", "Other"


class Route(models.TextChoices):
    IM = "IM", "Intramuscular (into a muscle)"
    SC = "SC", "Deep subcutaneous (under the skin)"


class Cause(models.TextChoices):
    PERNICIOUS_ANAEMIA = "pernicious_anaemia", "Pernicious anaemia / autoimmune gastritis"
    SURGERY = "surgery", "Gastric or ileal surgery"
    MALABSORPTION = "malabsorption", "Other malabsorption (e.g. Crohn's, coeliac)"
    MEDICATION = "medication", "Medication (metformin, acid reducers)"
    NITROUS_OXIDE = "nitrous_oxide", "Nitrous oxide"
    DIET = "diet", "Low intake (diet)"
    UNKNOWN = "unknown", "Not known yet"


class GivenBy(models.TextChoices):
    SELF = "self", "Myself"
    CARER = "carer", "A carer or family member"
    NURSE = "nurse", "A nurse at the clinic"


class PhaseKind(models.TextChoices):
    REPLETION = "repletion", "Repletion (loading)"
    CONSOLIDATION = "consolidation", "Consolidation"
    MAINTENANCE = "maintenance", "Maintenance"


class CadenceUnit(models.TextChoices):
    DAY = "day", "days"
    WEEK = "week", "weeks"
    MONTH = "month", "months"
    WEEKDAY = "weekday", "set weekdays"


class Bound(models.TextChoices):
    COUNT = "count", "A number of doses"
    DURATION = "duration", "A number of days"
    OPEN = "open", "Until a clinician ends it"
    ONGOING = "ongoing", "Ongoing"


class Site(models.TextChoices):
    DELTOID_LEFT = "deltoid_left", "Left upper arm (deltoid)"
    DELTOID_RIGHT = "deltoid_right", "Right upper arm (deltoid)"
    THIGH_LEFT = "thigh_left", "Left thigh (outer)"
    THIGH_RIGHT = "thigh_right", "Right thigh (outer)"
    VENTROGLUTEAL_LEFT = "ventrogluteal_left", "Left hip (ventrogluteal)"
    VENTROGLUTEAL_RIGHT = "ventrogluteal_right", "Right hip (ventrogluteal)"
    GLUTEAL_LEFT = "gluteal_left", "Left buttock (gluteal)"
    GLUTEAL_RIGHT = "gluteal_right", "Right buttock (gluteal)"
    ABDOMEN_LEFT = "abdomen_left", "Left side of the belly"
    ABDOMEN_RIGHT = "abdomen_right", "Right side of the belly"
    UPPER_ARM_LEFT = "upper_arm_left", "Back of the left upper arm"
    UPPER_ARM_RIGHT = "upper_arm_right", "Back of the right upper arm"


IM_SITES = [
    s for s in Site if s.value.split("_")[0] in ("deltoid", "thigh", "ventrogluteal", "gluteal")
]
SC_SITES = [s for s in Site if s.value.split("_")[0] in ("abdomen", "thigh", "upper")]
