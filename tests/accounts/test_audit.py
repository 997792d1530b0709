"""The audit log is append-only: `log_action` is the one way in, and neither the ORM nor,
on PostgreSQL, raw SQL can change or remove a row once written."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory, override_settings

from accounts.audit import log_action
from accounts.models import AuditEvent, CareLink, PatientProfile, User
from tests.conftest import need

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(alice, bob) -> AuditEvent:
    link = CareLink.objects.get(clinician=bob, patient=alice)
    return log_action(actor=alice, action="carelink.revoked", patient=alice, obj=link)


def test_log_action_writes_one_row_with_actor_patient_object_and_address(alice, bob):
    link = CareLink.objects.get(clinician=bob, patient=alice)
    request = RequestFactory().post("/", REMOTE_ADDR="2001:db8::7")

    log_action(
        actor=bob,
        action="carelink.invited",
        patient=alice,
        obj=link,
        request=request,
        detail={"note": "test"},
    )

    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action) == (bob, alice, "carelink.invited")
    assert (event.object_type, event.object_id) == ("accounts.CareLink", str(link.pk))
    assert event.address == "2001:db8::7"
    assert event.detail == {"note": "test"}
    assert event.at is not None


@override_settings(
    AXES_IPWARE_PROXY_COUNT=0,
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
)
def test_behind_the_proxy_the_event_carries_the_clients_address(alice, bob):
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="5.6.7.8, 81.2.69.142"
    )

    log_action(actor=bob, action="carelink.invited", patient=alice, request=request)

    assert AuditEvent.objects.get().address == "81.2.69.142"


def test_without_a_proxy_a_forwarded_address_is_ignored(alice, bob):
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="1.2.3.4")

    log_action(actor=bob, action="carelink.invited", patient=alice, request=request)

    assert AuditEvent.objects.get().address == "198.51.100.4"


def test_log_action_without_request_or_saved_actor_leaves_them_empty(alice):
    log_action(actor=User(email="unsaved@example.com"), action="system.note", patient=alice)

    event = AuditEvent.objects.get()
    assert (event.actor, event.address, event.object_type, event.object_id) == (None, None, "", "")


def test_saving_an_event_again_is_refused(event):
    event.action = "carelink.accepted"

    with pytest.raises(PermissionError):
        event.save()

    assert AuditEvent.objects.get().action == "carelink.revoked"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(PermissionError):
        event.delete()

    assert AuditEvent.objects.count() == 1


def test_queryset_update_is_refused(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="carelink.accepted")

    assert AuditEvent.objects.get().action == "carelink.revoked"


def test_queryset_delete_is_refused(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 1


def test_bulk_update_is_refused(event):
    event.action = "carelink.accepted"

    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_update([event], ["action"])

    assert AuditEvent.objects.get().action == "carelink.revoked"


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_deleting_a_user_with_an_audit_trail_is_refused(event, alice, bob, who):
    user = {"alice": alice, "bob": bob}[who]
    log_action(actor=bob, action="carelink.invited", patient=alice)

    with pytest.raises(ProtectedError), transaction.atomic():
        user.delete()

    assert list(AuditEvent.objects.values_list("actor", "patient").order_by("id")) == [
        (alice.pk, alice.pk),
        (bob.pk, alice.pk),
    ]


def test_a_user_without_an_audit_trail_can_be_deleted(event, dave):
    dave_id = dave.pk

    dave.delete()

    assert not User.objects.filter(pk=dave_id).exists()
    assert not PatientProfile.objects.filter(user_id=dave_id).exists()
    assert AuditEvent.objects.get().action == "carelink.revoked"  # others' trails stay


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET action = 'forged'",
        "DELETE FROM accounts_auditevent",
    ],
    ids=["update", "delete"],
)
def test_postgresql_refuses_raw_sql_changes(event, statement):
    need(
        connection.vendor == "postgresql",
        "the append-only trigger exists on PostgreSQL only (set DATABASE_URL)",
    )

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AuditEvent.objects.get().action == "carelink.revoked"
