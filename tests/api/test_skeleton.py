"""Tokens open the API, errors are problem details, and a wrong role is 404."""

from datetime import date

import pytest

from api.models import ApiToken
from api.services import token_revoke
from tests.helpers import prescribe

pytestmark = pytest.mark.django_db


def test_no_token_is_401_problem(api):
    response = api.get("/api/v1/me/doses/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and body["title"] and body["type"] and body["detail"]


def test_a_token_reads_own_doses_and_is_stored_hashed(alice, as_user, token_for):
    prescribe(alice, regimen="bnf-neuro", start=date(2026, 1, 5))
    token = token_for(alice, "read")
    row = ApiToken.objects.get(user=alice)
    assert (
        token not in (row.token_hash, row.prefix)
        and row.token_hash
        and token.startswith(row.prefix)
    )
    client = as_user(alice, "read")
    response = client.get("/api/v1/me/doses/?page_size=3")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 3 and body["count"] > 3 and body["next"]
    assert [d["due"] for d in body["results"]] == sorted(d["due"] for d in body["results"])


def test_revoked_token_is_401(alice, api, token_for):
    token = token_for(alice)
    token_revoke(user=alice, token_id=ApiToken.objects.get(user=alice).pk)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/me/doses/").status_code == 401


def test_clinician_on_patient_endpoint_is_404(bob, as_user):
    response = as_user(bob).get("/api/v1/me/prescription/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_unknown_address_is_a_problem(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_schema_is_served_without_a_token(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
