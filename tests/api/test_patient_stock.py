"""Ampoule stock through the API: the stock page's forecast and batches, adding a batch as the
page does, who may, bad input, and the queries it costs."""

from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from core.clock import local_today
from reminders.models import StockBatch, StockMovement
from reminders.stock.selectors import stock_page
from reminders.stock.services import batch_add
from tests.api.conftest import problem_fields

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/me/stock/"
BATCHES = "/api/v1/me/stock/batches/"


def _batch(patient, **change):
    expiry = (local_today(patient) + timedelta(days=365)).isoformat()
    return {"count": 5, "strength_mcg_per_ml": 1000, "expiry": expiry, "lot": "L1"} | change


def _counts():
    return StockBatch.objects.count(), StockMovement.objects.count(), AuditEvent.objects.count()


def test_a_batch_is_added_and_the_forecast_is_the_pages(alice, rx, as_user):
    client = as_user(alice)
    empty = client.get(STOCK).json()
    assert empty["tracked"] is False and empty["on_hand"] == 0 and empty["batches"] == []
    assert empty["runs_out"] is not None and empty["last_covered"] is None
    response = client.post(BATCHES, _batch(alice), format="json")
    assert response.status_code == 201, response.content
    added = response.json()
    assert added["received"] == added["on_hand"] == 5 and added["lot"] == "L1"
    assert added["ampoule_ml"] == "1.00" and added["discarded_at"] is None
    assert StockMovement.objects.filter(batch_id=added["id"], change=5).count() == 1
    body = client.get(STOCK).json()
    page = stock_page(patient=alice)
    assert body["batches"] == [added]
    assert body["on_hand"] == page.forecast.on_hand == 5
    assert body["covered"] == page.forecast.covered == 5
    assert body["doses_left"] == page.forecast.doses_left
    assert body["runs_out"]["dose"] == page.forecast.runs_out.id
    assert body["last_covered"]["due"] == page.forecast.last_covered.due.isoformat()
    assert body["needed"] is True and body["tracked"] is True


@pytest.mark.parametrize(
    "change, field",
    [
        ({"count": 0}, "count"),
        ({"count": 501}, "count"),
        ({"count": 10**30}, "count"),
        ({"count": "five"}, "count"),
        ({"strength_mcg_per_ml": 500}, "strength_mcg_per_ml"),
        ({"ampoule_ml": "0"}, "ampoule_ml"),
        ({"ampoule_ml": "100.5"}, "ampoule_ml"),
        ({"expiry": "2001-01-01"}, "expiry"),
        ({"expiry": "later"}, "expiry"),
        ({"lot": "x" * 41}, "lot"),
    ],
)
def test_a_bad_batch_is_a_400_and_writes_nothing(alice, rx, as_user, change, field):
    client = as_user(alice)
    before = _counts()
    assert field in problem_fields(client.post(BATCHES, _batch(alice, **change), format="json"))
    assert _counts() == before


def test_a_batch_without_a_prescription_is_refused(alice, as_user):
    client = as_user(alice)
    before = _counts()
    errors = problem_fields(client.post(BATCHES, _batch(alice), format="json"))
    assert "prescription" in errors["non_field_errors"][0]
    assert _counts() == before


def test_others_see_none_of_alices_and_a_clinician_none_at_all(alice, bob, dave, rx, as_user):
    as_user(alice).post(BATCHES, _batch(alice), format="json")
    assert as_user(dave, "read").get(STOCK).json()["batches"] == []
    clinician = as_user(bob)
    before = _counts()
    for response in (clinician.get(STOCK), clinician.post(BATCHES, _batch(alice), format="json")):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert _counts() == before


def test_a_read_token_cannot_add_a_batch(alice, rx, as_user):
    reader = as_user(alice, "read")
    before = _counts()
    response = reader.post(BATCHES, _batch(alice), format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert _counts() == before


@pytest.mark.parametrize("rows", [3, 30])
def test_the_stock_costs_the_same_queries(alice, rx, as_user, rows, django_assert_num_queries):
    today = local_today(alice)
    for n in range(rows):
        batch_add(
            patient=alice, count=2, strength_mcg_per_ml=1000, expiry=today + timedelta(days=30 + n)
        )
    client = as_user(alice, "read")
    # The token and its last use, then the stock page's own: preferences, prescription,
    # batches, open doses, ledger, and the patient's time zone.
    with django_assert_num_queries(8):
        body = client.get(STOCK).json()
    assert len(body["batches"]) == rows
