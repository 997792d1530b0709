"""A new maintenance interval: the past stays and the future follows it, before maintenance
starts the phase changes in place, and a bad or unchanged interval writes nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from schedules import services
from schedules.models import PrescriptionVersion
from tests.schedules.helpers import START, create, live_dues, log


@pytest.mark.django_db
def test_changing_the_maintenance_interval_keeps_the_past_and_replans_the_future(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 6), today=date(2025, 1, 6))
    for day in (date(2025, 1, 6), date(2025, 2, 6), date(2025, 3, 6)):
        log(rx, day, today=date(2025, 3, 10))
    past = list(rx.doses.filter(due__lte=date(2025, 3, 10)).values("due", "status", "injection"))
    services.maintenance_interval_change(
        prescription=rx, actor=alice, unit="month", every=2, every_max=3, today=date(2025, 3, 10)
    )
    assert (
        list(rx.doses.filter(due__lte=date(2025, 3, 10)).values("due", "status", "injection"))
        == past
    )
    assert live_dues(rx)[3:5] == [date(2025, 5, 6), date(2025, 7, 6)]
    assert rx.phases.count() == 2
    assert PrescriptionVersion.objects.filter(prescription=rx).count() == 1


@pytest.mark.django_db
def test_a_shorter_interval_already_passed_makes_the_next_dose_today_and_nothing_missed(alice):
    """Symptoms return at day 61 of 91: the clinician shortens 3-monthly to 2-monthly on day
    72. The handover (last injection + 2 months) is already past: the next dose is today,
    not a dose missed at once and another two months on."""
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 6), today=date(2025, 1, 6))
    services.maintenance_interval_change(
        prescription=rx, actor=alice, unit="month", every=3, today=date(2025, 1, 6)
    )
    log(rx, date(2025, 1, 6), today=date(2025, 1, 6))
    log(rx, date(2025, 4, 6), today=date(2025, 4, 6))
    day_72 = date(2025, 6, 17)
    services.maintenance_interval_change(
        prescription=rx, actor=alice, unit="month", every=2, today=day_72
    )
    assert not rx.doses.filter(status="missed").exists()
    assert [due for due in live_dues(rx) if due > date(2025, 4, 6)][:3] == [
        day_72,
        date(2025, 8, 17),
        date(2025, 10, 17),
    ]


@pytest.mark.django_db
def test_changing_maintenance_before_it_starts_changes_the_phase_in_place(alice):
    rx = create(alice, today=START)
    services.maintenance_interval_change(
        prescription=rx, actor=alice, unit="month", every=1, today=START
    )
    assert rx.phases.count() == 2
    assert date(2025, 2, 17) in live_dues(rx)


@pytest.mark.django_db
@pytest.mark.parametrize(("every", "every_max"), [(0, None), (3, 2), (2, 3)])
def test_a_bad_or_unchanged_interval_is_refused_and_nothing_written(alice, every, every_max):
    rx = create(alice, today=START)  # bnf-no-neuro maintenance is already every 2-3 months
    before = list(rx.doses.values_list("due", "status"))
    with pytest.raises(ValidationError) as error:
        services.maintenance_interval_change(
            prescription=rx,
            actor=alice,
            unit="month",
            every=every,
            every_max=every_max,
            today=START,
        )
    assert "every" in error.value.message_dict
    assert list(rx.doses.values_list("due", "status")) == before
    assert not PrescriptionVersion.objects.exists()
