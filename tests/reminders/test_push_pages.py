"""The phone notification endpoints and the reminders page's section: a patient's device
subscribes (JSON, CSRF checked) and takes itself off, the page lists devices with a remove
button, another patient's device is 404, clinicians and staff get 404, bad subscriptions are
refused with nothing written, and a server without VAPID keys says so instead of a switch."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from reminders.management.commands.vapid_keys import new_pair
from reminders.models import Notification, PushSubscription, ReminderPreference
from tests.reminders.conftest import daily
from tests.reminders.push_service import Device

pytestmark = pytest.mark.django_db

SUBSCRIBE = "reminders:push_subscribe"
ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile"


@pytest.fixture
def vapid(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()
    return settings.VAPID_PUBLIC_KEY


def subscription(n: int = 1) -> dict:
    device = Device()  # a browser's own P-256 key pair and auth secret
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/device-{n}",
        "keys": {"p256dh": device.p256dh, "auth": device.auth},
    }


def post_json(client, name: str, body: object, **extra):
    return client.post(
        reverse(name),
        data=json.dumps(body),
        content_type="application/json",
        headers={"User-Agent": ANDROID},
        **extra,
    )


def test_a_patient_subscribes_a_device_and_push_turns_on(client_for, alice, vapid):
    response = post_json(client_for(alice), SUBSCRIBE, subscription())

    assert response.status_code == 201
    sub = PushSubscription.objects.get()
    assert sub.patient == alice and sub.label == "Chrome on Android"
    assert response.json() == {"id": sub.pk, "label": "Chrome on Android"}
    assert ReminderPreference.objects.get(patient=alice).push_ready


def test_subscribing_plans_push_rows_beside_email(client_for, alice, vapid):
    from core.clock import local_today

    daily(alice, start=local_today(alice))
    post_json(client_for(alice), SUBSCRIBE, subscription())

    channels = set(Notification.objects.filter(recipient=alice).values_list("channel", flat=True))
    assert channels == {"email", "push"}


def test_subscribing_needs_the_csrf_token(alice, vapid):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice, backend="accounts.backends.ProfileBackend")

    response = post_json(client, SUBSCRIBE, subscription())

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"endpoint": "http://push.example.net/plain-http", "keys": {"p256dh": "B", "auth": "a"}},
        {"endpoint": "https://push.example.net/x", "keys": {"p256dh": "", "auth": "a"}},
        {"endpoint": "https://push.example.net/x"},
        [1, 2],
    ],
    ids=["not json", "not https", "empty key", "no keys", "a list"],
)
def test_a_bad_subscription_is_refused_and_nothing_is_written(client_for, alice, vapid, body):
    client = client_for(alice)
    response = client.post(
        reverse(SUBSCRIBE),
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == 400 and response.json()["error"]
    assert not PushSubscription.objects.exists()
    assert not ReminderPreference.objects.filter(patient=alice, push_enabled=True).exists()


def test_an_endpoint_moves_to_whoever_subscribes_it_last(client_for, alice, dave, vapid):
    post_json(client_for(alice), SUBSCRIBE, subscription())
    post_json(client_for(dave), SUBSCRIBE, subscription())

    assert PushSubscription.objects.get().patient == dave


@pytest.mark.parametrize("who", ["bob", "charlie", "staff"])
def test_only_patients_may_subscribe(client_for, cast, vapid, who):
    response = post_json(client_for(cast[who]), SUBSCRIBE, subscription())

    assert response.status_code == 404
    assert not PushSubscription.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, vapid):
    response = post_json(client, SUBSCRIBE, subscription())

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not PushSubscription.objects.exists()


def test_without_vapid_keys_subscribing_is_not_found(client_for, alice, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""

    response = post_json(client_for(alice), SUBSCRIBE, subscription())

    assert response.status_code == 404
    assert not PushSubscription.objects.exists()


def test_a_device_takes_itself_off_and_the_last_one_turns_push_off(client_for, alice, vapid):
    client = client_for(alice)
    post_json(client, SUBSCRIBE, subscription(1))
    post_json(client, SUBSCRIBE, subscription(2))

    first = post_json(
        client, "reminders:push_unsubscribe", {"endpoint": subscription(1)["endpoint"]}
    )
    assert first.json() == {"removed": 1}
    assert ReminderPreference.objects.get(patient=alice).push_enabled
    post_json(client, "reminders:push_unsubscribe", {"endpoint": subscription(2)["endpoint"]})

    assert not PushSubscription.objects.exists()
    assert not ReminderPreference.objects.get(patient=alice).push_enabled


def test_a_device_cannot_take_another_patients_device_off(client_for, alice, dave, vapid):
    post_json(client_for(alice), SUBSCRIBE, subscription())

    response = post_json(
        client_for(dave), "reminders:push_unsubscribe", {"endpoint": subscription()["endpoint"]}
    )

    assert response.json() == {"removed": 0}
    assert PushSubscription.objects.get().patient == alice


def test_the_page_lists_devices_and_removes_one(client_for, alice, vapid):
    client = client_for(alice)
    post_json(client, SUBSCRIBE, subscription())
    sub = PushSubscription.objects.get()

    page = client.get(reverse("reminders:preferences")).content.decode()
    assert "Turn on notifications on this device" in page
    assert f'data-public-key="{vapid}"' in page
    assert "Chrome on Android, added" in page
    assert "Phone notifications are <strong>on</strong>" in page
    assert "js/push.js" in page

    url = reverse("reminders:push_device_remove", args=[sub.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0].endswith("#push")
    assert "That device no longer gets phone notifications." in response.content.decode()
    assert not PushSubscription.objects.exists()


def test_removing_another_patients_device_is_not_found(client_for, alice, dave, vapid):
    post_json(client_for(alice), SUBSCRIBE, subscription())
    sub = PushSubscription.objects.get()

    response = client_for(dave).post(reverse("reminders:push_device_remove", args=[sub.pk]))

    assert response.status_code == 404
    assert PushSubscription.objects.filter(pk=sub.pk).exists()


def test_without_vapid_keys_the_page_says_notifications_are_not_set_up(client_for, alice, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""

    page = client_for(alice).get(reverse("reminders:preferences")).content.decode()

    assert "Phone notifications are not set up on this server" in page
    assert "Turn on notifications on this device" not in page
    assert "js/push.js" not in page


def test_the_page_costs_one_query_more_with_push_set_up(
    client_for, alice, vapid, django_assert_num_queries
):
    from tests.reminders.test_page_queries import PREFERENCES

    client = client_for(alice)
    with django_assert_num_queries(PREFERENCES + 1):  # the patient's devices
        assert client.get(reverse("reminders:preferences")).status_code == 200
