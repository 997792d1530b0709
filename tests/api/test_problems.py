"""Every error of the API is an RFC 9457 problem (`application/problem+json` with type,
title, status and detail; `errors` by field for a 400), whatever raised it."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from api.problems import exception_handler

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"/api/docs/#problem-{status}"
    assert body["title"] and body["detail"]
    return body


def test_400_names_the_field(bob, as_user):
    body = assert_problem(as_user(bob).get("/api/v1/clinic/flags/?status=lost"), 400)
    assert list(body["errors"]) == ["status"] and body["errors"]["status"]


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page_size=0", "page_size=-3", "page="])
def test_400_for_a_bad_page(bob, as_user, query):
    body = assert_problem(as_user(bob).get(f"/api/v1/clinic/patients/?{query}"), 400)
    assert set(body["errors"]) <= {"page", "page_size"}


def test_a_page_past_the_last_is_404_and_a_big_page_size_is_capped(bob, as_user):
    client = as_user(bob)
    assert_problem(client.get("/api/v1/clinic/patients/?page=9"), 404)
    assert client.get("/api/v1/clinic/patients/?page_size=100000").status_code == 200


@pytest.fixture
def flag(alice):
    from datetime import date

    from monitoring.models import Flag
    from tests.helpers import prescribe

    rx = prescribe(alice, regimen="seed-maintenance", start=date(2025, 7, 1))
    return Flag.objects.create(patient=alice, prescription=rx, kind="test_overdue", key="k")


def test_400_for_a_body_that_is_not_json(bob, as_user, flag):
    response = as_user(bob).post(
        f"/api/v1/clinic/flags/{flag.pk}/acknowledge/", "{not json", content_type="application/json"
    )
    assert "JSON parse error" in assert_problem(response, 400)["detail"]


def test_400_beside_a_text_field_holding_a_nul(bob, as_user, flag):
    response = as_user(bob).post(
        f"/api/v1/clinic/flags/{flag.pk}/acknowledge/",
        '{"note": "a\\u0000b"}',
        content_type="application/json",
    )
    assert list(assert_problem(response, 400)["errors"]) == ["note"]


@pytest.mark.parametrize(
    "error",
    [
        ValidationError({"note": ["Too long."], "__all__": ["Not now."]}),
        ValidationError("This flag was already resolved."),
    ],
)
def test_400_from_a_services_validation_error(rf, error):
    """A service's Django ValidationError is a 400 with its messages by field (`__all__` as
    non_field_errors), so views can call services and let them refuse."""
    response = exception_handler(error, {"request": rf.get("/api/v1/x/"), "view": None})
    assert response is not None and response.status_code == 400
    assert response.content_type == PROBLEM
    if hasattr(error, "error_dict"):
        assert response.data["errors"] == {"note": ["Too long."], "non_field_errors": ["Not now."]}
    else:
        assert response.data["errors"] == {"non_field_errors": [error.messages[0]]}
        assert response.data["detail"] == error.messages[0]


def test_401_without_a_token_says_how(api):
    response = api.get("/api/v1/clinic/flags/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="b12tracker"'


def test_403_for_a_read_token_writing(bob, as_user):
    response = as_user(bob, "read").post("/api/v1/clinic/flags/1/resolve/", {}, format="json")
    assert_problem(response, 403)


def test_404_for_what_is_not_yours(alice, as_user):
    assert_problem(as_user(alice).get("/api/v1/clinic/patients/"), 404)


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_404_for_an_unknown_api_address(api, method):
    body = assert_problem(getattr(api, method)("/api/v1/no/such/thing/"), 404)
    assert body["detail"] == "No endpoint has that address."


def test_405_for_a_method_an_endpoint_lacks(bob, as_user):
    response = as_user(bob).delete("/api/v1/clinic/flags/")
    assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_406_when_json_is_not_acceptable(bob, as_user):
    response = as_user(bob).get("/api/v1/clinic/flags/", HTTP_ACCEPT="text/html")
    assert_problem(response, 406)


def test_415_for_a_body_that_is_not_json(bob, as_user, flag):
    response = as_user(bob).post(
        f"/api/v1/clinic/flags/{flag.pk}/acknowledge/", "note=x", content_type="text/plain"
    )
    assert_problem(response, 415)


@override_settings(API_RATE_USER="2/minute")
def test_429_after_the_users_rate_with_retry_after(bob, as_user):
    client = as_user(bob)
    assert [client.get("/api/v1/clinic/flags/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/clinic/flags/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


@override_settings(API_RATE_ANON="2/minute")
def test_429_for_calls_without_a_valid_token_by_address(api):
    assert api.get("/api/v1/clinic/flags/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Bearer b12_guessing")
    assert api.get("/api/v1/clinic/flags/").status_code == 401
    response = api.get("/api/v1/clinic/flags/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


@override_settings(API_RATE_ANON="1/minute")
def test_a_forwarded_for_header_does_not_make_a_new_address(api):
    assert api.get("/api/v1/clinic/flags/", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 401
    response = api.get("/api/v1/clinic/flags/", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert_problem(response, 429)


def test_a_key_that_names_no_field_is_ignored_whatever_it_holds(bob, as_user, flag):
    response = as_user(bob).post(
        f"/api/v1/clinic/flags/{flag.pk}/acknowledge/",
        '{"no\\u0000te": "x\\u0000", "note": "Seen."}',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["note"].endswith("Seen.")


def test_each_problem_type_links_to_its_row_on_the_docs_page(client):
    page = client.get("/api/docs/").content.decode()
    for status in (400, 401, 403, 404, 405, 406, 409, 415, 429):
        assert f'id="problem-{status}"' in page
