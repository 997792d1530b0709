"""The injection log draws ampoules down: one for each injection the patient or a carer gives,
and a nurse-given one only when the patient brings their own; from the batch whose lot the
injection names, else the first in date to expire; put back by a void or a correction; once."""

from datetime import date

import pytest

from reminders.models import StockMovement
from reminders.stock.drawdown import injection_changed_received, stock_draw
from reminders.stock.services import stock_settings_update
from schedules import services
from schedules.models import Injection
from tests.reminders.test_stock_helpers import (
    START,
    add,
    log,
    on,
    on_hand,
    reasons,
    weekly,
    weeks,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("given_by", ["self", "carer"])
def test_an_injection_given_at_home_takes_one_ampoule(alice, given_by):
    rx = weekly(alice)
    batch = add(alice, 5)
    injection = log(rx, START, given_by=given_by)
    assert on_hand(batch) == 4
    movement = StockMovement.objects.get(injection=injection)
    assert (movement.reason, movement.change, movement.actor) == ("injection", -1, alice)


def test_a_nurse_given_injection_takes_none_unless_the_patient_brings_their_own(alice):
    rx = weekly(alice)
    batch = add(alice, 5)
    log(rx, START, given_by="nurse")
    assert on_hand(batch) == 5
    with on(weeks(1)):
        stock_settings_update(patient=alice, values={"nurse_uses_my_ampoules": True})
    log(rx, weeks(1), given_by="nurse")
    assert on_hand(batch) == 4


def test_the_batch_named_by_the_lot_is_used_before_the_first_to_expire(alice):
    rx = weekly(alice)
    early = add(alice, 3, expiry=date(2027, 1, 31), lot="EARLY1")
    named = add(alice, 3, expiry=date(2027, 6, 30), lot="LATE-22")
    log(rx, START, lot="late-22 ")
    assert (on_hand(early), on_hand(named)) == (3, 2)
    log(rx, weeks(1))  # no lot: the first to expire
    assert (on_hand(early), on_hand(named)) == (2, 2)


def test_an_expired_batch_and_another_strength_are_passed_over(alice):
    rx = weekly(alice)
    expired = add(alice, 3, expiry=weeks(1))  # still in date on the day it was added
    good = add(alice, 3, expiry=date(2027, 6, 30))
    log(rx, weeks(2))
    assert (on_hand(expired), on_hand(good)) == (3, 2)


def test_with_no_stock_the_injection_is_logged_and_nothing_is_taken(alice):
    rx = weekly(alice)
    batch = add(alice, 1)
    log(rx, START)
    second = log(rx, weeks(1))
    assert second.status == Injection.Status.RECORDED
    assert on_hand(batch) == 0
    assert not StockMovement.objects.filter(injection=second).exists()


def test_a_voided_injection_puts_its_ampoule_back_once(alice):
    rx = weekly(alice)
    batch = add(alice, 5)
    injection = log(rx, START)
    with on(START):
        services.injection_void(
            injection=injection, actor=alice, reason="logged twice", today=START
        )
    assert on_hand(batch) == 5
    assert reasons(batch) == [("received", 5), ("injection", -1), ("returned", 1)]
    # The same news again changes nothing.
    injection_changed_received(Injection, injection=injection, change="voided", actor=alice)
    assert on_hand(batch) == 5


def test_a_correction_puts_the_original_back_and_draws_for_the_replacement(alice):
    rx = weekly(alice)
    batch = add(alice, 5)
    injection = log(rx, START)
    with on(START):
        replacement = services.injection_correct(
            injection=injection, actor=alice, reason="wrong site", today=START, site="thigh_left"
        )
    assert on_hand(batch) == 4
    assert reasons(batch) == [
        ("received", 5),
        ("injection", -1),
        ("returned", 1),
        ("injection", -1),
    ]
    assert StockMovement.objects.get(injection=replacement).change == -1


def test_a_correction_to_a_nurse_with_the_clinics_ampoules_leaves_it_put_back(alice):
    rx = weekly(alice)
    batch = add(alice, 5)
    injection = log(rx, START)
    with on(START):
        services.injection_correct(
            injection=injection,
            actor=alice,
            reason="the nurse gave it",
            today=START,
            given_by="nurse",
        )
    assert on_hand(batch) == 5


def test_drawing_twice_for_one_injection_takes_one_ampoule(alice):
    rx = weekly(alice)
    batch = add(alice, 5)
    injection = log(rx, START)
    assert stock_draw(injection=injection, actor=alice) is None
    injection_changed_received(Injection, injection=injection, change="logged", actor=alice)
    assert on_hand(batch) == 4
    assert StockMovement.objects.filter(injection=injection).count() == 1


def test_for_a_patient_who_keeps_no_stock_the_draw_down_costs_one_query(
    alice, django_assert_num_queries
):
    rx = weekly(alice)
    injection = log(rx, START)
    with django_assert_num_queries(1):
        injection_changed_received(Injection, injection=injection, change="logged", actor=alice)
    assert not StockMovement.objects.exists()


def test_voiding_an_injection_whose_batch_was_thrown_away_puts_nothing_back(alice):
    from reminders.stock.services import batch_discard

    rx = weekly(alice)
    batch = add(alice, 5)
    injection = log(rx, START)
    with on(START):
        batch_discard(patient=alice, batch_id=batch.pk, note="recalled")
        services.injection_void(
            injection=injection, actor=alice, reason="logged twice", today=START
        )
    assert on_hand(batch) == 0
    assert reasons(batch) == [("received", 5), ("injection", -1), ("discarded", -4)]
    assert sum(change for _, change in reasons(batch)) == on_hand(batch)
