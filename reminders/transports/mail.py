"""Email: Django's configured mail backend (SMTP in production) with its EMAIL_TIMEOUT.

SMTP answers become TransportErrors: 5xx and refused addresses are permanent, the rest retry.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from core.messages import message_id

from .base import Outgoing, Transport, TransportError


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
            raise TransportError(f"Address refused: {error.recipients}", permanent=True) from None
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            raise TransportError(f"SMTP {error.smtp_code}", permanent=permanent) from None
        except (smtplib.SMTPException, OSError) as error:  # timeouts are OSErrors
            raise TransportError(f"SMTP unavailable: {error!r}") from None
        return mid
