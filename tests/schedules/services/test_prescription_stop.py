"""Stopping a prescription: the doses to come are cancelled, the history stays, it needs a
reason and happens once, and its injections can no longer change."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from schedules import services
from schedules.models import Injection, Prescription
from tests.schedules.helpers import START, create, log


@pytest.mark.django_db
def test_stopping_cancels_the_doses_to_come_and_keeps_the_history(alice):
    rx = create(alice)
    shot = log(rx, START)
    today = date(2025, 1, 9)  # Wed 8th still open until Thu 9th; Mon 6th taken
    settled = list(rx.doses.filter(due__lt=today).values_list("due", "status", "injection_id"))

    services.prescription_stop(prescription=rx, actor=alice, reason="Wrong schedule", today=today)

    rx.refresh_from_db()
    assert rx.status == Prescription.Status.STOPPED
    assert rx.doses.get(due=START).injection_id == shot.pk
    assert not rx.doses.filter(latest__gte=today).exclude(status="cancelled").exists()
    assert rx.doses.filter(due__lt=today).count() == len(settled)
    assert Injection.objects.get().status == "recorded"
    event = AuditEvent.objects.get(action="prescription.stopped")
    assert event.detail["reason"] == "Wrong schedule"
    # A new prescription may now be set up, and the stopped one is never re-planned.
    create(alice, start=today, today=today)
    assert not services.prescription_replan(prescription=rx, today=today).changed
    assert not rx.doses.filter(latest__gte=today).exclude(status="cancelled").exists()


@pytest.mark.django_db
def test_stopping_needs_a_reason_and_happens_once(alice):
    rx = create(alice)
    with pytest.raises(ValidationError) as error:
        services.prescription_stop(prescription=rx, actor=alice, reason=" ", today=START)
    assert "reason" in error.value.message_dict
    rx.refresh_from_db()
    assert rx.status == "active"

    services.prescription_stop(prescription=rx, actor=alice, reason="Wrong", today=START)
    with pytest.raises(ValidationError):
        services.prescription_stop(prescription=rx, actor=alice, reason="Wrong", today=START)
    assert AuditEvent.objects.filter(action="prescription.stopped").count() == 1


@pytest.mark.django_db
def test_injections_of_a_stopped_prescription_cannot_be_changed(alice):
    rx = create(alice)
    shot = log(rx, START)
    services.prescription_stop(prescription=rx, actor=alice, reason="Wrong", today=START)

    with pytest.raises(ValidationError):
        services.injection_void(injection=shot, actor=alice, reason="x", today=START)
    with pytest.raises(ValidationError):
        log(rx, START, confirm=True)
    shot.refresh_from_db()
    assert shot.status == "recorded"
