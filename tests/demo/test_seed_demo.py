"""`seed_demo`: one demo login a line, every patient linked to the demo clinician, safe to
run again, refusing bad arguments; with many patients, histories go in by bulk insert."""

import pytest
from django.core.management.base import CommandError
from django.db.models import Count

from accounts.models import CareLink, User
from monitoring.models import Flag
from schedules.models import Dose, Injection, Prescription
from tests.helpers import account_counts, can_log_in, run_command

pytestmark = pytest.mark.django_db


def seed(*args: str) -> list[list[str]]:
    return run_command("seed_demo", *args)


def test_seed_demo_prints_one_login_per_line():
    lines = seed("--patients", "3")

    assert all(len(line) == 3 for line in lines)
    assert [role for role, _, _ in lines] == ["staff", "clinician", "patient", "patient", "patient"]
    assert len({email for _, email, _ in lines}) == 5
    for role, email, password in lines:
        assert User.objects.get(email=email).role == role
        assert can_log_in(email, password)


def test_seed_demo_links_every_patient_to_the_clinician():
    lines = seed("--patients", "2")

    clinician = User.objects.get(email=lines[1][1])
    assert clinician.clinician_profile.display_name
    for _, email, _ in lines[2:]:
        patient = User.objects.get(email=email)
        assert patient.patient_profile.time_zone
        assert CareLink.objects.get(patient=patient).clinician == clinician
        assert CareLink.objects.get(patient=patient).status == "active"
    staff = User.objects.get(email=lines[0][1])
    assert staff.is_staff and staff.is_superuser


def test_seed_demo_twice_gives_the_same_rows_and_lines():
    first = seed("--patients", "3")
    before = account_counts()

    second = seed("--patients", "3")

    assert second == first
    assert account_counts() == before
    assert before == {"users": 5, "patients": 3, "clinicians": 1, "links": 3}


def test_seed_demo_can_add_patients_later():
    seed("--patients", "1")

    seed("--patients", "3")

    assert account_counts() == {"users": 5, "patients": 3, "clinicians": 1, "links": 3}


def test_seed_demo_password_option_sets_every_password():
    seed("--patients", "1")

    lines = seed("--patients", "1", "--password", "another-demo-pass")

    for _, email, password in lines:
        assert password == "another-demo-pass"
        assert can_log_in(email, "another-demo-pass")


def test_seed_demo_with_no_patients_makes_staff_and_clinician_only():
    lines = seed("--patients", "0")

    assert [role for role, _, _ in lines] == ["staff", "clinician"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--patients", "-1"], "--patients"),
        (["--patients", "many"], "invalid int value"),
        (["--password", "short"], "--password"),
        (["--colour", "blue"], "unrecognized arguments"),
    ],
)
def test_seed_demo_refuses_bad_arguments_and_writes_nothing(args, message):
    with pytest.raises(CommandError, match=message) as error:
        seed(*args)

    assert error.value.returncode != 0
    assert account_counts() == {"users": 0, "patients": 0, "clinicians": 0, "links": 0}


def test_seed_demo_with_many_patients_prints_every_login_and_links_them_all():
    lines = seed("--patients", "30")

    assert [role for role, *_ in lines].count("patient") == 30
    assert all(len(line) == 3 for line in lines)
    clinician = User.objects.get(email=lines[1][1])
    assert CareLink.objects.filter(clinician=clinician, status="active").count() == 30
    per_patient = Prescription.objects.values("patient").annotate(n=Count("pk"))
    assert per_patient.count() == 30 and {row["n"] for row in per_patient} == {1}


def test_seed_demo_twice_with_many_patients_changes_nothing():
    first = seed("--patients", "12")
    counts = (Prescription.objects.count(), Dose.objects.count(), Injection.objects.count())

    assert seed("--patients", "12") == first
    assert (Prescription.objects.count(), Dose.objects.count(), Injection.objects.count()) == counts


def test_seed_demo_leaves_the_clinician_flags_to_act_on():
    seed("--patients", "4")

    open_kinds = set(Flag.objects.filter(status="open").values_list("kind", flat=True))
    assert {"repeated_misses", "regimen_mismatch", "expired_ampoule"} <= open_kinds
    assert open_kinds & {"missed_loading", "missed_maintenance"}
    assert not Flag.objects.exclude(status="open").exists()  # nothing raised only to be withdrawn
    before = Flag.objects.count()

    seed("--patients", "4")

    assert Flag.objects.count() == before
