"""Dependents: a guardian adds one, switches to their record, uses the normal patient pages as
them (logging an injection), and switches back; nobody else can switch to them."""

from datetime import timedelta

from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, CareLink, User
from carers import services
from carers.models import Guardianship
from core.clock import local_today
from reminders.addresses import email_for
from reminders.dispatcher import address
from reminders.models import Notification
from schedules.models import Injection
from tests.helpers import prescribe


def test_adding_a_dependent_makes_an_account_that_cannot_log_in_or_get_mail(client_for, alice):
    response = client_for(alice).post(
        reverse("carers:dependent_add"),
        {"display_name": "Tom Patel", "time_zone": "Europe/London", "date_of_birth": "2015-04-02"},
    )
    assert response.status_code == 302
    tom = User.objects.get(patient_profile__display_name="Tom Patel")
    assert tom.role == "patient" and not tom.has_usable_password()
    assert tom.email.endswith("@dependents.invalid")
    validate_email(tom.email)
    assert Guardianship.objects.get(dependent=tom).guardian == alice
    # No mail goes to the placeholder: the outbox sends the dependent's email to the guardian.
    assert email_for(tom) == alice.email
    assert AuditEvent.objects.filter(action="dependent.added", actor=alice, patient=tom).exists()


def test_a_birth_date_in_the_future_is_refused_by_the_field(client_for, alice):
    response = client_for(alice).post(
        reverse("carers:dependent_add"),
        {"display_name": "Tom", "time_zone": "Europe/London", "date_of_birth": "2999-01-01"},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not Guardianship.objects.exists()


def test_the_guardian_logs_an_injection_in_the_dependents_record(client_for, alice, tom):
    today = local_today(tom)
    prescribe(tom, start=today)
    client = client_for(alice)
    client.post(reverse("carers:switch", args=[tom.pk]))
    home = client.get(reverse("home"))
    assert home.context["user"] == tom
    assert "You are looking after <strong>Tom Patel</strong>" in home.content.decode()
    response = client.post(
        reverse("schedules:injection_log"),
        {
            "given_on": today.isoformat(),
            "site": "deltoid_left",
            "given_by": "carer",
            "dose_mcg": "1000",
        },
    )
    assert response.status_code == 302
    injection = Injection.objects.get()
    assert (injection.patient, injection.given_by) == (tom, "carer")
    # The audit names who did it, the guardian, with the dependent as the patient.
    logged = AuditEvent.objects.get(object_type="schedules.Injection", object_id=str(injection.pk))
    assert (logged.actor, logged.patient, logged.detail["on_behalf_of"]) == (alice, tom, tom.pk)
    client.post(reverse("carers:switch_back"))
    back = client.get(reverse("home"))
    assert back.context["user"] == alice
    assert "You are looking after" not in back.content.decode()


def test_the_guardians_own_sign_in_pages_never_act_as_the_dependent(client_for, alice, tom):
    client = client_for(alice)
    client.post(reverse("carers:switch", args=[tom.pk]))
    page = client.get(reverse("accounts:password_change"))
    assert page.context["user"] == alice
    carers_page = client.get(reverse("carers:caring_for"))
    assert carers_page.context["user"] == alice
    assert "You are looking after" in carers_page.content.decode()


def test_reading_the_dependents_record_is_in_the_read_audit_under_the_guardian(
    client_for, alice, tom
):
    prescribe(tom, start=local_today(tom) - timedelta(days=2))
    client = client_for(alice)
    client.post(reverse("carers:switch", args=[tom.pk]))
    client.get(reverse("schedules:history"))
    read = AuditEvent.objects.filter(action="record.viewed").get()
    assert (read.actor, read.patient) == (alice, tom)


def test_an_ended_guardianship_falls_back_to_the_guardian(client_for, alice, tom):
    client = client_for(alice)
    client.post(reverse("carers:switch", args=[tom.pk]))
    services.guardianship_end(guardian=alice, dependent_id=tom.pk)
    home = client.get(reverse("home"))
    assert home.context["user"] == alice
    assert "carers.acting_for" not in client.session


def test_a_dependent_cannot_add_dependents_of_their_own(alice, tom):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.dependent_add(guardian=tom, display_name="X", time_zone="Europe/London")


def test_a_dependents_email_goes_to_the_guardian_holding_the_record_now(alice, dave):
    tom = services.dependent_add(guardian=alice, display_name="Tom", time_zone="Europe/London")
    row = Notification(recipient=tom, kind="due", channel="email")
    assert address(row, None) == alice.email
    Guardianship.objects.filter(dependent=tom).update(ended_at=timezone.now())
    # Nobody holds the record: the placeholder, which the mail transport cannot deliver to.
    assert address(row, None) == tom.email
    assert email_for(dave) == dave.email


def test_sharing_from_the_dependents_care_team_shares_the_dependents_record(
    client_for, alice, tom, charlie
):
    """The care team page acts for the dependent, and so does its share form: the request
    names the dependent, never the guardian's own record."""
    client = client_for(alice)
    client.post(reverse("carers:switch", args=[tom.pk]))

    response = client.post(reverse("accounts:share"), {"target": "charlie@example.com"})

    assert response.status_code == 302
    link = CareLink.objects.get(clinician=charlie)
    assert link.patient == tom
    client.post(reverse("accounts:share_withdraw", args=[link.pk]))
    assert CareLink.objects.get(pk=link.pk).status == "withdrawn"
