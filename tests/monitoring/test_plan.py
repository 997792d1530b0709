"""The monitoring plan: the checks a starting prescription brings (3 months; the review at 1
month in pregnancy), statuses on a day, done by a lab result, the clinician's changes
(audited, bad dates refused), "book your test" prompts and the overdue flag, each once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from monitoring import plan
from monitoring.labs.services import LabEntry, lab_result_record
from monitoring.models import Flag, LabResult, PlanItem
from monitoring.tasks import plan_monitoring_checks
from reminders.models import Notification
from tests.helpers import noon, prescribe

pytestmark = pytest.mark.django_db

START = date(2025, 1, 6)


def items(rx) -> dict[str, PlanItem]:
    return {item.what: item for item in PlanItem.objects.filter(prescription=rx)}


def lab(patient, test: str, taken_on: date, value: str = "300") -> LabResult:
    """A result recorded through the service, as the page records it."""
    unit = {"serum_b12": "ng/L", "haemoglobin": "g/L", "folate": "ng/mL"}[test]
    entry = LabEntry(test=test, value=Decimal(value), unit=unit, taken_on=taken_on)
    return lab_result_record(patient=patient, actor=patient, entry=entry, today=taken_on)


@pytest.fixture
def rx(alice):
    return prescribe(alice, regimen="seed-maintenance", start=START)


def test_a_starting_prescription_brings_tests_and_review_at_three_months(rx):
    plan_items = items(rx)

    assert {what: item.due_on for what, item in plan_items.items()} == {
        "fbc": date(2025, 4, 6),
        "serum_b12": date(2025, 4, 6),
        "review": date(2025, 4, 6),
    }
    assert {item.origin for item in plan_items.values()} == {"regimen"}


def test_deriving_twice_makes_nothing_new_and_a_cancelled_item_stays_cancelled(rx, bob):
    plan.plan_item_cancel(item=items(rx)["fbc"], actor=bob)

    assert plan.plan_derive(prescription=rx, now=noon(START)) == 0
    assert PlanItem.objects.filter(prescription=rx).count() == 3
    assert items(rx)["fbc"].status == "cancelled"


def test_pregnancy_brings_the_review_at_one_month(dave):
    rx = prescribe(dave, regimen="seed-maintenance", start=START)
    PlanItem.objects.filter(prescription=rx).delete()
    rx.notes = "Pregnant, 20 weeks"

    plan.plan_derive(prescription=rx, now=noon(START))

    assert items(rx)["review"].due_on == date(2025, 2, 6)
    assert items(rx)["serum_b12"].due_on == date(2025, 4, 6)


def test_a_history_typed_in_long_after_brings_no_plan(alice):
    rx = prescribe(alice, start=START, today=date(2025, 8, 1))

    assert not PlanItem.objects.filter(prescription=rx).exists()


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2025, 3, 22), "planned"),
        (date(2025, 3, 23), "due"),
        (date(2025, 4, 20), "due"),
        (date(2025, 4, 21), "overdue"),
    ],
)
def test_status_on_a_day(rx, today, status):
    assert plan.item_status(items(rx)["serum_b12"], today) == status


def test_a_result_of_that_test_since_the_window_opened_marks_it_done(rx, alice):
    lab(alice, "serum_b12", date(2025, 3, 22))  # before the window: does not count
    lab(alice, "folate", date(2025, 4, 1), "8")  # another test: does not count
    assert {item.status for item in items(rx).values()} == {"planned"}

    # Saving a result marks its planned test done at once; the sweep finds nothing left.
    result = lab(alice, "serum_b12", date(2025, 3, 23))
    haemoglobin = lab(alice, "haemoglobin", date(2025, 4, 1), "130")
    assert plan.plan_mark_done_by_labs(now=noon(date(2025, 4, 2))) == 0

    done = items(rx)
    assert (done["serum_b12"].status, done["serum_b12"].done_on) == ("done", date(2025, 3, 23))
    assert done["serum_b12"].done_by_lab == result
    assert done["fbc"].done_by_lab == haemoglobin
    assert done["review"].status == "planned"
    assert AuditEvent.objects.filter(action="plan_item.done").count() == 2


def test_the_sweep_marks_done_a_result_saved_around_the_services(rx, alice):
    result = lab(alice, "serum_b12", date(2025, 3, 30))
    PlanItem.objects.filter(what="serum_b12").update(
        status="planned", done_on=None, done_by_lab=None
    )

    assert plan.plan_mark_done_by_labs(now=noon(date(2025, 4, 2))) == 1
    assert items(rx)["serum_b12"].done_by_lab == result


def test_a_result_older_than_the_clinicians_request_does_not_answer_it(rx, alice, bob):
    lab(alice, "folate", date(2025, 4, 20), "8")
    with time_machine.travel(noon(date(2025, 4, 25)), tick=False):
        item = plan.plan_item_add(
            prescription=rx, what="folate", due_on=date(2025, 5, 1), note="", actor=bob
        )
    assert plan.plan_mark_done_by_labs(now=noon(date(2025, 4, 26))) == 0
    fresh = lab(alice, "folate", date(2025, 4, 28), "9")
    item.refresh_from_db()
    assert (item.status, item.done_by_lab) == ("done", fresh)


def test_the_clinician_adds_moves_and_cancels_with_an_audit_each(rx, bob, alice):
    item = plan.plan_item_add(
        prescription=rx, what="folate", due_on=date(2025, 5, 1), note="Fasting", actor=bob
    )
    plan.plan_item_change(item=item, due_on=date(2025, 5, 8), note="", actor=bob)
    plan.plan_item_cancel(item=item, actor=bob)

    item.refresh_from_db()
    assert (item.due_on, item.status, item.origin) == (date(2025, 5, 8), "cancelled", "clinician")
    actions = list(
        AuditEvent.objects.filter(object_id=str(item.pk), action__startswith="plan_item.")
        .order_by("pk")
        .values_list("action", "actor", "patient")
    )
    assert actions == [
        ("plan_item.added", bob.pk, alice.pk),
        ("plan_item.changed", bob.pk, alice.pk),
        ("plan_item.cancelled", bob.pk, alice.pk),
    ]


def test_a_date_before_the_start_is_refused_and_nothing_written(rx, bob):
    before = PlanItem.objects.count()
    with pytest.raises(ValidationError) as refused:
        plan.plan_item_add(
            prescription=rx, what="folate", due_on=date(2024, 12, 1), note="", actor=bob
        )

    assert "due_on" in refused.value.message_dict
    assert PlanItem.objects.count() == before


def test_a_cancelled_item_cannot_be_moved(rx, bob):
    item = items(rx)["fbc"]
    plan.plan_item_cancel(item=item, actor=bob)

    with pytest.raises(ValidationError):
        plan.plan_item_change(item=item, due_on=date(2025, 5, 1), note="", actor=bob)


def test_book_your_test_goes_ten_days_ahead_once_and_is_withdrawn_when_done(rx, alice):
    assert plan.plan_remind(now=noon(date(2025, 3, 26))) == 0  # 11 days ahead: not yet

    assert plan.plan_remind(now=noon(date(2025, 3, 27))) == 3  # fbc, serum B12, review
    assert plan.plan_remind(now=noon(date(2025, 3, 28))) == 3  # asked again: same rows
    rows = Notification.objects.filter(recipient=alice).order_by("kind")
    assert sorted(rows.values_list("kind", flat=True)) == ["lab_due", "lab_due", "review_due"]
    assert {row.scheduled_for.date() for row in rows} == {date(2025, 3, 27)}

    lab(alice, "serum_b12", date(2025, 4, 1))
    plan.plan_mark_done_by_labs(now=noon(date(2025, 4, 1)))

    b12_key = plan.prompt_key(items(rx)["serum_b12"])
    row = Notification.objects.get(dedupe_key__startswith=b12_key)
    assert row.status == "cancelled"


def test_the_prompt_is_turned_off_with_the_lab_due_preference(rx, alice):
    from reminders.models import ReminderPreference

    pref = ReminderPreference.of(alice)
    pref.lab_due_enabled = False
    pref.save()

    assert plan.plan_remind(now=noon(date(2025, 3, 27))) == 0


def test_the_prompt_says_what_and_when_without_a_diagnosis(rx, alice):
    from reminders.messages import render

    plan.plan_remind(now=noon(date(2025, 3, 27)))
    row = Notification.objects.filter(kind="lab_due", channel="email").first()

    message = render(row)
    assert "Sunday 6 April" in message.body
    assert "book" in message.subject.lower()
    assert "anaemia" not in message.body.lower()


def test_an_overdue_test_is_flagged_once_for_a_followed_patient(rx, bob):
    assert plan.plan_flag_overdue(now=noon(date(2025, 4, 20))) == 0  # 14 days late: not yet

    assert plan.plan_flag_overdue(now=noon(date(2025, 4, 21))) == 3
    assert plan.plan_flag_overdue(now=noon(date(2025, 4, 22))) == 0
    flags = Flag.objects.filter(kind="test_overdue")
    assert {flag.summary for flag in flags} == {
        "Full blood count planned for 6 Apr 2025",
        "Serum B12 planned for 6 Apr 2025",
        "Review with your clinician planned for 6 Apr 2025",
    }


def test_the_derived_review_waits_on_its_own_three_month_review_flag(rx, bob):
    from monitoring.review import flag_three_month_reviews

    flag_three_month_reviews(now=noon(date(2025, 4, 6)))
    plan.plan_flag_overdue(now=noon(date(2025, 4, 21)))

    assert not Flag.objects.filter(kind="test_overdue", summary__startswith="Review").exists()


def test_the_review_is_done_when_its_flag_is_answered(rx, bob):
    from monitoring import actions
    from monitoring.review import flag_three_month_reviews

    flag_three_month_reviews(now=noon(date(2025, 4, 6)))
    with time_machine.travel(noon(date(2025, 4, 8)), tick=False):
        actions.flag_resolve(
            flag=Flag.objects.get(kind="three_month_review"), actor=bob, note="Seen"
        )

    assert plan.plan_reviews_done(now=noon(date(2025, 4, 8))) == 1
    assert (items(rx)["review"].status, items(rx)["review"].done_on) == ("done", date(2025, 4, 8))
    assert AuditEvent.objects.filter(action="plan_item.done", actor=bob).count() == 1


def test_a_review_done_through_its_flag_ends_its_overdue_flag(rx, bob):
    from monitoring import actions
    from monitoring.review import flag_three_month_reviews, raise_flag

    review = items(rx)["review"]
    raise_flag(  # an overdue flag raised before the review flag was answered
        prescription=rx,
        kind=Flag.Kind.TEST_OVERDUE,
        key=plan.overdue_key(review),
        summary="Review overdue",
        now=noon(date(2025, 4, 6)),
    )
    flag_three_month_reviews(now=noon(date(2025, 4, 6)))
    with time_machine.travel(noon(date(2025, 4, 8)), tick=False):
        actions.flag_resolve(
            flag=Flag.objects.get(kind="three_month_review"), actor=bob, note="Seen"
        )
        plan.plan_reviews_done(now=noon(date(2025, 4, 8)))

    assert Flag.objects.get(kind="test_overdue").status == "resolved"


def test_no_overdue_flag_without_a_clinician(rx):
    assert plan.plan_flag_overdue(now=noon(date(2025, 4, 21))) == 0


def test_moving_an_overdue_item_ends_its_flag(rx, bob):
    plan.plan_flag_overdue(now=noon(date(2025, 4, 21)))
    with time_machine.travel(noon(date(2025, 4, 21)), tick=False):
        plan.plan_item_change(item=items(rx)["fbc"], due_on=date(2025, 5, 1), note="", actor=bob)

    statuses = dict(Flag.objects.filter(kind="test_overdue").values_list("summary", "status"))
    assert statuses["Full blood count planned for 6 Apr 2025"] == "resolved"
    assert statuses["Serum B12 planned for 6 Apr 2025"] == "open"


def test_the_sweep_task_runs_all_three(rx, bob, alice):
    lab(alice, "serum_b12", date(2025, 3, 30))
    PlanItem.objects.filter(what="serum_b12").update(status="planned", done_on=None)
    with time_machine.travel(noon(date(2025, 4, 21)), tick=False):
        total = plan_monitoring_checks()

    # B12 done by its result; the full blood count and the review (no review flag was
    # raised for it to wait on) flagged overdue; the reminder days are past.
    assert total == 1 + 2
    assert items(rx)["serum_b12"].status == "done"
    assert Flag.objects.filter(kind="test_overdue").count() == 2


def test_the_sweep_gives_a_plan_to_a_recent_prescription_that_has_none(rx, dave):
    PlanItem.objects.filter(prescription=rx).delete()
    old = prescribe(dave, regimen="seed-maintenance", start=date(2024, 1, 6))
    PlanItem.objects.filter(prescription=old).delete()

    assert plan.plan_derive_missing(now=noon(date(2025, 2, 1))) == 3
    assert plan.plan_derive_missing(now=noon(date(2025, 2, 2))) == 0
    assert set(items(rx)) == {"fbc", "serum_b12", "review"}
    assert not PlanItem.objects.filter(prescription=old).exists()


def test_stopping_the_prescription_cancels_its_planned_checks_and_their_reminders(rx, alice):
    from schedules.services import prescription_stop

    with time_machine.travel(noon(date(2025, 3, 27)), tick=False):
        assert plan.plan_remind(now=noon(date(2025, 3, 27))) > 0
        prescription_stop(prescription=rx, actor=alice, reason="Moved to tablets")

    assert {item.status for item in items(rx).values()} == {"cancelled"}
    waiting = Notification.objects.filter(kind__in=["lab_due", "review_due"], status="pending")
    assert not waiting.exists()
    assert AuditEvent.objects.filter(action="plan_item.cancelled").count() == 3
