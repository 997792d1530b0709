"""The fixed cast shared by every test, and the switches for tests that need real services.

alice (patient) is linked to bob (clinician); charlie is a clinician with no link; dave is
another patient. Tests needing PostgreSQL, Redis or Chromium skip when those are absent,
and fail instead when B12_REQUIRE_SERVICES=1 (as in CI).
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-42"
REQUIRE_SERVICES = os.environ.get("B12_REQUIRE_SERVICES") == "1"


def need(available: bool, reason: str) -> None:
    """Skip (or fail, when services are required) unless `available`."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and B12_REQUIRE_SERVICES=1 forbids skipping")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty page cache: database ids repeat between tests, and a key
    is only as unique as the rows it names."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_patient(db):
    from accounts.models import PatientProfile, Role, User

    def make(email: str, name: str, time_zone: str = "Europe/London") -> User:
        user = User.objects.create_user(email=email, password=PASSWORD, role=Role.PATIENT)
        PatientProfile.objects.create(user=user, display_name=name, time_zone=time_zone)
        return user

    return make


@pytest.fixture
def make_clinician(db):
    from accounts.models import ClinicianProfile, Role, User

    def make(email: str, name: str) -> User:
        user = User.objects.create_user(email=email, password=PASSWORD, role=Role.CLINICIAN)
        ClinicianProfile.objects.create(user=user, display_name=name, practice="Test Practice")
        return user

    return make


@pytest.fixture
def alice(make_patient):
    return make_patient("alice@example.com", "Alice Patel")


@pytest.fixture
def dave(make_patient):
    return make_patient("dave@example.com", "Dave Jones", "America/New_York")


@pytest.fixture
def bob(make_clinician, alice):
    from django.utils import timezone

    from accounts.models import CareLink

    bob = make_clinician("bob@example.com", "Dr Bob Smith")
    CareLink.objects.create(
        clinician=bob,
        patient=alice,
        invited_email=alice.email,
        status=CareLink.Status.ACTIVE,
        responded_at=timezone.now(),
    )
    return bob


@pytest.fixture
def charlie(make_clinician):
    return make_clinician("charlie@example.com", "Dr Charlie Brown")


@pytest.fixture
def staff(db):
    from accounts.models import User

    return User.objects.create_superuser(email="staff@example.com", password=PASSWORD)


@pytest.fixture
def cast(alice, bob, charlie, dave, staff) -> dict:
    """The whole cast by name, for tests that loop over who is asking."""
    return {"alice": alice, "bob": bob, "charlie": charlie, "dave": dave, "staff": staff}


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user."""

    def login(user):
        client.force_login(user, backend="accounts.backends.ProfileBackend")
        return client

    return login
