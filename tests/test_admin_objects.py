"""The admin's object pages: for every registered model admin, its list and one row's change,
history and delete pages open for staff (the delete page only where deleting is allowed) and
send everyone else to the admin's log-in page, never showing the row.

Each registered model needs a row maker below, so a newly registered model cannot go
unrequested.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import log_action
from accounts.models import CareLink

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
OBJECT_PAGES = ("change", "history", "delete")


def _access(model_name: str) -> Callable[[dict], Model]:
    def make(cast: dict) -> Model:
        from axes import models as axes_models

        fields = {
            "user_agent": "pytest",
            "ip_address": "192.0.2.1",
            "username": cast["alice"].email,
            "http_accept": "text/html",
            "path_info": reverse("accounts:login"),
        }
        if model_name == "AccessAttempt":
            fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
        return getattr(axes_models, model_name).objects.create(**fields)

    return make


def _sweep_tick(cast: dict) -> Model:
    from core.models import SweepTick

    return SweepTick.objects.create(name="plan_notifications", last_tick_at=timezone.now())


def _notification(cast: dict) -> Model:
    from reminders.models import Notification

    now = timezone.now()
    return Notification.objects.create(
        recipient=cast["bob"],
        channel="email",
        kind="flag_digest",
        dedupe_key="admin-test",
        scheduled_for=now,
        next_attempt_at=now + timedelta(minutes=5),
    )


def _change_notice(cast: dict) -> Model:
    from reminders.models import ChangeNotice
    from tests.helpers import prescribe

    rx = prescribe(cast["alice"], start=timezone.localdate())
    return ChangeNotice.objects.create(
        patient=cast["alice"], prescription=rx, changed_by=cast["bob"], description="Monthly"
    )


def _audit_event(cast: dict) -> Model:
    link = CareLink.objects.get(clinician=cast["bob"], patient=cast["alice"])
    return log_action(
        actor=cast["alice"], action="carelink.revoked", patient=cast["alice"], obj=link
    )


MAKERS: dict[str, Callable[[dict], Model]] = {
    "auth.Group": lambda cast: Group.objects.create(name="Operations"),
    "axes.AccessAttempt": _access("AccessAttempt"),
    "axes.AccessLog": _access("AccessLog"),
    "axes.AccessFailureLog": _access("AccessFailureLog"),
    "core.SweepTick": _sweep_tick,
    "accounts.User": lambda cast: cast["alice"],
    "accounts.CareLink": lambda cast: CareLink.objects.get(clinician=cast["bob"]),
    "accounts.AuditEvent": _audit_event,
    "reminders.Notification": _notification,
    "reminders.ChangeNotice": _change_notice,
    # django-otp's own admins: where staff remove a lost authenticator or recovery codes.
    "otp_totp.TOTPDevice": lambda cast: TOTPDevice.objects.create(
        user=cast["alice"], name="Phone", confirmed=True
    ),
    "otp_static.StaticDevice": lambda cast: StaticDevice.objects.create(
        user=cast["alice"], name="Recovery codes", confirmed=True
    ),
}


def registered() -> list[str]:
    return sorted(model._meta.label for model in admin.site._registry)


def model_admin(label: str) -> admin.ModelAdmin:
    return next(a for m, a in admin.site._registry.items() if m._meta.label == label)


def urls(label: str, obj: Model) -> dict[str, str]:
    """The model's list and the object's pages, by page name."""
    prefix = f"admin:{obj._meta.app_label}_{obj._meta.model_name}"
    return {
        "changelist": reverse(f"{prefix}_changelist"),
        **{page: reverse(f"{prefix}_{page}", args=[obj.pk]) for page in OBJECT_PAGES},
    }


def test_every_registered_model_has_a_row_maker():
    assert registered(), "the admin registry is empty: were the admins imported?"
    assert set(MAKERS) == set(registered())


@pytest.mark.parametrize("label", registered())
def test_staff_open_the_list_and_a_rows_pages(client_for, cast, label):
    obj = MAKERS[label](cast)
    client = client_for(cast["staff"])
    request = RequestFactory().get("/")
    request.user = cast["staff"]
    may_delete = model_admin(label).has_delete_permission(request, obj)
    pages = urls(label, obj)

    listing = client.get(pages["changelist"])
    change = client.get(pages["change"])
    history = client.get(pages["history"])
    delete = client.get(pages["delete"])

    assert listing.status_code == 200
    assert obj.pk in {row.pk for row in listing.context["cl"].result_list}
    assert change.status_code == 200
    assert change.context["original"] == obj
    assert history.status_code == 200
    assert history.context["object"] == obj
    # Read-only admins (the audit log, the outbox) forbid deleting even for staff.
    assert delete.status_code == (200 if may_delete else 403)
    assert type(obj).objects.filter(pk=obj.pk).exists()  # a GET deletes nothing


@pytest.mark.parametrize("who", ["alice", "bob", ANONYMOUS])
@pytest.mark.parametrize("label", registered())
def test_everyone_else_is_sent_to_the_admin_log_in(client, cast, label, who):
    obj = MAKERS[label](cast)
    if who != ANONYMOUS:
        client.force_login(cast[who], backend="accounts.backends.ProfileBackend")

    for page, url in urls(label, obj).items():
        response = client.get(url)
        assert response.status_code == 302, (page, response.status_code)
        assert response.url.startswith(reverse("admin:login") + "?next="), page
