"""Prompts asked for by the apps above: one row per ready channel, once per key, withdrawable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reminders.models import Kind, Notification, ReminderPreference
from reminders.prompts import prompt_enqueue, prompt_withdraw

pytestmark = pytest.mark.django_db


def test_a_prompt_goes_on_each_ready_channel_once(alice):
    ReminderPreference.objects.create(patient=alice, sms_enabled=True, sms_number="+447700900123")
    at = timezone.now() + timedelta(hours=1)
    for _ in range(2):
        prompt_enqueue(patient=alice, kind=Kind.CHECKIN, key="checkin:1:x", at=at, payload={})
    rows = Notification.objects.filter(kind=Kind.CHECKIN)
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "sms"]


def test_a_prompt_the_patient_turned_off_is_not_written(alice):
    ReminderPreference.objects.create(patient=alice, checkin_enabled=False)
    at = timezone.now()
    assert prompt_enqueue(patient=alice, kind=Kind.CHECKIN, key="c:1", at=at, payload={}) == 0
    assert prompt_enqueue(patient=alice, kind=Kind.LAB_DUE, key="l:1", at=at, payload={}) == 1
    assert not Notification.objects.filter(kind=Kind.CHECKIN).exists()


def test_withdrawing_cancels_only_that_keys_unsent_rows(alice):
    at = timezone.now()
    prompt_enqueue(patient=alice, kind=Kind.LAB_DUE, key="lab:1", at=at, payload={})
    prompt_enqueue(patient=alice, kind=Kind.LAB_DUE, key="lab:10", at=at, payload={})
    assert prompt_withdraw(key="lab:1", reason="Booked.") == 1
    statuses = dict(Notification.objects.values_list("dedupe_key", "status"))
    assert statuses == {"lab:1:email": "cancelled", "lab:10:email": "pending"}


def test_a_key_too_long_for_the_column_is_refused(alice):
    with pytest.raises(ValueError):
        prompt_enqueue(
            patient=alice, kind=Kind.LAB_DUE, key="x" * 101, at=timezone.now(), payload={}
        )
