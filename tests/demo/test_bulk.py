"""Demo histories in bulk (demo.bulk): what the services would store (re-planning them
changes nothing), varied from patient to patient, and written once."""

from collections import Counter

import pytest

from accounts.models import User
from core.clock import local_today
from demo.bulk import give_demo_histories, linked_demo_patients, story_for
from monitoring.models import Flag
from schedules import services
from schedules.models import Dose, Injection, Prescription

pytestmark = pytest.mark.django_db


def test_bulk_histories_are_what_the_services_would_store(bob):
    linked_demo_patients(bob, 40)

    for rx in Prescription.objects.select_related("patient__patient_profile"):
        result = services.prescription_replan(prescription=rx)
        assert not result.changed, (rx.regimen_slug, result)
        assert not result.newly_missed


def test_every_injection_is_a_dose_and_every_missed_dose_is_flagged(bob):
    linked_demo_patients(bob, 40)

    assert not Injection.objects.filter(dose__isnull=True).exists()  # no extra, no ghost
    missed = Dose.objects.filter(status="missed")
    assert missed.count() == Flag.objects.filter(kind__startswith="missed_").count() > 0


def test_histories_vary(bob):
    linked_demo_patients(bob, 80)

    habits = Counter(
        story_for(u, n).habit.name
        for n, u in enumerate(
            User.objects.filter(role="patient").exclude(email="alice@example.com"), 1
        )
    )
    assert set(habits) == {"steady", "patchy", "struggling", "stopped"}
    assert len(set(Prescription.objects.values_list("regimen_slug", flat=True))) == 8
    open_kinds = set(Flag.objects.filter(status="open").values_list("kind", flat=True))
    assert {"missed_loading", "missed_maintenance", "repeated_misses"} <= open_kinds
    assert Dose.objects.filter(status="due").exists()  # someone is overdue or due today


def test_running_again_writes_nothing(bob):
    users = linked_demo_patients(bob, 10)
    before = (Prescription.objects.count(), Dose.objects.count(), Flag.objects.count())

    assert give_demo_histories([(u, n) for n, u in enumerate(users, 1)]) == 0

    assert (Prescription.objects.count(), Dose.objects.count(), Flag.objects.count()) == before


def test_two_years_of_history_on_request(make_patient):
    patient = make_patient("long@example.com", "Long History")

    give_demo_histories([(patient, 3)], history_days=730)

    rx = Prescription.objects.get(patient=patient)
    assert (local_today(patient) - rx.start_date).days == 730
    assert rx.doses.filter(status__in=["taken", "missed"]).count() >= 23  # monthly, 2 years
