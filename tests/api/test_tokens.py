"""Personal access tokens: made on the token page and shown there once, stored only as a
hash, read-only or read-and-write, at most ten live at a time, stopped by revoking or by
expiry, each make and revoke audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from api.models import ApiToken
from api.services import MOST_TOKENS, token_create
from api.tokens import token_digest

pytestmark = pytest.mark.django_db

PAGE = "/accounts/api-tokens/"
MAKE = "/accounts/api-tokens/new/"


def make_on_page(client, name="spreadsheet", scope="read", days="90"):
    return client.post(MAKE, {"name": name, "scope": scope, "expires_in_days": days})


def secret_of(response) -> str:
    return response.context["secret"]


def bearer(api, token):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_a_token_is_shown_once_and_stored_hashed(alice, client_for):
    client = client_for(alice)
    response = make_on_page(client)
    assert response.status_code == 200
    token = secret_of(response)
    assert token.startswith("b12_") and token in response.content.decode()
    row = ApiToken.objects.get(user=alice)
    assert row.token_hash == token_digest(token) and token not in (row.token_hash, row.prefix)
    assert token.startswith(row.prefix) and len(row.prefix) < len(token)
    again = client.get(PAGE).content.decode()
    assert token not in again and row.prefix in again
    assert "no-store" in response["Cache-Control"]  # nor kept by the browser


def test_the_token_page_is_for_patients_and_clinicians_only(client, client_for, bob, staff):
    assert client.get(PAGE).status_code == 302  # to sign in
    assert client_for(bob).get(PAGE).status_code == 200
    assert client_for(staff).get(PAGE).status_code == 404
    assert client_for(staff).post(MAKE, {"name": "x", "scope": "read"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_a_bad_form_writes_nothing_and_says_why(alice, client_for):
    response = make_on_page(client_for(alice), name="   ", scope="admin")
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["name"] and form.errors["scope"]
    assert not ApiToken.objects.exists() and not AuditEvent.objects.exists()


def test_make_and_revoke_are_audited_without_the_token(alice, client_for):
    client = client_for(alice)
    token = secret_of(make_on_page(client, scope="write"))
    row = ApiToken.objects.get(user=alice)
    response = client.post(f"/accounts/api-tokens/{row.pk}/revoke/")
    assert response.status_code == 302
    made, revoked = AuditEvent.objects.filter(action__startswith="api_token.").order_by("pk")
    assert (made.action, made.actor, made.object_id) == ("api_token.create", alice, str(row.pk))
    assert made.detail == {"scope": "write", "prefix": row.prefix}
    assert (revoked.action, revoked.detail) == ("api_token.revoke", {"prefix": row.prefix})
    assert all(token not in str(event.detail) for event in (made, revoked))
    # A second revoke changes nothing and writes no second event.
    client.post(f"/accounts/api-tokens/{row.pk}/revoke/")
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_revoked_token_is_401(alice, api, client_for):
    client = client_for(alice)
    token = secret_of(make_on_page(client))
    assert bearer(api, token).get("/api/v1/me/doses/").status_code == 200
    client.post(f"/accounts/api-tokens/{ApiToken.objects.get(user=alice).pk}/revoke/")
    response = api.get("/api/v1/me/doses/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_only_the_owner_can_revoke(alice, dave, client_for):
    row, _ = token_create(user=alice, name="mine", scope="read")
    assert client_for(dave).post(f"/accounts/api-tokens/{row.pk}/revoke/").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_expired_token_is_401(alice, api):
    row, token = token_create(user=alice, name="short", scope="read", expires_in_days=30)
    assert bearer(api, token).get("/api/v1/me/doses/").status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/me/doses/").status_code == 401


def test_expiry_is_set_from_the_form(alice, client_for):
    make_on_page(client_for(alice), name="a", days="30")
    make_on_page(client_for(alice), name="b", days="")
    short = ApiToken.objects.get(name="a")
    assert short.expires_at - short.created_at == timedelta(days=30)
    assert ApiToken.objects.get(name="b").expires_at is None


def test_an_inactive_users_token_is_401(alice, api):
    _, token = token_create(user=alice, name="x", scope="read")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert bearer(api, token).get("/api/v1/me/doses/").status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer b12_nothing", "Bearer abc", "Bearer b12_" + "x" * 200],
)
def test_a_malformed_or_unknown_token_is_401(alice, api, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/me/doses/")
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_read_scope_cannot_write(alice, bob, as_user):
    response = as_user(bob, "read").post(
        "/api/v1/clinic/flags/1/acknowledge/", {"note": ""}, format="json"
    )
    assert response.status_code == 403
    assert "read only" in response.json()["detail"]
    assert response["Content-Type"] == "application/problem+json"
    assert as_user(bob, "read").get("/api/v1/clinic/flags/").status_code == 200


def test_at_most_ten_live_tokens(alice, client_for):
    client = client_for(alice)
    for n in range(MOST_TOKENS):
        assert make_on_page(client, name=f"t{n}").status_code == 200
    refused = make_on_page(client, name="one more")
    assert refused.status_code == 400
    assert "Revoke one" in refused.content.decode()
    assert ApiToken.objects.filter(user=alice).count() == MOST_TOKENS
    # A revoked token no longer counts.
    client.post(f"/accounts/api-tokens/{ApiToken.objects.filter(user=alice).first().pk}/revoke/")
    assert make_on_page(client, name="one more").status_code == 200


def test_use_is_noted_at_most_once_a_minute(alice, api):
    row, token = token_create(user=alice, name="x", scope="read")
    bearer(api, token).get("/api/v1/me/doses/")
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None
    api.get("/api/v1/me/doses/")
    row.refresh_from_db()
    assert row.last_used_at == first
