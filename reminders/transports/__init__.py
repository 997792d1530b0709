"""Transports: email through Django's mail backends, SMS through file, console, locmem or Twilio,
phone notifications through web push.

Every failure is a TransportError: permanent ones disable the channel, outages (the provider
itself did not answer) hold every row of the channel without using an attempt, others retry.
TRANSPORTS maps each channel to its transport.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from reminders.models import Channel

from .base import Outgoing, Transport, TransportError
from .mail import EmailTransport
from .push import WebPushTransport
from .sms import ConsoleSms, FileSms, LocmemSms, TwilioSms, sms_outbox

__all__ = ["Outgoing", "Transport", "TransportError", "sms_outbox", "transport_for"]

SMS_BACKENDS: dict[str, type[Transport]] = {
    "console": ConsoleSms,
    "file": FileSms,
    "locmem": LocmemSms,
    "twilio": TwilioSms,
}


def sms_backend() -> Transport:
    """The backend SMS_BACKEND names, looked up at each send (tests switch it)."""
    backend = SMS_BACKENDS.get(settings.SMS_BACKEND)
    if backend is None:
        raise TransportError(f"Unknown SMS backend {settings.SMS_BACKEND!r}")
    return backend()


TRANSPORTS: dict[str, Callable[[], Transport]] = {
    Channel.EMAIL: EmailTransport,
    Channel.SMS: sms_backend,
    Channel.PUSH: WebPushTransport,
}


def transport_for(channel: str) -> Transport:
    return TRANSPORTS[channel]()
