"""Phone notifications (web push): each patient's device subscriptions, what a notification
says, and the system check that warns when the server has no VAPID keys.

Services here write PushSubscription rows and the push switch of the preferences; the push
transport asks them to forget a device its push service says is gone.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from core.clock import home_zone

from . import timing
from .models import DOSE_REMINDER_KINDS, Channel, Kind, Notification, PushSubscription
from .planner import replan_patient
from .services import cancel_pending, preference_get

# Push services keep an undelivered message at most about four weeks.
MAX_TTL = timedelta(days=28)
DEFAULT_TTL = timedelta(days=1)
ACTION_TITLES = {"taken": "I've had it", "later": "Remind me later", "booked": "Booked"}
TURNED_OFF = "Phone notifications are off: none of your devices accepts them any more."
# Enough for a phone, a tablet and computers at home and at work; a list without end would
# let one account make the server post to anywhere many times over.
MAX_DEVICES = 10
TOO_MANY = (
    f"You have {MAX_DEVICES} devices getting notifications already: remove one on this page first."
)
NOT_A_PUSH_SERVICE = "This browser's notification service is not one we can send to."
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def configured() -> bool:
    """Whether this server can send phone notifications at all (both VAPID keys set)."""
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY)


# A deployment check: `check --deploy` warns; everyday commands stay quiet (a server
# without phone notifications still works, and the reminders page says they are off).
@checks.register(checks.Tags.compatibility, deploy=True)
def vapid_check(**_: object) -> list[checks.CheckMessage]:
    if configured():
        return []
    return [
        checks.Warning(
            "VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY are not set: phone notifications are off.",
            hint="Run `manage.py vapid_keys` and put the two lines in the environment.",
            id="reminders.W001",
        )
    ]


# --- the patient's devices ---------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionData:
    """What a browser's PushSubscription.toJSON() gives, checked."""

    endpoint: str
    p256dh: str
    auth: str


def subscription_parse(body: bytes) -> SubscriptionData:
    """The JSON a page posts; ValidationError naming what is wrong."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("The subscription is not JSON.") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise ValidationError("The subscription has no keys.")
    endpoint, keys = data.get("endpoint"), data["keys"]
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(endpoint, str) or len(endpoint) > 1000:
        raise ValidationError("The subscription's endpoint is missing or too long.")
    for name, value, size in (("p256dh", p256dh, 200), ("auth", auth, 100)):
        if not isinstance(value, str) or not value or len(value) > size:
            raise ValidationError(f"The subscription's {name} key is missing or too long.")
    subscription = SubscriptionData(endpoint=endpoint, p256dh=p256dh, auth=auth)
    subscription_check(subscription)
    return subscription


def subscription_check(data: SubscriptionData) -> None:
    """An https endpoint on a push service we send to, and keys a message can be encrypted
    with: a P-256 public key (the 65-byte uncompressed point) and a 16-byte auth secret. A
    key that cannot be used would otherwise fail at every send."""
    URLValidator(schemes=["https"], message="The subscription's endpoint is not an https URL.")(
        data.endpoint
    )
    if not endpoint_allowed(data.endpoint):
        raise ValidationError(NOT_A_PUSH_SERVICE)
    point = base64url_bytes(data.p256dh)
    if point is None or len(point) != 65 or point[0] != 4:
        raise ValidationError("The subscription's p256dh key is not a P-256 public key.")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ValidationError("The subscription's p256dh key is not a P-256 public key.") from None
    secret = base64url_bytes(data.auth)
    if secret is None or len(secret) != 16:
        raise ValidationError("The subscription's auth secret is not 16 bytes.")


def base64url_bytes(text: str) -> bytes | None:
    """Unpadded (or padded) base64url as browsers give keys; None for anything else."""
    if not _BASE64URL.fullmatch(text):
        return None
    text = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def endpoint_allowed(endpoint: str) -> bool:
    """Whether an endpoint's host is one of PUSH_ALLOWED_HOSTS or below one. The server posts
    to whatever address a browser gives, so nothing else (our own network, a cloud metadata
    address) is ever sent to. Asked at subscription and again before each send."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 -- a port that is not a number raises here
    except ValueError:
        return False
    # User info or a backslash is where URL parsers disagree about which host is meant.
    if not host or "@" in parts.netloc or "\\" in endpoint:
        return False
    return any(
        host == allowed or host.endswith("." + allowed) for allowed in settings.PUSH_ALLOWED_HOSTS
    )


def device_label(user_agent: str) -> str:
    """A short name for the device, from its browser's User-Agent: "Chrome on Android"."""
    systems = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad")]
    systems += [("Windows", "Windows"), ("Mac OS", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]
    browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("SamsungBrowser", "Samsung Internet")]
    browsers += [("Chrome/", "Chrome"), ("Safari/", "Safari")]
    system = next((name for key, name in systems if key in user_agent), "")
    browser = next((name for key, name in browsers if key in user_agent), "A browser")
    return f"{browser} on {system}" if system else browser


@transaction.atomic
def push_subscribe(
    *,
    patient: User,
    data: SubscriptionData,
    label: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PushSubscription:
    """This device's subscription for the patient, and phone notifications on. A browser
    gives one endpoint per site: an endpoint already known moves to whoever subscribes now
    (a shared device is the last subscriber's)."""
    now = now or timezone.now()
    if not configured():
        raise ValidationError("Phone notifications are not set up on this server.")
    subscription_check(data)
    # The preferences' lock serialises the patient's subscriptions, so the count holds.
    pref = preference_get(patient=patient, lock=True)
    sub = PushSubscription.objects.select_for_update().filter(endpoint=data.endpoint).first()
    new_here = sub is None or sub.patient_id != patient.pk
    if new_here and PushSubscription.objects.filter(patient=patient).count() >= MAX_DEVICES:
        raise ValidationError(TOO_MANY)
    if sub is None:
        sub = PushSubscription(endpoint=data.endpoint, created_at=now)
    sub.patient = patient
    sub.p256dh, sub.auth, sub.label = data.p256dh, data.auth, label[:120]
    sub.last_error, sub.last_error_at = "", None
    sub.full_clean(validate_unique=False)
    sub.save()
    pref.push_enabled, pref.push_disabled_reason = True, ""
    pref.full_clean()
    pref.save(update_fields=["push_enabled", "push_disabled_reason", "updated_at"])
    log_action(
        actor=patient,
        action="reminders.push_subscribed",
        patient=patient,
        obj=sub,
        request=request,
        detail={"device": sub.label},
    )
    replan_patient(patient=patient, now=now)
    return sub


@transaction.atomic
def push_unsubscribe(
    *,
    patient: User,
    subscription_id: int | None = None,
    endpoint: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> int:
    """Forget one of the patient's devices (by id, or by endpoint from the device itself);
    the last one gone turns phone notifications off. How many rows went (0: not theirs)."""
    now = now or timezone.now()
    mine = PushSubscription.objects.filter(patient=patient)
    if subscription_id is not None:
        mine = mine.filter(pk=subscription_id)
    elif endpoint:
        mine = mine.filter(endpoint=endpoint)
    else:
        return 0
    if not mine.exists():
        return 0  # not theirs, or gone already: nothing written
    pref = preference_get(patient=patient, lock=True)
    removed, _ = mine.delete()
    if not removed:
        return 0
    if not PushSubscription.objects.filter(patient=patient).exists():
        pref.push_enabled = False
        pref.save(update_fields=["push_enabled", "updated_at"])
        cancel_pending(patient=patient, channel=Channel.PUSH, reason="Phone notifications off.")
    log_action(
        actor=patient, action="reminders.push_unsubscribed", patient=patient, request=request
    )
    replan_patient(patient=patient, now=now)
    return removed


def push_subscription_gone(*, subscription_id: int, reason: str) -> None:
    """The push service answered 404 or 410: the browser dropped this subscription."""
    with transaction.atomic():
        sub = PushSubscription.objects.filter(pk=subscription_id).select_related("patient").first()
        if sub is None:
            return
        sub.delete()
        log_action(
            actor=None,
            action="reminders.push_device_gone",
            patient=sub.patient,
            detail={"device": sub.label, "reason": reason[:200]},
        )


def push_outcomes_record(*, sent: list[int], errors: dict[int, str], now: datetime) -> None:
    """After one notification's fan-out: which devices took it, which failed, when and why.
    The owner sees only when; the reason is for staff."""
    if sent:
        PushSubscription.objects.filter(pk__in=sent).update(
            last_sent_at=now, last_error="", last_error_at=None
        )
    for pk, error in errors.items():
        PushSubscription.objects.filter(pk=pk).update(last_error=error[:500], last_error_at=now)


def failed_at(sub: PushSubscription) -> datetime | None:
    """When the device's last notification could not be delivered (None: it was)."""
    return sub.last_error_at


@dataclass(frozen=True)
class Device:
    """One line of the device list, with dates in the patient's home zone. The transport's
    error text stays for staff: a patient's page never shows what a push service said."""

    pk: int
    label: str
    added_on: date
    failed_on: date | None


@dataclass(frozen=True)
class PushPage:
    """The reminders page's phone notification section: one query (the devices), none when
    this server cannot send them."""

    configured: bool
    public_key: str
    devices: list[Device]


def _day(instant: datetime | None, zone: ZoneInfo) -> date | None:
    return instant.astimezone(zone).date() if instant else None


def push_page(*, patient: User) -> PushPage:
    if not configured():
        return PushPage(configured=False, public_key="", devices=[])
    zone = home_zone(patient)
    devices = [
        Device(
            pk=sub.pk,
            label=sub.label,
            added_on=sub.created_at.astimezone(zone).date(),
            failed_on=_day(failed_at(sub), zone),
        )
        for sub in PushSubscription.objects.filter(patient=patient).order_by("created_at", "pk")
    ]
    return PushPage(configured=True, public_key=settings.VAPID_PUBLIC_KEY, devices=devices)


# --- what a notification says ------------------------------------------------------------------


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str
    url: str
    tag: str
    ttl: int
    links: dict[str, str] = field(default_factory=dict)

    def payload(self) -> str:
        actions = [
            {"action": action, "title": ACTION_TITLES.get(action, action.title())}
            for action in self.links
        ]
        return json.dumps(
            {
                "title": self.title,
                "body": self.body,
                "url": self.url,
                "tag": self.tag,
                "key": self.tag,
                "actions": actions[:2],  # browsers show at most two
                "links": self.links,
            }
        )


def title_of(row: Notification) -> str:
    if row.kind in DOSE_REMINDER_KINDS:
        return "B12 injection"
    if row.kind == Kind.MISSED:
        return "B12 injection missed"
    return "B12 Tracker"


def ttl_of(row: Notification, *, now: datetime) -> int:
    """Seconds a push service keeps the message for an offline device: until the dose's
    window closes (a reminder about it is pointless after that), otherwise a day."""
    dose = row.dose
    if dose is None or row.kind not in DOSE_REMINDER_KINDS:
        return int(DEFAULT_TTL.total_seconds())
    closes = timing.start_of_day(dose.latest + timedelta(days=1), home_zone(row.account))
    left = min(closes - now, MAX_TTL)
    return max(int(left.total_seconds()), 60)
