"""The symptoms page /me/symptoms/: who may see it, saving and editing a check-in, the urgent
message after a red flag, refused input beside its field with nothing written, the cadence
form, and a query count that stays flat as the history grows."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEvent
from core.clock import local_today
from monitoring.models import SYMPTOMS, CheckIn, CheckInPlan, CheckInRevision, Flag
from tests.clinic.helpers import log
from tests.helpers import noon, prescribe
from tests.htmltools import field_errors, parse

pytestmark = pytest.mark.django_db

URL = reverse("monitoring:checkins")
TODAY = date(2025, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(noon(TODAY), tick=False):
        yield


def answers(day: date = TODAY, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {name: "0" for name, _ in SYMPTOMS}
    data.update(on=day.isoformat(), weakness="no", walking="no", vision="no", note="")
    data.update(changes)
    return data


def written() -> dict[str, object]:
    return {
        "checkins": list(CheckIn.objects.values()),
        "revisions": CheckInRevision.objects.count(),
        "audit": AuditEvent.objects.filter(action__startswith="checkin").count(),
        "flags": Flag.objects.count(),
    }


def errors_beside(html: bytes, field: str) -> list[str]:
    """The errors shown beside a field: under a row of buttons, or crispy's block."""
    row = parse(html).by_id(f"id_{field}_error")
    return [row.text] if row is not None else field_errors(html, field)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_clinicians_get_404(request, client_for, alice, who):
    CheckIn.objects.create(patient=alice, on=TODAY, tiredness=2)
    user = request.getfixturevalue(who)
    assert client_for(user).get(URL).status_code == 404
    assert client_for(user).post(URL, answers()).status_code == 404
    assert CheckIn.objects.count() == 1


def test_another_patient_sees_only_their_own_and_cannot_open_alices_day(client_for, alice, dave):
    CheckIn.objects.create(patient=alice, on=TODAY, note="alice was here")
    response = client_for(dave).get(URL, {"on": TODAY.isoformat()})
    assert response.status_code == 200
    assert b"alice was here" not in response.content
    assert b"You are changing your check-in" not in response.content


def test_the_patient_sees_every_answer_as_a_big_button_with_its_words(client_for, alice):
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    page = parse(response.content)
    labels = list(page.find_all("label", cls="checkin-option"))
    assert len(labels) == 7 * 4 + 3 * 2
    assert {label.text for label in labels} == {
        "None",
        "Mild",
        "Moderate",
        "Severe",
        "No",
        "Yes",
    }
    first = page.by_id("id_tiredness_0")
    assert first is not None and first.classes == {"btn-check"}
    assert "checked" in first.attrs  # none, by default


def test_saving_a_check_in_lists_it_and_a_second_save_edits_it(client_for, alice):
    client = client_for(alice)
    response = client.post(URL, answers(tiredness="2", note="tired"))
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?saved={TODAY.isoformat()}"
    assert CheckIn.objects.get().tiredness == 2

    client.post(URL, answers(tiredness="1", mood="3"))
    checkin = CheckIn.objects.get()
    assert (checkin.tiredness, checkin.mood) == (1, 3)
    assert CheckInRevision.objects.get().snapshot["tiredness"] == 2

    page = parse(client.get(URL).content)
    [row] = page.find_all("tr", cls="checkin-row")
    assert row.attrs["id"] == f"checkin-{TODAY.isoformat()}"
    assert next(row.find_all("td")).text == "4"
    assert "changed" in next(row.find_all("th")).text


def test_a_past_day_opens_with_its_answers_to_change(client_for, alice):
    day = TODAY - timedelta(days=3)
    CheckIn.objects.create(patient=alice, on=day, balance=3, note="wobbly")
    page = parse(client_for(alice).get(URL, {"on": day.isoformat()}).content)
    assert page.by_id("id_on").attrs["value"] == day.isoformat()
    assert "checked" in page.by_id("id_balance_3").attrs
    assert "checked" not in page.by_id("id_balance_0").attrs
    assert page.by_id("id_note").text == "wobbly"


def test_a_red_flag_shows_the_urgent_message_after_saving_and_flags_the_clinician(
    client_for, alice, bob
):
    prescribe(alice, start=date(2025, 1, 31), today=TODAY)
    client = client_for(alice)
    response = client.post(URL, answers(vision="yes"), follow=True)
    urgent = parse(response.content).by_id("urgent-help")
    assert urgent is not None
    text = urgent.text
    assert "loss of vision or blurred sight" in text
    assert "Contact your clinician or GP practice today" in text and "999" in text
    assert Flag.objects.filter(kind=Flag.Kind.RED_FLAG_SYMPTOM, patient=alice).count() == 1
    assert "Your care team can see this answer" in text

    calm = client.post(URL, answers(TODAY - timedelta(days=1)), follow=True)
    assert parse(calm.content).by_id("urgent-help") is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"on": (TODAY + timedelta(days=1)).isoformat()}, "on", "in the future"),
        ({"on": "not a date"}, "on", "Enter a date"),
        ({"tiredness": "4"}, "tiredness", "Select a valid choice"),
        ({"mood": "-1"}, "mood", "Select a valid choice"),
        ({"walking": "maybe"}, "walking", "Select a valid choice"),
        ({"balance": ""}, "balance", "Choose how much"),
        ({"note": "x" * 1001}, "note", "at most 1000 characters"),
    ],
    ids=["future", "not a date", "above the scale", "below", "tampered yes/no", "blank", "long"],
)
def test_bad_input_shows_beside_its_field_and_writes_nothing(
    client_for, alice, changes, field, message
):
    before = written()
    response = client_for(alice).post(URL, answers(**changes))
    assert response.status_code == 400
    assert any(message in error for error in errors_beside(response.content, field))
    assert written() == before


def test_a_field_for_another_patient_is_ignored(client_for, alice, dave):
    client_for(alice).post(URL, answers(patient=dave.pk, patient_id=dave.pk))
    assert list(CheckIn.objects.values_list("patient_id", flat=True)) == [alice.pk]


def test_the_cadence_is_saved_and_a_tampered_one_refused(client_for, alice):
    client = client_for(alice)
    plan_url = reverse("monitoring:checkin_plan")
    response = client.post(plan_url, {"every_days": "3", "closer_before_dose": ""})
    assert response.status_code == 302
    plan = CheckInPlan.objects.get()
    assert (plan.every_days, plan.closer_before_dose) == (3, False)

    refused = client.post(plan_url, {"every_days": "5", "closer_before_dose": "on"})
    assert refused.status_code == 400
    assert b"Select a valid choice" in refused.content
    assert CheckInPlan.objects.get().every_days == 3
    assert client.get(plan_url).status_code == 405


def test_the_chart_and_its_table_show_when_symptoms_return(client_for, alice):
    rx = prescribe(alice, start=date(2024, 11, 30), today=date(2024, 11, 30))
    for day in (date(2024, 11, 30), date(2024, 12, 30), date(2025, 1, 30)):
        log(rx, day)
    for cycle_start in (date(2024, 11, 30), date(2024, 12, 30)):
        CheckIn.objects.create(patient=alice, on=cycle_start + timedelta(days=2))
        CheckIn.objects.create(patient=alice, on=cycle_start + timedelta(days=20), tiredness=3)
    page = parse(client_for(alice).get(URL).content)
    sentence = page.find(cls="checkin-return-sentence").text
    assert "Symptoms return around day 20 of" in sentence
    # The running cycle (from 30 Jan) has no check-ins yet: two lines, two rows.
    assert len(list(page.find(cls="symptoms-svg").find_all("polyline"))) == 2
    rows = page.find_all("tr", cls="symptoms-cycle")
    assert [list(r.find_all("td"))[2].text for r in rows] == ["day 20", "day 20"]


# Session, user with profile, the page's count and rows, the plan, the two queries of the
# return summary (injections, check-ins), the edited day, and the saved day (after an urgent
# answer, one more: whether a linked clinician was told).
PAGE_QUERIES = 9


@pytest.mark.parametrize("history", [5, 50])
def test_the_page_costs_the_same_with_5_or_50_check_ins(
    client_for, alice, django_assert_num_queries, history
):
    rx = prescribe(alice, start=TODAY - timedelta(days=70), today=TODAY - timedelta(days=70))
    for day in (70, 40, 10):
        log(rx, TODAY - timedelta(days=day), today=TODAY)
    today = local_today(alice)
    for back in range(history):
        CheckIn.objects.create(patient=alice, on=today - timedelta(days=back), tiredness=back % 4)
    client = client_for(alice)
    client.get(URL)
    query = {"on": today.isoformat(), "saved": today.isoformat()}
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL, query)
    assert response.status_code == 200
    rows = parse(response.content).find_all("tr", cls="checkin-row")
    assert len(list(rows)) == min(history, 14)


# --- The home page's nudge --------------------------------------------------------------------


def test_the_home_page_nudges_when_a_check_in_is_due_by_the_cadence(client_for, alice):
    client = client_for(alice)
    home = reverse("home")
    nudge = parse(client.get(home).content).by_id("checkin-nudge")
    assert nudge is not None and "How have you been feeling?" in nudge.text

    CheckIn.objects.create(patient=alice, on=TODAY - timedelta(days=6))
    assert parse(client.get(home).content).by_id("checkin-nudge") is None  # weekly: not yet

    CheckIn.objects.filter(patient=alice).update(on=TODAY - timedelta(days=7))
    nudge = parse(client.get(home).content).by_id("checkin-nudge")
    assert nudge is not None and "Monday 3 March" in nudge.text

    CheckInPlan.objects.create(patient=alice, every_days=14)
    assert parse(client.get(home).content).by_id("checkin-nudge") is None


def test_no_nudge_when_check_in_prompts_are_off(client_for, alice):
    from reminders.models import ReminderPreference

    ReminderPreference.objects.create(patient=alice, checkin_enabled=False)
    assert parse(client_for(alice).get(reverse("home")).content).by_id("checkin-nudge") is None


def test_without_a_linked_clinician_the_urgent_message_promises_no_care_team(client_for, alice):
    prescribe(alice, start=date(2025, 1, 31), today=TODAY)
    response = client_for(alice).post(URL, answers(weakness="yes"), follow=True)
    urgent = parse(response.content).by_id("urgent-help")
    assert urgent is not None and "Contact your clinician or GP practice today" in urgent.text
    assert "care team can see" not in urgent.text
