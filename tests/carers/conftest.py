"""The carers' cast beside the shared one: erin cares for alice and may only look, frank cares
for alice and may log; tom is a dependent whose record alice keeps."""

import pytest
from django.utils import timezone

from accounts.models import User
from carers import services
from carers.models import CarerLink


def carer_link(patient: User, carer: User, **permissions: object) -> CarerLink:
    return CarerLink.objects.create(
        patient=patient,
        carer=carer,
        invited_email=carer.email,
        status=CarerLink.Status.ACTIVE,
        responded_at=timezone.now(),
        **permissions,
    )


@pytest.fixture
def erin(make_patient):
    return make_patient("erin@example.com", "Erin Walsh")


@pytest.fixture
def frank(make_patient):
    return make_patient("frank@example.com", "Frank Osei")


@pytest.fixture
def see_link(alice, erin) -> CarerLink:
    return carer_link(alice, erin)


@pytest.fixture
def log_link(alice, frank) -> CarerLink:
    return carer_link(alice, frank, can_log=True)


@pytest.fixture
def tom(alice) -> User:
    return services.dependent_add(
        guardian=alice, display_name="Tom Patel", time_zone="Europe/London"
    )


@pytest.fixture
def pending_link(dave) -> CarerLink:
    """dave invited an address that has no account yet."""
    return services.carer_invite(
        patient=dave,
        email="gina@example.com",
        can_log=False,
        gets_alerts=False,
        alert_after_hours=12,
    )
