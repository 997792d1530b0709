"""One patient's page for their clinician: timeline, charts with tables, and the actions
(confirm, amend, end loading, change the maintenance interval, notes, flags). Bad input on
every action gives a clear message and writes nothing."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from monitoring.models import Flag
from schedules.models import Dose, Phase, Prescription, PrescriptionVersion

from .conftest import TODAY
from .helpers import log, prescribe, settle

pytestmark = pytest.mark.django_db


def url(name: str, patient, *args) -> str:
    return reverse(f"clinic:{name}", args=[patient.pk, *args])


@pytest.fixture
def neuro(alice, clock):
    """bnf-neuro from Sun 6 Jul 2025: every other day until a clinician ends it; 10 Jul missed."""
    rx = prescribe(alice, "bnf-neuro", date(2025, 7, 6))
    for day in (6, 8, 12, 14, 16, 18):
        log(rx, date(2025, 7, day))
    settle(rx, TODAY)
    return rx


def snapshot() -> dict:
    """Everything an action could write."""
    return {
        "audit": list(AuditEvent.objects.values_list("pk", flat=True)),
        "flags": list(Flag.objects.order_by("pk").values("status", "note", "acted_at")),
        "phases": list(Phase.objects.order_by("pk").values()),
        "prescriptions": list(Prescription.objects.order_by("pk").values()),
        "versions": PrescriptionVersion.objects.count(),
        "doses": list(Dose.objects.order_by("pk").values("due", "status")),
    }


def refused(response, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_flags_phases_charts_and_timeline(client_for, alice, bob, neuro):
    html = client_for(bob).get(url("patient_detail", alice)).content.decode()

    assert "Missed dose in a loading phase" in html
    assert "End the open-ended loading phase" in html
    assert 'id="chart-data"' in html and 'id="adherence-chart"' in html
    assert "Doses per phase since the start" in html  # the chart's table
    assert "Missed: not given by 11 Jul 2025" in html  # the timeline
    assert "How these are counted" in html
    assert "js/clinic_charts.js" in html


def test_the_timeline_shows_an_injection_outside_every_window_as_extra(
    client_for, alice, bob, clock
):
    rx = prescribe(alice, "seed-maintenance", date(2025, 5, 1))
    log(rx, date(2025, 5, 1))
    log(rx, date(2025, 5, 20), today=TODAY)  # the June dose's window opens on 25 May

    html = client_for(bob).get(url("patient_detail", alice)).content.decode()

    assert "Outside every dose window; it does not move the schedule" in html


def test_the_page_runs_the_same_queries_for_a_short_and_a_long_history(
    client_for, alice, bob, clock, make_patient
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .helpers import link

    client = client_for(bob)
    prescribe(alice, "seed-maintenance", date(2025, 7, 1))
    with CaptureQueriesContext(connection) as short:
        client.get(url("patient_detail", alice))
    erin = make_patient("erin@example.com", "Erin Long")
    link(bob, erin)
    rx = prescribe(erin, "afp-daily-weekly-monthly", date(2024, 1, 1))
    for dose in rx.doses.filter(due__lt=TODAY).order_by("due"):
        log(rx, dose.due)

    with CaptureQueriesContext(connection) as long:
        html = client.get(url("patient_detail", erin)).content.decode()

    assert len(long) == len(short)
    assert "Show the whole history" in html


def test_the_printable_report_has_regimen_adherence_intervals_and_injections(
    client_for, alice, bob, history
):
    html = client_for(bob).get(url("patient_report", alice)).content.decode()

    assert "B12 injection report: Alice Patel" in html
    assert "Doses per phase since the start" in html
    assert 'id="interval-chart"' in html
    assert "Voided: Not given after all" in html
    assert "Extra (not a dose)" in html
    assert 'id="print-report"' in html


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
    from clinic.forms import PrescriptionAmendForm

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
    rx = prescribe(dave, "bnf-neuro", date(2025, 7, 6))
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


# --- notes ----------------------------------------------------------------------------------------


def test_a_note_lands_in_the_record_and_the_timeline(client_for, alice, bob, neuro):
    client = client_for(bob)

    response = client.post(url("note_add", alice), {"note": "Phoned: feeling better."})

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="patient.note")
    assert (event.actor, event.patient, event.detail) == (
        bob,
        alice,
        {"text": "Phoned: feeling better."},
    )
    assert "Phoned: feeling better." in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("note", "message"),
    [("", "Write the note"), ("   ", "Write the note"), ("x" * 2001, "at most 2000")],
)
def test_an_empty_or_long_note_is_refused(client_for, alice, bob, neuro, note, message):
    before = snapshot()

    refused(client_for(bob).post(url("note_add", alice), {"note": note}), message)

    assert snapshot() == before


# --- flags --------------------------------------------------------------------------------------


@pytest.fixture
def flag(neuro):
    return Flag.objects.get(kind="missed_loading")


def test_acknowledge_then_resolve_a_flag(client_for, alice, bob, flag):
    client = client_for(bob)

    acknowledged = client.post(url("flag_acknowledge", alice, flag.pk), {"note": ""})
    resolved = client.post(url("flag_resolve", alice, flag.pk), {"note": "Rang her; resumed."})

    assert acknowledged.status_code == resolved.status_code == 302
    flag.refresh_from_db()
    assert (flag.status, flag.acted_by) == ("resolved", bob)
    assert flag.note.endswith("Dr Bob Smith: Rang her; resumed.")
    actions = AuditEvent.objects.filter(actor=bob).values_list("action", flat=True)
    assert set(actions) == {"flag.acknowledged", "flag.resolved"}


def test_resolving_a_flag_twice_is_refused(client_for, alice, bob, flag):
    client = client_for(bob)
    client.post(url("flag_resolve", alice, flag.pk), {"note": "Done."})
    before = snapshot()

    response = client.post(url("flag_resolve", alice, flag.pk), {"note": "Done again."})

    refused(response, "This flag was already resolved.")
    assert snapshot() == before


def test_acknowledging_twice_is_refused(client_for, alice, bob, flag):
    client = client_for(bob)
    client.post(url("flag_acknowledge", alice, flag.pk), {"note": ""})
    before = snapshot()

    refused(client.post(url("flag_acknowledge", alice, flag.pk), {}), "already acknowledged")

    assert snapshot() == before


@pytest.mark.parametrize("action", ["flag_resolve", "flag_note"])
def test_resolving_or_noting_without_a_note_is_refused(client_for, alice, bob, flag, action):
    before = snapshot()

    response = client_for(bob).post(url(action, alice, flag.pk), {"note": "  "})

    assert response.status_code == 400
    assert snapshot() == before


def test_a_note_on_a_flag_keeps_its_status(client_for, alice, bob, flag):
    client_for(bob).post(url("flag_note", alice, flag.pk), {"note": "Left a voicemail."})

    flag.refresh_from_db()
    assert flag.status == "open"
    assert flag.note.endswith("Left a voicemail.")
    assert AuditEvent.objects.filter(action="flag.note_added", actor=bob).count() == 1


def test_a_flag_of_another_patient_is_404_through_alices_url(client_for, alice, bob, dave, flag):
    flag_of_dave = Flag.objects.create(
        patient=dave,
        prescription=prescribe(dave, "seed-maintenance", date(2025, 7, 1)),
        kind="three_month_review",
        key="x",
    )

    response = client_for(bob).post(url("flag_resolve", alice, flag_of_dave.pk), {"note": "x"})

    assert response.status_code == 404
    flag_of_dave.refresh_from_db()
    assert flag_of_dave.status == "open"


def test_acting_from_the_inbox_returns_to_the_inbox(client_for, alice, bob, flag):
    inbox = reverse("clinic:flags") + "?kind=missed_loading"

    response = client_for(bob).post(url("flag_acknowledge", alice, flag.pk), {"next": inbox})

    assert response.url == inbox


def test_an_outside_next_address_is_ignored(client_for, alice, bob, flag):
    response = client_for(bob).post(
        url("flag_acknowledge", alice, flag.pk), {"next": "https://evil.example/clinic/flags/"}
    )

    assert response.url == url("patient_detail", alice)


def test_the_inbox_lists_unresolved_flags_of_linked_patients(client_for, alice, bob, flag, dave):
    Flag.objects.create(
        patient=dave,
        prescription=prescribe(dave, "seed-maintenance", date(2025, 7, 1)),
        kind="three_month_review",
        key="dave",
    )
    client = client_for(bob)

    html = client.get(reverse("clinic:flags")).content.decode()
    assert "Alice Patel" in html and "Missed dose in a loading phase" in html
    assert "Dave Jones" not in html  # not linked to bob

    client.post(url("flag_resolve", alice, flag.pk), {"note": "Done."})
    assert "Alice Patel" not in client.get(reverse("clinic:flags")).content.decode()
    resolved = client.get(reverse("clinic:flags"), {"status": "resolved"}).content.decode()
    assert "Alice Patel" in resolved and "Done." in resolved
