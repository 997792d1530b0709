"""Logging an injection: defaults, the body-map radio group, the too-soon confirmation,
bad input shown next to its field with nothing written, and a double submit."""

from datetime import date

import pytest
from django.urls import reverse

from schedules import services
from schedules.models import Injection
from tests.helpers import noon, standard_prescription
from tests.htmltools import field_errors, parse
from tests.schedules.helpers import START, log

pytestmark = pytest.mark.django_db
URL = reverse("schedules:injection_log")


def good(**changes):
    data = {
        "given_on": "2025-01-06",
        "site": "thigh_left",
        "given_by": "self",
        "dose_mcg": "1000",
        "client_token": "tok-1",
    }
    return data | changes


def test_form_defaults_to_today_the_planned_dose_and_the_suggested_site(
    client_for, alice, alice_rx
):
    log(alice_rx, START, site="deltoid_left")
    page = parse(client_for(alice).get(URL).content)

    assert page.by_id("id_given_on").attrs["value"] == "2025-01-06"
    assert page.by_id("id_dose_mcg").attrs["value"] == "1000"
    checked = [e for e in page.find_all("input", type="radio", name="site") if "checked" in e.attrs]
    assert [e.attrs["value"] for e in checked] == ["deltoid_right"]
    assert "Last used 6 Jan 2025" in page.by_id("id_site_0_used").text
    assert "Suggested" in page.by_id("id_site_1_used").text


def test_site_picker_is_a_labelled_radio_group_with_a_body_map_for_the_route(
    client_for, alice, alice_rx
):
    page = parse(client_for(alice).get(URL).content)

    group = page.by_id("div_id_site").find("fieldset")
    assert group.find("legend").text == "Where did you inject?"
    radios = list(group.find_all("input", type="radio"))
    assert len(radios) == 8
    for radio in radios:
        label = group.find("label", **{"for": radio.attrs["id"]})
        assert label is not None and label.text
    maps = list(page.find_all("svg", cls="body-map"))
    regions = {e.attrs["data-site"] for svg in maps for e in svg.find_all("g", cls="site-region")}
    assert regions == {r.attrs["value"] for r in radios}
    assert "gluteal_left" in regions and "abdomen_left" not in regions
    assert maps and all(svg.attrs["aria-hidden"] == "true" for svg in maps)


def test_subcutaneous_prescription_offers_subcutaneous_sites(client_for, alice, clock):
    services.prescription_create(
        patient=alice,
        actor=alice,
        product="cyanocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=1000,
        route="SC",
        start_date=START,
        regimen_slug="cdc-weekly",
    )
    page = parse(client_for(alice).get(URL).content)

    values = {e.attrs["value"] for e in page.find_all("input", type="radio", name="site")}
    assert "abdomen_left" in values and "upper_arm_right" in values
    assert "gluteal_left" not in values and "deltoid_left" not in values


def test_logging_saves_one_row_and_home_shows_the_next_dose(client_for, alice, alice_rx):
    response = client_for(alice).post(URL, good(lot="AB123", given_at="08:30"), follow=True)

    injection = Injection.objects.get()
    assert (injection.site, injection.lot, injection.given_at.hour) == ("thigh_left", "AB123", 8)
    assert response.redirect_chain[-1][0] == reverse("home")
    page = parse(response.content)
    assert page.by_id("next-dose-date").text == "Wednesday 8 January 2025"


def test_double_submit_writes_one_row(client_for, alice, alice_rx):
    client = client_for(alice)

    first = client.post(URL, good())
    second = client.post(URL, good())

    assert first.status_code == second.status_code == 302
    assert Injection.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"given_on": "2025-01-07"}, "given_on", "in the future"),
        ({"given_on": "2025-01-05"}, "given_on", "before this prescription started"),
        ({"given_on": "2025-02-30"}, "given_on", "Enter a date"),
        ({"given_on": ""}, "given_on", "required"),
        ({"dose_mcg": "1"}, "dose_mcg", "If the label says 1 mg, enter 1000 mcg"),
        ({"dose_mcg": "5000000"}, "dose_mcg", "check mg against mcg"),
        ({"dose_mcg": "0"}, "dose_mcg", "too small"),
        ({"dose_mcg": "-1000"}, "dose_mcg", "too small"),
        ({"dose_mcg": "1.5"}, "dose_mcg", "whole number"),
        ({"dose_mcg": "1 mg"}, "dose_mcg", "whole number"),
        ({"site": "abdomen_left"}, "site", "not one of the available choices"),
        ({"site": ""}, "site", "Pick the place you injected"),
        ({"given_by": "robot"}, "given_by", "not one of the available choices"),
        ({"expiry": "2036-01-07"}, "expiry", "more than 10 years"),
        ({"expiry": "0001-01-01"}, "expiry", "more than 10 years"),
        ({"notes": "x" * 1001}, "notes", "at most 1000 characters"),
        ({"given_at": "25:99"}, "given_at", "Enter a time"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(
    client_for, alice, alice_rx, changes, field, message
):
    response = client_for(alice).post(URL, good(**changes))

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content, field))
    assert parse(response.content).by_id("error-summary") is not None
    assert Injection.objects.count() == 0


def test_too_soon_asks_for_confirmation_then_records_an_extra(client_for, alice, alice_rx):
    # Three times a week the doses are two days apart: a second one the same day is too soon.
    log(alice_rx, START)
    client = client_for(alice)
    data = good(given_on="2025-01-06", client_token="tok-2")

    asked = client.post(URL, data)

    assert asked.status_code == 400
    page = parse(asked.content)
    assert "A second injection so soon?" in page.by_id("too-soon").text
    assert "too close together to count as your next dose" in page.by_id("too-soon").text
    assert any(
        "too close to another injection" in e for e in field_errors(asked.content, "given_on")
    )
    assert page.by_id("id_confirm") is not None
    assert Injection.objects.count() == 1
    dues_before = list(alice_rx.doses.values_list("due", "status"))

    confirmed = client.post(URL, data | {"confirm": "on"})

    assert confirmed.status_code == 302
    extra = Injection.objects.get(client_token="tok-2")
    assert extra.extra
    assert list(alice_rx.doses.values_list("due", "status")) == dues_before


def test_without_a_prescription_the_page_says_so(client_for, alice, clock):
    response = client_for(alice).post(URL, good())

    assert response.status_code == 200
    assert "No prescription yet" in response.content.decode()
    assert Injection.objects.count() == 0


def test_logging_outside_every_dose_window_says_it_is_extra_and_nothing_moved(
    client_for, alice, clock
):
    rx = standard_prescription(
        alice,
        regimen="seed-maintenance",
        start=START,
    )
    log(rx, START)
    clock.move_to(noon(date(2025, 1, 22)))
    dues_before = list(rx.doses.values_list("due", "status"))

    response = client_for(alice).post(URL, good(given_on="2025-01-22"), follow=True)

    text = parse(response.content).find(cls="messages").text
    assert "did not match any planned dose" in text
    assert "recorded as an extra injection" in text
    assert "your schedule did not change" in text
    assert list(rx.doses.values_list("due", "status")) == dues_before


def test_logging_inside_a_window_does_not_say_extra(client_for, alice, alice_rx):
    response = client_for(alice).post(URL, good(), follow=True)

    assert "extra" not in response.content.decode().split("Injection logged:")[1].split("<")[0]


@pytest.mark.parametrize(
    ("given_at", "refused"), [("12:01", True), ("23:59", True), ("11:59", False)]
)
def test_a_time_later_than_now_today_is_refused_next_to_the_time_field(
    client_for, alice, alice_rx, given_at, refused
):
    # The clock stands at noon in London.
    response = client_for(alice).post(URL, good(given_at=given_at))

    if refused:
        assert response.status_code == 400
        errors = field_errors(response.content, "given_at")
        assert any("later than now" in error for error in errors)
        assert "open" in parse(response.content).find("details").attrs
        assert Injection.objects.count() == 0
    else:
        assert response.status_code == 302
        assert Injection.objects.get().given_at.strftime("%H:%M") == given_at


@pytest.mark.parametrize("dose", ["100000000000000000000000", "99999999999"])
def test_a_huge_dose_is_called_far_too_large_not_written_in_e_notation(
    client_for, alice, alice_rx, dose
):
    response = client_for(alice).post(URL, good(dose_mcg=dose))

    assert response.status_code == 400
    errors = field_errors(response.content, "dose_mcg")
    assert any("far too large" in error for error in errors), errors
    assert not any("e+" in error for error in errors)


def test_an_expired_ampoule_is_recorded_with_a_warning_not_refused(client_for, alice, alice_rx):
    response = client_for(alice).post(URL, good(expiry="2024-11-01"), follow=True)

    injection = Injection.objects.get()
    assert injection.expiry == date(2024, 11, 1)
    text = parse(response.content).find(cls="messages").text
    assert "Injection logged" in text
    assert "Saved. That ampoule had expired on 1 Nov 2024; your care team can advise." in text


def test_an_expired_ampoule_is_warned_about_beside_its_field_when_the_form_comes_back(
    client_for, alice, alice_rx
):
    response = client_for(alice).post(URL, good(expiry="2024-11-01", dose_mcg="0"))

    assert response.status_code == 400
    assert field_errors(response.content, "expiry") == []
    warning = parse(response.content).by_id("id_expiry_warning")
    assert "That ampoule had expired on 1 Nov 2024" in warning.text
    assert "still recorded" in warning.text
    assert "id_expiry_warning" in parse(response.content).by_id("id_expiry").attrs.get(
        "aria-describedby", ""
    )
    assert Injection.objects.count() == 0


def test_an_ampoule_in_date_gets_no_warning(client_for, alice, alice_rx):
    response = client_for(alice).post(URL, good(expiry="2025-01-06", dose_mcg="0"))

    assert parse(response.content).by_id("id_expiry_warning") is None
    followed = client_for(alice).post(URL, good(expiry="2025-01-06"), follow=True)
    assert "had expired" not in parse(followed.content).find(cls="messages").text


def test_every_problem_is_shown_at_once_beside_its_field(client_for, alice, alice_rx):
    response = client_for(alice).post(
        URL, good(given_on="2025-01-07", site="", dose_mcg="1", expiry="2040-01-01")
    )

    assert response.status_code == 400
    assert any("in the future" in e for e in field_errors(response.content, "given_on"))
    assert any("Pick the place" in e for e in field_errors(response.content, "site"))
    assert any("1000 mcg" in e for e in field_errors(response.content, "dose_mcg"))
    assert any("more than 10 years" in e for e in field_errors(response.content, "expiry"))
    assert Injection.objects.count() == 0


def test_a_dose_too_large_for_the_strength_is_shown_beside_a_missing_site(
    client_for, alice, alice_rx
):
    # Checked by the service (volume at the prescription's strength), not by the field.
    response = client_for(alice).post(URL, good(site="", dose_mcg="4000"))

    assert response.status_code == 400
    assert field_errors(response.content, "dose_mcg")
    assert field_errors(response.content, "site")
    assert Injection.objects.count() == 0


def test_a_too_soon_date_is_asked_about_beside_the_other_problems(client_for, alice, alice_rx):
    log(alice_rx, START)

    response = client_for(alice).post(URL, good(dose_mcg="0", site="", client_token="tok-2"))

    assert response.status_code == 400
    page = parse(response.content)
    assert "too close together to count as your next dose" in page.by_id("too-soon").text
    assert page.by_id("id_confirm") is not None
    assert any("too close" in e for e in field_errors(response.content, "given_on"))
    assert any("too small" in e for e in field_errors(response.content, "dose_mcg"))
    assert field_errors(response.content, "site")
    assert Injection.objects.count() == 1


def test_a_confirmed_too_soon_date_is_not_asked_about_again(client_for, alice, alice_rx):
    log(alice_rx, START)

    response = client_for(alice).post(URL, good(dose_mcg="0", confirm="on", client_token="t-3"))

    assert parse(response.content).by_id("too-soon") is None
    assert field_errors(response.content, "given_on") == []
