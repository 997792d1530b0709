"""Management commands: `seed_demo` prints the demo logins and is safe to run again;
`create_clinician` adds a clinician with a profile and refuses a taken email."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent, CareLink, ClinicianProfile, PatientProfile, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[list[str]]:
    out = StringIO()
    call_command(*args, stdout=out)
    return [line.split() for line in out.getvalue().splitlines()]


def can_log_in(email: str, password: str) -> bool:
    return User.objects.get(email=email).check_password(password)


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "patients": PatientProfile.objects.count(),
        "clinicians": ClinicianProfile.objects.count(),
        "links": CareLink.objects.count(),
    }


def test_seed_demo_prints_one_login_per_line():
    lines = run("seed_demo", "--patients", "3")

    assert all(len(line) == 3 for line in lines)
    assert [role for role, _, _ in lines] == ["staff", "clinician", "patient", "patient", "patient"]
    assert len({email for _, email, _ in lines}) == 5
    for role, email, password in lines:
        assert User.objects.get(email=email).role == role
        assert can_log_in(email, password)


def test_seed_demo_links_every_patient_to_the_clinician():
    lines = run("seed_demo", "--patients", "2")

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
    first = run("seed_demo", "--patients", "3")
    before = counts()

    second = run("seed_demo", "--patients", "3")

    assert second == first
    assert counts() == before
    assert before == {"users": 5, "patients": 3, "clinicians": 1, "links": 3}


def test_seed_demo_can_add_patients_later():
    run("seed_demo", "--patients", "1")

    run("seed_demo", "--patients", "3")

    assert counts() == {"users": 5, "patients": 3, "clinicians": 1, "links": 3}


def test_seed_demo_password_option_sets_every_password():
    run("seed_demo", "--patients", "1")

    lines = run("seed_demo", "--patients", "1", "--password", "another-demo-pass")

    for _, email, password in lines:
        assert password == "another-demo-pass"
        assert can_log_in(email, "another-demo-pass")


def test_seed_demo_with_no_patients_makes_staff_and_clinician_only():
    lines = run("seed_demo", "--patients", "0")

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
        run("seed_demo", *args)

    assert error.value.returncode != 0
    assert counts() == {"users": 0, "patients": 0, "clinicians": 0, "links": 0}


def test_create_clinician_makes_a_clinician_with_a_profile():
    lines = run(
        "create_clinician", "Dr.Who@Example.org", "--name", "Dr Who", "--practice", "Tardis"
    )

    assert lines[0][:2] == ["clinician", "dr.who@example.org"]
    user = User.objects.get()
    assert (user.email, user.role, user.is_staff) == ("dr.who@example.org", "clinician", False)
    assert (user.clinician_profile.display_name, user.clinician_profile.practice) == (
        "Dr Who",
        "Tardis",
    )
    assert can_log_in(user.email, lines[0][2])
    assert AuditEvent.objects.get().action == "clinician.created"


def test_create_clinician_uses_the_given_password():
    run("create_clinician", "gp@example.org", "--password", "a-long-enough-passphrase")

    assert can_log_in("gp@example.org", "a-long-enough-passphrase")


@pytest.mark.parametrize("email", ["bob@example.com", "BOB@Example.com", "alice@example.com"])
def test_create_clinician_refuses_a_taken_email(alice, bob, email):
    before = counts()

    with pytest.raises(CommandError, match="already exists") as error:
        run("create_clinician", email)

    assert error.value.returncode != 0
    assert counts() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email"], "valid email"),
        (["gp@example.org", "--password", "password123"], "too common"),
        ([], "the following arguments are required: email"),
    ],
)
def test_create_clinician_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        run("create_clinician", *args)

    assert not User.objects.exists()
