"""The demo's evidence: a year of check-ins and a few results for the patients seeded through
the services, and patient 2 on 3-monthly maintenance with symptoms back around day 60, whose
flag (with the cycles) the demo clinician sees at once; seeding again adds nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import User
from core.clock import local_today
from monitoring.models import CheckIn, Flag, LabResult
from tests.helpers import run_command

pytestmark = pytest.mark.django_db


def seed(*args: str) -> list[list[str]]:
    return run_command("seed_demo", *args)


def test_patient_2_symptoms_come_back_around_day_60_of_a_3_monthly_interval():
    seed("--patients", "2")
    patient = User.objects.get(email="patient2@demo.b12tracker.test")

    [flag] = Flag.objects.filter(patient=patient, kind="symptoms_return_early")
    assert flag.status == "open"
    assert flag.summary.startswith("Symptoms return around day 61 of ")
    assert flag.summary.endswith("(cycles: 58, 61, 63)")
    phase = patient.prescriptions.get(status="active").phases.get()
    assert (phase.kind, phase.every, phase.unit) == ("maintenance", 3, "month")


def test_the_seeded_patients_carry_a_year_of_check_ins_and_some_results():
    seed("--patients", "2")

    for number in (1, 2):
        patient = User.objects.get(email=f"patient{number}@demo.b12tracker.test")
        rx = patient.prescriptions.get(status="active")
        since = max(rx.start_date, local_today(patient) - timedelta(days=365))
        weeks = (local_today(patient) - since).days // 7
        assert CheckIn.objects.filter(patient=patient).count() >= weeks >= 2
        assert set(LabResult.objects.filter(patient=patient).values_list("test", flat=True)) >= {
            "serum_b12",
            "folate",
            "haemoglobin",
        }


def test_seeding_again_adds_no_check_in_result_or_flag():
    seed("--patients", "2")
    counts = (CheckIn.objects.count(), LabResult.objects.count(), Flag.objects.count())

    seed("--patients", "2")

    assert (CheckIn.objects.count(), LabResult.objects.count(), Flag.objects.count()) == counts


def test_the_demo_clinician_sees_the_flag_and_the_way_to_change_the_interval(client_for):
    seed("--patients", "2")
    clinician = User.objects.get(email="clinician@demo.b12tracker.test")
    patient = User.objects.get(email="patient2@demo.b12tracker.test")

    page = client_for(clinician).get(reverse("clinic:patient_detail", args=[patient.pk]))

    html = page.content.decode()
    assert "Symptoms return around day 61 of " in html
    assert "Change the maintenance interval" in html
