"""Adding a prescription (regimen, details, live preview of first dates), its checklist
page, and changing it: bad input next to its field, nothing written, one row per submit."""

from datetime import date

import pytest
from django.urls import reverse

from schedules import regimens
from schedules.models import Dose, Prescription, PrescriptionVersion
from tests.htmltools import field_errors, parse
from tests.schedules.helpers import START, log

pytestmark = pytest.mark.django_db
START_URL = reverse("schedules:prescription_new")
DETAILS_URL = reverse("schedules:prescription_details")
PREVIEW_URL = reverse("schedules:prescription_preview")
EDIT_URL = reverse("schedules:prescription_edit")

BNF_DATES = [
    "Mon 6 Jan 2025",
    "Wed 8 Jan 2025",
    "Fri 10 Jan 2025",
    "Mon 13 Jan 2025",
    "Wed 15 Jan 2025",
    "Fri 17 Jan 2025",
    "Mon 17 Mar 2025",
    "Sat 17 May 2025",
]


def details(**changes):
    data = {
        "regimen": "bnf-no-neuro",
        "start_date": "2025-01-06",
        "product": "hydroxocobalamin",
        "brand": "",
        "strength_mcg_per_ml": "1000",
        "dose_mcg": "1000",
        "route": "IM",
        "cause": "pernicious_anaemia",
        "neuro": "no",
        "lifelong": "on",
        "given_by": "self",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


def preview_dates(html: bytes) -> list[str]:
    items = parse(html).find(cls="preview-list").find_all("strong")
    return [item.text for item in items]


def test_step_one_explains_every_regimen_with_its_source(client_for, alice, clock):
    page = parse(client_for(alice).get(START_URL).content)

    for regimen in regimens.REGIMENS.values():
        about = page.by_id(f"about-{regimen.slug}")
        assert regimen.summary in about.text and regimen.source in about.text
    assert page.find("input", value="custom") is not None


def test_step_one_without_a_choice_says_so_next_to_the_field(client_for, alice, clock):
    response = client_for(alice).get(START_URL, {"step": "1"})

    assert response.status_code == 400
    assert "Pick the schedule you were given" in parse(response.content).by_id("regimen-error").text


def test_step_one_leads_to_step_two_for_the_chosen_regimen(client_for, alice, clock):
    response = client_for(alice).get(START_URL, {"step": "1", "regimen": "bnf-no-neuro"})

    assert response.status_code == 302
    assert response.url == f"{DETAILS_URL}?regimen=bnf-no-neuro"


def test_step_two_for_an_unknown_regimen_goes_back_to_step_one(client_for, alice, clock):
    response = client_for(alice).get(DETAILS_URL, {"regimen": "snake-oil"})

    assert response.status_code == 302 and response.url == START_URL


def test_preview_button_shows_first_dates_without_saving(client_for, alice, clock):
    response = client_for(alice).post(DETAILS_URL, details(preview="1"))

    assert response.status_code == 200
    assert preview_dates(response.content)[:8] == BNF_DATES
    assert Prescription.objects.count() == 0


def test_htmx_preview_returns_only_the_fragment(client_for, alice, clock):
    response = client_for(alice).get(PREVIEW_URL, details(), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert preview_dates(response.content)[:8] == BNF_DATES
    assert Prescription.objects.count() == 0


def test_htmx_preview_lists_problems_instead_of_dates(client_for, alice, clock):
    response = client_for(alice).get(PREVIEW_URL, details(dose_mcg="1"))

    assert "If the label says 1 mg, enter 1000 mcg" in response.content.decode()
    assert parse(response.content).find(cls="preview-list") is None


def test_saving_plans_six_loading_doses_then_maintenance(client_for, alice, clock):
    response = client_for(alice).post(DETAILS_URL, details())

    assert response.status_code == 302 and response.url == reverse("schedules:prescription")
    rx = Prescription.objects.get()
    dues = list(rx.doses.order_by("due").values_list("due", flat=True)[:7])
    assert dues[:6] == [date(2025, 1, d) for d in (6, 8, 10, 13, 15, 17)]
    assert dues[6] == date(2025, 3, 17)
    assert (rx.cause, rx.neuro, rx.regimen_slug) == ("pernicious_anaemia", False, "bnf-no-neuro")


def test_double_submit_gives_one_prescription(client_for, alice, clock):
    client = client_for(alice)

    client.post(DETAILS_URL, details())
    again = client.post(DETAILS_URL, details(), follow=True)

    assert Prescription.objects.count() == 1
    assert "Your prescription is saved" in again.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"strength_mcg_per_ml": "1"},
            "strength_mcg_per_ml",
            "If the label says 1 mg/mL, enter 1000",
        ),
        ({"strength_mcg_per_ml": "0"}, "strength_mcg_per_ml", "too small"),
        ({"strength_mcg_per_ml": "99999"}, "strength_mcg_per_ml", "1 mg/mL is 1000 mcg/mL"),
        ({"dose_mcg": "1"}, "dose_mcg", "If the label says 1 mg, enter 1000 mcg"),
        ({"dose_mcg": "1000000"}, "dose_mcg", "check mg against mcg"),
        ({"dose_mcg": "-5"}, "dose_mcg", "too small"),
        ({"dose_mcg": "1,000"}, "dose_mcg", "whole number"),
        ({"dose_mcg": "5000", "strength_mcg_per_ml": "1000"}, "dose_mcg", "more than 3 mL"),
        ({"start_date": "2026-06-01"}, "start_date", "more than a year ahead"),
        ({"start_date": "2010-01-01"}, "start_date", "more than ten years ago"),
        ({"start_date": "next monday"}, "start_date", "Enter a date"),
        ({"route": "IV"}, "route", "not one of the available choices"),
        ({"neuro": None}, "neuro", "required"),
    ],
)
def test_bad_details_are_shown_next_to_the_field_and_nothing_is_written(
    client_for, alice, clock, changes, field, message
):
    response = client_for(alice).post(DETAILS_URL, details(**changes))

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content, field))
    assert Prescription.objects.count() == 0


def custom(**changes):
    data = {
        "regimen": "custom",
        "loading_every": "2",
        "loading_unit": "day",
        "loading_count": "5",
        "maintenance_every": "1",
        "maintenance_unit": "month",
    }
    return details(**(data | changes))


def test_custom_schedule_is_saved_as_its_phases(client_for, alice, clock):
    response = client_for(alice).post(DETAILS_URL, custom())

    assert response.status_code == 302
    rx = Prescription.objects.get()
    phases = list(rx.phases.values_list("kind", "unit", "every", "bound", "count"))
    assert phases == [
        ("repletion", "day", 2, "count", 5),
        ("maintenance", "month", 1, "ongoing", None),
    ]
    dues = list(rx.doses.order_by("due").values_list("due", flat=True)[:6])
    assert dues == [date(2025, 1, d) for d in (6, 8, 10, 12, 14)] + [date(2025, 2, 14)]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"maintenance_every": ""}, "maintenance_every", "how often"),
        ({"loading_count": ""}, "loading_count", "Fill in both loading fields"),
        ({"maintenance_every_max": "1"}, "maintenance_every_max", "at least 2"),
        (
            {"maintenance_every": "3", "maintenance_every_max": "2"},
            "maintenance_every_max",
            "above 3",
        ),
        ({"loading_count": "500"}, "loading_count", "too large"),
    ],
)
def test_bad_custom_schedule_is_refused_next_to_the_field(
    client_for, alice, clock, changes, field, message
):
    response = client_for(alice).post(DETAILS_URL, custom(**changes))

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content, field))
    assert Prescription.objects.count() == 0


def test_checklist_shows_the_record_and_what_is_still_missing(client_for, alice, alice_rx):
    page = parse(client_for(alice).get(reverse("schedules:prescription")).content)

    checklist = page.find(cls="checklist").text
    assert "1000 mcg per mL" in checklist
    assert "Intramuscular" in checklist
    assert "1000 mcg, which is 1.00 mL to draw up" in checklist
    missing = page.by_id("still-missing").text
    assert "Monitoring plan" in missing
    assert "When to get in touch sooner" in missing
    assert "Checked by a clinician" in missing
    phases = page.find(cls="phase-list").text
    assert "Mon, Wed, Fri, 1000 mcg; 6 injections" in phases
    assert "every 2–3 months, 1000 mcg; ongoing" in phases
    assert "Current phase" in phases


def edit_data(rx, **changes):
    data = {
        "product": rx.product,
        "brand": rx.brand,
        "strength_mcg_per_ml": str(rx.strength_mcg_per_ml),
        "dose_mcg": str(rx.dose_mcg),
        "route": rx.route,
        "cause": rx.cause,
        "neuro": "yes" if rx.neuro else "no",
        "lifelong": "on",
        "given_by": rx.given_by,
        "start_date": rx.start_date.isoformat(),
        "monitoring_plan": "",
        "adjustment_triggers": "",
        "notes": "",
        "reason": "",
    }
    return data | changes


def test_editing_replans_and_says_what_changed(client_for, alice, alice_rx):
    response = client_for(alice).post(
        EDIT_URL,
        edit_data(alice_rx, start_date="2025-01-08", monitoring_plan="B12 at 3 months"),
        follow=True,
    )

    text = response.content.decode()
    assert "You changed: start date, monitoring plan." in text
    assert "Your next dates were 6 Jan, 8 Jan" in text
    assert "they are now 8 Jan, 10 Jan" in text
    alice_rx.refresh_from_db()
    assert alice_rx.start_date == date(2025, 1, 8)
    assert PrescriptionVersion.objects.filter(prescription=alice_rx).count() == 1


def test_editing_without_changes_changes_nothing(client_for, alice, alice_rx):
    response = client_for(alice).post(EDIT_URL, edit_data(alice_rx), follow=True)

    assert "Nothing was different" in response.content.decode()
    assert PrescriptionVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"strength_mcg_per_ml": "1"}, "strength_mcg_per_ml", "enter 1000"),
        ({"dose_mcg": "2"}, "dose_mcg", "If the label says 2 mg, enter 2000 mcg"),
        ({"start_date": "2027-01-01"}, "start_date", "more than a year ahead"),
    ],
)
def test_bad_edits_are_refused_next_to_the_field(
    client_for, alice, alice_rx, changes, field, message
):
    before = list(Dose.objects.values_list("due", "status"))

    response = client_for(alice).post(EDIT_URL, edit_data(alice_rx, **changes))

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content, field))
    alice_rx.refresh_from_db()
    assert (alice_rx.version, alice_rx.strength_mcg_per_ml, alice_rx.dose_mcg) == (1, 1000, 1000)
    assert list(Dose.objects.values_list("due", "status")) == before


def test_start_date_stays_once_an_injection_is_logged(client_for, alice, alice_rx):
    log(alice_rx, START)

    response = client_for(alice).post(EDIT_URL, edit_data(alice_rx, start_date="2025-01-08"))

    assert response.status_code == 400
    assert any("start date stays" in e for e in field_errors(response.content, "start_date"))
    assert PrescriptionVersion.objects.count() == 0


def test_new_prescription_pages_send_an_active_patient_to_the_checklist(
    client_for, alice, alice_rx
):
    client = client_for(alice)

    for url in (START_URL, f"{DETAILS_URL}?regimen=bnf-no-neuro"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("schedules:prescription")


def test_first_injection_is_the_first_listed_weekday_not_the_start_date(client_for, alice, clock):
    client = client_for(alice)
    client.post(DETAILS_URL, details(start_date="2025-01-07"))  # a Tuesday; doses Mon/Wed/Fri

    page = parse(client.get(reverse("schedules:prescription")).content)

    text = page.by_id("first-injection").text
    assert text.startswith("First injection on 8 January 2025")
    assert "your start date is 7 January 2025" in text


def test_first_injection_on_the_start_date_says_it_once(client_for, alice, alice_rx):
    text = parse(client_for(alice).get(reverse("schedules:prescription")).content).by_id(
        "first-injection"
    )

    assert text.text == "First injection on 6 January 2025. Version 1."


def test_phase_bounds_end_with_a_full_stop_and_no_space_before_it(client_for, alice, alice_rx):
    page = parse(client_for(alice).get(reverse("schedules:prescription")).content)

    phases = page.find(cls="phase-list").text
    assert "6 injections." in phases and "ongoing." in phases
    assert " ." not in phases


def test_for_life_starts_unticked(client_for, alice, clock):
    page = parse(client_for(alice).get(DETAILS_URL, {"regimen": "bnf-no-neuro"}).content)

    assert "checked" not in page.by_id("id_lifelong").attrs


def test_saving_without_ticking_for_life_records_not_for_life(client_for, alice, clock):
    client_for(alice).post(DETAILS_URL, details(lifelong=None))

    assert Prescription.objects.get().lifelong is False


@pytest.mark.parametrize("every", ["2", "3"])
def test_custom_weekdays_with_an_interval_is_refused_next_to_the_field(
    client_for, alice, clock, every
):
    response = client_for(alice).post(
        DETAILS_URL, custom(loading_every=every, loading_unit="mwf", loading_count="6")
    )

    assert response.status_code == 400
    errors = field_errors(response.content, "loading_every")
    assert any("takes no interval" in error for error in errors), errors
    assert any("enter 1" in error for error in errors)
    assert Prescription.objects.count() == 0


def test_custom_weekdays_every_1_is_saved_as_mon_wed_fri(client_for, alice, clock):
    response = client_for(alice).post(
        DETAILS_URL, custom(loading_every="1", loading_unit="mwf", loading_count="3")
    )

    assert response.status_code == 302
    dues = list(Prescription.objects.get().doses.order_by("due").values_list("due", flat=True))
    assert dues[:3] == [date(2025, 1, 6), date(2025, 1, 8), date(2025, 1, 10)]


def test_change_summary_uses_short_plain_names(client_for, alice, alice_rx):
    response = client_for(alice).post(
        EDIT_URL,
        edit_data(alice_rx, strength_mcg_per_ml="2000", monitoring_plan="B12 at 3 months"),
        follow=True,
    )

    assert "You changed: strength, monitoring plan." in response.content.decode()


def test_moving_the_start_back_says_how_many_doses_are_past_and_not_logged(
    client_for, alice, clock
):
    client = client_for(alice)
    client.post(DETAILS_URL, details())
    rx = Prescription.objects.get()

    response = client.post(EDIT_URL, edit_data(rx, start_date="2024-12-23"), follow=True)

    text = parse(response.content).find(cls="messages").text
    assert "6 doses are now in the past with no injection logged" in text
    assert "log each one" in text and "choose a later start date" in text


def test_stopping_asks_for_a_reason_then_opens_the_wizard_again(client_for, alice, alice_rx):
    client = client_for(alice)
    detail = parse(client.get(reverse("schedules:prescription")).content)
    stop_url = reverse("schedules:prescription_stop", args=[alice_rx.pk])
    link = detail.by_id("stop-link")
    assert link.attrs["href"] == stop_url
    assert link.text == "Stop this prescription and set up a new one"

    confirm = client.get(stop_url)
    refused = client.post(stop_url, {"reason": ""})
    alice_rx.refresh_from_db()
    assert confirm.status_code == 200 and alice_rx.status == "active"
    assert parse(confirm.content).find("button", type="submit") is not None
    assert refused.status_code == 400
    assert field_errors(refused.content, "reason")

    stopped = client.post(stop_url, {"reason": "I picked the wrong schedule"})

    assert stopped.status_code == 302 and stopped.url == START_URL
    alice_rx.refresh_from_db()
    assert alice_rx.status == "stopped"
    assert not alice_rx.doses.filter(due__gte=START).exclude(status="cancelled").exists()
    assert client.get(START_URL).status_code == 200
    assert client.post(DETAILS_URL, details(regimen="seed-maintenance")).status_code == 302
    assert Prescription.objects.filter(patient=alice, status="active").count() == 1
    again = client.post(stop_url, {"reason": "again"}, follow=True)
    assert "already stopped" in again.content.decode()
