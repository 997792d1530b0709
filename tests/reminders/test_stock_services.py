"""Stock services: a batch received, a count corrected, a batch thrown away, the settings;
each bad input is refused under the field it names and writes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from reminders.models import ReminderPreference, StockBatch, StockMovement
from reminders.stock.services import (
    batch_add,
    batch_adjust,
    batch_discard,
    stock_settings_update,
)
from tests.reminders.test_stock_helpers import START, add, counts, on, on_hand, reasons, weekly

pytestmark = pytest.mark.django_db


def refused(call) -> dict[str, list[str]]:
    """The errors by field ("__all__" for the rest) of a call that must be refused."""
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def test_a_batch_received_is_counted_with_its_ledger_row_and_audit_event(alice):
    weekly(alice)
    batch = add(alice, 10, lot=" AB12 ")
    assert (batch.received, batch.on_hand, batch.lot) == (10, 10, "AB12")
    assert reasons(batch) == [("received", 10)]
    assert AuditEvent.objects.filter(action="stock.batch_added", patient=alice).count() == 1


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"count": 0}, "count", "at least 1"),
        ({"count": -3}, "count", "at least 1"),
        ({"expiry": START - timedelta(days=1)}, "expiry", "has passed"),
        ({"strength_mcg_per_ml": 500}, "strength_mcg_per_ml", "This batch is 500 mcg/mL"),
        ({"ampoule_ml": Decimal("0.50")}, "ampoule_ml", "less than one dose (1.00 mL)"),
    ],
)
def test_a_bad_batch_is_refused_under_its_field_and_nothing_is_written(alice, values, field, words):
    weekly(alice)
    before = counts()
    args = {
        "patient": alice,
        "count": 5,
        "strength_mcg_per_ml": 1000,
        "expiry": date(2027, 1, 1),
        "ampoule_ml": Decimal("1.00"),
    } | values
    with on(START):
        errors = refused(lambda: batch_add(**args))
    assert list(errors) == [field]
    assert words in errors[field][0]
    assert counts() == before


def test_a_batch_expiring_today_is_still_taken(alice):
    weekly(alice)
    assert add(alice, 2, expiry=START).on_hand == 2


def test_without_a_prescription_a_batch_is_refused(alice):
    before = counts()
    with on(START):
        errors = refused(
            lambda: batch_add(
                patient=alice, count=5, strength_mcg_per_ml=1000, expiry=date(2027, 1, 1)
            )
        )
    assert "Add your prescription first" in errors["__all__"][0]
    assert counts() == before


def test_a_count_corrected_writes_an_adjusted_movement_with_its_note(alice):
    weekly(alice)
    batch = add(alice, 10)
    with on(START):
        batch_adjust(patient=alice, batch_id=batch.pk, count=8, note="one broke, one lost")
    assert on_hand(batch) == 8
    assert reasons(batch) == [("received", 10), ("adjusted", -2)]
    assert batch.movements.get(reason="adjusted").note == "one broke, one lost"


@pytest.mark.parametrize(
    ("count", "note", "field"),
    [(-1, "counted", "count"), (4, "  ", "note"), (10, "same", "count")],
)
def test_a_bad_correction_writes_nothing(alice, count, note, field):
    weekly(alice)
    batch = add(alice, 10)
    before = counts()
    with on(START):
        errors = refused(
            lambda: batch_adjust(patient=alice, batch_id=batch.pk, count=count, note=note)
        )
    assert field in errors
    assert on_hand(batch) == 10
    assert counts() == before


def test_another_patients_batch_cannot_be_corrected_or_thrown_away(alice, dave):
    weekly(alice)
    batch = add(alice, 10)
    with on(START):
        refused(lambda: batch_adjust(patient=dave, batch_id=batch.pk, count=1, note="mine"))
        refused(lambda: batch_discard(patient=dave, batch_id=batch.pk))
    assert on_hand(batch) == 10
    assert reasons(batch) == [("received", 10)]


def test_a_batch_thrown_away_leaves_the_count_and_cannot_change_again(alice):
    weekly(alice)
    batch = add(alice, 6)
    with on(START):
        batch_discard(patient=alice, batch_id=batch.pk, note="expired")
    batch.refresh_from_db()
    assert (batch.on_hand, batch.discarded_at is not None) == (0, True)
    assert reasons(batch) == [("received", 6), ("discarded", -6)]
    with on(START):
        refused(lambda: batch_discard(patient=alice, batch_id=batch.pk))
        refused(lambda: batch_adjust(patient=alice, batch_id=batch.pk, count=3, note="found"))
    assert StockMovement.objects.filter(batch=batch).count() == 2


def test_stock_settings_are_saved_and_a_bad_threshold_is_refused(alice):
    weekly(alice)
    with on(START):
        stock_settings_update(
            patient=alice,
            values={
                "refill_enabled": False,
                "refill_doses_ahead": 5,
                "nurse_uses_my_ampoules": True,
            },
        )
        pref = ReminderPreference.objects.get(patient=alice)
        assert (pref.refill_enabled, pref.refill_doses_ahead, pref.nurse_uses_my_ampoules) == (
            False,
            5,
            True,
        )
        errors = refused(
            lambda: stock_settings_update(patient=alice, values={"refill_doses_ahead": 0})
        )
        assert "between 1 and 20" in errors["refill_doses_ahead"][0]
        refused(lambda: stock_settings_update(patient=alice, values={"sms_enabled": True}))
    pref.refresh_from_db()
    assert pref.refill_doses_ahead == 5
    assert StockBatch.objects.count() == 0
