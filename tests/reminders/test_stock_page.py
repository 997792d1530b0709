"""The stock page: a patient adds a batch, sees the forecast, corrects a count, throws a batch
away and saves the settings; bad input is answered beside its field with nothing written;
another patient's batch is not found; clinicians and visitors do not reach it."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from reminders.models import ReminderPreference, StockBatch
from tests.reminders.test_stock_helpers import START, add, counts, log, on, on_hand, weekly

pytestmark = pytest.mark.django_db
URL = reverse("reminders:stock")


def batch_form(**values: object) -> dict[str, object]:
    return {
        "count": "6",
        "strength_mcg_per_ml": "1000",
        "ampoule_ml": "1.00",
        "expiry": "2027-03-31",
        "lot": "HX-42",
    } | values


def field_error(html: str, field: str) -> str:
    """The text of the error shown under `field` (crispy-bootstrap5 puts it in the field's div)."""
    block = html.split(f'id="div_id_{field}"', 1)[1].split('id="div_id_', 1)[0]
    assert "invalid-feedback" in block, block
    return block.split("invalid-feedback", 1)[1].split("</", 1)[0]


def test_a_patient_adds_a_batch_and_sees_how_long_it_lasts(client_for, alice):
    rx = weekly(alice)
    log(rx, START)
    client = client_for(alice)
    with on(START):
        blank = client.get(URL).content.decode()
        assert re.search(r'name="strength_mcg_per_ml" value="1000"', blank)  # prefilled
        response = client.post(URL, batch_form(count="4"))
        assert response.status_code == 302
        page = client.get(URL).content.decode()
    batch = StockBatch.objects.get(patient=alice)
    assert (batch.on_hand, batch.lot, batch.expiry) == (4, "HX-42", date(2027, 3, 31))
    assert "Added 4 ampoules, use by 31 Mar 2027." in page
    assert (
        "Your ampoules last until your injection on 29 Jun 2026: 4 doses. "
        "Get more before 6 Jul 2026." in page
    )
    assert "4 of 4" in page and "HX-42" in page
    assert "with no ampoule yet" in page  # the doses left beyond the stock
    assert "Received" in page  # the ledger


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"count": "-2"}, "count", "at least 1"),
        ({"expiry": "2026-05-31"}, "expiry", "has passed"),
        ({"strength_mcg_per_ml": "500"}, "strength_mcg_per_ml", "This batch is 500 mcg/mL"),
        ({"expiry": "soon"}, "expiry", "Enter a date"),
    ],
)
def test_bad_batch_input_is_shown_beside_its_field_and_nothing_is_written(
    client_for, alice, values, field, words
):
    weekly(alice)
    before = counts()
    with on(START):
        response = client_for(alice).post(URL, batch_form(**values))
    assert response.status_code == 400
    assert words in field_error(response.content.decode(), field)
    assert counts() == before


def test_a_count_is_corrected_and_a_batch_thrown_away_through_its_page(client_for, alice):
    weekly(alice)
    batch = add(alice, 6)
    client = client_for(alice)
    with on(START):
        page = client.get(reverse("reminders:stock_batch", args=[batch.pk]))
        assert page.status_code == 200 and "6 of 6 left" in page.content.decode()
        bad = client.post(
            reverse("reminders:stock_adjust", args=[batch.pk]), {"count": "-1", "note": "x"}
        )
        assert bad.status_code == 400
        assert "below zero" in field_error(bad.content.decode(), "count")
        assert on_hand(batch) == 6
        ok = client.post(
            reverse("reminders:stock_adjust", args=[batch.pk]), {"count": "5", "note": "one broke"}
        )
        assert ok.status_code == 302 and on_hand(batch) == 5
        gone = client.post(reverse("reminders:stock_discard", args=[batch.pk]), {"note": "recall"})
    assert gone.status_code == 302
    batch.refresh_from_db()
    assert batch.discarded_at is not None and batch.on_hand == 0


def test_the_settings_are_saved_from_the_stock_page(client_for, alice):
    weekly(alice)
    client = client_for(alice)
    data = {"refill_enabled": "on", "refill_doses_ahead": "21"}
    with on(START):
        bad = client.post(reverse("reminders:stock_settings"), data)
        assert bad.status_code == 400
        assert "between 1 and 20" in field_error(bad.content.decode(), "refill_doses_ahead")
        assert not ReminderPreference.objects.filter(patient=alice).exists()
        data |= {"refill_doses_ahead": "5", "nurse_uses_my_ampoules": "on"}
        assert client.post(reverse("reminders:stock_settings"), data).status_code == 302
    pref = ReminderPreference.objects.get(patient=alice)
    assert (pref.refill_enabled, pref.refill_doses_ahead, pref.nurse_uses_my_ampoules) == (
        True,
        5,
        True,
    )


def test_a_nurse_given_prescription_says_no_stock_is_needed(client_for, alice):
    weekly(alice, given_by="nurse")
    with on(START):
        page = client_for(alice).get(URL).content.decode()
    assert "A nurse gives your injections with the clinic's ampoules" in page


def test_another_patients_batch_is_not_found_and_unchanged(client_for, alice, dave):
    weekly(alice)
    batch = add(alice, 6)
    client = client_for(dave)
    with on(START):
        for name, data in (
            ("reminders:stock_batch", None),
            ("reminders:stock_adjust", {"count": "1", "note": "mine"}),
            ("reminders:stock_discard", {"note": "mine"}),
        ):
            url = reverse(name, args=[batch.pk])
            response = client.get(url) if data is None else client.post(url, data)
            assert response.status_code == 404, name
    assert on_hand(batch) == 6


def test_clinicians_get_404_and_visitors_the_login_page(client_for, alice, bob):
    weekly(alice)
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client_for(bob).get(URL).status_code == 404


def test_the_home_and_reminders_pages_link_the_stock_page(client_for, alice):
    weekly(alice)
    client = client_for(alice)
    for page in (reverse("home"), reverse("reminders:preferences")):
        assert f'href="{URL}"' in client.get(page).content.decode(), page


def test_the_stock_page_takes_only_get_and_post(client_for, alice):
    weekly(alice)
    client = client_for(alice)
    for method in (client.put, client.delete, client.patch):
        response = method(URL, {"count": "5"})
        assert response.status_code == 405
        assert sorted(response["Allow"].split(", ")) == ["GET", "POST"]
    assert not StockBatch.objects.exists()
