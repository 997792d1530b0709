"""Email: Django's configured mail backend (SMTP in production) with its EMAIL_TIMEOUT.

SMTP answers become TransportErrors: an address refused with 5xx is permanent, a server that
will not talk to us is an outage, the rest retry.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from core.messages import message_id

from .base import Outgoing, Transport, TransportError

# Answers that say the server, not this message, is the problem.
SERVER_ERRORS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
)
SERVICE_NOT_AVAILABLE = 421


class EmailTransport(Transport):
    def send(self, message: Outgoing) -> str:
        mid = message_id(message.key)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.to],
            headers={"Message-ID": mid},
            connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            # 5xx: the address will never work; 4xx: this mailbox, not now ("try later").
            codes = [code for code, _text in error.recipients.values()]
            permanent = all(500 <= code < 600 for code in codes)
            raise TransportError(
                f"Address refused: {error.recipients}"[:400], permanent=permanent
            ) from None
        except SERVER_ERRORS as error:
            # The server would not take mail from us at all: greeting, log-in or sender refused.
            raise TransportError(f"SMTP server refused: {error!r}"[:400], outage=True) from None
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            outage = error.smtp_code == SERVICE_NOT_AVAILABLE
            raise TransportError(
                f"SMTP {error.smtp_code}", permanent=permanent and not outage, outage=outage
            ) from None
        except (smtplib.SMTPException, OSError) as error:  # refused, timed out, disconnected
            raise TransportError(f"SMTP unavailable: {error!r}", outage=True) from None
        return mid
