"""API test helpers: a token for a user, and a client that sends it."""

import pytest
from rest_framework.test import APIClient

from api.services import token_create


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_for(db):
    def make(user, scope: str = "write") -> str:
        return token_create(user=user, name="test", scope=scope)[1]

    return make


@pytest.fixture
def as_user(token_for):
    """A client carrying a fresh token of `user`'s, with `scope`."""

    def make(user, scope: str = "write") -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scope)}")
        return client

    return make


@pytest.fixture
def rx(alice):
    """Alice's prescription: open-ended loading every other day (bnf-neuro), begun ten days
    before her today, entered that day."""
    from datetime import timedelta

    from core.clock import local_today
    from tests.helpers import prescribe

    start = local_today(alice) - timedelta(days=10)
    return prescribe(alice, regimen="bnf-neuro", start=start, today=local_today(alice))


def problem_fields(response) -> dict:
    """The `errors` of a 400 problem, checking it is one."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["type"] and body["title"] and body["detail"]
    return body["errors"]
