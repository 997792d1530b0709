"""Pinned query count of the patient's care team page: the same for one clinician or a dozen,
whether their links are active, waiting or ended (session and user included)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import CareLink, User

pytestmark = pytest.mark.django_db

# Session, the user with their profile, the links with each clinician and their profile, and
# the recent reads of the record with each reader's profile.
CARE_TEAM = 4
URL = reverse("accounts:care_team")


def care_team(alice: User, make_clinician, size: int) -> None:
    """`size` more clinicians in every state: linked, inviting, declined and revoked (and bob,
    linked by the fixture)."""
    statuses = [CareLink.Status.ACTIVE, CareLink.Status.PENDING, "declined", "revoked"]
    for n in range(size):
        clinician = make_clinician(f"doctor{n}@example.com", f"Dr Number {n}")
        status = statuses[n % len(statuses)]
        CareLink.objects.create(
            clinician=clinician,
            patient=alice,
            invited_email=alice.email,
            status=status,
            responded_at=None if status == CareLink.Status.PENDING else timezone.now(),
        )


@pytest.mark.parametrize("size", [0, 12], ids=["one clinician", "thirteen clinicians"])
def test_care_team_page(client_for, alice, bob, make_clinician, django_assert_num_queries, size):
    care_team(alice, make_clinician, size)
    client = client_for(alice)

    with django_assert_num_queries(CARE_TEAM):
        response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    names = ["Dr Bob Smith", *(f"Dr Number {n}" for n in range(size))]
    assert all(name in html for name in names)  # every clinician is named
