"""Notes on a patient's record from their page: kept in the record and on the timeline; an
empty or overlong note is refused and writes nothing."""

import pytest

from accounts.models import AuditEvent

from .helpers import refused, snapshot, url

pytestmark = pytest.mark.django_db


# --- notes ----------------------------------------------------------------------------------------


def test_a_note_lands_in_the_record_and_the_timeline(client_for, alice, bob, neuro):
    client = client_for(bob)

    response = client.post(url("note_add", alice), {"note": "Phoned: feeling better."})

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="patient.note")
    assert (event.actor, event.patient, event.detail) == (
        bob,
        alice,
        {"text": "Phoned: feeling better."},
    )
    assert "Phoned: feeling better." in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("note", "message"),
    [("", "Write the note"), ("   ", "Write the note"), ("x" * 2001, "at most 2000")],
)
def test_an_empty_or_long_note_is_refused(client_for, alice, bob, neuro, note, message):
    before = snapshot()

    refused(client_for(bob).post(url("note_add", alice), {"note": note}), message)

    assert snapshot() == before
