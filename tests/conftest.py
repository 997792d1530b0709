"""The fixed cast shared by every test, and the switches for tests that need real services.

alice (patient) is linked to bob (clinician); charlie is a clinician with no link; dave is
another patient. Tests needing PostgreSQL, Redis or Chromium skip when those are absent,
and fail instead when B12_REQUIRE_SERVICES=1 (as in CI).

`client.force_login` signs in as a finished sign-in would: the session has passed the
second step with the person's first method (a clinician or staff member without one gets an
authenticator app for it), unless the test is marked `mfa_unverified`.
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mfa_unverified: client.force_login leaves the session before the second step "
        "(no authenticator app is made for the user)",
    )


# Whether force_login in the running test passes the second step (see the fixtures below).
_second_step = {"pass": True}


def _pass_second_step(session, user) -> None:
    """What the second step leaves in a session: the method that passed it (the person's
    first; a clinician or staff member without one gets an app, made here), or, for a person
    with no method, the check their first page would store."""
    from django.http import HttpRequest
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.mfa.selectors import primary_devices, role_requires_mfa
    from accounts.mfa.session import remember_no_method

    devices = primary_devices(user)
    if not devices and role_requires_mfa(user):
        devices = [TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)]
    if devices:
        session[DEVICE_ID_SESSION_KEY] = devices[0].persistent_id
    else:
        request = HttpRequest()
        request.session = session
        remember_no_method(request, user)


@pytest.fixture(scope="session", autouse=True)
def force_login_passes_second_step():
    """Wraps Client.force_login: the signed-in session then passes the second step too (see
    the module's docstring), as every page a signed-in person uses expects."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if not _second_step["pass"]:
            return
        session = self.session
        _pass_second_step(session, user)
        session.save()

    Client.force_login = force_login
    yield
    Client.force_login = original


@pytest.fixture(autouse=True)
def second_step_by_marker(request):
    _second_step["pass"] = request.node.get_closest_marker("mfa_unverified") is None
    yield
    _second_step["pass"] = True


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
