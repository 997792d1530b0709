"""The one helper that renders every message: templates/emails/KIND.subject.txt and
KIND.body.txt for email, templates/sms/KIND.txt for text messages (plain ASCII).

Messages are plain text, so nothing in them is HTML-escaped: a name reads as it was typed."""

import unicodedata

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse

_ASCII_LOOKALIKES = str.maketrans(
    {
        "\u00a0": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00b5": "mc",
    }
)


def render_text(name: str, context: dict[str, object]) -> str:
    """A plain-text template rendered without HTML escaping (includes inherit that)."""
    template: Template = get_template(name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))


def render_email(*, kind: str, context: dict[str, object]) -> tuple[str, str]:
    subject = render_text(f"emails/{kind}.subject.txt", context).strip()
    body = render_text(f"emails/{kind}.body.txt", context)
    return " ".join(subject.split()), body


def to_ascii(text: str) -> str:
    """Plain ASCII: one non-ASCII character (even a non-breaking space) doubles an SMS's cost."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_LOOKALIKES))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def render_sms(*, kind: str, context: dict[str, object]) -> str:
    """One short line of ASCII text; template line breaks and indents are collapsed."""
    return to_ascii(" ".join(render_text(f"sms/{kind}.txt", context).split()))


def message_id(key: str) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "b12tracker"
    return f"<{key}@{domain}>"


def send_templated_email(
    *, kind: str, to: str, context: dict[str, object], message_id_key: str
) -> None:
    subject, body = render_email(kind=kind, context=context)
    message = EmailMessage(
        subject=subject, body=body, to=[to], headers={"Message-ID": message_id(message_id_key)}
    )
    message.send()


def site_link(name: str, *args: object) -> str:
    """An absolute link for a message: the site's address and a named URL."""
    return settings.SITE_URL + reverse(name, args=args)


def first_name(user: object) -> str:
    """The first word of a patient's display name; messages say no more than that."""
    profile = getattr(user, "patient_profile", None)
    name = profile.display_name if profile is not None else ""
    return (name.split() or [""])[0]
