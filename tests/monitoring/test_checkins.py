"""Saving a check-in: one a day (a second edits it, the earlier answers kept and audited), the
red-flag flag once per check-in, refused input writes nothing, and the cadence's next day."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from monitoring.checkins import (
    BACKDATE_DAYS,
    checkin_plan_set,
    checkin_save,
    next_prompt_day,
    plan_of,
)
from monitoring.models import CheckIn, CheckInRevision, Flag
from tests.helpers import prescribe

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 10)


def save(patient, on=TODAY, **values):
    return checkin_save(patient=patient, actor=patient, on=on, values=values, today=TODAY)


def written() -> dict[str, object]:
    return {
        "checkins": list(CheckIn.objects.values()),
        "revisions": CheckInRevision.objects.count(),
        "audit": AuditEvent.objects.count(),
        "flags": Flag.objects.count(),
    }


def test_a_check_in_is_stored_with_its_total_and_audited(alice):
    saved = save(alice, tiredness=2, tingling=1, note="Long day")
    assert saved.created and saved.checkin.total == 3
    event = AuditEvent.objects.get(action="checkin.recorded")
    assert event.patient == alice and event.detail == {"on": "2025-03-10", "total": 3}


def test_a_second_check_in_the_same_day_edits_it_and_keeps_the_first_answers(alice):
    first = save(alice, tiredness=1, note="first").checkin
    second = save(alice, tiredness=3, mood=2, note="second")
    assert not second.created and second.checkin.pk == first.pk
    assert CheckIn.objects.get().snapshot()["tiredness"] == 3
    [revision] = CheckInRevision.objects.all()
    assert revision.number == 1
    assert revision.snapshot["tiredness"] == 1 and revision.snapshot["note"] == "first"
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["checkin.recorded", "checkin.edited"]


def test_saving_the_same_answers_again_writes_no_revision(alice):
    save(alice, tiredness=1)
    assert not save(alice, tiredness=1).changed
    assert CheckInRevision.objects.count() == 0
    assert AuditEvent.objects.filter(action="checkin.edited").count() == 0


def test_a_red_flag_raises_one_flag_per_check_in(alice, bob):
    rx = prescribe(alice, start=date(2025, 1, 31))
    saved = save(alice, walking=True).checkin
    save(alice, walking=True, vision=True)  # the same check-in, edited: no second flag
    [flag] = Flag.objects.filter(kind=Flag.Kind.RED_FLAG_SYMPTOM)
    assert flag.patient == alice and flag.prescription == rx
    assert flag.key == f"checkin:{saved.pk}:red-flag"
    assert "difficulty walking" in flag.summary

    save(alice, on=TODAY - timedelta(days=1), weakness=True)
    assert Flag.objects.filter(kind=Flag.Kind.RED_FLAG_SYMPTOM).count() == 2


def test_no_red_flag_no_flag(alice):
    prescribe(alice, start=date(2025, 1, 31))
    save(alice, tiredness=3, balance=3)
    assert not Flag.objects.filter(kind=Flag.Kind.RED_FLAG_SYMPTOM).exists()


@pytest.mark.parametrize(
    ("on", "values", "field"),
    [
        (TODAY + timedelta(days=1), {}, "on"),
        (TODAY - timedelta(days=BACKDATE_DAYS + 1), {}, "on"),
        (TODAY, {"tiredness": 4}, "tiredness"),
        (TODAY, {"mood": -1}, "mood"),
        (TODAY, {"note": "x" * 1001}, "note"),
    ],
    ids=["future", "too far back", "above the scale", "below the scale", "note too long"],
)
def test_bad_input_is_refused_beside_its_field_and_writes_nothing(alice, on, values, field):
    before = written()
    with pytest.raises(ValidationError) as refused:
        save(alice, on=on, **values)
    assert field in refused.value.message_dict
    assert written() == before


def test_an_edit_with_a_bad_value_keeps_the_check_in_as_it_was(alice):
    save(alice, tiredness=1)
    before = written()
    with pytest.raises(ValidationError):
        save(alice, tiredness=9)
    assert written() == before


def test_unknown_answers_are_refused(alice):
    with pytest.raises(ValidationError):
        save(alice, patient_id=2)
    assert not CheckIn.objects.exists()


def test_a_clinician_cannot_have_check_ins(bob):
    with pytest.raises(ValidationError):
        checkin_save(patient=bob, actor=bob, on=TODAY, values={}, today=TODAY)


def test_the_plan_defaults_to_weekly_and_is_saved_and_audited(alice):
    plan = plan_of(alice)
    assert plan.pk is None and plan.every_days == 7 and plan.closer_before_dose
    checkin_plan_set(patient=alice, every_days=3, closer_before_dose=False)
    assert (plan_of(alice).every_days, plan_of(alice).closer_before_dose) == (3, False)
    assert AuditEvent.objects.filter(action="checkin.plan_changed").count() == 1
    with pytest.raises(ValidationError):
        checkin_plan_set(patient=alice, every_days=5, closer_before_dose=False)
    assert plan_of(alice).every_days == 3


@pytest.mark.parametrize(
    ("since", "every", "closer", "next_dose", "expected"),
    [
        (None, 7, True, None, None),  # never asked: ask now
        (date(2025, 3, 1), 7, True, None, date(2025, 3, 8)),
        (date(2025, 3, 1), 14, False, date(2025, 3, 20), date(2025, 3, 15)),
        # 14 days before the dose on 3 Apr is 20 Mar: the window opens before the week is up
        (date(2025, 3, 15), 7, True, date(2025, 4, 3), date(2025, 3, 20)),
        # inside the window: every 3 days
        (date(2025, 3, 20), 7, True, date(2025, 4, 3), date(2025, 3, 23)),
        # three days on is the dose day itself: no closer prompt, the usual week
        (date(2025, 3, 31), 7, True, date(2025, 4, 3), date(2025, 4, 7)),
        (date(2025, 3, 20), 1, True, date(2025, 4, 3), date(2025, 3, 21)),
    ],
)
def test_the_next_day_to_ask(since, every, closer, next_dose, expected):
    day = next_prompt_day(since=since, every=every, closer=closer, next_dose=next_dose)
    assert day == expected
