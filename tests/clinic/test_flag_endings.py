"""Flags end when the clinician did what they asked: confirming the prescription ends the
reviews and a regimen check, a new interval ends repeated misses and the 3-month review,
ending loading ends its review; each notes what was done, by whom and when. A refused action
ends nothing; flags it does not answer stay open."""

import pytest

from accounts.models import AuditEvent
from monitoring.models import Flag
from schedules.models import Prescription

from .helpers import snapshot, url

pytestmark = pytest.mark.django_db


def raise_flag(rx: Prescription, kind: str) -> Flag:
    return Flag.objects.create(
        patient=rx.patient, prescription=rx, kind=kind, key=f"rx:{rx.pk}:{kind}"
    )


def test_confirming_ends_the_reviews_and_the_regimen_check(client_for, alice, bob, neuro):
    loading = raise_flag(neuro, "loading_review")
    mismatch = raise_flag(neuro, "regimen_mismatch")
    repeated = raise_flag(neuro, "repeated_misses")

    client_for(bob).post(url("prescription_confirm", alice))

    for flag in (loading, mismatch):
        flag.refresh_from_db()
        assert flag.status == "resolved" and flag.acted_by == bob
        assert flag.note == "Ended: prescription confirmed by Dr Bob Smith on 20 Jul."
    repeated.refresh_from_db()
    assert repeated.status == "open"  # confirming does not answer a run of misses
    assert AuditEvent.objects.filter(action="flag.ended", actor=bob).count() == 2


def test_a_new_interval_ends_repeated_misses_and_the_three_month_review(
    client_for, alice, bob, history
):
    repeated = raise_flag(history, "repeated_misses")
    review = raise_flag(history, "three_month_review")
    Flag.objects.filter(pk=review.pk).update(status="acknowledged")
    loading = raise_flag(history, "loading_review")

    response = client_for(bob).post(url("interval_change", alice), {"every": "2", "unit": "month"})

    assert response.status_code == 302
    for flag in (repeated, review):
        flag.refresh_from_db()
        assert flag.status == "resolved"
        assert flag.note == "Ended: interval changed to every 2 months by Dr Bob Smith on 20 Jul."
    loading.refresh_from_db()
    assert loading.status == "open"  # a new interval does not review open-ended loading


def test_ending_loading_ends_its_review(client_for, alice, bob, neuro):
    loading = raise_flag(neuro, "loading_review")
    phase = neuro.phases.get(order=0)

    client_for(bob).post(url("phase_close", alice, phase.pk), {"closed_on": "2025-07-18"})

    loading.refresh_from_db()
    assert loading.status == "resolved"
    assert loading.note == "Ended: loading ended on 18 Jul by Dr Bob Smith on 20 Jul."


def test_a_refused_interval_change_ends_nothing(client_for, alice, bob, history):
    raise_flag(history, "repeated_misses")
    before = snapshot()

    response = client_for(bob).post(url("interval_change", alice), {"every": "1", "unit": "month"})

    assert response.status_code == 400
    assert snapshot() == before
    assert Flag.objects.get(kind="repeated_misses").status == "open"
