"""The flag digest: at most one email a day per clinician, listing the new flags of the
patients linked to them, by first name and link only, through the reminders outbox."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from monitoring.models import Flag
from monitoring.services import plan_flag_digests
from reminders.dispatcher import dispatch_due
from reminders.models import Notification
from schedules.models import Dose
from tests.helpers import prescribe
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def flags(alice, bob, charlie):
    rx = prescribe(alice, start=date(2026, 6, 1), today=date(2026, 6, 1))
    doses = list(Dose.objects.filter(prescription=rx).order_by("due")[:2])
    return [
        Flag.objects.create(
            patient=alice, prescription=rx, dose=dose, kind="missed_maintenance", raised_at=at
        )
        for dose, at in zip(doses, [utc(2026, 6, 9, 10), utc(2026, 6, 10, 6)], strict=True)
    ]


def digests():
    return list(Notification.objects.filter(kind="flag_digest"))


@override_settings(FLAG_DIGEST_HOUR=7)
def test_one_digest_a_day_to_the_linked_clinician_only(flags, bob, charlie):
    assert plan_flag_digests(now=utc(2026, 6, 10, 6, 59)) == 0  # yesterday's was empty
    plan_flag_digests(now=utc(2026, 6, 10, 7, 0))
    plan_flag_digests(now=utc(2026, 6, 10, 7, 1))
    plan_flag_digests(now=utc(2026, 6, 10, 23, 0))

    (digest,) = digests()
    assert digest.recipient == bob and digest.channel == "email" and digest.dose is None
    assert digest.dedupe_key == f"flag_digest:{bob.pk}:2026-06-10"
    assert digest.payload["flag_ids"] == sorted(flag.pk for flag in flags)

    with time_machine.travel(utc(2026, 6, 10, 7, 2), tick=False):
        dispatch_due()
    (message,) = [m for m in mail.outbox if m.to == [bob.email]]
    assert message.subject == "2 new flags to review in B12 Tracker"
    assert "Alice:" in message.body and "Patel" not in message.body
    assert not [m for m in mail.outbox if m.to == [charlie.email]]


@override_settings(FLAG_DIGEST_HOUR=7)
def test_resolved_flags_and_old_flags_are_left_out(flags, bob):
    Flag.objects.filter(pk=flags[0].pk).update(status="resolved")

    plan_flag_digests(now=utc(2026, 6, 10, 8, 0))
    plan_flag_digests(now=utc(2026, 6, 11, 8, 0))  # nothing new since the 10th's digest

    (digest,) = digests()
    assert digest.payload["flag_ids"] == [flags[1].pk]
