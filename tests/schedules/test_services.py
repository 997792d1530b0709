"""Schedule services against the database: materialising, re-planning, logging and history.

They run on whichever database DATABASE_URL names; CI runs this file on both engines.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from schedules import services
from schedules.models import Dose, Injection, Phase, Prescription, PrescriptionVersion

START = date(2025, 1, 6)


def create(patient, *, regimen="bnf-no-neuro", start=START, today=START, **overrides):
    values = dict(
        patient=patient,
        actor=patient,
        product="hydroxocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=1000,
        route="IM",
        start_date=start,
        regimen_slug=regimen,
        today=today,
    )
    return services.prescription_create(**(values | overrides))


def live_dues(prescription):
    return list(
        prescription.doses.exclude(status="cancelled").order_by("due").values_list("due", flat=True)
    )


def log(prescription, day, today=None, **extra):
    return services.injection_log(
        prescription=prescription,
        actor=prescription.patient,
        given_on=day,
        site="deltoid_left",
        today=today or day,
        **extra,
    )


@pytest.mark.django_db
def test_template_prescription_materialises_the_fixture_dates(alice):
    rx = create(alice)
    dues = live_dues(rx)
    assert dues[:8] == [
        date(2025, 1, 6),
        date(2025, 1, 8),
        date(2025, 1, 10),
        date(2025, 1, 13),
        date(2025, 1, 15),
        date(2025, 1, 17),
        date(2025, 3, 17),
        date(2025, 5, 17),
    ]
    maintenance = rx.doses.get(due=date(2025, 3, 17))
    assert (maintenance.earliest, maintenance.latest) == (date(2025, 3, 10), date(2025, 4, 24))
    assert rx.phases.count() == 2
    # Planned through twelve months: the next two-monthly dose would fall beyond the horizon.
    assert dues[-1] + timedelta(days=62) > START + timedelta(days=365)
    assert AuditEvent.objects.filter(action="prescription.created", patient=alice).count() == 1


@pytest.mark.django_db
def test_replanning_twice_changes_nothing(alice):
    rx = create(alice)
    log(rx, date(2025, 1, 7), today=date(2025, 1, 9))
    first = services.prescription_replan(prescription=rx, today=date(2025, 1, 9))
    before = list(Dose.objects.filter(prescription=rx).values())
    second = services.prescription_replan(prescription=rx, today=date(2025, 1, 9))
    assert not second.changed
    assert list(Dose.objects.filter(prescription=rx).values()) == before
    assert first.created == 0


@pytest.mark.django_db
def test_late_injection_reanchors_the_rest_of_the_phase(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    log(rx, date(2025, 3, 3))
    dues = live_dues(rx)
    assert dues[:5] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 4, 3),
        date(2025, 5, 3),
        date(2025, 6, 3),
    ]
    assert rx.doses.get(due=date(2025, 2, 28)).injection.given_on == date(2025, 3, 3)
    assert not rx.doses.filter(due=date(2025, 3, 31)).exclude(status="cancelled").exists()


@pytest.mark.django_db
def test_early_injection_reanchors_from_its_own_date(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    log(rx, date(2025, 2, 25))
    assert live_dues(rx)[:3] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 25)]


@pytest.mark.django_db
def test_missed_dose_extends_a_counted_phase_and_is_never_doubled(alice):
    rx = create(alice)
    for day in (6, 10, 13, 15, 17):
        log(rx, date(2025, 1, day), today=date(2025, 1, 17))
    services.prescription_replan(prescription=rx, today=date(2025, 1, 18))
    assert rx.doses.get(due=date(2025, 1, 8)).status == "missed"
    dues = live_dues(rx)
    assert date(2025, 1, 20) in dues and date(2025, 3, 20) in dues
    assert date(2025, 3, 17) not in dues
    assert len(dues) == len(set(dues))


@pytest.mark.django_db
def test_voided_injection_returns_its_dose_to_missed_and_stays_visible(alice):
    rx = create(alice)
    shot = log(rx, date(2025, 1, 6))
    services.injection_void(
        injection=shot, actor=alice, reason="Logged by mistake", today=date(2025, 1, 9)
    )
    shot.refresh_from_db()
    assert shot.status == Injection.Status.VOIDED and shot.reason == "Logged by mistake"
    first = rx.doses.get(due=START)
    assert first.injection_id is None and first.status == "missed"
    with pytest.raises(ValidationError):
        services.injection_void(injection=shot, actor=alice, reason="again")


@pytest.mark.django_db
def test_void_needs_a_reason_and_writes_nothing_without_one(alice):
    rx = create(alice)
    shot = log(rx, START)
    with pytest.raises(ValidationError) as error:
        services.injection_void(injection=shot, actor=alice, reason="  ")
    assert "reason" in error.value.message_dict
    shot.refresh_from_db()
    assert shot.status == "recorded"


@pytest.mark.django_db
def test_too_soon_injection_needs_confirmation_and_never_moves_the_plan(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    before = live_dues(rx)
    with pytest.raises(services.TooSoonError):
        log(rx, date(2025, 2, 5))
    assert Injection.objects.filter(prescription=rx).count() == 1
    extra = log(rx, date(2025, 2, 5), confirm=True)
    assert extra.extra is True
    assert live_dues(rx) == before
    assert not Dose.objects.filter(injection=extra).exists()


@pytest.mark.django_db
def test_correction_keeps_the_original_and_the_plan_follows_the_new_date(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    log(rx, date(2025, 1, 31))
    wrong = log(rx, date(2025, 2, 28), today=date(2025, 3, 5))
    fixed = services.injection_correct(
        injection=wrong,
        actor=alice,
        reason="It was on the 3rd",
        given_on=date(2025, 3, 3),
        today=date(2025, 3, 5),
    )
    wrong.refresh_from_db()
    assert wrong.status == "corrected" and fixed.replaces_id == wrong.pk
    assert live_dues(rx)[2] == date(2025, 4, 3)


@pytest.mark.django_db
def test_history_rows_never_change_when_the_prescription_changes(alice):
    rx = create(alice)
    for day in (6, 8, 10):
        log(rx, date(2025, 1, day), today=date(2025, 1, 12))
    services.prescription_replan(prescription=rx, today=date(2025, 1, 12))
    injections = list(Injection.objects.filter(prescription=rx).order_by("pk").values())
    settled = list(
        rx.doses.filter(due__lt=date(2025, 1, 12))
        .order_by("due")
        .values("due", "dose_mcg", "status", "injection_id", "earliest", "latest")
    )
    summary = services.prescription_update(
        prescription=rx,
        actor=alice,
        changes={"dose_mcg": 1500, "brand": "Cobalin-H"},
        today=date(2025, 1, 12),
    )
    assert set(summary.fields) == {"dose_mcg", "brand"}
    assert list(Injection.objects.filter(prescription=rx).order_by("pk").values()) == injections
    assert (
        list(
            rx.doses.filter(due__lt=date(2025, 1, 12))
            .order_by("due")
            .values("due", "dose_mcg", "status", "injection_id", "earliest", "latest")
        )
        == settled
    )
    assert rx.doses.get(due=date(2025, 1, 13)).dose_mcg == 1500
    version = PrescriptionVersion.objects.get(prescription=rx)
    assert version.snapshot["dose_mcg"] == 1000 and version.number == 1
    rx.refresh_from_db()
    assert rx.version == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("dose", "strength", "field", "words"),
    [
        (6000, 1000, "dose_mcg", "mg"),
        (1, 1000, "dose_mcg", "1000 mcg"),
        (1000, 1, "strength_mcg_per_ml", "1000"),
        (1000, 10000, "strength_mcg_per_ml", "outside"),
        (5000, 1000, "dose_mcg", "5.00 mL"),
    ],
)
def test_unit_confusion_is_refused_with_a_reason_and_nothing_written(
    alice, dose, strength, field, words
):
    with pytest.raises(ValidationError) as error:
        create(alice, dose_mcg=dose, strength_mcg_per_ml=strength)
    assert words in " ".join(error.value.message_dict[field])
    assert not Prescription.objects.exists() and not Dose.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("start", [date(2010, 1, 1), date(2027, 6, 1)])
def test_start_date_far_away_is_refused(alice, start):
    with pytest.raises(ValidationError) as error:
        create(alice, start=start, today=date(2026, 1, 1))
    assert "start_date" in error.value.message_dict
    assert not Prescription.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(2025, 1, 5), date(2025, 1, 10)])
def test_injection_before_start_or_in_future_is_refused(alice, day):
    rx = create(alice)
    with pytest.raises(ValidationError) as error:
        log(rx, day, today=date(2025, 1, 8))
    assert "given_on" in error.value.message_dict
    assert not Injection.objects.exists()


@pytest.mark.django_db
def test_the_same_form_sent_twice_records_one_injection(alice):
    rx = create(alice)
    first = log(rx, START, client_token="abc123")
    second = log(rx, START, client_token="abc123")
    assert first.pk == second.pk
    assert Injection.objects.count() == 1


@pytest.mark.django_db
def test_closing_an_open_phase_starts_maintenance_by_the_handover_rule(alice):
    rx = create(alice, regimen="bnf-neuro", today=date(2025, 1, 6))
    assert not rx.doses.filter(phase__kind="maintenance").exists()
    loading = rx.phases.get(order=0)
    services.phase_close(
        phase=loading, actor=alice, closed_on=date(2025, 1, 20), today=date(2025, 1, 21)
    )
    dues = live_dues(rx)
    assert dues[7] == date(2025, 1, 20)
    assert dues[8:10] == [date(2025, 3, 20), date(2025, 5, 20)]
    with pytest.raises(ValidationError):
        services.phase_close(
            phase=loading, actor=alice, closed_on=date(2025, 1, 21), today=date(2025, 1, 21)
        )
    maintenance = Phase.objects.get(prescription=rx, order=1)
    with pytest.raises(ValidationError):
        services.phase_close(
            phase=maintenance, actor=alice, closed_on=date(2025, 1, 21), today=date(2025, 1, 21)
        )


@pytest.mark.django_db
def test_a_second_active_prescription_is_refused(alice):
    create(alice)
    with pytest.raises(ValidationError):
        create(alice, regimen="cdc-weekly")
    assert Prescription.objects.count() == 1


@pytest.mark.django_db
def test_extend_horizons_keeps_twelve_months_ahead_and_is_idempotent(alice):
    import datetime as dt

    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 31), today=date(2025, 1, 31))
    later = dt.datetime(2025, 9, 1, 12, tzinfo=dt.UTC)
    assert services.extend_horizons(now=later) == 1
    assert max(live_dues(rx)) >= date(2026, 8, 31)
    assert services.extend_horizons(now=later) == 0


@pytest.mark.django_db
def test_changing_the_maintenance_interval_keeps_the_past_and_replans_the_future(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 6), today=date(2025, 1, 6))
    for day in (date(2025, 1, 6), date(2025, 2, 6), date(2025, 3, 6)):
        log(rx, day, today=date(2025, 3, 10))
    past = list(rx.doses.filter(due__lte=date(2025, 3, 10)).values("due", "status", "injection"))
    services.maintenance_interval_change(
        prescription=rx, actor=alice, unit="month", every=2, every_max=3, today=date(2025, 3, 10)
    )
    assert (
        list(rx.doses.filter(due__lte=date(2025, 3, 10)).values("due", "status", "injection"))
        == past
    )
    assert live_dues(rx)[3:5] == [date(2025, 5, 6), date(2025, 7, 6)]
    assert rx.phases.count() == 2
    assert PrescriptionVersion.objects.filter(prescription=rx).count() == 1


@pytest.mark.django_db
def test_changing_maintenance_before_it_starts_changes_the_phase_in_place(alice):
    rx = create(alice, today=START)
    services.maintenance_interval_change(
        prescription=rx, actor=alice, unit="month", every=1, today=START
    )
    assert rx.phases.count() == 2
    assert date(2025, 2, 17) in live_dues(rx)


@pytest.mark.django_db
@pytest.mark.parametrize(("every", "every_max"), [(0, None), (3, 2), (2, 3)])
def test_a_bad_or_unchanged_interval_is_refused_and_nothing_written(alice, every, every_max):
    rx = create(alice, today=START)  # bnf-no-neuro maintenance is already every 2-3 months
    before = list(rx.doses.values_list("due", "status"))
    with pytest.raises(ValidationError) as error:
        services.maintenance_interval_change(
            prescription=rx,
            actor=alice,
            unit="month",
            every=every,
            every_max=every_max,
            today=START,
        )
    assert "every" in error.value.message_dict
    assert list(rx.doses.values_list("due", "status")) == before
    assert not PrescriptionVersion.objects.exists()


@pytest.mark.django_db
def test_a_dose_of_zero_is_refused_not_replaced_by_the_planned_dose(alice):
    rx = create(alice)

    with pytest.raises(ValidationError) as error:
        log(rx, START, dose_mcg=0)

    assert "positive number of micrograms" in str(error.value.message_dict["dose_mcg"])
    assert not Injection.objects.exists()


# --- extras that count again after a void or correction -------------------------------------

TUE, WED = date(2025, 1, 7), date(2025, 1, 8)


def tuesday_pair(patient):
    """bnf-no-neuro from Tuesday (first dose Wed): one Tuesday injection counts, the second
    one that day was confirmed as too soon and kept as extra."""
    rx = create(patient, start=TUE, today=TUE)
    first = log(rx, TUE)
    second = log(rx, TUE, confirm=True)
    assert (first.extra, second.extra) == (False, True)
    assert rx.doses.get(due=WED).injection_id == first.pk
    return rx, first, second


@pytest.mark.django_db
def test_voiding_the_counted_injection_lets_the_same_day_extra_take_the_dose(alice):
    rx, first, second = tuesday_pair(alice)

    services.injection_void(
        injection=first, actor=alice, reason="Logged twice", today=date(2025, 1, 10)
    )

    second.refresh_from_db()
    assert second.extra is False and second.counts
    wed = rx.doses.get(due=WED)
    assert (wed.injection_id, wed.status) == (second.pk, "taken")
    event = AuditEvent.objects.get(action="injection.counted")
    assert event.object_id == str(second.pk) and event.detail["because"] == first.pk


@pytest.mark.django_db
def test_correcting_the_counted_injection_away_lets_the_same_day_extra_count(alice):
    rx, first, second = tuesday_pair(alice)

    # The first one was really given on Friday, for Friday's dose.
    fixed = services.injection_correct(
        injection=first,
        actor=alice,
        reason="It was on Friday",
        given_on=date(2025, 1, 10),
        today=date(2025, 1, 10),
    )

    second.refresh_from_db()
    assert second.extra is False and fixed.extra is False
    assert rx.doses.get(due=WED).injection_id == second.pk
    assert rx.doses.get(due=date(2025, 1, 10)).injection_id == fixed.pk
    assert AuditEvent.objects.filter(action="injection.counted").count() == 1


@pytest.mark.django_db
def test_of_two_same_day_extras_only_the_first_counts_after_a_void(alice):
    rx, first, second = tuesday_pair(alice)
    third = log(rx, TUE, confirm=True)

    services.injection_void(injection=first, actor=alice, reason="Logged twice", today=TUE)

    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.extra, third.extra) == (False, True)
    assert rx.doses.get(due=WED).injection_id == second.pk


@pytest.mark.django_db
def test_an_extra_too_soon_after_another_extra_stays_extra_after_an_unrelated_void(alice):
    rx = create(alice, regimen="seed-maintenance", start=date(2025, 1, 1), today=date(2025, 1, 1))
    log(rx, date(2025, 1, 1))
    near = log(rx, date(2025, 1, 10), confirm=True)  # 9 days after a monthly dose
    nearer = log(rx, date(2025, 1, 20), confirm=True)  # 10 days after the extra one
    unrelated = log(rx, date(2025, 2, 5), today=date(2025, 2, 5))

    services.injection_void(
        injection=unrelated, actor=alice, reason="Not given", today=date(2025, 2, 6)
    )

    near.refresh_from_db()
    nearer.refresh_from_db()
    assert (near.extra, nearer.extra) == (True, True)
    assert not AuditEvent.objects.filter(action="injection.counted").exists()


@pytest.mark.django_db
def test_correcting_an_extra_entry_keeps_its_confirmation(alice):
    rx, _, second = tuesday_pair(alice)

    fixed = services.injection_correct(
        injection=second, actor=alice, reason="Wrong arm", site="deltoid_right", today=TUE
    )

    assert fixed.extra is True and fixed.site == "deltoid_right"
    assert rx.doses.get(due=WED).injection.given_on == TUE


# --- a time later than now --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_time_later_than_now_today_is_refused_on_logging_and_correcting(alice):
    sunday = START - timedelta(days=1)
    with time_machine.travel(datetime(2025, 1, 6, 9, 30, tzinfo=UTC), tick=False):
        rx = create(alice, start=sunday)
        with pytest.raises(ValidationError) as error:
            log(rx, START, given_at=time(10, 0))
        assert "later than now" in error.value.message_dict["given_at"][0]
        assert not Injection.objects.exists()
        # The same time yesterday has passed, so it is fine.
        assert log(rx, sunday, given_at=time(23, 0)).given_at == time(23, 0)
        shot = log(rx, START, given_at=time(9, 15))
        with pytest.raises(ValidationError) as error:
            services.injection_correct(
                injection=shot, actor=alice, reason="Time", given_at=time(11, 0), today=START
            )
        assert "later than now" in error.value.message_dict["given_at"][0]
        shot.refresh_from_db()
        assert shot.status == "recorded"


@pytest.mark.django_db
def test_time_later_than_now_is_judged_on_the_patients_own_clock(dave):
    # 14:00 UTC is 09:00 in New York: 10:00 there is still to come.
    with time_machine.travel(datetime(2025, 1, 6, 14, 0, tzinfo=UTC), tick=False):
        rx = create(dave)
        with pytest.raises(ValidationError) as error:
            log(rx, START, given_at=time(10, 0))
        assert "given_at" in error.value.message_dict
        assert log(rx, START, given_at=time(8, 45)).given_at == time(8, 45)


# --- stopping a prescription -----------------------------------------------------------------


@pytest.mark.django_db
def test_stopping_cancels_the_doses_to_come_and_keeps_the_history(alice):
    rx = create(alice)
    shot = log(rx, START)
    today = date(2025, 1, 9)  # Wed 8th still open until Thu 9th; Mon 6th taken
    settled = list(rx.doses.filter(due__lt=today).values_list("due", "status", "injection_id"))

    services.prescription_stop(prescription=rx, actor=alice, reason="Wrong schedule", today=today)

    rx.refresh_from_db()
    assert rx.status == Prescription.Status.STOPPED
    assert rx.doses.get(due=START).injection_id == shot.pk
    assert not rx.doses.filter(latest__gte=today).exclude(status="cancelled").exists()
    assert rx.doses.filter(due__lt=today).count() == len(settled)
    assert Injection.objects.get().status == "recorded"
    event = AuditEvent.objects.get(action="prescription.stopped")
    assert event.detail["reason"] == "Wrong schedule"
    # A new prescription may now be set up, and the stopped one is never re-planned.
    create(alice, start=today, today=today)
    assert not services.prescription_replan(prescription=rx, today=today).changed
    assert not rx.doses.filter(latest__gte=today).exclude(status="cancelled").exists()


@pytest.mark.django_db
def test_stopping_needs_a_reason_and_happens_once(alice):
    rx = create(alice)
    with pytest.raises(ValidationError) as error:
        services.prescription_stop(prescription=rx, actor=alice, reason=" ", today=START)
    assert "reason" in error.value.message_dict
    rx.refresh_from_db()
    assert rx.status == "active"

    services.prescription_stop(prescription=rx, actor=alice, reason="Wrong", today=START)
    with pytest.raises(ValidationError):
        services.prescription_stop(prescription=rx, actor=alice, reason="Wrong", today=START)
    assert AuditEvent.objects.filter(action="prescription.stopped").count() == 1


@pytest.mark.django_db
def test_injections_of_a_stopped_prescription_cannot_be_changed(alice):
    rx = create(alice)
    shot = log(rx, START)
    services.prescription_stop(prescription=rx, actor=alice, reason="Wrong", today=START)

    with pytest.raises(ValidationError):
        services.injection_void(injection=shot, actor=alice, reason="x", today=START)
    with pytest.raises(ValidationError):
        log(rx, START, confirm=True)
    shot.refresh_from_db()
    assert shot.status == "recorded"


# --- moving the start date back ----------------------------------------------------------------


@pytest.mark.django_db
def test_moving_the_start_back_counts_the_doses_now_past_and_not_logged(alice):
    rx = create(alice, start=date(2025, 1, 13), today=date(2025, 1, 13))

    summary = services.prescription_update(
        prescription=rx, actor=alice, changes={"start_date": START}, today=date(2025, 1, 13)
    )

    assert summary.past_unlogged == 3  # Mon 6, Wed 8 and Fri 10
    later = services.prescription_update(
        prescription=rx, actor=alice, changes={"brand": "Cobalin-H"}, today=date(2025, 1, 13)
    )
    assert later.past_unlogged == 0  # only reported when the start date moves


@pytest.mark.django_db
def test_a_new_dose_leaves_a_finished_phase_as_it_was(alice):
    rx = create(alice)
    for day in (6, 8, 10, 13, 15, 17):
        log(rx, date(2025, 1, day), today=date(2025, 2, 1))
    services.prescription_update(
        prescription=rx, actor=alice, changes={"dose_mcg": 1500}, today=date(2025, 2, 1)
    )
    loading, maintenance = rx.phases.order_by("order")
    assert (loading.dose_mcg, maintenance.dose_mcg) == (1000, 1500)
