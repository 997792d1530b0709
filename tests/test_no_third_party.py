"""No page asks the browser to fetch anything from another host: no CDN, font service or
tracker sees that a patient opened a page. Checked on the rendered HTML and the CSP header."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.htmltools import parse
from tests.test_access import (
    NOT_HTML,
    OWN_ACCOUNT,
    PATIENT_DATA,
    PUBLIC,
    STAFF_ONLY,
    Page,
    alice_injection,
)

# The matrix's cast, carers included (an explicit re-export, so the fixture is used here).
from tests.test_access import cast as cast

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {"src", "href", "action", "srcset", "formaction", "poster", "data", "hx-get",
                  "hx-post", "hx-put", "hx-delete", "hx-patch", "content"}  # fmt: skip
OWN_HOSTS = {"", "testserver"}


def alice_has_records(cast: dict) -> None:
    """Pages are scanned with content in them: alice has a prescription and an injection."""
    alice_injection(cast)


VIEWER = {"patient": "alice", "clinician": "bob", "staff": "staff"}


def viewer_of(name: str) -> str | None:
    """Who can open the page: the same classification as the access test, one viewer each."""
    if name in PUBLIC:
        return None
    if name in OWN_ACCOUNT:
        return VIEWER[sorted(OWN_ACCOUNT[name].roles)[0]]
    if name in PATIENT_DATA:
        return PATIENT_DATA[name].allowed
    return "staff"


def pages() -> list[tuple[str, Page]]:
    classified = {**PUBLIC, **OWN_ACCOUNT, **PATIENT_DATA, **STAFF_ONLY}
    found = [
        (name, page)
        for name, page in sorted(classified.items())
        if page.method == "get" and name not in NOT_HTML
    ]
    return [*found, ("admin:index", Page())]


def foreign_references(html: bytes) -> list[str]:
    found = []
    for element in parse(html).iter():
        for name, value in element.attrs.items():
            if name not in URL_ATTRIBUTES:
                continue
            for candidate in value.replace(",", " ").split():
                if candidate.startswith(("http://", "https://", "//")):
                    host = urlsplit(candidate).hostname or ""
                    if host not in OWN_HOSTS:
                        found.append(f"<{element.tag} {name}={candidate!r}>")
    return found


def test_the_scanner_finds_a_foreign_reference():
    html = b'<link href="https://cdn.example.net/x.css"><img src="//img.example.net/a.png">'

    assert len(foreign_references(html)) == 2
    assert foreign_references(b'<a href="http://testserver/">home</a><a href="/x">x</a>') == []


@pytest.mark.parametrize(("name", "spec"), pages(), ids=[name for name, _ in pages()])
def test_page_references_only_our_own_host(client, cast, name, spec):
    alice_has_records(cast)
    who = "staff" if name.startswith("admin:") else viewer_of(name)
    if who:
        client.force_login(cast[who], backend="accounts.backends.ProfileBackend")

    response = client.get(reverse(name, kwargs=spec.kwargs(cast)), spec.data, follow=True)

    assert response.status_code == 200
    assert foreign_references(response.content) == []
    policy = response.headers["Content-Security-Policy"]
    assert "http:" not in policy and "https:" not in policy
    assert "default-src 'self'" in policy


def test_the_scan_covers_the_patient_pages():
    names = {name for name, _ in pages()}

    assert {"home", "accounts:care_team", "clinic:patient_detail", "reminders:status"} <= names
