"""Transports: email through Django's mail backends, SMS through file, console, locmem or Twilio.

Every failure is a TransportError: permanent ones disable the channel, others are retried.
"""

from __future__ import annotations

import smtplib
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from core.messages import message_id, to_ascii

# Twilio error codes that mean "this number will never work": invalid, not a mobile,
# unsubscribed (the person replied STOP), blocked.
TWILIO_PERMANENT_CODES = {21211, 21214, 21217, 21407, 21408, 21610, 21612, 21614, 30003, 30005}
PERMANENT_HTTP = {400, 404, 410, 422}


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


# --- email -----------------------------------------------------------------------------------


class EmailTransport:
    """Django's configured mail backend (SMTP in production) with its EMAIL_TIMEOUT."""

    def send(self, *, to: str, subject: str, body: str, key: str) -> str:
        mid = message_id(key)
        message = EmailMessage(
            subject=subject,
            body=body,
            to=[to],
            headers={"Message-ID": mid},
            connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
        )
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise TransportError(f"Address refused: {error.recipients}", permanent=True) from None
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            raise TransportError(f"SMTP {error.smtp_code}", permanent=permanent) from None
        except (smtplib.SMTPException, OSError) as error:  # timeouts are OSErrors
            raise TransportError(f"SMTP unavailable: {error!r}") from None
        return mid


# --- SMS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    key: str


# The locmem backend's outbox, like django.core.mail.outbox; tests empty it.
sms_outbox: list[SmsMessage] = []
_file_lock = threading.Lock()


class SmsTransport:
    def __init__(self, backend: str | None = None) -> None:
        self.backend = backend or settings.SMS_BACKEND

    def send(self, *, to: str, body: str, key: str) -> str:
        message = SmsMessage(to=to, body=to_ascii(body), key=key)
        sender = getattr(self, f"_send_{self.backend}", None)
        if sender is None:
            raise TransportError(f"Unknown SMS backend {self.backend!r}")
        return sender(message)

    def _send_locmem(self, message: SmsMessage) -> str:
        sms_outbox.append(message)
        return f"locmem-{len(sms_outbox)}"

    def _send_console(self, message: SmsMessage) -> str:
        sys.stdout.write(f"SMS to {message.to} [{message.key}]\n{message.body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return f"console-{message.key}"

    def _send_file(self, message: SmsMessage) -> str:
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

    def _send_twilio(self, message: SmsMessage) -> str:
        from twilio.base.exceptions import TwilioRestException

        client = twilio_client()
        try:
            sent = client.messages.create(
                to=message.to, from_=settings.TWILIO_FROM_NUMBER, body=message.body
            )
        except TwilioRestException as error:
            permanent = error.status in PERMANENT_HTTP or error.code in TWILIO_PERMANENT_CODES
            raise TransportError(
                f"Twilio {error.status} (code {error.code}): {error.msg}"[:400], permanent=permanent
            ) from None
        except Exception as error:  # network errors and timeouts from the HTTP layer
            raise TransportError(f"Twilio unreachable: {error!r}"[:400]) from None
        return str(sent.sid)


def twilio_client():
    """Twilio's REST client with a timeout; TWILIO_API_BASE points it at another server."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=settings.SMS_TIMEOUT),
    )
    client.edge = client.region = None  # settings decide where requests go, not TWILIO_EDGE
    if settings.TWILIO_API_BASE:
        client.api.base_url = settings.TWILIO_API_BASE.rstrip("/")
    return client
