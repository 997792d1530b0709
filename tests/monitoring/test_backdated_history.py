"""A prescription entered with a start date in the past: doses that closed before it was
entered count as missed in the plan but raise no clinician flag."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from monitoring.models import Flag
from schedules import services

pytestmark = pytest.mark.django_db


def test_doses_closed_before_entry_raise_no_flag_but_later_ones_do(alice):
    with time_machine.travel(datetime(2025, 2, 3, 12, tzinfo=UTC), tick=False):
        rx = services.prescription_create(
            patient=alice,
            actor=alice,
            product="hydroxocobalamin",
            strength_mcg_per_ml=1000,
            dose_mcg=1000,
            route="IM",
            start_date=date(2025, 1, 6),
            regimen_slug="cdc-weekly",
        )
    missed_before = rx.doses.filter(status="missed", latest__lt=date(2025, 2, 3)).count()
    assert missed_before >= 3
    assert not Flag.objects.filter(prescription=rx).exists()

    with time_machine.travel(datetime(2025, 2, 25, 12, tzinfo=UTC), tick=False):
        services.prescription_replan(prescription=rx)
    flagged = set(Flag.objects.filter(prescription=rx).values_list("dose__due", flat=True))
    assert flagged and min(flagged) >= date(2025, 2, 3)
