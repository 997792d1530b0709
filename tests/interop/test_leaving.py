"""Leaving: the download holds every file with the patient's real rows (parsed back), and
closing deletes every row that belongs to the patient (counted over every model that
references a user), keeps the audit trail emptied of details, closes the care links, frees
the address, and writes nothing when the password is wrong; other patients are untouched."""

import csv
import io
import json
import zipfile
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ForeignObjectRel
from django.db.models.deletion import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, CareLink, PendingSignup, User
from accounts.reauth import AUTHENTICATED_AT
from accounts.services import patient_profile_update, signup_confirm, signup_request
from api.services import token_create
from carers.acting import SESSION_KEY
from carers.models import CarerLink
from carers.services import dependent_add
from core.clock import local_today
from interop import leaving
from interop.services import feed_create
from monitoring.checkins import checkin_save
from monitoring.labs.services import LabEntry, lab_result_record
from monitoring.models import Flag
from reminders.models import Notification, PushSubscription, StockMovement
from reminders.services import preference_get
from reminders.stock.services import batch_add
from schedules.models import Dose, Injection, Phase, PrescriptionVersion
from schedules.services import injection_correct
from tests.clinic.helpers import link, log, settle
from tests.conftest import PASSWORD, need
from tests.helpers import prescribe

pytestmark = pytest.mark.django_db
DOWNLOAD = reverse("interop:download_everything")
CLOSE = reverse("interop:close_account")
FILES = {
    "fhir-bundle.json", "profile.json", "prescriptions.csv", "injections.csv", "doses.csv",
    "checkins.csv", "labs.csv", "reminders-sent.csv", "stock.csv", "stock-movements.csv",
    "care-links.csv", "carers.json", "audit-events.csv",
}  # fmt: skip


def give_record(patient, *, mobile: str = "+447700900123") -> None:
    """A record touching every app: a loading course with a missed (flagged) dose and a
    corrected injection, a check-in, a lab result, stock, reminders, a calendar feed, an API
    token, a phone and a date of birth."""
    today = local_today(patient)
    rx = prescribe(patient, regimen="bnf-neuro", start=today - timedelta(days=12))
    batch_add(patient=patient, count=10, strength_mcg_per_ml=1000, expiry=today + timedelta(400))
    first = log(rx, today - timedelta(days=12))
    for ago in (10, 6, 4, 2):
        log(rx, today - timedelta(days=ago))
    settle(rx, today)
    injection_correct(injection=first, actor=patient, reason="Other arm", site="deltoid_right")
    checkin_save(
        patient=patient, actor=patient, on=today, values={"tiredness": 2, "note": "=SUM(A1)"},
        today=today,
    )  # fmt: skip
    entry = LabEntry(
        test="serum_b12", value=Decimal("180"), unit="pmol/L", taken_on=today - timedelta(20),
        ref_low=Decimal("140"), ref_high=Decimal("700"),
    )  # fmt: skip
    lab_result_record(patient=patient, actor=patient, entry=entry, today=today)
    patient_profile_update(
        user=patient, display_name=patient.display_name, time_zone="Europe/London",
        mobile=mobile, reminder_time=time(9), date_of_birth=date(1970, 5, 4),
    )  # fmt: skip
    preference_get(patient=patient)
    feed_create(patient=patient, detail_level="plain", alarm=False)
    token_create(user=patient, name="My spreadsheet", scope="read")
    PushSubscription.objects.create(
        patient=patient, endpoint=f"https://push.example/{patient.pk}", p256dh="k", auth="a"
    )
    now = timezone.now()
    Notification.objects.create(
        recipient=patient, channel="email", kind="due", dedupe_key=f"test:{patient.pk}",
        scheduled_for=now, next_attempt_at=now, status="sent", sent_at=now,
    )  # fmt: skip


@pytest.fixture
def record(alice, bob):
    give_record(alice)
    return alice


@pytest.fixture
def other(dave, bob):
    give_record(dave, mobile="+447700900456")
    link(bob, dave)
    return dave


def references(user: User) -> dict[str, int]:
    """Rows naming `user`, per model and field, for every model that references a user
    (hidden references included)."""
    counts = {}
    for rel in User._meta.get_fields(include_hidden=True):
        if isinstance(rel, ForeignObjectRel) and not rel.many_to_many:
            rows = rel.related_model._base_manager.filter(**{rel.field.name: user})
            counts[f"{rel.related_model._meta.label}.{rel.field.name}"] = rows.count()
    return counts


def snapshot(user: User) -> dict[str, object]:
    """Everything of `user`'s that closing someone else's account must leave as it is."""
    return {
        "references": references(user),
        "doses": list(Dose.objects.filter(prescription__patient=user).values()),
        "injections": list(Injection.objects.filter(patient=user).values()),
        "audit": list(AuditEvent.objects.filter(patient=user).values()),
        "links": list(CareLink.objects.filter(patient=user).values()),
        "user": User.objects.filter(pk=user.pk).values().get(),
    }


def download(client) -> dict[str, bytes]:
    response = client.post(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="b12-everything-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def table(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode())))


def close(client, email: str = "alice@example.com", password: str = PASSWORD):
    return client.post(CLOSE, {"email": email, "password": password})


def test_the_pages_explain_and_link_from_the_profile(record, client_for):
    client = client_for(record)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert DOWNLOAD in profile and CLOSE in profile
    assert "FHIR" in client.get(DOWNLOAD).content.decode()
    page = client.get(CLOSE).content.decode()
    assert "audit trail" in page and 'name="password"' in page


def test_other_roles_get_404(cast, client_for):
    assert DOWNLOAD not in client_for(cast["bob"]).get(reverse("accounts:profile")).content.decode()
    for who in ("bob", "charlie", "staff"):
        client = client_for(cast[who])
        for url in (DOWNLOAD, CLOSE):
            answers = [
                client.get(url),
                client.post(url, {"email": cast[who].email, "password": PASSWORD}),
            ]
            # Staff without two-factor sign-in are sent to set it up before any page.
            expected = {404, 302} if who == "staff" else {404}
            assert {answer.status_code for answer in answers} <= expected
    assert User.objects.filter(closed_at__isnull=False).count() == 0


def test_the_zip_holds_every_file_with_the_patients_rows(record, other, client_for):
    files = download(client_for(record))

    assert set(files) == FILES
    bundle = json.loads(files["fhir-bundle.json"])
    assert bundle["resourceType"] == "Bundle"
    (patient,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert patient["name"][0]["text"] == "Alice Patel"
    profile = json.loads(files["profile.json"])
    assert profile["email"] == "alice@example.com"
    assert profile["profile"]["mobile"] == "+447700900123"
    assert profile["profile"]["date_of_birth"] == "1970-05-04"
    assert "sms_code_hash" not in profile["reminder_preferences"]
    injections = table(files, "injections.csv")
    mine = Injection.objects.filter(patient=record)
    assert {int(row["id"]) for row in injections} == set(mine.values_list("pk", flat=True))
    assert {row["status"] for row in injections} == {"recorded", "corrected"}
    assert next(row for row in injections if row["replaces_id"])["site"] == "deltoid_right"
    doses = table(files, "doses.csv")
    assert len(doses) == Dose.objects.filter(prescription__patient=record).count()
    assert {"taken", "missed"} <= {row["status"] for row in doses}
    (checkin,) = table(files, "checkins.csv")
    assert checkin["tiredness"] == "2" and checkin["note"] == "'=SUM(A1)"  # not a formula
    (lab,) = table(files, "labs.csv")
    assert lab["test"] == "serum_b12" and Decimal(lab["value"]) == Decimal("180")
    sent = table(files, "reminders-sent.csv")
    assert {"kind": "due", "channel": "email", "status": "sent"}.items() <= sent[-1].items()
    assert set(sent[0]) == {"kind", "channel", "scheduled_for", "sent_at", "status"}
    (batch,) = table(files, "stock.csv")
    assert batch["received"] == "10" and batch["on_hand"] == "5"
    movements = table(files, "stock-movements.csv")
    assert len(movements) == StockMovement.objects.filter(batch__patient=record).count() > 5
    (care,) = table(files, "care-links.csv")
    assert care["clinician"] == "Dr Bob Smith" and care["status"] == "active"
    assert json.loads(files["carers.json"]) == []
    audit = table(files, "audit-events.csv")
    assert {"lab_result.recorded", "injection.logged"} <= {row["action"] for row in audit}
    assert {row["who"] for row in audit} >= {"you"}
    everything = b"".join(files.values())
    assert b"dave@example.com" not in everything and b"+447700900456" not in everything
    downloaded = AuditEvent.objects.filter(action="record.downloaded").get()
    assert downloaded.actor == record and downloaded.patient == record


def test_closing_deletes_every_row_of_the_patient_and_keeps_the_emptied_audit(
    record, other, client_for
):
    before = references(record)
    owned = {
        key
        for key, count in before.items()
        if not key.startswith(("accounts.AuditEvent", "accounts.CareLink"))
    }
    assert all(before[key] > 0 for key in (
        "accounts.PatientProfile.user", "schedules.Prescription.patient",
        "schedules.Injection.patient", "monitoring.CheckIn.patient", "monitoring.Flag.patient",
        "monitoring.LabResult.patient", "reminders.StockBatch.patient",
        "reminders.Notification.recipient", "reminders.ReminderPreference.patient",
        "reminders.PushSubscription.patient", "interop.CalendarFeed.patient", "api.ApiToken.user",
        "schedules.Injection.logged_by",
    ))  # fmt: skip
    audit_ids = set(AuditEvent.objects.filter(patient=record).values_list("pk", flat=True))
    assert AuditEvent.objects.filter(pk__in=audit_ids).exclude(detail={}).exists()
    dave_before = snapshot(other)
    client = client_for(record)

    response = close(client)

    assert response.status_code == 200
    assert "Your account is closed" in response.content.decode()
    after = references(record)
    assert {key: after[key] for key in owned} == dict.fromkeys(owned, 0)
    assert not Dose.objects.exclude(prescription__patient=other).exists()
    assert not Phase.objects.exclude(prescription__patient=other).exists()
    assert not PrescriptionVersion.objects.exclude(prescription__patient=other).exists()
    audit = AuditEvent.objects.filter(patient=record)
    assert audit_ids < set(audit.values_list("pk", flat=True))
    assert not audit.exclude(detail={}).exists()
    closing = audit.order_by("-id").first()
    assert (closing.action, closing.actor, closing.detail) == ("account.closed", record, {})
    link_row = CareLink.objects.get(patient=record)
    assert link_row.status == "closed" and link_row.ended_at is not None
    assert snapshot(other) == dave_before


def test_the_account_is_a_tombstone_and_the_address_signs_up_again(record, client_for):
    client = client_for(record)
    close(client)

    user = User.objects.get(pk=record.pk)
    assert user.email == f"closed-{user.pk}@closed.invalid"
    assert not user.has_usable_password() and not user.is_active
    assert user.closed_at is not None and user.session_epoch == 1
    assert user.display_name == f"closed-{user.pk}"
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out
    for address in ("alice@example.com", user.email):
        answer = Client().post(
            reverse("accounts:login"), {"username": address, "password": PASSWORD}
        )
        assert answer.status_code == 200 and answer.context["form"].errors  # refused
    signup_request(
        email="alice@example.com", password="a-new-password-77", display_name="Alice again",
        time_zone="Europe/London",
    )  # fmt: skip
    fresh = signup_confirm(token=PendingSignup.objects.get(email="alice@example.com").token)
    assert fresh.pk != record.pk and fresh.email == "alice@example.com"
    assert not fresh.injections.exists() and not CareLink.objects.filter(patient=fresh).exists()


def test_the_clinician_no_longer_reaches_the_closed_record(record, bob):
    clinician, patient = Client(), Client()
    clinician.force_login(bob, backend="accounts.backends.ProfileBackend")
    patient.force_login(record, backend="accounts.backends.ProfileBackend")
    detail = reverse("clinic:patient_detail", args=[record.pk])
    assert clinician.get(detail).status_code == 200
    assert "Alice Patel" in clinician.get(reverse("clinic:patients")).content.decode()

    close(patient)

    assert clinician.get(detail).status_code == 404
    assert "Alice Patel" not in clinician.get(reverse("clinic:patients")).content.decode()
    invitations = clinician.get(reverse("clinic:invitations")).content.decode()
    assert "alice@example.com: Record closed by the patient" in invitations
    assert (
        clinician.get(reverse("interop:fhir_export_patient", args=[record.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("alice@example.com", "wrong-password-1", "password"),
        ("dave@example.com", PASSWORD, "email"),
    ],
)
def test_a_wrong_password_or_address_writes_nothing(record, email, password, field, client_for):
    before, audit = references(record), AuditEvent.objects.count()

    response = close(client_for(record), email=email, password=password)

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert references(record) == before and AuditEvent.objects.count() == audit
    assert User.objects.get(pk=record.pk).is_active


def test_a_row_of_someone_else_that_protects_the_record_stops_the_closing(record, other):
    theirs = Injection.objects.filter(patient=other).first()
    mine = Injection.objects.filter(patient=record, status="recorded").last()
    Injection.objects.filter(pk=theirs.pk).update(replaces=mine)
    before = references(record)

    with pytest.raises(ProtectedError):
        leaving.account_close(patient=record, email=record.email, password=PASSWORD)

    assert references(record) == before


def test_the_patient_as_actor_on_another_record_is_kept(record, other):
    """Rows that only name the patient as the one who did something stay, naming the
    emptied account."""
    theirs = Injection.objects.filter(patient=other).first()
    Injection.objects.filter(pk=theirs.pk).update(logged_by=record)
    Flag.objects.filter(patient=other).update(acted_by=record)

    leaving.account_close(patient=record, email=record.email, password=PASSWORD)

    assert Injection.objects.get(pk=theirs.pk).logged_by_id == record.pk
    assert Flag.objects.filter(patient=other, acted_by=record).exists()


def test_a_stale_sign_in_confirms_the_password_first_and_closes_nothing(record, client_for):
    client = client_for(record)
    session = client.session
    del session[AUTHENTICATED_AT]
    session.save()

    for answer in (client.get(DOWNLOAD), close(client)):
        assert answer.status_code == 302
        assert answer.url.startswith(reverse("accounts:reauth"))
    assert User.objects.get(pk=record.pk).closed_at is None
    assert not AuditEvent.objects.filter(action="record.downloaded").exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET detail = '{}'",  # the switch is off
        "SELECT set_config('b12.audit_redaction', 'on', true);"
        " UPDATE accounts_auditevent SET detail = '{}', action = 'forged'",
        "SELECT set_config('b12.audit_redaction', 'on', true);"
        " UPDATE accounts_auditevent SET detail = '{\"forged\": true}'",
        "SELECT set_config('b12.audit_redaction', 'on', true); DELETE FROM accounts_auditevent",
    ],
    ids=["switch-off", "other-column", "not-emptied", "delete"],
)
def test_postgresql_lets_through_only_the_emptying_of_details(record, statement):
    need(connection.vendor == "postgresql", "the audit trigger exists on PostgreSQL only")
    before = list(AuditEvent.objects.order_by("pk").values())

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert list(AuditEvent.objects.order_by("pk").values()) == before


def test_carers_are_in_the_download_without_their_token(record, dave, client_for):
    CarerLink.objects.create(
        patient=record, carer=dave, invited_email=dave.email, status="active", can_log=True
    )

    (row,) = json.loads(download(client_for(record))["carers.json"])

    assert row["kind"] == "carerlink" and row["you_are"] == "patient"
    assert row["carer_id"] == dave.pk and row["can_log"] is True
    assert "token" not in row


def test_a_guardian_downloads_the_dependents_record_under_their_own_name(alice, client_for):
    tom = dependent_add(guardian=alice, display_name="Tom Patel", time_zone="Europe/London")
    client = client_for(alice)
    session = client.session
    session[SESSION_KEY] = tom.pk
    session.save()

    files = download(client)

    assert json.loads(files["profile.json"])["profile"]["display_name"] == "Tom Patel"
    event = AuditEvent.objects.get(action="record.downloaded")
    assert (event.actor, event.patient) == (alice, tom)


def test_a_guardian_cannot_close_while_holding_a_record(alice, client_for):
    tom = dependent_add(guardian=alice, display_name="Tom Patel", time_zone="Europe/London")
    before, audit = references(alice), AuditEvent.objects.count()

    response = close(client_for(alice))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [leaving.HOLDS_RECORDS]
    assert references(alice) == before and AuditEvent.objects.count() == audit
    assert User.objects.get(pk=tom.pk).is_active


def test_the_log_of_successful_sign_ins_goes_and_failed_attempts_stay(record, other):
    from axes.models import AccessAttempt, AccessLog

    for username in (record.email, other.email):
        AccessLog.objects.create(username=username, ip_address="192.0.2.7", user_agent="Phone")
    AccessAttempt.objects.create(
        username=record.email, ip_address="192.0.2.9", user_agent="?", failures_since_start=1
    )

    leaving.account_close(patient=record, email=record.email, password=PASSWORD)

    assert list(AccessLog.objects.values_list("username", flat=True)) == [other.email]
    assert AccessAttempt.objects.filter(username=record.email).exists()
