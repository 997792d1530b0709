"""Flags from the patient's page and the inbox: acknowledge, resolve with a note, add a note,
each once and only within the patient's own record; back to the inbox when acted on from it."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from monitoring.models import Flag
from tests.helpers import prescribe

from .helpers import refused, snapshot, url

pytestmark = pytest.mark.django_db


# --- flags --------------------------------------------------------------------------------------


def test_acknowledge_then_resolve_a_flag(client_for, alice, bob, flag):
    client = client_for(bob)

    acknowledged = client.post(url("flag_acknowledge", alice, flag.pk), {"note": ""})
    resolved = client.post(url("flag_resolve", alice, flag.pk), {"note": "Rang her; resumed."})

    assert acknowledged.status_code == resolved.status_code == 302
    flag.refresh_from_db()
    assert (flag.status, flag.acted_by) == ("resolved", bob)
    assert flag.note.endswith("Dr Bob Smith: Rang her; resumed.")
    actions = AuditEvent.objects.filter(actor=bob).values_list("action", flat=True)
    assert set(actions) == {"flag.acknowledged", "flag.resolved"}


def test_resolving_a_flag_twice_is_refused(client_for, alice, bob, flag):
    client = client_for(bob)
    client.post(url("flag_resolve", alice, flag.pk), {"note": "Done."})
    before = snapshot()

    response = client.post(url("flag_resolve", alice, flag.pk), {"note": "Done again."})

    refused(response, "This flag was already resolved.")
    assert snapshot() == before


def test_acknowledging_twice_is_refused(client_for, alice, bob, flag):
    client = client_for(bob)
    client.post(url("flag_acknowledge", alice, flag.pk), {"note": ""})
    before = snapshot()

    refused(client.post(url("flag_acknowledge", alice, flag.pk), {}), "already acknowledged")

    assert snapshot() == before


@pytest.mark.parametrize("action", ["flag_resolve", "flag_note"])
def test_resolving_or_noting_without_a_note_is_refused(client_for, alice, bob, flag, action):
    before = snapshot()

    response = client_for(bob).post(url(action, alice, flag.pk), {"note": "  "})

    assert response.status_code == 400
    assert snapshot() == before


def test_a_note_on_a_flag_keeps_its_status(client_for, alice, bob, flag):
    client_for(bob).post(url("flag_note", alice, flag.pk), {"note": "Left a voicemail."})

    flag.refresh_from_db()
    assert flag.status == "open"
    assert flag.note.endswith("Left a voicemail.")
    assert AuditEvent.objects.filter(action="flag.note_added", actor=bob).count() == 1


def test_a_flag_of_another_patient_is_404_through_alices_url(client_for, alice, bob, dave, flag):
    flag_of_dave = Flag.objects.create(
        patient=dave,
        prescription=prescribe(dave, regimen="seed-maintenance", start=date(2025, 7, 1)),
        kind="three_month_review",
        key="x",
    )

    response = client_for(bob).post(url("flag_resolve", alice, flag_of_dave.pk), {"note": "x"})

    assert response.status_code == 404
    flag_of_dave.refresh_from_db()
    assert flag_of_dave.status == "open"


def test_acting_from_the_inbox_returns_to_the_inbox(client_for, alice, bob, flag):
    inbox = reverse("clinic:flags") + "?kind=missed_loading"

    response = client_for(bob).post(url("flag_acknowledge", alice, flag.pk), {"next": inbox})

    assert response.url == inbox


def test_an_outside_next_address_is_ignored(client_for, alice, bob, flag):
    response = client_for(bob).post(
        url("flag_acknowledge", alice, flag.pk), {"next": "https://evil.example/clinic/flags/"}
    )

    assert response.url == url("patient_detail", alice)


def test_the_inbox_lists_unresolved_flags_of_linked_patients(client_for, alice, bob, flag, dave):
    Flag.objects.create(
        patient=dave,
        prescription=prescribe(dave, regimen="seed-maintenance", start=date(2025, 7, 1)),
        kind="three_month_review",
        key="dave",
    )
    client = client_for(bob)

    html = client.get(reverse("clinic:flags")).content.decode()
    assert "Alice Patel" in html and "Missed dose in a loading phase" in html
    assert "Dave Jones" not in html  # not linked to bob

    client.post(url("flag_resolve", alice, flag.pk), {"note": "Done."})
    assert "Alice Patel" not in client.get(reverse("clinic:flags")).content.decode()
    resolved = client.get(reverse("clinic:flags"), {"status": "resolved"}).content.decode()
    assert "Alice Patel" in resolved and "Done." in resolved


def test_a_flag_with_a_summary_shows_it_on_the_page_in_the_inbox_and_timeline(
    client_for, alice, bob, neuro
):
    text = "Injection on 8 Jul used an ampoule that expired on 1 Jun"
    Flag.objects.create(
        patient=alice, prescription=neuro, kind="expired_ampoule", key="injection:1", summary=text
    )
    client = client_for(bob)

    page = client.get(url("patient_detail", alice)).content.decode()
    inbox = client.get(reverse("clinic:flags")).content.decode()

    assert page.count(text) == 2  # the flag's card and the timeline
    assert f'<p class="mb-1 flag-summary">{text}</p>' in inbox
