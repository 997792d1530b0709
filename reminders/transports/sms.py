"""Text messages: one small class per SMS_BACKEND (locmem, console, file, twilio).

Every text leaves as plain ASCII; Twilio's "this number will never work" codes are permanent.
"""

from __future__ import annotations

import sys
import threading
from abc import abstractmethod
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from core.messages import to_ascii

from .base import Outgoing, Transport, TransportError

# Twilio error codes that mean "this number will never work": invalid, not a mobile,
# unsubscribed (the person replied STOP), blocked.
TWILIO_PERMANENT_CODES = {21211, 21214, 21217, 21407, 21408, 21610, 21612, 21614, 30003, 30005}
PERMANENT_HTTP = {400, 404, 410, 422}

# The locmem backend's outbox, like django.core.mail.outbox; tests empty it.
sms_outbox: list[Outgoing] = []
_file_lock = threading.Lock()


class SmsTransport(Transport):
    """A text message backend: it gets the body already in ASCII."""

    def send(self, message: Outgoing) -> str:
        return self.text(replace(message, body=to_ascii(message.body)))

    @abstractmethod
    def text(self, message: Outgoing) -> str: ...


class LocmemSms(SmsTransport):
    def text(self, message: Outgoing) -> str:
        sms_outbox.append(message)
        return f"locmem-{len(sms_outbox)}"


class ConsoleSms(SmsTransport):
    def text(self, message: Outgoing) -> str:
        sys.stdout.write(f"SMS to {message.to} [{message.key}]\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return f"console-{message.key}"


class FileSms(SmsTransport):
    def text(self, message: Outgoing) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        path = folder / f"{stamp}-{message.key}.txt"
        try:
            with _file_lock:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(f"To: {message.to}\nKey: {message.key}\n\n{message.body}\n")
        except OSError as error:
            raise TransportError(f"Could not write {path}: {error}") from None
        return path.name


class TwilioSms(SmsTransport):
    def text(self, message: Outgoing) -> str:
        try:
            sent = twilio_client().messages.create(
                to=message.to, from_=settings.TWILIO_FROM_NUMBER, body=message.body
            )
        except TwilioRestException as error:
            permanent = error.status in PERMANENT_HTTP or error.code in TWILIO_PERMANENT_CODES
            # Server errors and "too many requests" hold for every message, not this one.
            outage = error.status >= 500 or error.status == 429
            raise TransportError(
                f"Twilio {error.status} (code {error.code}): {error.msg}"[:400],
                permanent=permanent,
                outage=outage,
            ) from None
        except Exception as error:  # network errors and timeouts from the HTTP layer
            raise TransportError(f"Twilio unreachable: {error!r}"[:400], outage=True) from None
        return str(sent.sid)


def twilio_client() -> Client:
    """Twilio's REST client with a timeout; TWILIO_API_BASE points it at another server."""
    client = Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=settings.SMS_TIMEOUT),
    )
    client.edge = client.region = None  # settings decide where requests go, not TWILIO_EDGE
    if settings.TWILIO_API_BASE:
        client.api.base_url = settings.TWILIO_API_BASE.rstrip("/")
    return client
