"""Acting on flags: acknowledge, resolve with a note, add a note; notes on a patient's record.
Each is a guarded update, audited; a second resolve is refused with nothing written."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from monitoring import actions
from monitoring.models import Flag
from tests.helpers import prescribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(alice):
    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 7, 1))
    return Flag.objects.create(
        patient=alice, prescription=rx, kind=Flag.Kind.THREE_MONTH_REVIEW, key="rx:review"
    )


def audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_acknowledge_marks_who_and_when_and_is_audited(flag, bob):
    actions.flag_acknowledge(flag=flag, actor=bob, note="Booking a review.")

    flag.refresh_from_db()
    assert (flag.status, flag.acted_by) == ("acknowledged", bob)
    assert flag.acted_at is not None
    assert flag.note.endswith("Dr Bob Smith: Booking a review.")
    [event] = audit("flag.acknowledged")
    assert (event.actor, event.patient, event.object_id) == (bob, flag.patient, str(flag.pk))


def test_acknowledge_without_a_note_leaves_the_note_empty(flag, bob):
    actions.flag_acknowledge(flag=flag, actor=bob)

    flag.refresh_from_db()
    assert flag.note == ""


def test_resolve_needs_a_note(flag, bob):
    with pytest.raises(ValidationError, match="Write a note"):
        actions.flag_resolve(flag=flag, actor=bob, note=" ")

    flag.refresh_from_db()
    assert flag.status == "open"
    assert not audit("flag.resolved")


def test_resolving_twice_is_refused_and_writes_nothing(flag, bob):
    actions.flag_resolve(flag=flag, actor=bob, note="Reviewed at clinic.")
    flag.refresh_from_db()
    before = (flag.status, flag.note, flag.acted_at, AuditEvent.objects.count())

    with pytest.raises(ValidationError, match=r"This flag was already resolved\."):
        actions.flag_resolve(flag=flag, actor=bob, note="Again.")

    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.acted_at, AuditEvent.objects.count()) == before


def test_a_stale_copy_cannot_resolve_a_resolved_flag(flag, bob, charlie):
    """Two clinicians with the page open: the second resolve loses (guarded update)."""
    stale = Flag.objects.get(pk=flag.pk)
    actions.flag_resolve(flag=flag, actor=bob, note="First.")

    with pytest.raises(ValidationError, match="already resolved"):
        actions.flag_resolve(flag=stale, actor=charlie, note="Second.")

    flag.refresh_from_db()
    assert flag.acted_by == bob
    assert len(audit("flag.resolved")) == 1


def test_acknowledging_a_resolved_flag_is_refused(flag, bob):
    actions.flag_resolve(flag=flag, actor=bob, note="Done.")

    with pytest.raises(ValidationError, match="already resolved"):
        actions.flag_acknowledge(flag=flag, actor=bob)


def test_an_acknowledged_flag_can_be_resolved(flag, bob):
    actions.flag_acknowledge(flag=flag, actor=bob, note="Seen.")
    actions.flag_resolve(flag=flag, actor=bob, note="Done.")

    flag.refresh_from_db()
    assert flag.status == "resolved"
    assert [line.split(": ", 1)[1] for line in flag.note.splitlines()] == ["Seen.", "Done."]


def test_notes_append_and_keep_the_status(flag, bob):
    actions.flag_note_add(flag=flag, actor=bob, note="Left a voicemail.")
    actions.flag_note_add(flag=flag, actor=bob, note="She rang back.")

    flag.refresh_from_db()
    assert flag.status == "open"
    assert len(flag.note.splitlines()) == 2
    assert len(audit("flag.note_added")) == 2


@pytest.mark.parametrize("note", ["", "x" * 2001])
def test_empty_or_overlong_notes_are_refused(flag, bob, note):
    with pytest.raises(ValidationError):
        actions.flag_note_add(flag=flag, actor=bob, note=note)

    flag.refresh_from_db()
    assert flag.note == "" and not audit("flag.note_added")


def test_only_clinicians_act_on_flags(flag, alice):
    with pytest.raises(ValidationError, match="Only a clinician"):
        actions.flag_resolve(flag=flag, actor=alice, note="I am fine.")


def test_a_patient_note_is_an_audit_event(alice, bob):
    event = actions.patient_note_add(patient=alice, actor=bob, note="  Discussed diet.  ")

    assert (event.action, event.actor, event.patient) == ("patient.note", bob, alice)
    assert event.detail == {"text": "Discussed diet."}


def test_notes_go_on_patients_only(bob, charlie):
    with pytest.raises(ValidationError, match="patient"):
        actions.patient_note_add(patient=charlie, actor=bob, note="Hello")


def test_a_note_is_stamped_with_the_date_as_pages_write_it(flag, bob):
    import time_machine

    with time_machine.travel("2026-11-30 14:05:00+00:00", tick=False):
        actions.flag_acknowledge(flag=flag, actor=bob, note="Booking a review.")

    flag.refresh_from_db()
    assert flag.note.startswith("30 Nov 2026 14:05 Dr Bob Smith: ")
