"""Joining part-way: a patient on maintenance or part-way through loading is planned from their
last injection; a past start asks which past dates were had; past dates raise no flag and send
no message. Also the wizard's checks: start limits shared by preview and saving, dates at the
ends of the calendar, custom loading fields, and a no-nerve-symptoms schedule with symptoms."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring.models import Flag
from reminders.models import Notification
from schedules import engine, regimens
from schedules.models import Dose, Injection, Prescription
from schedules.services.joining import Joining
from tests.helpers import standard_prescription
from tests.htmltools import field_errors, parse
from tests.schedules.helpers import START, create, live_dues
from tests.schedules.test_prescription_pages import details

pytestmark = pytest.mark.django_db
DETAILS_URL = reverse("schedules:prescription_details")
PREVIEW_URL = reverse("schedules:prescription_preview")
EDIT_URL = reverse("schedules:prescription_edit")


def upcoming(rx: Prescription, today: date) -> list[date]:
    return list(
        rx.doses.filter(status__in=["due", "scheduled"], latest__gte=today)
        .order_by("due")
        .values_list("due", flat=True)
    )


def nothing_raised_for_the_past() -> None:
    assert not Flag.objects.filter(kind__in=["missed_loading", "missed_maintenance"]).exists()
    assert not Notification.objects.filter(kind="missed").exists()


# --- joining part-way, through the service ---------------------------------------------------


def test_a_maintenance_patient_five_weeks_on_is_due_about_a_week_ago_not_missed(alice, clock):
    last = START - timedelta(weeks=5)  # Mon 2 Dec 2024
    rx = create(
        alice, regimen="seed-repletion", joining=Joining(stage="maintenance", last_given=last)
    )

    assert rx.start_date == last and rx.joined_stage == "maintenance"
    assert [p.kind for p in rx.phases.all()] == ["maintenance"]
    (given,) = Injection.objects.filter(prescription=rx)
    assert given.given_on == last and given.dose.due == last
    assert not rx.doses.filter(status="missed").exists()
    nxt = rx.doses.exclude(status="taken").order_by("due").first()
    assert (nxt.due, nxt.status) == (date(2025, 1, 2), "due")  # four days overdue, window open
    nothing_raised_for_the_past()


def test_a_maintenance_patient_can_give_their_own_interval(alice, clock):
    last = date(2024, 11, 20)
    rx = create(
        alice,
        regimen="seed-repletion",
        joining=Joining(stage="maintenance", last_given=last, every_months=3),
    )

    assert live_dues(rx)[:3] == [last, date(2025, 2, 20), date(2025, 5, 20)]


def test_a_loading_patient_three_in_keeps_the_course_total(alice, clock):
    last = date(2025, 1, 3)  # the third Mon/Wed/Fri injection, a Friday
    rx = create(
        alice,
        regimen="bnf-no-neuro",
        joining=Joining(stage="loading", last_given=last, loading_had=3),
    )

    loading = rx.phases.get(order=0)
    assert (loading.bound, loading.count) == ("count", 4)  # the one on the start date + 3 more
    assert rx.injections_before_joining == 2  # had before the start date, not logged here
    assert live_dues(rx)[:5] == [
        last,
        date(2025, 1, 6),
        date(2025, 1, 8),
        date(2025, 1, 10),
        date(2025, 3, 10),
    ]
    assert Injection.objects.get(prescription=rx).given_on == last
    nothing_raised_for_the_past()


def test_loading_had_above_the_course_is_refused_by_its_field(alice, clock):
    with pytest.raises(ValidationError) as caught:
        create(
            alice,
            regimen="bnf-no-neuro",
            joining=Joining(stage="loading", last_given=date(2025, 1, 3), loading_had=7),
        )

    assert "6 loading injections" in caught.value.message_dict["loading_had"][0]
    assert not Prescription.objects.exists()


def test_loading_stage_on_a_schedule_without_loading_is_refused(alice, clock):
    with pytest.raises(ValidationError) as caught:
        create(
            alice,
            regimen="seed-maintenance",
            joining=Joining(stage="loading", last_given=date(2025, 1, 3), loading_had=2),
        )

    assert "no loading" in caught.value.message_dict["stage"][0]


def test_past_dates_had_become_injections_and_the_rest_stay_missed_quietly(alice, clock):
    start = START - timedelta(weeks=6)  # Mon 25 Nov 2024, bnf-no-neuro
    had = [date(2024, 11, 25), date(2024, 11, 27), date(2024, 11, 29), date(2024, 12, 2)]
    rx = create(alice, start=start, past_taken=had)

    assert sorted(Injection.objects.values_list("given_on", flat=True)) == had
    missed = list(rx.doses.filter(status="missed").values_list("due", flat=True))
    assert missed and not set(missed) & set(had)
    nothing_raised_for_the_past()


@pytest.mark.parametrize(
    "day",
    [START + timedelta(days=1), date(2024, 12, 31), date(2024, 12, 1)],
    ids=["future", "not a due date", "before the start"],
)
def test_a_ticked_date_outside_the_plan_is_refused(alice, clock, day):
    with pytest.raises(ValidationError) as caught:
        create(alice, start=START - timedelta(days=7), past_taken=[date(2024, 12, 30), day])

    assert "is not a past date of this plan" in caught.value.message_dict["taken"][0]
    assert not Prescription.objects.exists() and not Injection.objects.exists()


def test_a_window_closed_just_before_entry_sends_no_message(alice):
    # Weekly from Mon 6 Jan, entered on Fri 31 Jan: the 27 Jan window closed on the 30th.
    with time_machine.travel(datetime(2025, 1, 31, 12, tzinfo=UTC), tick=False):
        rx = standard_prescription(alice, regimen="cdc-weekly", start=START)

    assert rx.doses.filter(status="missed", due=date(2025, 1, 27)).exists()
    nothing_raised_for_the_past()


# --- start dates: one check for preview and saving, and the ends of the calendar ---------------


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_the_engine_refuses_dates_at_the_ends_of_the_calendar(day):
    phases = list(regimens.get("bnf-no-neuro").phases)

    with pytest.raises(engine.EngineError, match="outside the calendar"):
        engine.plan(phases, start=day, given=[], today=day, until=day)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_the_service_refuses_dates_at_the_ends_of_the_calendar(alice, clock, day):
    with pytest.raises(ValidationError) as caught:
        create(alice, start=day)

    assert "start_date" in caught.value.message_dict
    assert not Prescription.objects.exists()


@pytest.mark.parametrize(
    ("start", "refused"),
    [
        ("0001-01-01", "more than ten years ago"),
        ("1990-01-01", "more than ten years ago"),
        ("2099-01-01", "more than a year ahead"),
        ("9999-12-31", "more than a year ahead"),
        ("2024-06-03", None),
    ],
)
def test_preview_and_saving_agree_on_the_start_date(client_for, alice, clock, start, refused):
    client = client_for(alice)
    preview = client.get(PREVIEW_URL, details(start_date=start, stage="start"))
    saved = client.post(DETAILS_URL, details(start_date=start, stage="start", preview="1"))

    assert preview.status_code == 200 and saved.status_code in (200, 400)
    if refused:
        assert refused in preview.content.decode()
        assert field_errors(saved.content, "start_date") == [
            f"That start date is {refused}. Check the year."
        ]
    else:
        assert parse(preview.content).find(cls="preview-list") is not None
        assert field_errors(saved.content, "start_date") == []
    assert not Prescription.objects.exists()


# --- custom loading fields: every error at once, and only true ones ---------------------------


def test_custom_loading_every_zero_says_what_is_wrong_with_each_field_at_once(
    client_for, alice, clock
):
    response = client_for(alice).post(
        DETAILS_URL,
        details(
            regimen="custom",
            loading_every="0",
            loading_unit="day",
            loading_count="",
            maintenance_every="1",
            maintenance_unit="month",
        ),
    )

    assert response.status_code == 400
    assert field_errors(response.content, "loading_every") == [
        "That is too small: enter at least 1."
    ]
    assert field_errors(response.content, "loading_count") == [
        "Fill in both loading fields, or leave both empty."
    ]
    assert not Prescription.objects.exists()


def test_custom_loading_count_alone_points_at_the_empty_field(client_for, alice, clock):
    response = client_for(alice).post(
        DETAILS_URL,
        details(
            regimen="custom",
            loading_every="",
            loading_count="0",
            maintenance_every="",
            maintenance_unit="month",
        ),
    )

    assert field_errors(response.content, "loading_every") == [
        "Fill in both loading fields, or leave both empty."
    ]
    assert field_errors(response.content, "loading_count") == [
        "That is too small: enter at least 1."
    ]
    assert field_errors(response.content, "maintenance_every") == [
        "Say how often the maintenance injections are."
    ]


# --- a no-nerve-symptoms schedule chosen with nerve symptoms ----------------------------------


def test_nerve_symptoms_on_a_no_neuro_schedule_need_the_clinicians_word(client_for, alice, clock):
    client = client_for(alice)
    refused = client.post(DETAILS_URL, details(neuro="yes"))

    assert refused.status_code == 400
    (error,) = field_errors(refused.content, "neuro")
    assert "without nerve symptoms" in error
    assert parse(refused.content).find("input", name="neuro_checked") is not None
    assert not Prescription.objects.exists()

    saved = client.post(DETAILS_URL, details(neuro="yes", neuro_checked="on"))

    assert saved.status_code == 302
    assert Prescription.objects.get().neuro is True


def test_nerve_symptoms_on_another_schedule_save_without_asking(client_for, alice, clock):
    response = client_for(alice).post(DETAILS_URL, details(regimen="bnf-neuro", neuro="yes"))

    assert response.status_code == 302


def test_changing_to_nerve_symptoms_on_a_no_neuro_schedule_needs_the_box(
    client_for, alice, alice_rx
):
    client = client_for(alice)
    page = client.get(EDIT_URL)
    form = {
        name: value
        for name, value in page.context["form"].initial.items()
        if name in page.context["form"].fields
    }
    data = {k: ("" if v is None else v) for k, v in form.items()} | {"neuro": "yes"}
    data["lifelong"] = "on" if data.get("lifelong") else ""

    refused = client.post(EDIT_URL, data)

    assert refused.status_code == 400
    assert "without nerve symptoms" in field_errors(refused.content, "neuro")[0]
    alice_rx.refresh_from_db()
    assert alice_rx.neuro is False

    saved = client.post(EDIT_URL, data | {"neuro_checked": "on"})

    assert saved.status_code == 302
    alice_rx.refresh_from_db()
    assert alice_rx.neuro is True


def test_nerve_symptoms_saved_before_are_not_asked_about_again(client_for, alice, clock):
    rx = create(alice, neuro=True)
    client = client_for(alice)
    form = client.get(EDIT_URL).context["form"]
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()} | {"notes": "From the GP."}
    data["lifelong"] = "on" if data.get("lifelong") else ""

    response = client.post(EDIT_URL, data)

    assert response.status_code == 302
    rx.refresh_from_db()
    assert rx.notes == "From the GP." and rx.neuro is True


# --- the wizard: where are you in the treatment -----------------------------------------------


def test_the_wizard_onboards_a_maintenance_patient_from_the_last_injection(
    client_for, alice, clock
):
    last = START - timedelta(weeks=5)
    response = client_for(alice).post(
        DETAILS_URL,
        details(
            regimen="seed-repletion",
            start_date="",
            stage="maintenance",
            last_given=last.isoformat(),
        ),
    )

    assert response.status_code == 302
    rx = Prescription.objects.get()
    assert upcoming(rx, START)[0] == date(2025, 1, 2)
    assert not rx.doses.filter(status="missed").exists()
    nothing_raised_for_the_past()


def test_the_wizard_asks_for_what_each_stage_needs_all_at_once(client_for, alice, clock):
    response = client_for(alice).post(DETAILS_URL, details(start_date="", stage="loading"))

    assert response.status_code == 400
    for name in ("loading_had", "last_given"):
        assert field_errors(response.content, name) == [
            "Fill this in for where you are in the treatment."
        ]
    assert field_errors(response.content, "start_date") == []


def test_the_preview_of_a_loading_joiner_lists_the_doses_left(client_for, alice, clock):
    response = client_for(alice).get(
        PREVIEW_URL,
        details(start_date="", stage="loading", loading_had="3", last_given="2025-01-03"),
    )

    items = parse(response.content).find(cls="preview-list").find_all("strong")
    assert [item.text for item in items][:4] == [
        "Mon 6 Jan 2025",
        "Wed 8 Jan 2025",
        "Fri 10 Jan 2025",
        "Mon 10 Mar 2025",
    ]


def test_a_past_start_asks_which_dates_were_had_before_saving(client_for, alice, clock):
    client = client_for(alice)
    start = "2024-12-02"  # five weeks back: bnf-no-neuro's six loading doses are all past
    asked = client.post(DETAILS_URL, details(start_date=start))

    assert asked.status_code == 400
    assert "Tick the ones you had" in asked.content.decode()
    boxes = parse(asked.content).find_all("input", name="taken")
    shown = [box.attrs["value"] for box in boxes]
    assert shown[:6] == [
        "2024-12-02",
        "2024-12-04",
        "2024-12-06",
        "2024-12-09",
        "2024-12-11",
        "2024-12-13",
    ]
    assert not Prescription.objects.exists()

    had = shown[:6]
    reviewed = parse(asked.content).find("input", name="past_reviewed").attrs["value"]
    answered = client.post(
        DETAILS_URL, details(start_date=start, taken=had, past_reviewed=reviewed)
    )

    assert answered.status_code == 302
    rx = Prescription.objects.get()
    assert [
        i.isoformat()
        for i in Injection.objects.order_by("given_on").values_list("given_on", flat=True)
    ] == had
    assert not rx.doses.filter(status="missed").exists()
    assert upcoming(rx, START)[0] == date(2025, 2, 13)  # two months after 13 Dec
    nothing_raised_for_the_past()


def test_unticked_past_dates_are_saved_as_missed_once_answered(client_for, alice, clock):
    client = client_for(alice)
    start = "2024-12-23"
    asked = client.post(DETAILS_URL, details(start_date=start))
    reviewed = parse(asked.content).find("input", name="past_reviewed").attrs["value"]

    answered = client.post(DETAILS_URL, details(start_date=start, past_reviewed=reviewed))

    assert answered.status_code == 302
    assert Dose.objects.filter(status="missed").exists()
    assert not Injection.objects.exists()
    nothing_raised_for_the_past()


def test_open_loading_carries_on_from_the_last_injection(alice, clock):
    last = date(2025, 1, 4)
    rx = create(
        alice, regimen="bnf-neuro", joining=Joining(stage="loading", last_given=last, loading_had=5)
    )

    assert rx.injections_before_joining == 4
    assert rx.phases.get(order=0).bound == "open"
    assert live_dues(rx)[:3] == [last, date(2025, 1, 6), date(2025, 1, 8)]


def test_the_past_dates_are_asked_beside_the_nerve_symptoms_question(client_for, alice, clock):
    client = client_for(alice)
    asked = client.post(DETAILS_URL, details(start_date="2024-12-30", neuro="yes"))

    assert asked.status_code == 400
    assert "without nerve symptoms" in field_errors(asked.content, "neuro")[0]
    page = parse(asked.content)
    shown = [box.attrs["value"] for box in page.find_all("input", name="taken")]
    assert shown[:3] == ["2024-12-30", "2025-01-01", "2025-01-03"]
    reviewed = page.find("input", name="past_reviewed").attrs["value"]

    saved = client.post(
        DETAILS_URL,
        details(
            start_date="2024-12-30",
            neuro="yes",
            neuro_checked="on",
            taken=shown[:3],
            past_reviewed=reviewed,
        ),
    )

    assert saved.status_code == 302
    assert Injection.objects.count() == 3


def test_the_loading_phase_of_a_joiner_is_described_with_the_injections_had_before(alice, clock):
    from schedules.selectors import phases_with_counts
    from schedules.selectors.prescription import phase_bound_words

    rx = create(
        alice,
        regimen="bnf-no-neuro",
        joining=Joining(stage="loading", last_given=date(2025, 1, 3), loading_had=3),
    )

    loading, maintenance = phases_with_counts(prescription=rx, today=START)
    words = phase_bound_words(loading)
    assert words == "6 injections in all, 2 of them before your start date here"
    assert phase_bound_words(maintenance) == "ongoing"
