"""What a device may subscribe: only an endpoint on a known browser push service
(PUSH_ALLOWED_HOSTS, with its subdomains), never our own network; only keys that are a real
P-256 point and a 16-byte secret; at most ten devices per patient. Each refusal is a 400 with
a plain reason and writes nothing; the device list never shows a transport's error text."""

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from reminders import push
from reminders.management.commands.vapid_keys import b64url, new_pair
from reminders.models import PushSubscription, ReminderPreference
from tests.reminders.push_service import Device

pytestmark = pytest.mark.django_db

SUBSCRIBE = "reminders:push_subscribe"
FCM = "https://fcm.googleapis.com/fcm/send/"


@pytest.fixture
def vapid(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()


def body(endpoint: str, device: Device | None = None, **keys: str) -> dict:
    device = device or Device()
    return {"endpoint": endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth, **keys}}


def subscribe(client, data: object):
    return client.post(reverse(SUBSCRIBE), data=json.dumps(data), content_type="application/json")


def refused(response, text: str) -> None:
    assert response.status_code == 400, response.content
    assert text in response.json()["error"]
    assert not PushSubscription.objects.exists()
    assert not ReminderPreference.objects.filter(push_enabled=True).exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        FCM + "device-1",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGuQyavXutnMb",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
        "https://FCM.googleapis.com./fcm/send/upper-case-and-a-dot",
    ],
)
def test_the_browsers_push_services_are_accepted(client_for, alice, vapid, endpoint):
    response = subscribe(client_for(alice), body(endpoint))

    assert response.status_code == 201, response.content
    assert PushSubscription.objects.get().endpoint == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1:5432/",
        "https://localhost:6379/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/push",
        "https://push.example.net/send/device-1",
        "https://fcm.googleapis.com.evil.example/fcm/send/x",
        "https://evilfcm.googleapis.com.example/x",
        "https://notfcm.googleapis.com@127.0.0.1/x",
        "https://user:pw@fcm.googleapis.com/fcm/send/x",
    ],
)
def test_any_other_host_is_refused_with_a_plain_reason(client_for, alice, vapid, endpoint):
    refused(subscribe(client_for(alice), body(endpoint)), push.NOT_A_PUSH_SERVICE)


def test_the_allowed_hosts_come_from_the_setting(client_for, alice, vapid, settings):
    settings.PUSH_ALLOWED_HOSTS = ["push.example.net"]

    assert subscribe(client_for(alice), body("https://eu.push.example.net/d/1")).status_code == 201
    assert push.endpoint_allowed("https://push.example.net/d/2")
    assert not push.endpoint_allowed(FCM + "x")


@pytest.mark.parametrize(
    ("keys", "text"),
    [
        ({"p256dh": "B" + "x" * 86}, "p256dh"),  # the right length, not a point
        ({"p256dh": b64url(b"\x04" + bytes(64))}, "p256dh"),  # 65 bytes, not on the curve
        ({"p256dh": b64url(b"\x02" + bytes(32))}, "p256dh"),  # compressed
        ({"p256dh": "BNc*&^%$" + "A" * 79}, "p256dh"),  # not base64url
        ({"auth": "a" * 22 + "aa"}, "auth"),  # 18 bytes
        ({"auth": b64url(bytes(8))}, "auth"),
        ({"auth": "!!!!!!!!!!!!!!!!!!!!!!"}, "auth"),
    ],
    ids=["not a point", "off the curve", "compressed", "not base64", "18 bytes", "8 bytes", "junk"],
)
def test_keys_that_are_not_a_p256_point_and_a_16_byte_secret_are_refused(
    client_for, alice, vapid, keys, text
):
    refused(subscribe(client_for(alice), body(FCM + "bad-key", **keys)), text)


def test_padded_base64url_keys_are_accepted(client_for, alice, vapid):
    device = Device()
    padded = {"p256dh": device.p256dh + "=", "auth": device.auth + "=="}

    assert subscribe(client_for(alice), body(FCM + "padded", device, **padded)).status_code == 201


def test_an_eleventh_device_is_refused_and_a_known_one_still_renews(client_for, alice, vapid):
    client = client_for(alice)
    for n in range(push.MAX_DEVICES):
        assert subscribe(client, body(f"{FCM}device-{n}")).status_code == 201

    response = subscribe(client, body(FCM + "one-too-many"))

    assert response.status_code == 400
    assert "10 devices" in response.json()["error"]
    assert PushSubscription.objects.filter(patient=alice).count() == push.MAX_DEVICES
    assert not PushSubscription.objects.filter(endpoint=FCM + "one-too-many").exists()
    # A device already on the list subscribes again (new keys) without counting twice.
    assert subscribe(client, body(f"{FCM}device-3")).status_code == 201


def test_a_device_moving_to_a_patient_with_ten_is_refused(client_for, alice, dave, vapid):
    for n in range(push.MAX_DEVICES):
        assert subscribe(client_for(dave), body(f"{FCM}dave-{n}")).status_code == 201
    assert subscribe(client_for(alice), body(FCM + "shared")).status_code == 201

    response = subscribe(client_for(dave), body(FCM + "shared"))

    assert response.status_code == 400
    assert PushSubscription.objects.get(endpoint=FCM + "shared").patient == alice


def test_the_service_itself_refuses_a_host_not_allowed(alice, vapid):
    data = push.SubscriptionData(endpoint="https://127.0.0.1/x", p256dh="B", auth="a")

    with pytest.raises(push.ValidationError):
        push.push_subscribe(patient=alice, data=data)
    assert not PushSubscription.objects.exists()


def test_the_device_list_says_when_delivery_failed_never_the_error_text(client_for, alice, vapid):
    client = client_for(alice)
    subscribe(client, body(FCM + "phone"))
    sub = PushSubscription.objects.get()
    failed_at = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 10 Mar in Sydney
    alice.patient_profile.time_zone = "Australia/Sydney"
    alice.patient_profile.save()
    push.push_outcomes_record(
        sent=[], errors={sub.pk: "Push service unreachable: ConnectionRefusedError"}, now=failed_at
    )

    page = client.get(reverse("reminders:preferences")).content.decode()

    assert "Last notification could not be delivered on 10 Mar 2026" in page
    assert "ConnectionRefused" not in page and "unreachable" not in page

    push.push_outcomes_record(sent=[sub.pk], errors={}, now=failed_at)
    page = client.get(reverse("reminders:preferences")).content.decode()
    assert "could not be delivered" not in page
