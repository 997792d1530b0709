"""Missed doses: past its window in the patient's home zone, a dose becomes `missed`, gets one
clinician flag and one patient message (carry on, do not double up), in one transaction. Doses
whose window closed before the prescription was entered stay missed but raise no flag."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from accounts.models import AuditEvent
from monitoring.models import Flag
from monitoring.services import flag_missed_doses
from reminders.models import Notification, ReminderPreference
from reminders.planner import plan_notifications
from schedules import services
from schedules.models import Dose
from schedules.services import sweep_missed_doses
from tests.helpers import prescribe, standard_prescription
from tests.reminders.conftest import utc

pytestmark = pytest.mark.django_db

START = date(2026, 6, 1)  # a monthly dose: window 25 May to 8 June


def missed_messages(**filters):
    return list(Notification.objects.filter(kind="missed", **filters))


def test_a_dose_past_its_window_is_flagged_once_and_the_patient_told(alice):
    rx = prescribe(alice, start=START, today=START)
    dose = Dose.objects.get(prescription=rx, due=START)

    assert sweep_missed_doses(now=utc(2026, 6, 8, 22, 59)) == 0  # 23:59 BST on the 8th
    assert sweep_missed_doses(now=utc(2026, 6, 8, 23, 0)) == 1  # midnight in London
    assert sweep_missed_doses(now=utc(2026, 6, 8, 23, 1)) == 0

    dose.refresh_from_db()
    assert dose.status == "missed"
    (flag,) = Flag.objects.all()
    assert (flag.dose, flag.kind, flag.status, flag.patient) == (
        dose,
        "missed_maintenance",
        "open",
        alice,
    )
    (message,) = missed_messages()
    assert message.recipient == alice and message.dose == dose and message.status == "pending"
    assert AuditEvent.objects.filter(action="flag.raised", patient=alice).count() == 1


def test_the_window_closes_at_the_patients_own_midnight(dave):
    prescribe(dave, start=START, today=START)  # dave lives in New York

    assert sweep_missed_doses(now=utc(2026, 6, 9, 3, 59)) == 0  # 23:59 EDT on the 8th
    assert sweep_missed_doses(now=utc(2026, 6, 9, 4, 0)) == 1


def test_a_missed_loading_dose_is_flagged_at_once_and_the_counted_phase_extended(alice):
    # bnf-no-neuro: Mon/Wed/Fri x 6, then every 2-3 months. Start Mon 1 June 2026.
    rx = prescribe(alice, start=START, today=START, regimen="bnf-no-neuro")
    services.injection_log(
        prescription=rx, actor=alice, given_on=START, site="deltoid_left", today=START
    )

    sweep_missed_doses(now=utc(2026, 6, 4, 23, 0))  # Wed 3rd's window closed (Thu 4th)

    (flag,) = Flag.objects.all()
    assert flag.kind == "missed_loading" and flag.dose.due == date(2026, 6, 3)
    loading = rx.doses.filter(phase__order=0).exclude(status="cancelled").order_by("due")
    assert [d.due.day for d in loading] == [1, 3, 5, 8, 10, 12, 15]  # a 7th dose is added
    assert rx.doses.filter(phase__order=1).exclude(status="cancelled").order_by(
        "due"
    ).first().due == (date(2026, 8, 15))


def test_flagging_twice_changes_nothing(alice):
    rx = prescribe(alice, start=START, today=START)
    dose = Dose.objects.get(prescription=rx, due=START)
    sweep_missed_doses(now=utc(2026, 6, 9, 12, 0))

    again = flag_missed_doses(dose_ids=[dose.pk], today=date(2026, 6, 9))

    assert again == [] and Flag.objects.count() == 1 and len(missed_messages()) == 1


def test_the_database_refuses_a_second_flag_for_the_same_dose_and_kind(alice):
    rx = prescribe(alice, start=START, today=START)
    sweep_missed_doses(now=utc(2026, 6, 9, 12, 0))
    flag = Flag.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            patient=alice, prescription=rx, dose=flag.dose, kind="missed_maintenance"
        )


def test_the_missed_state_the_flag_and_the_message_commit_or_roll_back_together(alice):
    rx = prescribe(alice, start=START, today=START)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.prescription_replan(prescription=rx, today=date(2026, 6, 9))
        assert Flag.objects.count() == 1 and len(missed_messages()) == 1
        raise RuntimeError("the transaction fails after the flag was written")

    assert Dose.objects.get(prescription=rx, due=START).status == "due"
    assert Flag.objects.count() == 0 and missed_messages() == []


def test_a_dose_logged_late_withdraws_its_flag_and_message(alice):
    rx = prescribe(alice, start=START, today=START)
    sweep_missed_doses(now=utc(2026, 6, 9, 12, 0))

    services.injection_log(
        prescription=rx,
        actor=alice,
        given_on=date(2026, 6, 2),
        site="thigh_left",
        today=date(2026, 6, 9),
    )
    plan_notifications(now=utc(2026, 6, 9, 12, 1))

    flag = Flag.objects.get()
    assert flag.status == "resolved" and "injection was logged" in flag.note
    assert {m.status for m in missed_messages()} == {"cancelled"}
    assert AuditEvent.objects.filter(action="flag.withdrawn").count() == 1


def test_old_misses_entered_with_a_history_are_neither_flagged_nor_messaged(alice):
    rx = prescribe(alice, start=date(2026, 3, 1), today=date(2026, 6, 20))

    assert rx.doses.filter(status="missed").count() == 4  # Mar to June: missed in the plan
    # but closed before the record began: nothing to act on, one by one or as a run of misses
    assert not Flag.objects.exclude(kind="three_month_review").exists()
    assert missed_messages() == []


def test_doses_closed_before_entry_raise_no_flag_but_later_ones_do(alice):
    with time_machine.travel(datetime(2025, 2, 3, 12, tzinfo=UTC), tick=False):
        rx = standard_prescription(
            alice,
            regimen="cdc-weekly",
            start=date(2025, 1, 6),
        )
    # Weekly from Mon 6 Jan, each window three days either side: the windows of 6, 13, 20
    # and 27 Jan closed before the record began on 3 Feb; 3 Feb's was still open.
    missed_before = rx.doses.filter(status="missed", latest__lt=date(2025, 2, 3))
    assert [dose.due.day for dose in missed_before.order_by("due")] == [6, 13, 20, 27]
    assert not Flag.objects.exists()

    with time_machine.travel(datetime(2025, 2, 25, 12, tzinfo=UTC), tick=False):
        services.prescription_replan(prescription=rx)

    # By 25 Feb the windows of 3, 10 and 17 Feb have closed (24 Feb's is open until the 27th):
    # one missed-loading flag each, and nothing for the four January doses.
    flags = (
        Flag.objects.filter(kind="missed_loading")
        .order_by("dose__due")
        .values_list("prescription", "kind", "dose__due")
    )
    assert list(flags) == [
        (rx.pk, "missed_loading", date(2025, 2, 3)),
        (rx.pk, "missed_loading", date(2025, 2, 10)),
        (rx.pk, "missed_loading", date(2025, 2, 17)),
    ]
    # The review of that re-plan sees three misses since the record began: a run to look at.
    repeated = Flag.objects.get(kind="repeated_misses")
    assert repeated.dose.due == date(2025, 2, 17)


def test_a_patient_who_opted_out_gets_no_missed_message(alice):
    ReminderPreference.objects.create(patient=alice, missed_enabled=False)
    prescribe(alice, start=START, today=START)

    sweep_missed_doses(now=utc(2026, 6, 9, 12, 0))

    assert Flag.objects.count() == 1 and missed_messages() == []


def test_withdrawing_a_flag_keeps_the_clinicians_note(alice):
    rx = prescribe(alice, start=START, today=START)
    sweep_missed_doses(now=utc(2026, 6, 9, 12, 0))
    Flag.objects.update(note="Phoned: she will log it tonight.")

    services.injection_log(
        prescription=rx,
        actor=alice,
        given_on=date(2026, 6, 2),
        site="thigh_left",
        today=date(2026, 6, 9),
    )

    flag = Flag.objects.get()
    assert flag.status == "resolved"
    assert flag.note.startswith("Phoned: she will log it tonight.\n")
    assert "injection was logged" in flag.note
