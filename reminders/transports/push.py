"""Phone notifications through web push (pywebpush): one message to every device of a patient.

Only hosts in PUSH_ALLOWED_HOSTS are sent to and redirects are never followed. A device
whose push service answers 404 or 410 is forgotten; with none left the error is permanent
(the channel turns off). Timeouts and other answers retry: each browser has its own
push service, so one slow device says nothing about the others, and it is no outage.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils import timezone
from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]

from reminders import push
from reminders.models import PushSubscription

from .base import Outgoing, Transport, TransportError

log = logging.getLogger(__name__)

GONE = {404, 410}
# Devices of one patient are sent to side by side, so that a hanging one costs one timeout.
MAX_PARALLEL = 4


@dataclass(frozen=True)
class Outcome:
    subscription_id: int
    status: str  # "sent", "gone" or "error"
    detail: str = ""


class WebPushTransport(Transport):
    def send(self, message: Outgoing) -> str:
        if not push.configured():
            # The server, not the patient, lacks something: hold like an outage (staff see it).
            raise TransportError("No VAPID keys: phone notifications are not set up.", outage=True)
        subs = list(PushSubscription.objects.filter(patient_id=int(message.to)).order_by("pk"))
        if not subs:
            raise TransportError(
                "No device of the patient takes phone notifications.", permanent=True
            )
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(subs))) as pool:
            outcomes = list(pool.map(lambda sub: post(sub, message), subs))
        return settle(outcomes, total=len(subs))


def settle(outcomes: list[Outcome], *, total: int) -> str:
    """Record what each device's push service said; sent when at least one device took it."""
    sent = [o.subscription_id for o in outcomes if o.status == "sent"]
    errors = {o.subscription_id: o.detail for o in outcomes if o.status == "error"}
    for outcome in outcomes:
        if outcome.status == "gone":
            push.push_subscription_gone(
                subscription_id=outcome.subscription_id, reason=outcome.detail
            )
    push.push_outcomes_record(sent=sent, errors=errors, now=timezone.now())
    if sent:
        return f"push: {len(sent)} of {total} devices"
    if errors:
        raise TransportError("; ".join(sorted(set(errors.values())))[:400])
    raise TransportError("Every device of the patient has unsubscribed.", permanent=True)


def no_redirects() -> requests.Session:
    """A session that never follows a redirect: a push service has no reason to send one, and
    following it could take the request to an address no one checked."""
    session = requests.Session()
    session.max_redirects = 0  # a 3xx raises TooManyRedirects before anything is followed
    return session


def post(sub: PushSubscription, message: Outgoing) -> Outcome:
    """One encrypted POST to one device's push service, within PUSH_TIMEOUT_SECONDS. Whatever
    goes wrong is this device's outcome alone: the others are sent to all the same."""
    if not push.endpoint_allowed(sub.endpoint):  # the setting may have changed since
        return Outcome(sub.pk, "error", "Push service not allowed (PUSH_ALLOWED_HOSTS)")
    info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
    try:
        with no_redirects() as session:
            webpush(
                info,
                data=message.data,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=message.ttl,
                timeout=settings.PUSH_TIMEOUT_SECONDS,
                # A newer copy with the same topic replaces one the push service still holds.
                headers={"Topic": message.key[:32], "Urgency": "high"},
                requests_session=session,
            )
    except WebPushException as error:
        code = error.status_code
        if code in GONE:
            return Outcome(sub.pk, "gone", f"Push service answered {code}")
        return Outcome(sub.pk, "error", f"Push service answered {code}")
    except requests.TooManyRedirects:
        return Outcome(sub.pk, "error", "Push service answered a redirect (not followed)")
    except requests.Timeout:
        return Outcome(sub.pk, "error", "Push service timed out")
    except requests.RequestException as error:
        return Outcome(sub.pk, "error", f"Push service unreachable: {type(error).__name__}")
    except Exception as error:  # a key that cannot be used, a bug: this device only
        log.warning("Phone notification to device %s failed", sub.pk, exc_info=True)
        return Outcome(sub.pk, "error", f"Could not send: {type(error).__name__}: {error}"[:300])
    return Outcome(sub.pk, "sent")
