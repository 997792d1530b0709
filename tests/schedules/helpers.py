"""Building blocks for the schedules tests: the fixture start date, and prescriptions and
injections through the real services."""

from datetime import date

from schedules import services

START = date(2025, 1, 6)


def create(patient, *, regimen="bnf-no-neuro", start=START, today=START, **overrides):
    values = dict(
        patient=patient,
        actor=patient,
        product="hydroxocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=1000,
        route="IM",
        start_date=start,
        regimen_slug=regimen,
        today=today,
    )
    return services.prescription_create(**(values | overrides))


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
