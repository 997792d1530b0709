"""The calendar page: a patient makes, rotates and stops their feed and sets what it says;
the address is shown once; bad input writes nothing; no one else reaches it."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from interop.models import CalendarFeed

from .helpers import feed_path, fetch, subscribe

pytestmark = pytest.mark.django_db
PAGE = reverse("interop:calendar")
ACTIONS = ("calendar_create", "calendar_settings", "calendar_rotate", "calendar_revoke")


def shown_token(response) -> str | None:
    """The token of the address on the page, if it shows one."""
    text = response.content.decode()
    marker = "/calendar/"
    for line in text.splitlines():
        if 'id="feed-url"' in line and marker in line:
            return line.split(marker, 1)[1].split(".ics", 1)[0]
    return None


def test_making_the_feed_shows_its_address_once(alice, client_for):
    client = client_for(alice)
    assert "Make my calendar address" in client.get(PAGE).content.decode()

    response = client.post(
        reverse("interop:calendar_create"), {"detail_level": "plain", "alarm": "on"}
    )

    assert response.status_code == 200  # shown in the answer to the POST itself
    token = shown_token(response)
    assert token and "webcal://" in response.content.decode()
    assert "Your calendar feed is on. Subscribe to the address below." in response.content.decode()
    assert "no-store" in response["Cache-Control"]  # the address is not kept by the browser
    assert token not in str(dict(client.session.items()))  # nor by the server's session
    feed = CalendarFeed.objects.get(patient=alice)
    assert (feed.detail_level, feed.alarm, feed.active) == ("plain", True, True)
    assert token not in feed.token_hash  # only its hash is kept
    assert fetch(token).status_code == 200
    assert AuditEvent.objects.filter(action="calendar.created", patient=alice).count() == 1
    again = client.get(PAGE)
    assert shown_token(again) is None
    assert "Your calendar feed is on" in again.content.decode()


def test_a_bad_choice_is_shown_by_its_field_and_writes_nothing(alice, client_for):
    client = client_for(alice)

    response = client.post(reverse("interop:calendar_create"), {"detail_level": "everything"})

    assert response.status_code == 400
    assert 'href="#id_detail_level_0"' in response.content.decode()
    assert not CalendarFeed.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()


def test_making_a_second_feed_is_refused(alice, client_for):
    token = subscribe(alice)
    client = client_for(alice)

    response = client.post(reverse("interop:calendar_create"), {"detail_level": "detailed"})

    assert response.status_code == 400
    assert "already on" in response.content.decode()
    assert CalendarFeed.objects.get().detail_level == "plain"
    assert fetch(token).status_code == 200


def test_rotating_gives_a_new_address_and_retires_the_old(alice, client_for):
    old = subscribe(alice)
    client = client_for(alice)

    response = client.post(reverse("interop:calendar_rotate"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new = shown_token(response)
    assert new and new != old
    assert new not in str(dict(client.session.items()))
    assert shown_token(client.get(PAGE)) is None
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200
    assert AuditEvent.objects.filter(action="calendar.rotated").count() == 1


def test_stopping_ends_the_address_and_it_can_be_made_again(alice, client_for):
    old = subscribe(alice)
    client = client_for(alice)

    response = client.post(reverse("interop:calendar_revoke"), follow=True)

    assert "Turn the calendar feed on again" in response.content.decode()
    assert fetch(old).status_code == 404
    assert AuditEvent.objects.filter(action="calendar.revoked").count() == 1
    made = client.post(reverse("interop:calendar_create"), {"detail_level": "plain"})
    new = shown_token(made)
    assert new and fetch(new).status_code == 200 and fetch(old).status_code == 404


def test_settings_change_what_the_feed_says(alice, client_for):
    subscribe(alice)
    client = client_for(alice)

    response = client.post(
        reverse("interop:calendar_settings"), {"detail_level": "detailed", "alarm": "on"}
    )

    assert response.status_code == 302
    feed = CalendarFeed.objects.get()
    assert (feed.detail_level, feed.alarm) == ("detailed", True)
    event = AuditEvent.objects.get(action="calendar.settings_changed")
    assert event.detail["after"] == {"detail_level": "detailed", "alarm": True}


def test_actions_without_a_feed_change_nothing(alice, client_for):
    client = client_for(alice)
    for name in ("calendar_rotate", "calendar_revoke"):
        response = client.post(reverse(f"interop:{name}"), follow=True)
        assert "Create one first" in response.content.decode()
    response = client.post(reverse("interop:calendar_settings"), {"detail_level": "plain"})
    assert response.status_code == 400
    assert not CalendarFeed.objects.exists()


def test_another_patient_acts_on_their_own_feed_only(alice, dave, client_for):
    token = subscribe(alice)
    client = client_for(dave)

    client.post(reverse("interop:calendar_rotate"))
    client.post(reverse("interop:calendar_revoke"))
    client.post(reverse("interop:calendar_settings"), {"detail_level": "detailed"})

    assert fetch(token).status_code == 200
    assert CalendarFeed.objects.get(patient=alice).detail_level == "plain"
    assert not CalendarFeed.objects.filter(patient=dave).exists()
    assert shown_token(client.get(PAGE)) is None


@pytest.mark.parametrize("who", ["bob", "charlie", "staff"])
def test_the_page_and_actions_are_404_for_anyone_but_patients(cast, who, client_for):
    subscribe(cast["alice"])
    client = client_for(cast[who])
    assert client.get(PAGE).status_code == 404
    for name in ACTIONS:
        assert client.post(reverse(f"interop:{name}"), {"detail_level": "plain"}).status_code == 404
    assert CalendarFeed.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(alice, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    response = client.post(reverse("interop:calendar_create"), {"detail_level": "plain"})
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()


def test_the_actions_take_posts_only(alice, client_for):
    token = subscribe(alice)
    client = client_for(alice)
    for name in ACTIONS:
        assert client.get(reverse(f"interop:{name}")).status_code == 405
    assert client.post(feed_path(token)).status_code == 405
    assert fetch(token).status_code == 200


def test_the_page_links_the_fhir_export(alice, client_for):
    text = client_for(alice).get(PAGE).content.decode()
    assert f'href="{reverse("interop:fhir_export")}"' in text
