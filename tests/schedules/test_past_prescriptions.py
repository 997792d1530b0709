"""Past prescriptions: after a stop, the patient still sees the stopped prescription, read
only, with its doses and injections; only their own, in a fixed number of queries."""

from datetime import date

import pytest
from django.urls import reverse

from schedules import services
from tests.helpers import noon
from tests.htmltools import parse
from tests.schedules.helpers import START, create, log

pytestmark = pytest.mark.django_db

LIST = reverse("schedules:past_prescriptions")
STOPPED_ON = date(2025, 1, 14)


def detail_url(rx) -> str:
    return reverse("schedules:past_prescription", args=[rx.pk])


@pytest.fixture
def stopped(alice, alice_rx, clock):
    """Mon 6 and Fri 10 Jan given, Wed 8 missed, stopped on Tue 14 Jan."""
    log(alice_rx, START)
    log(alice_rx, date(2025, 1, 10))
    clock.move_to(noon(STOPPED_ON))
    services.prescription_stop(
        prescription=alice_rx, actor=alice, reason="My clinician changed the schedule"
    )
    return alice_rx


def test_a_stopped_prescription_is_listed_with_its_dates_reason_and_counts(
    client_for, alice, stopped
):
    page = parse(client_for(alice).get(LIST).content)

    item = page.by_id(f"past-{stopped.pk}")
    assert item is not None
    assert "BNF, no nerve symptoms" in item.text
    assert "6 Jan 2025 to 14 Jan 2025" in item.text
    assert "My clinician changed the schedule" in item.text
    assert "2 doses given, 1 missed, 2 injections logged" in item.text
    assert item.find("a", href=detail_url(stopped)) is not None


def test_its_page_shows_the_doses_and_injections_read_only(client_for, alice, stopped):
    response = client_for(alice).get(detail_url(stopped))
    page = parse(response.content)

    assert response.status_code == 200
    doses = [row.text for row in page.by_id("past-doses").find_all("li")]
    assert doses == ["Fri 10 Jan 2025 Taken", "Wed 8 Jan 2025 Missed", "Mon 6 Jan 2025 Taken"]
    injections = page.by_id("past-injections").text
    assert "Mon 6 Jan 2025" in injections and "Fri 10 Jan 2025" in injections
    assert "Stopped on 14 Jan 2025: My clinician changed the schedule" in page.text
    assert "Repletion (loading): Mon, Wed, Fri, 6 injections" in page.by_id("regimen-summary").text
    logout = reverse("accounts:logout")
    posts = [f for f in page.find_all("form") if f.attrs.get("method") == "post"]
    assert [form.attrs["action"] for form in posts] == [logout]  # nothing to change here


def test_no_prescription_and_prescription_pages_link_to_past_prescriptions(
    client_for, alice, stopped
):
    client = client_for(alice)

    no_prescription = parse(client.get(reverse("schedules:prescription")).content)
    home = parse(client.get(reverse("home")).content)

    assert no_prescription.find("a", href=LIST) is not None
    assert home.find("a", href=LIST) is not None
    create(alice, start=STOPPED_ON, today=STOPPED_ON)
    current = parse(client.get(reverse("schedules:prescription")).content)
    assert current.find("a", href=LIST) is not None


def test_the_active_prescription_is_not_a_past_one(client_for, alice, alice_rx):
    page = parse(client_for(alice).get(LIST).content)

    assert page.by_id(f"past-{alice_rx.pk}") is None
    assert "No prescription of yours has been stopped" in page.text


def test_another_patients_prescription_is_not_found(client_for, dave, stopped):
    assert client_for(dave).get(detail_url(stopped)).status_code == 404
    assert parse(client_for(dave).get(LIST).content).by_id(f"past-{stopped.pk}") is None


def test_the_list_costs_the_same_however_many_were_stopped(
    client_for, alice, stopped, django_assert_num_queries
):
    client = client_for(alice)
    client.get(LIST)  # the session is saved on the first request
    for day in (date(2025, 1, 15), date(2025, 1, 16)):
        rx = create(alice, start=day, today=day)
        services.prescription_stop(prescription=rx, actor=alice, reason="Again", today=day)

    with django_assert_num_queries(4):  # session, user, prescriptions with counts, stop events
        page = parse(client.get(LIST).content)
    assert len(list(page.find_all("li", cls="past-item"))) == 3


def test_after_a_stop_no_page_says_no_prescription_was_ever_recorded(client_for, alice, stopped):
    client = client_for(alice)

    home = client.get(reverse("home")).content.decode()
    schedule = parse(client.get(reverse("schedules:schedule")).content)

    assert "No prescription is recorded yet" not in home
    assert "You have no active prescription" in home
    assert schedule.find("h1").text == "No active prescription"
    assert "No prescription yet" not in schedule.text
