"""Check-ins and lab results through the API: saving as the pages do, who may, bad input, and
the queries a list costs."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from core.clock import local_today
from monitoring.labs.services import LabEntry, lab_result_record
from monitoring.models import CheckIn, CheckInRevision, Flag, LabResult
from tests.api.conftest import problem_fields

pytestmark = pytest.mark.django_db

CHECKINS = "/api/v1/me/checkins/"
LABS = "/api/v1/me/labs/"


def _counts():
    return (
        CheckIn.objects.count(),
        CheckInRevision.objects.count(),
        LabResult.objects.count(),
        Flag.objects.count(),
        AuditEvent.objects.count(),
    )


# --- Check-ins --------------------------------------------------------------------------------


def test_a_checkin_is_saved_then_changed_the_same_day(alice, as_user):
    client = as_user(alice)
    today = local_today(alice)
    first = client.post(
        CHECKINS, {"tiredness": 2, "tingling": 1, "note": "Long day"}, format="json"
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["on"] == today.isoformat() and body["tiredness"] == 2 and body["balance"] == 0
    assert body["total"] == 3 and body["edits"] == 0 and body["weakness"] is False
    again = client.post(CHECKINS, {"tiredness": 1}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"] and again.json()["edits"] == 1
    assert CheckIn.objects.filter(patient=alice).count() == 1
    assert CheckInRevision.objects.filter(checkin_id=body["id"]).count() == 1
    earlier = (today - timedelta(days=3)).isoformat()
    assert client.post(CHECKINS, {"on": earlier, "mood": 3}, format="json").status_code == 201
    listed = client.get(CHECKINS).json()["results"]
    assert [row["on"] for row in listed] == [today.isoformat(), earlier]


def test_an_urgent_answer_raises_the_red_flag(alice, rx, as_user):
    response = as_user(alice).post(CHECKINS, {"walking": True}, format="json")
    assert response.status_code == 201 and response.json()["walking"] is True
    assert Flag.objects.filter(patient=alice, kind=Flag.Kind.RED_FLAG_SYMPTOM).count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"on": "2999-01-01"}, "on"),
        ({"on": "2000-01-01"}, "on"),
        ({"on": "soon"}, "on"),
        ({"tiredness": 4}, "tiredness"),
        ({"tiredness": -1}, "tiredness"),
        ({"memory": "a lot"}, "memory"),
        ({"vision": "sometimes"}, "vision"),
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_a_bad_checkin_is_a_400_and_writes_nothing(alice, as_user, body, field):
    client = as_user(alice)
    before = _counts()
    assert field in problem_fields(client.post(CHECKINS, body, format="json"))
    assert _counts() == before


# --- Labs -------------------------------------------------------------------------------------

B12 = {"test": "serum_b12", "value": "150", "unit": "ng/L"}


def test_a_lab_result_is_recorded_with_its_band(alice, as_user):
    client = as_user(alice)
    taken = (local_today(alice) - timedelta(days=2)).isoformat()
    response = client.post(LABS, B12 | {"taken_on": taken, "ref_low": "180"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["band"] == "deficient" and "NICE NG239" in body["band_words"]
    assert Decimal(body["value"]) == 150 and body["ref_high"] is None
    assert body["canonical_unit"] == "ng/L" and body["taken_on"] == taken
    row = LabResult.objects.get(pk=body["id"])
    assert row.patient == alice and row.entered_by == alice
    listed = client.get(LABS).json()["results"]
    assert listed == [body]
    assert client.get(LABS, {"test": "folate"}).json()["count"] == 0


def test_labs_are_listed_latest_sample_first(alice, as_user):
    client = as_user(alice)
    today = local_today(alice)
    for days in (30, 2, 10):
        taken = (today - timedelta(days=days)).isoformat()
        assert client.post(LABS, B12 | {"taken_on": taken}, format="json").status_code == 201
    dates = [row["taken_on"] for row in client.get(LABS).json()["results"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"test": "vitamin_d"}, "test"),
        ({"unit": "g/dL"}, "unit"),
        ({"value": "0"}, "value"),
        ({"value": "900000"}, "value"),
        ({"value": "1" * 40}, "value"),
        ({"value": "NaN"}, "value"),
        ({"taken_on": "2999-01-01"}, "taken_on"),
        ({"taken_on": "1800-01-01"}, "taken_on"),
        ({"ref_low": "-1"}, "ref_low"),
        ({"ref_low": "400", "ref_high": "200"}, "ref_high"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_a_bad_lab_result_is_a_400_and_writes_nothing(alice, as_user, change, field):
    client = as_user(alice)
    body = B12 | {"taken_on": local_today(alice).isoformat()} | change
    before = _counts()
    assert field in problem_fields(client.post(LABS, body, format="json"))
    assert _counts() == before


def test_a_bad_lab_filter_is_a_400(alice, as_user):
    client = as_user(alice, "read")
    assert "test" in problem_fields(client.get(LABS, {"test": "x"}))
    assert "test" in problem_fields(client.get(LABS, {"test": ""}))


# --- Who may ----------------------------------------------------------------------------------


def test_others_see_none_of_alices_and_a_clinician_none_at_all(alice, bob, dave, as_user):
    client = as_user(alice)
    client.post(CHECKINS, {"tiredness": 1}, format="json")
    client.post(LABS, B12 | {"taken_on": local_today(alice).isoformat()}, format="json")
    other = as_user(dave, "read")
    assert other.get(CHECKINS).json()["count"] == 0
    assert other.get(LABS).json()["count"] == 0
    clinician = as_user(bob)
    before = _counts()
    for response in (
        clinician.get(CHECKINS),
        clinician.get(LABS),
        clinician.post(CHECKINS, {"tiredness": 1}, format="json"),
        clinician.post(LABS, B12 | {"taken_on": "2026-01-01"}, format="json"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert _counts() == before


def test_a_read_token_cannot_write(alice, as_user):
    reader = as_user(alice, "read")
    before = _counts()
    for response in (
        reader.post(CHECKINS, {"tiredness": 1}, format="json"),
        reader.post(LABS, B12 | {"taken_on": local_today(alice).isoformat()}, format="json"),
    ):
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
    assert _counts() == before


# --- Queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_the_checkin_list_costs_the_same_queries(alice, as_user, rows, django_assert_num_queries):
    today = local_today(alice)
    CheckIn.objects.bulk_create(
        CheckIn(patient=alice, on=today - timedelta(days=n), tiredness=n % 4) for n in range(rows)
    )
    client = as_user(alice, "read")
    # The token and its last use, the count and the page (with its edit counts).
    with django_assert_num_queries(4):
        body = client.get(CHECKINS).json()
    assert body["count"] == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_lab_list_costs_the_same_queries(alice, rx, as_user, rows, django_assert_num_queries):
    today = local_today(alice)
    for n in range(rows):
        entry = LabEntry(
            test="serum_b12", value=Decimal(200 + n), unit="ng/L", taken_on=today - timedelta(n)
        )
        lab_result_record(patient=alice, actor=alice, entry=entry, today=today)
    client = as_user(alice, "read")
    # The token and its last use, the count and the page (with its injection dates).
    with django_assert_num_queries(4):
        body = client.get(LABS).json()
    assert body["count"] == rows
