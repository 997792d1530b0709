"""Hostile input never answers 500: every page under the URL conf (walked from the resolver,
the admin aside), asked by a patient, a clinician, staff and a visitor, with each query
parameter it reads and each field of each form it shows replaced in turn by empty, huge, NUL,
out-of-range, overflowing, unicode and repeated values. A 4xx with a message or the form shown
again is fine; each request is rolled back, so every one starts from the same records.
"""

import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone

from accounts.models import CareLink
from monitoring.models import Flag
from reminders.models import Notification
from tests.helpers import loading_with_a_first_injection
from tests.htmltools import Element, parse

pytestmark = pytest.mark.django_db

HOSTILE: dict[str, str | list[str]] = {
    "empty": "",
    "huge": "x" * 100_000,
    "nul": "a\x00b",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "minus one": "-1",
    "overflow": "1e309",
    "unicode": "ÿ\u202e😀\u0301 ﷽",
    "array": ["1", "2"],
}
# Query parameters that many pages read; each page adds those of its links, GET forms and view.
COMMON_PARAMS = ("page", "q", "next")
# Plausible values for fields a form leaves empty, so the others are valid where that is easy.
FILL = {
    "reason": "Checked with the clinic",
    "note": "Rang the patient",
    "email": "erin@example.com",
    "display_name": "Erin Example",
    "code": "123456",
    "mobile": "+447700900123",
}
SKIP_ACTIONS = {"accounts:logout"}  # ends the session the rest of the test needs
ADMIN = "admin"
# Pages whose 500s are another part of the application's to fix: {url name: why}.
KNOWN_500: dict[str, str] = {}


def url_arguments() -> dict[str, tuple[str, ...]]:
    """Each named URL outside the admin, with the names of its arguments."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(resolver: URLResolver, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == ADMIN:
                    continue
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                found[f"{namespace}{entry.name}"] = tuple(entry.pattern.regex.groupindex)

    walk(get_resolver(), "")
    return found


def cases() -> list:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_500[name]))
        if name in KNOWN_500
        else name
        for name in sorted(url_arguments())
    ]


@pytest.fixture
def world(alice, bob, charlie, dave, staff) -> dict:
    """alice on open-ended loading with her first injection, linked to bob, invited by
    charlie, with an open flag; dave with no prescription yet (the wizard's pages); a failed
    reminder for the staff pages."""
    injection = loading_with_a_first_injection(alice)
    rx = injection.prescription
    pending = CareLink.objects.create(clinician=charlie, patient=alice, invited_email=alice.email)
    flag = Flag.objects.create(
        patient=alice, prescription=rx, kind=Flag.Kind.THREE_MONTH_REVIEW, key="fuzz-review"
    )
    failed_at = timezone.now()
    Notification.objects.create(
        recipient=bob,
        kind="flag_digest",
        channel="email",
        status="failed",
        attempts=5,
        scheduled_for=failed_at,
        next_attempt_at=failed_at,
        last_error="550 Mailbox unavailable",
        last_error_at=failed_at,
        dedupe_key="fuzz-failed",
    )
    ids = {
        "patient_id": alice.pk,
        "injection_id": injection.pk,
        "prescription_id": rx.pk,
        "phase_id": rx.phases.get(order=0).pk,
        "flag_id": flag.pk,
        "link_id": pending.pk,
        "uidb64": "MQ",
        "token": "x-y",
    }
    users = {"patient": alice, "new patient": dave, "clinician": bob, "staff": staff}
    return {"users": users, "ids": ids}


def url_for(name: str, ids: dict) -> str:
    """The URL with the world's records; an id the world has no record for is 1."""
    return reverse(name, kwargs={arg: ids.get(arg, 1) for arg in url_arguments()[name]})


def params_read(path: str, page: Element | None) -> set[str]:
    """The query parameters a page reads: its view module's request.GET keys, its links' and
    its GET forms' names, and the common ones."""
    found = set(COMMON_PARAMS)
    try:
        module = sys.modules[resolve(path).func.__module__]
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        found |= set(re.findall(r"request\.GET(?:\.get(?:list)?\(|\[)\s*[\"'](\w+)", source))
    except (Resolver404, OSError):
        pass
    if page is not None:
        for link in page.find_all("a"):
            target = urlsplit(link.attrs.get("href", ""))
            if target.path in ("", path):
                found |= {key for key, _ in parse_qsl(target.query)}
        for form in forms_of(page, path):
            if form["method"] == "get":
                found |= set(form["fields"])
    return found


def forms_of(page: Element, path: str) -> list[dict]:
    """Each form: its method, action and fields with their shown values (a radio's checked
    or first choice, a select's selected or first option, the first of submit buttons)."""
    found = []
    for form in page.find_all("form"):
        fields: dict[str, str] = {}
        for element in form.iter():
            name = element.attrs.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            if element.tag == "input":
                _input_value(element, fields)
            elif element.tag == "textarea":
                fields.setdefault(name, element.text)
            elif element.tag == "select":
                options = list(element.find_all("option"))
                chosen = [o for o in options if "selected" in o.attrs] or options[:1]
                fields.setdefault(name, chosen[0].attrs.get("value", "") if chosen else "")
            elif element.tag == "button" and element.attrs.get("type", "submit") == "submit":
                fields.setdefault(name, element.attrs.get("value", ""))
        for name, value in fields.items():
            if not value and name in FILL:
                fields[name] = FILL[name]
        action = form.attrs.get("action") or path
        found.append(
            {"method": form.attrs.get("method", "get").lower(), "action": action, "fields": fields}
        )
    return found


def _input_value(element: Element, fields: dict[str, str]) -> None:
    name = element.attrs["name"]
    kind = element.attrs.get("type", "text")
    if kind in ("submit", "button", "image", "reset", "file"):
        return
    if kind in ("radio", "checkbox"):
        if "checked" in element.attrs or name not in fields:
            fields[name] = element.attrs.get("value", "on")
        return
    fields.setdefault(name, element.attrs.get("value", ""))


class Sender:
    """Sends each request as the given user, rolled back afterwards, and notes any 500."""

    def __init__(self, user) -> None:
        self.client = Client(raise_request_exception=False)
        self.user = user
        self.failures: list[str] = []
        self.sent: list[str] = []

    def send(self, method: str, url: str, data: dict, label: str):
        # A request that ended the session (its rows are rolled back) needs a new one.
        if self.user is not None and not self.client.cookies.get(settings.SESSION_COOKIE_NAME):
            self.client.force_login(self.user, backend="accounts.backends.ProfileBackend")
        self.sent.append(f"{method.upper()} {url} {label}")
        with transaction.atomic():
            response = getattr(self.client, method)(url, data)
            transaction.set_rollback(True)
        if response.status_code == 500:
            self.failures.append(f"{method.upper()} {url} {label}: {response.status_code}")
        return response


def html_of(response) -> Element | None:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    return parse(response.content)


def fuzz_page(sender: Sender, path: str, seen: set) -> None:
    """The page's query parameters, then its forms; only for a user it opens for (the others
    are turned away before any input is read)."""
    plain = sender.send("get", path, {}, "plain")
    if plain.status_code != 200:
        return
    page = html_of(plain)
    for param in sorted(params_read(path, page)):
        for label, value in HOSTILE.items():
            sender.send("get", path, {param: value}, f"?{param}={label}")
    if page is None:
        return
    for form in forms_of(page, path):
        _fuzz_form(sender, form, seen)


def _fuzz_form(sender: Sender, form: dict, seen: set, *, follow: bool = True) -> None:
    """Each field replaced in turn; a GET form sent as it stands is followed once, to the forms
    of the page it opens (a wizard's next step)."""
    action = urlsplit(form["action"]).path
    try:
        match = resolve(action)
    except Resolver404:
        return
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    key = (form["method"], form["action"], tuple(sorted(form["fields"])))
    if name in SKIP_ACTIONS or key in seen:
        return
    seen.add(key)
    method = "post" if form["method"] == "post" else "get"
    for field in form["fields"]:
        for label, value in HOSTILE.items():
            data = form["fields"] | {field: value}
            sender.send(method, form["action"], data, f"{field}={label}")
    if method == "get" and follow:
        response = sender.send("get", form["action"], form["fields"], "as shown")
        if response.status_code == 302:
            response = sender.send("get", response.url, {}, "redirected")
        opened = html_of(response)
        for inner in forms_of(opened, action) if opened is not None else []:
            _fuzz_form(sender, inner, seen, follow=False)


@pytest.mark.parametrize("name", cases())
def test_hostile_input_never_answers_500(world, name):
    path = url_for(name, world["ids"])
    failures: list[str] = []
    for role in ("patient", "new patient", "clinician", "staff", "visitor"):
        sender = Sender(world["users"].get(role))
        fuzz_page(sender, path, set())
        failures += [f"{role}: {failure}" for failure in sender.failures]

    assert not failures, "\n".join(failures[:40])


def test_the_fuzzer_fills_every_field_of_a_form_and_notices_a_500(world, monkeypatch):
    # The harness's own check: the log form's service check made to fail must be reported.
    def broken(**kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr("schedules.views.log_page.injection_problems", broken)
    sender = Sender(world["users"]["patient"])

    fuzz_page(sender, reverse("schedules:injection_log"), set())

    posted = {label.split("=")[0] for label in (s.split(" ", 2)[2] for s in sender.sent)}
    assert {"given_on", "site", "dose_mcg", "notes", "client_token"} <= posted
    assert any("?page=huge" in sent for sent in sender.sent)
    assert any("/me/log/ notes=nul: 500" in failure for failure in sender.failures)
