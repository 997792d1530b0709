"""The transport registry: each channel's transport, the SMS backend chosen at send time, and
texts leaving as plain ASCII whichever backend carries them."""

import pytest
from django.test import override_settings

from reminders.models import Channel
from reminders.transports import Outgoing, TransportError, transport_for
from reminders.transports.mail import EmailTransport
from reminders.transports.sms import ConsoleSms, FileSms, LocmemSms, TwilioSms

ASCII = "Your injection is due today - thanks"
TEXT = Outgoing(to="+447700900123", body="Your injection is due\u00a0today \u2013 thanks", key="k1")


def test_email_goes_through_the_email_transport():
    assert isinstance(transport_for(Channel.EMAIL), EmailTransport)


@pytest.mark.parametrize(
    ("backend", "kind"),
    [("locmem", LocmemSms), ("console", ConsoleSms), ("file", FileSms), ("twilio", TwilioSms)],
)
def test_texts_go_through_the_backend_the_settings_name(backend, kind):
    with override_settings(SMS_BACKEND=backend):
        assert isinstance(transport_for(Channel.SMS), kind)


def test_an_unknown_sms_backend_is_a_temporary_error():
    with override_settings(SMS_BACKEND="pigeon"), pytest.raises(TransportError) as raised:
        transport_for(Channel.SMS)

    assert not raised.value.permanent and "pigeon" in str(raised.value)


def test_texts_are_stored_in_ascii(sms_outbox):
    assert transport_for(Channel.SMS).send(TEXT) == "locmem-1"

    (sent,) = sms_outbox
    assert sent.body == ASCII and sent.to == TEXT.to


def test_the_file_backend_writes_one_ascii_file_per_text(tmp_path):
    with override_settings(SMS_BACKEND="file", SMS_FILE_PATH=str(tmp_path)):
        name = transport_for(Channel.SMS).send(TEXT)

    (written,) = tmp_path.iterdir()
    assert written.name == name and name.endswith("-k1.txt")
    assert written.read_text() == f"To: {TEXT.to}\nKey: k1\n\n{ASCII}\n"
