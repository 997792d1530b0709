"""`create_clinician` adds a clinician with a profile and refuses a taken email."""

import pytest
from django.core.management.base import CommandError

from accounts.models import AuditEvent, User
from tests.helpers import account_counts, can_log_in, run_command

pytestmark = pytest.mark.django_db


def test_create_clinician_makes_a_clinician_with_a_profile():
    lines = run_command(
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
    run_command("create_clinician", "gp@example.org", "--password", "a-long-enough-passphrase")

    assert can_log_in("gp@example.org", "a-long-enough-passphrase")


@pytest.mark.parametrize("email", ["bob@example.com", "BOB@Example.com", "alice@example.com"])
def test_create_clinician_refuses_a_taken_email(alice, bob, email):
    before = account_counts()

    with pytest.raises(CommandError, match="already exists") as error:
        run_command("create_clinician", email)

    assert error.value.returncode != 0
    assert account_counts() == before


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
        run_command("create_clinician", *args)

    assert not User.objects.exists()
