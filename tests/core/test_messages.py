"""Plain-text messages are rendered as written: an email body or subject and a text message
show <, ", ' and & themselves, never HTML entities."""

from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings

from accounts import services
from accounts.models import CareLink
from core.messages import render_email, render_sms

NAME = 'Dr <Ann> "Annie" O\'Hara & Partners'
ENTITIES = ("&lt;", "&gt;", "&quot;", "&#x27;", "&#39;", "&amp;")


def assert_plain(text: str) -> None:
    assert NAME in text
    for entity in ENTITIES:
        assert entity not in text


def test_invitation_email_shows_the_clinician_name_as_typed():
    subject, body = render_email(
        kind="invitation",
        context={"clinician": NAME, "url": "https://example.org/x?a=1&b=2", "has_account": False},
    )

    assert_plain(subject)
    assert_plain(body)
    assert "https://example.org/x?a=1&b=2" in body


@pytest.fixture
def probe_templates(tmp_path: Path, settings):
    """A message template with no autoescape tag of its own, as any new kind may be written."""
    (tmp_path / "sms").mkdir()
    (tmp_path / "emails").mkdir()
    (tmp_path / "sms" / "probe.txt").write_text("From {{ name }}")
    (tmp_path / "emails" / "probe.subject.txt").write_text("From {{ name }}")
    (tmp_path / "emails" / "probe.body.txt").write_text("Hello from {{ name }}\n")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        yield


def test_text_message_is_not_html_escaped(probe_templates):
    text = render_sms(kind="probe", context={"name": 'Ann <A> "B" O\'Hara & Co'})

    assert text == 'From Ann <A> "B" O\'Hara & Co'


def test_any_email_template_is_not_html_escaped(probe_templates):
    subject, body = render_email(kind="probe", context={"name": NAME})

    assert_plain(subject)
    assert_plain(body)


@pytest.mark.django_db
def test_invitation_sent_to_a_patient_names_the_clinician_plainly(
    bob, django_capture_on_commit_callbacks
):
    bob.clinician_profile.display_name = NAME
    bob.clinician_profile.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.carelink_invite(clinician=bob, email="new.patient@example.com")

    assert CareLink.objects.filter(invited_email="new.patient@example.com").exists()
    (message,) = mail.outbox
    assert_plain(message.subject)
    assert_plain(message.body)
