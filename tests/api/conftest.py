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
