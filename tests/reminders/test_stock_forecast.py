"""The forecast: planned doses take ampoules in date order from the batch that expires first
among those still in date; it says when the stock runs out, and which batches expire before
the plan reaches them (and how many ampoules that wastes)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from reminders.models import StockBatch
from reminders.stock.forecast import BatchStock, PlannedDose, allocate, ampoules_for, expiring_soon
from reminders.stock.selectors import stock_forecast
from reminders.stock.services import stock_settings_update
from tests.reminders.test_stock_helpers import START, add, log, on, weekly, weeks

ONE = Decimal("1.00")


def doses(n: int, *, every: int = 7) -> list[PlannedDose]:
    return [
        PlannedDose(id=k + 1, due=START + timedelta(days=every * k), volume_ml=ONE)
        for k in range(n)
    ]


def batch(pk: int, on_hand: int, expiry: date, ampoule_ml: Decimal = ONE) -> BatchStock:
    return BatchStock(id=pk, expiry=expiry, on_hand=on_hand, ampoule_ml=ampoule_ml)


def test_a_dose_bigger_than_an_ampoule_takes_two():
    assert ampoules_for(Decimal("1.00"), ONE) == 1
    assert ampoules_for(Decimal("0.10"), ONE) == 1
    assert ampoules_for(Decimal("1.50"), ONE) == 2


def test_the_stock_runs_out_at_the_first_dose_with_no_ampoule():
    plan = doses(10)
    result = allocate([batch(1, 2, date(2027, 1, 1)), batch(2, 2, date(2027, 2, 1))], plan)
    assert result.covered == 4
    assert result.last_covered == plan[3]
    assert result.runs_out == plan[4]
    assert result.wasted == []


def test_the_first_to_expire_goes_first_and_a_batch_out_of_date_is_skipped():
    plan = doses(6)  # Jun 1 ... Jul 6
    short = batch(1, 5, START + timedelta(days=10))  # in date for the first two doses only
    long = batch(2, 2, date(2027, 1, 1))
    result = allocate([long, short], plan)
    # Two doses from the short batch, then the long one's two, then nothing.
    assert result.covered == 4
    assert result.runs_out == plan[4]
    [waste] = result.wasted
    assert (waste.batch_id, waste.ampoules, waste.expiry) == (1, 3, short.expiry)


def test_everything_covered_wastes_only_batches_that_expire_before_the_last_dose():
    plan = doses(3)  # Jun 1, 8, 15
    result = allocate(
        [batch(1, 5, START + timedelta(days=10)), batch(2, 5, date(2027, 1, 1))], plan
    )
    assert (result.covered, result.runs_out) == (3, None)
    assert [(w.batch_id, w.ampoules) for w in result.wasted] == [(1, 3)]


def test_batches_near_or_past_their_date_with_ampoules_left_are_expiring():
    today = START
    near = batch(1, 2, today + timedelta(days=14))
    far = batch(2, 2, today + timedelta(days=15))
    empty = batch(3, 0, today + timedelta(days=3))
    assert expiring_soon([near, far, empty], today) == [near]


@pytest.mark.django_db
def test_the_forecast_of_a_weekly_plan_names_the_last_dose_covered_and_the_one_after(alice):
    rx = weekly(alice)
    add(alice, 4)
    log(rx, START)
    with on(START):
        forecast = stock_forecast(patient=alice)
    # Three left for the doses of Jun 8, 15 and 22; the dose of Jun 29 has none.
    assert forecast.on_hand == 3
    assert forecast.covered == 3
    assert forecast.last_covered is not None and forecast.last_covered.due == weeks(3)
    assert forecast.runs_out is not None and forecast.runs_out.due == weeks(4)
    assert forecast.low(3) and not forecast.low(2)
    assert forecast.doses_left == forecast.doses_planned - 3


@pytest.mark.django_db
def test_a_batch_expiring_before_its_use_is_found(alice):
    weekly(alice)
    add(alice, 2, expiry=date(2027, 12, 31))
    add(alice, 3, expiry=weeks(1))  # used first, but only two doses come before it expires
    with on(START):
        forecast = stock_forecast(patient=alice)
    assert forecast.covered == 4
    assert [(w.ampoules, w.expiry) for w in forecast.wasted] == [(1, weeks(1))]
    assert [b.expiry for b in forecast.expiring] == [weeks(1)]


@pytest.mark.django_db
def test_a_nurse_given_prescription_needs_no_stock_unless_the_patient_brings_their_own(alice):
    weekly(alice, given_by="nurse")
    add(alice, 1)
    with on(START):
        assert not stock_forecast(patient=alice).needed
        stock_settings_update(patient=alice, values={"nurse_uses_my_ampoules": True})
        assert stock_forecast(patient=alice).needed


@pytest.mark.django_db
def test_a_batch_of_another_strength_does_not_count(alice):
    """Left from an earlier prescription of another strength: it would give another dose."""
    weekly(alice)
    add(alice, 2)
    StockBatch.objects.create(
        patient=alice, strength_mcg_per_ml=500, received=5, on_hand=5, expiry=date(2027, 1, 1)
    )
    with on(START):
        forecast = stock_forecast(patient=alice)
    assert forecast.on_hand == 2
    assert forecast.runs_out is not None and forecast.runs_out.due == weeks(2)
