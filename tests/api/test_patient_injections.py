"""The injection log through the API: history, logging (too soon, double sends), correcting
and voiding, the re-plan it causes, who may touch which entry, and the queries a list costs."""

from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from core.clock import local_today
from schedules import selectors
from schedules.models import Dose, Injection
from tests.api.conftest import problem_fields

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/injections/"


def _today(patient):
    return local_today(patient)


def _log(client, **body):
    return client.post(URL, body, format="json")


def test_log_moves_the_plan_as_the_schedule_page_shows_it(alice, rx, as_user):
    today = _today(alice)
    response = _log(as_user(alice), given_on=today.isoformat(), site="deltoid_left")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["given_on"] == today.isoformat() and body["site"] == "deltoid_left"
    assert body["extra"] is False and body["status"] == "recorded"
    assert body["given_by"] == rx.given_by and body["dose_mcg"] == 1000
    row = Injection.objects.get(pk=body["id"])
    assert row.logged_by == alice and row.patient == alice
    assert AuditEvent.objects.filter(action="injection.logged", patient=alice).count() == 1

    api_doses = _doses_as_the_schedule_page_shows_them(as_user(alice, "read"), rx)
    taken = [d for d in api_doses if d["injection"] == body["id"]]
    assert len(taken) == 1 and taken[0]["status"] == "taken"


def _doses_as_the_schedule_page_shows_them(client, rx):
    """The API's dose list, checked against the schedule page's, status for status."""
    api_doses = client.get("/api/v1/me/doses/?page_size=200").json()["results"]
    today = local_today(rx.patient)
    schedule = selectors.schedule_for(prescription=rx, today=today, every=True, ahead=True)
    page = [
        (entry.day.isoformat(), entry.status, entry.sequence)
        for entry in schedule.entries
        if entry.status != "extra"
    ]
    assert [(d["due"], d["status"], d["sequence"]) for d in api_doses] == page
    return api_doses


def test_correcting_and_voiding_move_the_plan_as_the_page_shows_it(alice, rx, as_user):
    client = as_user(alice)
    today = _today(alice)
    logged = _log(client, given_on=(today - timedelta(days=6)).isoformat(), site="deltoid_left")
    before = _doses_as_the_schedule_page_shows_them(client, rx)
    moved = client.post(
        f"{URL}{logged.json()['id']}/correct/",
        {"reason": "It was the day before", "given_on": (today - timedelta(days=7)).isoformat()},
        format="json",
    )
    assert moved.status_code == 201, moved.content
    after = _doses_as_the_schedule_page_shows_them(client, rx)
    assert [d["injection"] for d in after if d["injection"]] == [moved.json()["id"]]
    assert after != before
    voided = client.post(
        f"{URL}{moved.json()['id']}/void/", {"reason": "Not given after all"}, format="json"
    )
    assert voided.status_code == 200
    assert not any(d["injection"] for d in _doses_as_the_schedule_page_shows_them(client, rx))


def test_too_soon_needs_the_confirm_field_and_never_doubles_up(alice, rx, as_user):
    client = as_user(alice)
    today = _today(alice)
    assert _log(client, given_on=today.isoformat(), site="deltoid_left").status_code == 201
    before = Injection.objects.count()
    refused = _log(client, given_on=today.isoformat(), site="deltoid_right")
    errors = problem_fields(refused)
    assert "too close together" in errors["confirm_extra"][0]
    assert Injection.objects.count() == before
    confirmed = _log(client, given_on=today.isoformat(), site="deltoid_right", confirm_extra=True)
    assert confirmed.status_code == 201
    assert confirmed.json()["extra"] is True and confirmed.json()["confirmed_extra"] is True
    assert Injection.objects.count() == before + 1


def test_the_same_idempotency_key_logs_once(alice, rx, as_user):
    client = as_user(alice)
    body = {"given_on": _today(alice).isoformat(), "site": "thigh_left"}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Injection.objects.filter(patient=alice).count() == 1
    too_long = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 65)
    assert "Idempotency-Key" in problem_fields(too_long)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"site": "deltoid_left"}, "given_on"),
        ({"given_on": "not a date", "site": "deltoid_left"}, "given_on"),
        ({"given_on": "2999-01-01", "site": "deltoid_left"}, "given_on"),
        ({"given_on": "TODAY"}, "site"),
        ({"given_on": "TODAY", "site": "elbow"}, "site"),
        ({"given_on": "TODAY", "site": "abdomen_left"}, "site"),  # an SC site, IM prescription
        ({"given_on": "TODAY", "site": "deltoid_left", "dose_mcg": 0}, "dose_mcg"),
        ({"given_on": "TODAY", "site": "deltoid_left", "dose_mcg": 10**30}, "dose_mcg"),
        ({"given_on": "TODAY", "site": "deltoid_left", "dose_mcg": "lots"}, "dose_mcg"),
        ({"given_on": "TODAY", "site": "deltoid_left", "lot": "x" * 41}, "lot"),
        ({"given_on": "TODAY", "site": "deltoid_left", "expiry": "1900-01-01"}, "expiry"),
        ({"given_on": "TODAY", "site": "deltoid_left", "given_by": "robot"}, "given_by"),
        (
            {"given_on": "TODAY", "site": "deltoid_left", "confirm_extra": "perhaps"},
            "confirm_extra",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alice, rx, as_user, body, field):
    if body.get("given_on") == "TODAY":
        body = body | {"given_on": _today(alice).isoformat()}
    client = as_user(alice)
    before = (Injection.objects.count(), AuditEvent.objects.count(), Dose.objects.count())
    assert field in problem_fields(_log(client, **body))
    assert (Injection.objects.count(), AuditEvent.objects.count(), Dose.objects.count()) == before


def test_without_a_prescription_logging_is_a_conflict(alice, as_user):
    response = _log(as_user(alice), given_on=_today(alice).isoformat(), site="deltoid_left")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert not Injection.objects.exists()


def test_history_lists_newest_first_with_corrections_marked(alice, rx, as_user):
    client = as_user(alice)
    today = _today(alice)
    first = _log(client, given_on=(today - timedelta(days=10)).isoformat(), site="deltoid_left")
    second = _log(client, given_on=(today - timedelta(days=8)).isoformat(), site="deltoid_right")
    corrected = client.post(
        f"{URL}{second.json()['id']}/correct/",
        {"reason": "Wrong arm", "site": "deltoid_left"},
        format="json",
    )
    assert corrected.status_code == 201, corrected.content
    replacement = corrected.json()
    assert replacement["replaces"] == second.json()["id"] and replacement["site"] == "deltoid_left"
    listed = client.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [
        replacement["id"],
        second.json()["id"],
        first.json()["id"],
    ]
    assert listed[1]["status"] == "corrected" and listed[1]["replaced_by"] == replacement["id"]
    assert listed[1]["reason"] == "Wrong arm"
    one = client.get(f"{URL}{first.json()['id']}/")
    assert one.status_code == 200 and one.json() == listed[2]


def test_void_keeps_the_entry_marked_and_replans(alice, rx, as_user):
    client = as_user(alice)
    logged = _log(client, given_on=_today(alice).isoformat(), site="deltoid_left").json()
    assert Dose.objects.filter(injection_id=logged["id"]).exists()
    missing = client.post(f"{URL}{logged['id']}/void/", {"reason": "  "}, format="json")
    assert "reason" in problem_fields(missing)
    assert Injection.objects.get(pk=logged["id"]).status == "recorded"
    voided = client.post(f"{URL}{logged['id']}/void/", {"reason": "Logged twice"}, format="json")
    assert voided.status_code == 200
    assert voided.json()["status"] == "voided" and voided.json()["reason"] == "Logged twice"
    assert not Dose.objects.filter(injection_id=logged["id"]).exists()
    again = client.post(f"{URL}{logged['id']}/void/", {"reason": "Again"}, format="json")
    assert again.status_code == 409
    fix = client.post(f"{URL}{logged['id']}/correct/", {"reason": "x"}, format="json")
    assert fix.status_code == 409
    assert Injection.objects.filter(patient=alice).count() == 1


def test_correct_refuses_bad_values_and_writes_nothing(alice, rx, as_user):
    client = as_user(alice)
    logged = _log(client, given_on=_today(alice).isoformat(), site="deltoid_left").json()
    before = (Injection.objects.count(), AuditEvent.objects.count())  # the token is made
    url = f"{URL}{logged['id']}/correct/"
    assert "reason" in problem_fields(client.post(url, {"site": "thigh_left"}, format="json"))
    assert "site" in problem_fields(client.post(url, {"reason": "x", "site": ""}, format="json"))
    assert "dose_mcg" in problem_fields(
        client.post(url, {"reason": "x", "dose_mcg": 0}, format="json")
    )
    future = (_today(alice) + timedelta(days=3)).isoformat()
    bad = client.post(url, {"reason": "date", "given_on": future}, format="json")
    assert "given_on" in problem_fields(bad)
    assert (Injection.objects.count(), AuditEvent.objects.count()) == before


def test_another_patients_entry_is_404_and_untouched(alice, dave, rx, as_user):
    logged = _log(as_user(alice), given_on=_today(alice).isoformat(), site="deltoid_left").json()
    other = as_user(dave)
    for response in (
        other.get(f"{URL}{logged['id']}/"),
        other.post(f"{URL}{logged['id']}/void/", {"reason": "mine?"}, format="json"),
        other.post(f"{URL}{logged['id']}/correct/", {"reason": "mine?"}, format="json"),
        other.get(f"{URL}{10**30}/"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert other.get(URL).json()["count"] == 0
    assert Injection.objects.get(pk=logged["id"]).status == "recorded"


def test_a_clinician_token_is_404(alice, bob, rx, as_user):
    logged = _log(as_user(alice), given_on=_today(alice).isoformat(), site="deltoid_left").json()
    clinician = as_user(bob)
    assert clinician.get(URL).status_code == 404
    assert clinician.get(f"{URL}{logged['id']}/").status_code == 404
    posted = clinician.post(f"{URL}{logged['id']}/void/", {"reason": "no"}, format="json")
    assert posted.status_code == 404
    assert Injection.objects.get(pk=logged["id"]).status == "recorded"


def test_a_read_token_cannot_write(alice, rx, as_user):
    logged = _log(as_user(alice), given_on=_today(alice).isoformat(), site="deltoid_left").json()
    reader = as_user(alice, "read")
    before = Injection.objects.count()
    for response in (
        _log(reader, given_on=_today(alice).isoformat(), site="deltoid_right"),
        reader.post(f"{URL}{logged['id']}/void/", {"reason": "x"}, format="json"),
        reader.post(f"{URL}{logged['id']}/correct/", {"reason": "x"}, format="json"),
    ):
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
    assert Injection.objects.count() == before
    assert reader.get(URL).status_code == 200


def _history(patient, prescription, rows):
    start = prescription.start_date - timedelta(days=400)
    Injection.objects.bulk_create(
        Injection(
            patient=patient,
            prescription=prescription,
            given_on=start + timedelta(days=3 * n),
            dose_mcg=1000,
            volume_ml=1,
            route="IM",
            site="deltoid_left",
        )
        for n in range(rows)
    )


@pytest.mark.parametrize("rows", [3, 30])
def test_the_history_costs_the_same_queries_however_long(
    alice, rx, as_user, rows, django_assert_num_queries
):
    _history(alice, rx, rows)
    client = as_user(alice, "read")
    # The token, its last use, the count and the page.
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert response.json()["count"] == rows


def test_a_correction_onto_another_injections_day_needs_the_confirm_field(alice, rx, as_user):
    client = as_user(alice)
    today = _today(alice)
    _log(client, given_on=today.isoformat(), site="deltoid_left")
    earlier = _log(client, given_on=(today - timedelta(days=4)).isoformat(), site="deltoid_right")
    url = f"{URL}{earlier.json()['id']}/correct/"
    change = {"reason": "Wrong day", "given_on": today.isoformat()}
    before = (Injection.objects.count(), AuditEvent.objects.count())
    assert (
        "too close together"
        in problem_fields(client.post(url, change, format="json"))["confirm_extra"][0]
    )
    assert (Injection.objects.count(), AuditEvent.objects.count()) == before
    confirmed = client.post(url, change | {"confirm_extra": True}, format="json")
    assert confirmed.status_code == 201 and confirmed.json()["confirmed_extra"] is True


def test_every_problem_comes_back_in_one_round(alice, rx, as_user):
    client = as_user(alice)
    future = (_today(alice) + timedelta(days=2)).isoformat()
    body = {"given_on": future, "site": "abdomen_left", "lot": "x" * 41, "given_by": "robot"}
    errors = problem_fields(_log(client, **body))
    # The fields' own errors and the service's check, as the log page shows them together.
    assert {"given_on", "site", "lot", "given_by"} <= set(errors)
    logged = _log(client, given_on=_today(alice).isoformat(), site="deltoid_left").json()
    fix = {"reason": "", "given_on": future, "site": "abdomen_left"}
    errors = problem_fields(client.post(f"{URL}{logged['id']}/correct/", fix, format="json"))
    assert {"reason", "given_on", "site"} <= set(errors)
    assert Injection.objects.count() == 1
