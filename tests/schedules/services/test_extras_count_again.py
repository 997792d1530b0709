"""Extras that count again after a void or correction: earliest first, each judged without
the extras after it, and a corrected extra keeps its confirmation."""

from datetime import date

import pytest

from accounts.models import AuditEvent
from schedules import services
from tests.schedules.helpers import create, log

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
