"""Changing a prescription's details: the history stays as it was, a start moved back counts
the doses now past, and a new dose leaves a finished phase alone."""

from datetime import date

import pytest

from schedules import services
from schedules.models import Injection, PrescriptionVersion
from tests.schedules.helpers import START, create, log


@pytest.mark.django_db
def test_history_rows_never_change_when_the_prescription_changes(alice):
    rx = create(alice)
    for day in (6, 8, 10):
        log(rx, date(2025, 1, day), today=date(2025, 1, 12))
    services.prescription_replan(prescription=rx, today=date(2025, 1, 12))
    injections = list(Injection.objects.filter(prescription=rx).order_by("pk").values())
    settled = list(
        rx.doses.filter(due__lt=date(2025, 1, 12))
        .order_by("due")
        .values("due", "dose_mcg", "status", "injection_id", "earliest", "latest")
    )
    summary = services.prescription_update(
        prescription=rx,
        actor=alice,
        changes={"dose_mcg": 1500, "brand": "Cobalin-H"},
        today=date(2025, 1, 12),
    )
    assert set(summary.fields) == {"dose_mcg", "brand"}
    assert list(Injection.objects.filter(prescription=rx).order_by("pk").values()) == injections
    assert (
        list(
            rx.doses.filter(due__lt=date(2025, 1, 12))
            .order_by("due")
            .values("due", "dose_mcg", "status", "injection_id", "earliest", "latest")
        )
        == settled
    )
    assert rx.doses.get(due=date(2025, 1, 13)).dose_mcg == 1500
    version = PrescriptionVersion.objects.get(prescription=rx)
    assert version.snapshot["dose_mcg"] == 1000 and version.number == 1
    rx.refresh_from_db()
    assert rx.version == 2


@pytest.mark.django_db
def test_moving_the_start_back_counts_the_doses_now_past_and_not_logged(alice):
    rx = create(alice, start=date(2025, 1, 13), today=date(2025, 1, 13))

    summary = services.prescription_update(
        prescription=rx, actor=alice, changes={"start_date": START}, today=date(2025, 1, 13)
    )

    assert summary.past_unlogged == 3  # Mon 6, Wed 8 and Fri 10
    later = services.prescription_update(
        prescription=rx, actor=alice, changes={"brand": "Cobalin-H"}, today=date(2025, 1, 13)
    )
    assert later.past_unlogged == 0  # only reported when the start date moves


@pytest.mark.django_db
def test_a_new_dose_leaves_a_finished_phase_as_it_was(alice):
    rx = create(alice)
    for day in (6, 8, 10, 13, 15, 17):
        log(rx, date(2025, 1, day), today=date(2025, 2, 1))
    services.prescription_update(
        prescription=rx, actor=alice, changes={"dose_mcg": 1500}, today=date(2025, 2, 1)
    )
    loading, maintenance = rx.phases.order_by("order")
    assert (loading.dose_mcg, maintenance.dose_mcg) == (1000, 1500)
