"""Building blocks for the schedules tests: the fixture start date, and prescriptions and
injections through the real services."""

from datetime import date

from schedules import services
from tests.helpers import standard_prescription

START = date(2025, 1, 6)


def create(patient, *, regimen="bnf-no-neuro", start=START, today=START, **overrides):
    return standard_prescription(patient, regimen=regimen, start=start, today=today, **overrides)


def live_dues(prescription):
    return list(
        prescription.doses.exclude(status="cancelled").order_by("due").values_list("due", flat=True)
    )


def log(rx, day: date, site: str = "deltoid_left", today: date | None = None, **extra):
    """An injection logged on `day`, on that day unless `today` says otherwise (the clock is
    not moved)."""
    return services.injection_log(
        prescription=rx, actor=rx.patient, given_on=day, site=site, today=today or day, **extra
    )
