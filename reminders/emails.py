"""The one helper that renders and sends every email: templates/emails/KIND.subject.txt and
KIND.body.txt. The Message-ID carries a stable key, so a resend can be recognised."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def render_email(*, kind: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"emails/{kind}.subject.txt", context).strip()
    body = render_to_string(f"emails/{kind}.body.txt", context)
    return " ".join(subject.split()), body


def message_id(key: str) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "b12tracker"
    return f"<{key}@{domain}>"


def send_templated_email(*, kind: str, to: str, context: dict, message_id_key: str) -> None:
    subject, body = render_email(kind=kind, context=context)
    message = EmailMessage(
        subject=subject, body=body, to=[to], headers={"Message-ID": message_id(message_id_key)}
    )
    message.send()
