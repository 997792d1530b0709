"""What a clinician changes on a prescription from the patient's page: confirm it, amend it,
end open-ended loading, change the maintenance interval. Bad input gives a clear message and
writes nothing."""

from datetime import date

import pytest

from accounts.models import AuditEvent
from clinic.forms import PrescriptionAmendForm
from schedules import services
from schedules.models import PrescriptionVersion
from tests.helpers import prescribe

from .helpers import TODAY, refused, snapshot, url

pytestmark = pytest.mark.django_db


# --- confirm and amend --------------------------------------------------------------------------


def test_confirming_the_prescription_records_who_and_when(client_for, alice, bob, neuro):
    response = client_for(bob).post(url("prescription_confirm", alice))

    assert response.status_code == 302
    neuro.refresh_from_db()
    assert neuro.prescriber == bob and neuro.confirmed_at is not None
    assert AuditEvent.objects.filter(action="prescription.confirmed", actor=bob).exists()


def test_confirming_without_a_prescription_is_refused(client_for, alice, bob, clock):
    before = snapshot()

    refused(client_for(bob).post(url("prescription_confirm", alice)), "no active prescription")

    assert snapshot() == before


def test_amending_keeps_the_old_version(client_for, alice, bob, neuro):
    client = client_for(bob)
    form = client.get(url("prescription_edit", alice))
    assert 'value="1000"' in form.content.decode()
    data = {
        "product": "hydroxocobalamin",
        "brand": "Neo-Cytamen",
        "strength_mcg_per_ml": 1000,
        "dose_mcg": 1000,
        "route": "IM",
        "cause": "pernicious_anaemia",
        "neuro": "on",
        "lifelong": "on",
        "given_by": "nurse",
        "reason": "Confirmed at clinic",
    }

    response = client.post(url("prescription_edit", alice), data)

    assert response.status_code == 302
    neuro.refresh_from_db()
    assert (neuro.brand, neuro.given_by, neuro.version) == ("Neo-Cytamen", "nurse", 2)
    assert PrescriptionVersion.objects.get().reason == "Confirmed at clinic"
    assert AuditEvent.objects.filter(action="prescription.changed", actor=bob).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dose_mcg": "0"}, "That is too small"),
        ({"strength_mcg_per_ml": "abc"}, "Enter a whole number"),
        ({"route": "IV"}, "Select a valid choice"),
        ({"dose_mcg": "100000"}, ""),  # the service's unit checks refuse it
        ({"monitoring_plan": "x" * 2004}, "Keep this under 2000 characters (it has 2004)"),
        ({"adjustment_triggers": "x" * 2001}, "Keep this under 2000 characters"),
        ({"notes": "x" * 2001}, "Keep this under 2000 characters"),
    ],
)
def test_amending_with_bad_input_writes_nothing(client_for, alice, bob, neuro, change, message):
    data = {
        "product": "hydroxocobalamin",
        "strength_mcg_per_ml": 1000,
        "dose_mcg": 1000,
        "route": "IM",
        "cause": "unknown",
        "given_by": "self",
        **change,
    }
    before = snapshot()

    response = client_for(bob).post(url("prescription_edit", alice), data)

    refused(response, message)
    assert "Nothing was saved" in response.content.decode()
    assert snapshot() == before


def test_amending_nothing_says_so(client_for, alice, bob, neuro):
    client = client_for(bob)
    data = {k: v for k, v in PrescriptionAmendForm.initial_for(neuro).items() if v is not False}
    before = snapshot()

    response = client.post(url("prescription_edit", alice), data, follow=True)

    assert "Nothing was changed." in response.content.decode()
    assert snapshot() == before


# --- ending loading -----------------------------------------------------------------------------


def test_ending_the_open_loading_phase_plans_maintenance(client_for, alice, bob, neuro):
    client = client_for(bob)
    phase = neuro.phases.get(order=0)

    response = client.post(url("phase_close", alice, phase.pk), {"closed_on": "2025-07-18"})

    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.closed_on == date(2025, 7, 18)
    page = client.get(response.url).content.decode()
    assert "Loading ended on 18 Jul 2025" in page
    assert "Thu 18 Sep 2025" in page  # the first maintenance dose, two months on
    assert "End the open-ended loading phase" not in page
    assert AuditEvent.objects.filter(action="phase.closed", actor=bob).exists()


def test_ending_a_phase_twice_is_refused(client_for, alice, bob, neuro):
    client = client_for(bob)
    phase = neuro.phases.get(order=0)
    client.post(url("phase_close", alice, phase.pk), {"closed_on": "2025-07-18"})
    before = snapshot()

    response = client.post(url("phase_close", alice, phase.pk), {"closed_on": "2025-07-20"})

    refused(response, "This phase is not open-ended, or it was already ended.")
    assert snapshot() == before


def test_ending_a_phase_that_is_not_open_ended_is_refused(client_for, alice, bob, history):
    before = snapshot()
    phase = history.phases.get()  # monthly maintenance, ongoing

    response = client_for(bob).post(
        url("phase_close", alice, phase.pk), {"closed_on": "2025-07-18"}
    )

    refused(response, "This phase is not open-ended")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("closed_on", "message"),
    [
        ("2025-07-21", "A phase can be ended today or on a past date."),
        ("2025-06-01", "That date is before the prescription started."),
        ("18/07/2025x", "Enter a date"),
        ("", "Enter the last day of loading."),
    ],
)
def test_ending_loading_on_a_bad_date_is_refused(client_for, alice, bob, neuro, closed_on, message):
    before = snapshot()
    phase = neuro.phases.get(order=0)

    response = client_for(bob).post(url("phase_close", alice, phase.pk), {"closed_on": closed_on})

    refused(response, message)
    assert 'role="alert"' in response.content.decode()
    assert snapshot() == before


def test_a_phase_of_another_patient_is_404(client_for, alice, bob, dave, neuro):
    rx = prescribe(dave, regimen="bnf-neuro", start=date(2025, 7, 6))
    phase = rx.phases.get(order=0)

    response = client_for(bob).post(
        url("phase_close", alice, phase.pk), {"closed_on": "2025-07-18"}
    )

    assert response.status_code == 404
    phase.refresh_from_db()
    assert phase.closed_on is None


# --- the maintenance interval ---------------------------------------------------------------------


def test_changing_the_maintenance_interval_makes_a_new_version(client_for, alice, bob, history):
    response = client_for(bob).post(
        url("interval_change", alice), {"every": "2", "unit": "month", "reason": "Stable levels"}
    )

    assert response.status_code == 302
    assert history.phases.order_by("-order").first().cadence().describe() == "every 2 months"
    assert PrescriptionVersion.objects.get().reason == "Stable levels"
    assert AuditEvent.objects.filter(action="prescription.interval_changed", actor=bob).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"every": "0", "unit": "month"}, "The interval must be at least 1"),
        ({"every": "-2", "unit": "month"}, "The interval must be at least 1"),
        ({"every": "", "unit": "month"}, "Enter the interval."),
        ({"every": "1", "unit": "month"}, "That is already the maintenance interval."),
        ({"every": "3", "every_max": "2", "unit": "month"}, "The end of a range must be more"),
        ({"every": "2", "unit": "fortnight"}, "Select a valid choice"),
        ({"every": "1.5", "unit": "month"}, "Enter a whole number"),
    ],
)
def test_a_bad_interval_is_refused(client_for, alice, bob, history, data, message):
    before = snapshot()

    response = client_for(bob).post(url("interval_change", alice), data)

    refused(response, message)
    assert snapshot() == before


def test_an_interval_without_an_active_prescription_is_refused(client_for, alice, bob, neuro):
    neuro.status = "stopped"
    neuro.save()
    before = snapshot()

    response = client_for(bob).post(url("interval_change", alice), {"every": "3", "unit": "month"})

    refused(response, "no active prescription")
    assert snapshot() == before


# --- intervals no built-in regimen uses ---------------------------------------------------------

DAILY = {"every": "1", "unit": "day", "reason": "Trial"}


def test_a_daily_maintenance_interval_is_refused_until_confirmed_with_its_consequence(
    client_for, alice, bob, history
):
    before = snapshot()

    response = client_for(bob).post(url("interval_change", alice), DAILY)

    refused(response, "Daily means 365 injections a year; the next doses would be ")
    html = response.content.decode()
    assert "20 Jul, 21 Jul, 22 Jul" in html
    assert "keep maintenance between monthly and every 3 months" in html
    assert 'name="confirm"' in html and "Yes, I mean this interval" in html
    assert 'name="confirmed_for" value="day:1:"' in html
    # beside the interval field, not only above the form
    assert 'id="interval_every"' in html and "is-invalid" in html
    assert snapshot() == before


def test_a_confirmed_daily_interval_is_saved(client_for, alice, bob, history):
    data = {**DAILY, "confirm": "on", "confirmed_for": "day:1:"}

    response = client_for(bob).post(url("interval_change", alice), data)

    assert response.status_code == 302
    assert history.phases.order_by("-order").first().cadence().describe() == "daily"


def test_a_confirmation_given_for_another_interval_asks_again(client_for, alice, bob, history):
    before = snapshot()
    data = {**DAILY, "every": "2", "confirm": "on", "confirmed_for": "day:1:"}

    response = client_for(bob).post(url("interval_change", alice), data)

    refused(response, "Every other day means about 182 injections a year")
    assert 'name="confirmed_for" value="day:2:"' in response.content.decode()
    assert snapshot() == before


def test_a_long_interval_also_needs_confirming(client_for, alice, bob, history):
    response = client_for(bob).post(url("interval_change", alice), {"every": "6", "unit": "month"})

    refused(response, "Every 6 months means 2 injections a year")


@pytest.mark.parametrize(
    "data",
    [
        {"every": "3", "unit": "month"},
        {"every": "2", "every_max": "3", "unit": "month"},
        {"every": "4", "unit": "week"},
        {"every": "13", "unit": "week"},
    ],
)
def test_an_interval_the_regimens_use_needs_no_question(client_for, alice, bob, history, data):
    response = client_for(bob).post(url("interval_change", alice), data)

    assert response.status_code == 302


def test_the_interval_service_itself_still_takes_a_daily_interval(alice, bob, history):
    phase = services.maintenance_interval_change(
        prescription=history, actor=bob, unit="day", every=1, today=TODAY
    )

    assert phase.cadence().describe() == "daily"


def test_an_unusual_interval_the_service_refuses_shows_the_refusal_not_a_question(
    client_for, alice, bob, history
):
    services.maintenance_interval_change(
        prescription=history, actor=bob, unit="day", every=1, today=TODAY
    )
    before = snapshot()

    response = client_for(bob).post(url("interval_change", alice), DAILY)

    refused(response, "That is already the maintenance interval.")
    assert "Yes, I mean this interval" not in response.content.decode()
    assert snapshot() == before
