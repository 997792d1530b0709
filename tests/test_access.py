"""Who may open which page, and what it does for them. Every named URL must be classified here,
so a new view cannot be forgotten: patient data answers 404 to everyone without an active link
(or consent), and refused requests write nothing.

For the user who may, each request asserts its real outcome, never just "not refused": a page
renders 200 with its own title; an action redirects where it should and changes what it should;
a request meant to be refused answers 400 and says why. A URL is requested once in its table
and may be requested again in ALSO (the POST beside a form's GET, a refusal beside a success).
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import AuditEvent, CareLink, EmailChange, PendingSignup, User
from api.models import ApiToken
from api.services import token_create
from carers import services as carer_services
from carers.models import CarerLink, Guardianship
from clinic.views.patients import CSV_HEADER
from core.clock import local_today
from interop import services as calendar_services
from interop.models import CalendarFeed, PrescriptionDraft
from monitoring.models import Flag
from reminders import services as reminder_services
from reminders.answers import tokens as answer_tokens
from reminders.management.commands.vapid_keys import new_pair
from reminders.models import (
    ChangeNotice,
    Kind,
    Notification,
    PushSubscription,
    ReminderAnswer,
    ReminderPreference,
    StockBatch,
    StockMovement,
)
from reminders.stock import services as stock_services
from schedules.models import Appointment, Dose, GivenBy, Injection, Phase, Prescription
from schedules.services.appointments import appointment_book
from schedules.views.record_pages import CSV_HEADER as RECORD_CSV_HEADER
from tests.conftest import PASSWORD
from tests.helpers import loading_with_a_first_injection, standard_prescription
from tests.htmltools import parse

ANONYMOUS = "anonymous"
CAST = ("alice", "bob", "charlie", "dave", "staff")
# Around alice: carol cares for her and may only look, cody cares for her and may log her
# injections; gwen holds the record of a dependent, tom, who has no login of his own. They ask
# for every patient-data and staff URL too: none of alice's own pages is theirs.
CARE_CAST = ("carol", "cody", "gwen")
CAST_ROLES = {
    "alice": "patient",
    "bob": "clinician",
    "charlie": "clinician",
    "dave": "patient",
    "staff": "staff",
    "carol": "patient",
    "cody": "patient",
    "gwen": "patient",
}
NEW_PASSWORD = "a-brand-new-passphrase-7"
MOBILE = "+447700900123"
CODE = "123456"
Kwargs = Callable[[dict], dict]
VAPID_KEYS = new_pair()


@dataclass(frozen=True)
class Ask:
    """One request of the matrix: the cast, who asks, and the URL's arguments."""

    cast: dict
    who: str
    kwargs: dict = field(default_factory=dict)

    @property
    def user(self) -> User:
        return self.cast[self.who]


Expect = Callable[[Ask, HttpResponse], None]


@dataclass(frozen=True)
class Page:
    """How to request a URL and what the user who may must get back.

    `kwargs` builds the URL's arguments from the cast (making any records they name); `data`
    is sent as is, `fill` adds form data that depends on the records (today's date, an id).
    With `as_json` the data goes as a JSON body, as a page's script posts it.
    """

    kwargs: Kwargs = lambda cast: {}
    method: str = "get"
    data: dict = field(default_factory=dict)
    fill: Callable[[Ask], dict] | None = None
    expect: Expect | None = None
    as_json: bool = False


@dataclass(frozen=True)
class PatientData(Page):
    """A page or action on alice's data: only `allowed` may use it, everyone else gets 404."""

    allowed: str = "bob"


@dataclass(frozen=True)
class OwnAccount(Page):
    """A page about the logged-in user's own account, for the roles named; 404 for the rest."""

    roles: frozenset[str] = frozenset({"patient", "clinician", "staff"})


PATIENT = frozenset({"patient"})
CLINICIAN = frozenset({"clinician"})


# --- records the requests name ---------------------------------------------------------------


def alice_injection(cast: dict) -> dict:
    """Alice's prescription (open-ended loading from 3 days ago, so a clinician can end it)
    and the injection she logged on its first day; made once, then reused."""
    alice = cast["alice"]
    existing = Injection.objects.filter(patient=alice).order_by("pk").first()
    if existing is not None:
        return {"injection_id": existing.pk}
    injection = loading_with_a_first_injection(alice)
    return {"injection_id": injection.pk}


def _dave_prescription(cast: dict) -> Prescription:
    """Dave on monthly maintenance from his today, nothing logged yet; made once."""

    dave = cast["dave"]
    existing = Prescription.objects.filter(patient=dave, status="active").first()
    if existing is not None:
        return existing
    today = local_today(dave)
    return standard_prescription(
        dave,
        regimen="seed-maintenance",
        start=today,
        today=today,
    )


def _both_prescribed(cast: dict) -> dict:
    """Each patient has an active prescription, so their schedule pages show it."""
    alice_injection(cast)
    _dave_prescription(cast)
    return {}


def _active(user: User) -> Prescription:
    return Prescription.objects.get(patient=user, status="active")


def _pending_link(cast: dict) -> dict:
    link = CareLink.objects.create(
        clinician=cast["charlie"], patient=cast["alice"], invited_email=cast["alice"].email
    )
    return {"link_id": link.pk}


def _active_link(cast: dict) -> dict:
    return {"link_id": CareLink.objects.get(clinician=cast["bob"], patient=cast["alice"]).pk}


def _alice(cast: dict) -> dict:
    return {"patient_id": cast["alice"].pk}


def _alice_with_prescription(cast: dict) -> dict:
    alice_injection(cast)
    return _alice(cast)


def _alice_prescription(cast: dict) -> dict:
    alice_injection(cast)
    return {"prescription_id": _active(cast["alice"]).pk}


def _alice_lab_result(cast: dict) -> dict:
    """A serum B12 result alice copied from her report; made once."""
    from decimal import Decimal

    from monitoring.labs.services import LabEntry, lab_result_record
    from monitoring.models import LabResult

    alice = cast["alice"]
    existing = LabResult.objects.filter(patient=alice).first()
    if existing is None:
        entry = LabEntry(
            test="serum_b12", value=Decimal(300), unit="ng/L", taken_on=local_today(alice)
        )
        existing = lab_result_record(patient=alice, actor=alice, entry=entry)
    return {"result_id": existing.pk}


def _alice_notice(cast: dict) -> dict:
    """A notice on alice's home page of a change bob made."""
    alice_injection(cast)
    notice = ChangeNotice.objects.create(
        patient=cast["alice"],
        prescription=_active(cast["alice"]),
        changed_by=cast["bob"],
        description="Loading ended",
    )
    return {"notice_id": notice.pk}


def _notice_dismissed(ask: Ask) -> None:
    assert ChangeNotice.objects.get(pk=ask.kwargs["notice_id"]).dismissed_at is not None


def _prescription_title(ask: Ask) -> str:
    start = Prescription.objects.get(pk=ask.kwargs["prescription_id"]).start_date
    return f"Prescription from {start.day} {start:%b %Y}"


def _alice_phase(cast: dict) -> dict:
    """Alice's open-ended loading phase."""
    alice_injection(cast)
    phase = _active(cast["alice"]).phases.get(order=0, bound="open")
    return {**_alice(cast), "phase_id": phase.pk}


def _alice_plan_item(cast: dict) -> dict:
    """The serum B12 check alice's prescription brought to her monitoring plan."""
    from monitoring.models import PlanItem

    alice_injection(cast)
    item = PlanItem.objects.get(prescription=_active(cast["alice"]), what="serum_b12")
    return {**_alice(cast), "item_id": item.pk}


def _plan_item_is(status: str, due_on: str = "") -> Callable[[Ask], None]:
    def check(ask: Ask) -> None:
        from monitoring.models import PlanItem

        item = PlanItem.objects.get(pk=ask.kwargs["item_id"])
        assert item.status == status
        assert not due_on or item.due_on.isoformat() == due_on

    return check


def _folate_planned(ask: Ask) -> None:
    from monitoring.models import PlanItem

    item = PlanItem.objects.get(patient_id=ask.kwargs["patient_id"], what="folate")
    assert (item.due_on.isoformat(), item.origin) == ("2030-01-01", "clinician")


def _done_today(ask: Ask) -> dict:
    return {"done_on": local_today(ask.cast["alice"]).isoformat()}


def _alice_flag(cast: dict) -> dict:
    """An open flag on alice's prescription."""
    alice_injection(cast)
    prescription = _active(cast["alice"])
    flag, _ = Flag.objects.get_or_create(
        patient=cast["alice"],
        prescription=prescription,
        kind=Flag.Kind.THREE_MONTH_REVIEW,
        key=f"rx:{prescription.pk}:review:access-test",
    )
    return {**_alice(cast), "flag_id": flag.pk}


def _codes_sent(cast: dict) -> dict:
    """Each patient asked for a code for MOBILE; the code texted was CODE."""
    for name in ("alice", "dave"):
        pref = reminder_services.sms_verification_start(patient=cast[name], number=MOBILE)
        ReminderPreference.objects.filter(pk=pref.pk).update(
            sms_code_hash=reminder_services._code_hash(pref, CODE),
            sms_code_expires_at=timezone.now() + timedelta(minutes=5),
        )
    return {}


def _preferences_exist(cast: dict) -> dict:
    """Each patient's preferences row, as the reminders page creates it on first view."""
    for name in ("alice", "dave"):
        reminder_services.preference_get(patient=cast[name])
    return {}


def _texts_on(cast: dict) -> dict:
    """Each patient has a confirmed number and text reminders on."""
    for name in ("alice", "dave"):
        pref = reminder_services.preference_get(patient=cast[name])
        ReminderPreference.objects.filter(pk=pref.pk).update(
            sms_number=MOBILE, sms_verified_at=timezone.now(), sms_enabled=True
        )
    return {}


def _failed_digest(cast: dict) -> dict:
    """A flag digest to bob that failed for good an hour ago; made once."""
    failed_at = timezone.now() - timedelta(hours=1)
    Notification.objects.get_or_create(
        dedupe_key="access-test-failed",
        defaults={
            "recipient": cast["bob"],
            "kind": "flag_digest",
            "channel": "email",
            "status": "failed",
            "attempts": 5,
            "scheduled_for": failed_at,
            "next_attempt_at": failed_at,
            "last_error": "550 Mailbox unavailable",
            "last_error_at": failed_at,
        },
    )
    return {}


def _failed_ids(ask: Ask) -> dict:
    return {"ids": list(Notification.objects.filter(status="failed").values_list("pk", flat=True))}


def _failed_requeued(ask: Ask) -> None:
    row = Notification.objects.get(dedupe_key="access-test-failed")
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "")
    assert AuditEvent.objects.filter(action="reminders.retried", actor=ask.user).count() == 1


def _open_dose(prescription: Prescription) -> Dose:
    """The first dose of the prescription still to be given whose window holds today."""
    today = local_today(prescription.patient)
    dose = (
        Dose.objects.filter(
            prescription=prescription,
            injection=None,
            status__in=(Dose.Status.SCHEDULED, Dose.Status.DUE),
            earliest__lte=today,
            latest__gte=today,
        )
        .order_by("due")
        .first()
    )
    assert dose is not None, "no dose open today"
    return dose


def _nurse_given(patient: User) -> Prescription:
    """The patient's active prescription; a nurse-given monthly maintenance from their today
    when they have none."""
    existing = Prescription.objects.filter(patient=patient, status="active").first()
    if existing is not None:
        return existing
    today = local_today(patient)
    return standard_prescription(
        patient, regimen="seed-maintenance", start=today, today=today, given_by=GivenBy.NURSE
    )


def _both_nurse_given(cast: dict) -> dict:
    """Each patient has a nurse-given prescription, so they book their nurse appointments."""
    for name in ("alice", "dave"):
        _nurse_given(cast[name])
    return {}


def _alice_appointment(cast: dict) -> dict:
    """The nurse appointment alice booked for today, for her open dose; made once."""
    alice = cast["alice"]
    booked = Appointment.objects.live().filter(prescription__patient=alice).first()
    if booked is None:
        dose = _open_dose(_nurse_given(alice))
        booked = appointment_book(dose=dose, on=local_today(alice), actor=alice)
    return {"appointment_id": booked.pk}


def _reminder_row(prescription: Prescription, kind: str) -> Notification:
    """A reminder of `kind` sent this morning about the prescription's open dose; made once."""
    patient = prescription.patient
    sent = timezone.now() - timedelta(hours=1)
    row, _ = Notification.objects.get_or_create(
        dedupe_key=f"access-test-{kind}-{patient.pk}",
        defaults={
            "recipient": patient,
            "dose": _open_dose(prescription),
            "kind": kind,
            "channel": "email",
            "status": "sent",
            "scheduled_for": sent,
            "next_attempt_at": sent,
            "sent_at": sent,
        },
    )
    return row


def _answer_link(action: str) -> Kwargs:
    """The signed link of a reminder of alice's open dose, for `action`: a due reminder's
    "I've had it" or "Remind me later", a booking reminder's "Booked" (on her nurse-given
    prescription, unless she has another already)."""

    def kwargs(cast: dict) -> dict:
        if action == "booked":
            row = _reminder_row(_nurse_given(cast["alice"]), Kind.BOOKING)
        else:
            alice_injection(cast)
            row = _reminder_row(_active(cast["alice"]), Kind.DUE)
        return {"token": answer_tokens.sign(row, action)}

    return kwargs


def _tampered(action: str) -> Kwargs:
    """The link with its signature's last characters changed."""

    def kwargs(cast: dict) -> dict:
        token = _answer_link(action)(cast)["token"]
        return {"token": token[:-2] + ("AA" if not token.endswith("AA") else "BB")}

    return kwargs


def _alice_batch(cast: dict) -> dict:
    """A box of 5 ampoules alice keeps, for her prescription; made once."""
    alice = cast["alice"]
    alice_injection(cast)
    batch = StockBatch.objects.filter(patient=alice).first()
    if batch is None:
        batch = stock_services.batch_add(
            patient=alice,
            count=5,
            strength_mcg_per_ml=1000,
            expiry=local_today(alice) + timedelta(days=365),
        )
    return {"batch_id": batch.pk}


def _endpoint(user: User) -> str:
    return f"https://push.example.net/send/{user.pk}"


SUBSCRIPTION = {  # a browser push service's endpoint, with a real P-256 key and auth secret
    "endpoint": "https://fcm.googleapis.com/fcm/send/new-device",
    "keys": {
        "p256dh": "BAkg-0f3SDTQvbTwk1mKWTV4OM4H6jO2dKZRkxRMkgse6YE2MeeHR8zk"
        "E-piEnPhKbGLipL6MGRBVBZ56VrEB7s",
        "auth": "nyi6p28vc5f0wuUI5UQIGQ",
    },
}


def _devices(cast: dict) -> dict:
    """Each patient's phone takes phone notifications; made once."""
    for name in ("alice", "dave"):
        PushSubscription.objects.get_or_create(
            endpoint=_endpoint(cast[name]),
            defaults={"patient": cast[name], "p256dh": "B" + "x" * 86, "auth": "a" * 22},
        )
    return {}


def _alice_device(cast: dict) -> dict:
    _devices(cast)
    return {"subscription_id": PushSubscription.objects.get(patient=cast["alice"]).pk}


def _feeds_on(cast: dict) -> dict:
    """Each patient has a calendar feed on; made once."""
    for name in ("alice", "dave"):
        if not CalendarFeed.objects.filter(patient=cast[name]).exists():
            calendar_services.feed_create(patient=cast[name], detail_level="plain", alarm=False)
    return {}


def _alice_feed(cast: dict) -> dict:
    """The secret address of alice's calendar feed, made now (the token is shown only once)."""
    alice_injection(cast)
    _, token = calendar_services.feed_create(
        patient=cast["alice"], detail_level="plain", alarm=False
    )
    return {"token": token}


def _alice_old_feed(cast: dict) -> dict:
    """The address alice's feed had before she asked for a new one."""
    old = _alice_feed(cast)
    calendar_services.feed_rotate(patient=cast["alice"])
    return old


@pytest.fixture
def cast(cast, make_patient) -> dict:
    """The shared cast, and alice's carers and gwen with her dependent."""
    carol = make_patient("carol.carer@example.com", "Carol Reid")
    cody = make_patient("cody.carer@example.com", "Cody Brown")
    gwen = make_patient("gwen.guardian@example.com", "Gwen Hughes")
    for carer, can_log in ((carol, False), (cody, True)):
        CarerLink.objects.create(
            patient=cast["alice"],
            carer=carer,
            invited_email=carer.email,
            status=CarerLink.Status.ACTIVE,
            can_log=can_log,
            responded_at=timezone.now(),
        )
    carer_services.dependent_add(
        guardian=gwen, display_name="Tom Hughes", time_zone="Europe/London"
    )
    return {**cast, "carol": carol, "cody": cody, "gwen": gwen}


def written() -> dict:
    """Everything a request in this matrix could write."""
    return {
        "carers": list(CarerLink.objects.order_by("pk").values()),
        "guardianships": list(Guardianship.objects.order_by("pk").values()),
        "email_changes": list(EmailChange.objects.order_by("pk").values()),
        "accounts": list(User.objects.order_by("pk").values("email", "session_epoch", "is_active")),
        "audit": list(AuditEvent.objects.values_list("pk", flat=True)),
        "links": list(CareLink.objects.order_by("pk").values()),
        "flags": list(Flag.objects.order_by("pk").values()),
        "phases": list(Phase.objects.order_by("pk").values()),
        "prescriptions": list(Prescription.objects.order_by("pk").values()),
        "injections": list(Injection.objects.order_by("pk").values()),
        "preferences": list(ReminderPreference.objects.order_by("pk").values()),
        "passwords": list(User.objects.order_by("pk").values_list("password", flat=True)),
        "outbox": list(Notification.objects.order_by("pk").values()),
        "answers": list(ReminderAnswer.objects.order_by("pk").values()),
        "batches": list(StockBatch.objects.order_by("pk").values()),
        "movements": list(StockMovement.objects.order_by("pk").values()),
        "devices": list(PushSubscription.objects.order_by("pk").values()),
        "appointments": list(Appointment.objects.order_by("pk").values()),
        "feeds": list(CalendarFeed.objects.order_by("pk").values()),
        "drafts": list(PrescriptionDraft.objects.order_by("pk").values()),
        # Using a token notes when; only making and revoking one count as writes.
        "tokens": list(ApiToken.objects.order_by("pk").values("pk", "user", "scope", "revoked_at")),
    }


# --- what the allowed user gets back ----------------------------------------------------------

Text = str | Callable[[Ask], str]


def _text(value: Text, ask: Ask) -> str:
    return value(ask) if callable(value) else value


def title_of(response: HttpResponse) -> str:
    element = parse(response.content).find("title")
    return element.text if element is not None else ""


def shows(title: Text, *texts: Text, then: Callable[[Ask, HttpResponse], None] | None = None):
    """A 200 page whose <title> is `title`, holding each of `texts`."""

    def check(ask: Ask, response: HttpResponse) -> None:
        assert response.status_code == 200, response.status_code
        assert title_of(response) == f"{_text(title, ask)} · B12 Tracker"
        content = response.content.decode()
        for text in texts:
            assert _text(text, ask) in content, _text(text, ask)
        if then is not None:
            then(ask, response)

    return check


def goes(to: Text, then: Callable[[Ask], None]) -> Expect:
    """A redirect to `to` (a URL name, or a function of the request giving the URL), after
    which `then` finds the change made."""

    def check(ask: Ask, response: HttpResponse) -> None:
        assert response.status_code == 302, response.status_code
        target = to(ask) if callable(to) else reverse(to)
        assert response.url == target
        then(ask)

    return check


def refuses(message: str) -> Expect:
    """A 400 that says why; what was written stays as it was (checked by the test)."""

    def check(ask: Ask, response: HttpResponse) -> None:
        assert response.status_code == 400, response.status_code
        assert message in response.content.decode()

    return check


def answers(status: int) -> Expect:
    def check(ask: Ask, response: HttpResponse) -> None:
        assert response.status_code == status

    return check


def _probe_ok(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert response.content == b"ok"


def _health_json(ask: Ask, response: HttpResponse) -> None:
    """The cast's worker never ticked, so the monitor's answer is 503, degraded."""
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert set(body["checks"]) == {"heartbeat", "oldest_waiting", "failed_24h", "channels"}


def _detail(ask: Ask) -> str:
    return reverse("clinic:patient_detail", args=[ask.kwargs["patient_id"]])


def _sms_anchor(ask: Ask) -> str:
    return reverse("reminders:preferences") + "#sms"


def _pref(ask: Ask) -> ReminderPreference:
    return ReminderPreference.objects.get(patient=ask.user)


def _link(ask: Ask) -> CareLink:
    return CareLink.objects.get(pk=ask.kwargs["link_id"])


def _flag(ask: Ask) -> Flag:
    return Flag.objects.get(pk=ask.kwargs["flag_id"])


def _shows_own_prescription(ask: Ask, response: HttpResponse) -> None:
    assert response.context["rx"].patient == ask.user


def _shows_alice(ask: Ask, response: HttpResponse) -> None:
    assert response.context["patient"] == ask.cast["alice"]


def _profile_page(ask: Ask, response: HttpResponse) -> None:
    """Each user's own name is in the form (staff have no profile, so no name)."""
    profile = getattr(ask.user, "patient_profile", None) or getattr(
        ask.user, "clinician_profile", None
    )
    if profile is not None:
        assert f'value="{profile.display_name}"' in response.content.decode()


def _care_team_page(ask: Ask, response: HttpResponse) -> None:
    assert ("Dr Bob Smith" in response.content.decode()) == (ask.who == "alice")


def _patients_page(ask: Ask, response: HttpResponse) -> None:
    assert ("Alice Patel" in response.content.decode()) == (ask.who == "bob")


def _csv_export(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # Streamed row by row (constant memory for a whole practice).
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == list(CSV_HEADER)
    assert [row[0] for row in rows[1:]] == (["Alice Patel"] if ask.who == "bob" else [])
    (event,) = AuditEvent.objects.filter(action="patients.exported")
    assert event.actor == ask.user


def _shows_own_record(ask: Ask, response: HttpResponse) -> None:
    assert response.context["record"].patient == ask.user


def _own_record_csv(ask: Ask, response: HttpResponse) -> None:
    """The asker's own doses and injections, no one else's."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(RECORD_CSV_HEADER)
    injections = [row for row in rows[1:] if row[2] == "Injection"]
    assert len(injections) == Injection.objects.filter(patient=ask.user).count()
    assert {row[0] for row in rows[1:]} == {
        f"{rx.regimen_name}, from {rx.start_date:%Y-%m-%d}" for rx in ask.user.prescriptions.all()
    }


def _preview(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert "Nothing is saved yet." in response.content.decode()
    preview = response.context["preview"]
    assert len(preview) > 1 and preview[0].due >= local_today(ask.user)


def _password_changed(ask: Ask) -> None:
    assert User.objects.get(pk=ask.user.pk).check_password(NEW_PASSWORD)


def _invited(ask: Ask) -> None:
    link = CareLink.objects.get(clinician=ask.user, invited_email="erin@example.com")
    assert (link.status, link.patient) == ("pending", None)


def _pending_signup(cast: dict) -> dict:
    pending = PendingSignup.objects.create(
        email="erin@example.com", display_name="Erin", time_zone="Europe/London", password="!"
    )
    return {"token": pending.token}


def _invited_neutrally(ask: Ask) -> None:
    """An address whose account is not a patient's is invited like an unknown one."""
    link = CareLink.objects.get(clinician=ask.user, invited_email="staff@example.com")
    assert (link.status, link.patient) == ("pending", None)


def _pending_invitation(ask: Ask) -> dict:
    CareLink.objects.get_or_create(
        clinician=ask.user, invited_email="withdraw.me@example.com", status="pending"
    )
    return {"email": "withdraw.me@example.com"}


def _withdrawn(ask: Ask) -> None:
    link = CareLink.objects.get(clinician=ask.user, invited_email="withdraw.me@example.com")
    assert link.status == "withdrawn"


def _created(ask: Ask) -> None:
    prescription = _active(ask.user)
    assert prescription.regimen_slug == "bnf-no-neuro"
    assert prescription.start_date == local_today(ask.user)
    assert prescription.doses.exists()


def _notes_saved(ask: Ask) -> None:
    patient = User.objects.get(pk=ask.kwargs.get("patient_id", ask.user.pk))
    assert _active(patient).notes == "Keep the ampoules in their box."


def _logged_today(ask: Ask) -> None:
    (injection,) = Injection.objects.filter(patient=ask.user, given_on=local_today(ask.user))
    assert (injection.site, injection.status) == ("thigh_left", "recorded")


def _preferences_saved(ask: Ask) -> None:
    pref = _pref(ask)
    assert (pref.booking_days_before, pref.nudge_enabled) == (21, False)
    assert pref.upcoming_time == time(18, 0)


def _code_requested(ask: Ask) -> None:
    pref = _pref(ask)
    assert (pref.sms_pending_number, pref.sms_number) == (MOBILE, "")


def _number_confirmed(ask: Ask) -> None:
    pref = _pref(ask)
    assert (pref.sms_number, pref.sms_enabled, pref.sms_pending_number) == (MOBILE, True, "")


def _texts_off(ask: Ask) -> None:
    pref = _pref(ask)
    assert (pref.sms_number, pref.sms_enabled) == (MOBILE, False)


def _asked_every_3_days(ask: Ask) -> None:
    from monitoring.models import CheckInPlan

    assert CheckInPlan.objects.get(patient=ask.user).every_days == 3


def _link_is(status: str) -> Callable[[Ask], None]:
    def check(ask: Ask) -> None:
        link = _link(ask)
        assert (link.status, link.patient) == (status, ask.user)
        assert link.responded_at is not None

    return check


def _confirmed(ask: Ask) -> None:
    prescription = _active(ask.cast["alice"])
    assert prescription.prescriber == ask.user and prescription.confirmed_at is not None


def _loading_ended(ask: Ask) -> None:
    phase = Phase.objects.get(pk=ask.kwargs["phase_id"])
    assert phase.closed_on == local_today(ask.cast["alice"])


def _every_three_months(ask: Ask) -> None:
    maintenance = _active(ask.cast["alice"]).phases.order_by("order").last()
    assert (maintenance.kind, maintenance.every, maintenance.unit) == ("maintenance", 3, "month")
    assert maintenance.closed_on is None


def _note_written(ask: Ask) -> None:
    (note,) = AuditEvent.objects.filter(action="patient.note")
    assert (note.actor, note.patient) == (ask.user, ask.cast["alice"])
    assert note.detail == {"text": "Rang about the missed dose."}


def _flag_is(status: str, note_ends: str = "") -> Callable[[Ask], None]:
    def check(ask: Ask) -> None:
        flag = _flag(ask)
        assert flag.status == status
        assert flag.note.endswith(note_ends) if note_ends else flag.note == ""
        if status != "open":
            assert flag.acted_by == ask.user

    return check


def _corrected(ask: Ask) -> None:
    original = Injection.objects.get(pk=ask.kwargs["injection_id"])
    assert original.status == "corrected"
    (replacement,) = Injection.objects.filter(patient=ask.user, status="recorded")
    assert (replacement.given_on, replacement.site) == (original.given_on, "deltoid_right")


def _voided(ask: Ask) -> None:
    assert Injection.objects.get(pk=ask.kwargs["injection_id"]).status == "voided"


def _stopped(ask: Ask) -> None:
    prescription = Prescription.objects.get(pk=ask.kwargs["prescription_id"])
    assert prescription.status == "stopped"


def _manifest(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert (body["name"], body["start_url"], body["scope"]) == ("B12 Tracker", "/", "/")


def _service_worker(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response.content.decode().startswith("self.B12 = {")


def _calendar_feed(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in body


def _alices_fhir_bundle(ask: Ask, response: HttpResponse) -> None:
    """Alice's record, downloaded by her linked clinician, and the download audited as his."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    names = [
        entry["resource"]["name"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Patient"
    ]
    assert names == [[{"text": "Alice Patel"}]]
    event = AuditEvent.objects.filter(action="fhir.exported").latest("pk")
    assert (event.actor, event.patient) == (ask.user, ask.cast["alice"])


def _fhir_bundle(ask: Ask, response: HttpResponse) -> None:
    """The asker's own record, and no one else's name in it."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle"
    (patient,) = [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Patient"
    ]
    assert patient["name"] == [{"text": ask.user.patient_profile.display_name}]
    others = {"alice": "Dave", "dave": "Alice Patel"}[ask.who]
    assert others not in response.content.decode()


def _subscribed(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 201, response.status_code
    (device,) = PushSubscription.objects.filter(patient=ask.user)
    assert device.endpoint == SUBSCRIPTION["endpoint"]
    assert response.json() == {"id": device.pk, "label": device.label}
    assert _pref(ask).push_enabled


def _unsubscribed(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200, response.status_code
    assert response.json() == {"removed": 1}
    assert not PushSubscription.objects.filter(patient=ask.user).exists()
    other = "dave" if ask.who == "alice" else "alice"
    assert PushSubscription.objects.filter(patient=ask.cast[other]).exists()


def _taken(ask: Ask) -> None:
    """The one tap logged one injection on the dose its link named, today."""
    (answer,) = ReminderAnswer.objects.filter(action="taken")
    injection = Injection.objects.get(patient=ask.cast["alice"], dose=answer.dose)
    assert (injection.given_on, injection.status) == (local_today(injection.patient), "recorded")


def _snoozed(ask: Ask) -> None:
    (answer,) = ReminderAnswer.objects.filter(action="later")
    assert answer.patient == ask.cast["alice"]
    assert Notification.objects.filter(kind=Kind.SNOOZED, dose=answer.dose).exists()


def _booked_by_link(ask: Ask) -> None:
    (booked,) = Appointment.objects.live().filter(prescription__patient=ask.cast["alice"])
    assert booked.on == local_today(ask.cast["alice"])
    assert ReminderAnswer.objects.get(action="booked").dose == booked.dose


def _booked(ask: Ask) -> None:
    (booked,) = Appointment.objects.live().filter(prescription__patient=ask.user)
    assert (booked.on, booked.place) == (local_today(ask.user), "Surgery")


def _appointment_cancelled(ask: Ask) -> None:
    booked = Appointment.objects.get(pk=ask.kwargs["appointment_id"])
    assert booked.cancelled_at is not None


def _batch_added(ask: Ask) -> None:
    (batch,) = StockBatch.objects.filter(patient=ask.user)
    assert (batch.received, batch.on_hand, batch.lot) == (6, 6, "LOT42")
    assert list(batch.movements.values_list("change", "reason")) == [(6, "received")]


def _stock_settings_saved(ask: Ask) -> None:
    pref = _pref(ask)
    assert (pref.refill_enabled, pref.refill_doses_ahead, pref.nurse_uses_my_ampoules) == (
        True,
        5,
        True,
    )


def _batch(ask: Ask) -> StockBatch:
    return StockBatch.objects.get(pk=ask.kwargs["batch_id"])


def _recounted(ask: Ask) -> None:
    batch = _batch(ask)
    assert batch.on_hand == 3
    assert batch.movements.filter(reason="adjusted", change=-2, note="Counted again").exists()


def _thrown_away(ask: Ask) -> None:
    batch = _batch(ask)
    assert (batch.on_hand, batch.discarded_at is not None) == (0, True)
    assert batch.movements.filter(reason="discarded", change=-5).exists()


def _device_gone(ask: Ask) -> None:
    assert not PushSubscription.objects.filter(pk=ask.kwargs["subscription_id"]).exists()
    assert PushSubscription.objects.filter(patient=ask.cast["dave"]).exists()


def _push_anchor(ask: Ask) -> str:
    return reverse("reminders:preferences") + "#push"


def _stock_settings_anchor(ask: Ask) -> str:
    return reverse("reminders:stock") + "#settings"


def _feed(ask: Ask) -> CalendarFeed:
    return CalendarFeed.objects.get(patient=ask.user)


def _feed_made(ask: Ask) -> None:
    feed = _feed(ask)
    assert (feed.active, feed.detail_level, feed.alarm) == (True, "plain", False)


def _feed_detailed(ask: Ask) -> None:
    feed = _feed(ask)
    assert (feed.active, feed.detail_level, feed.alarm) == (True, "detailed", True)


def _feed_rotated(ask: Ask) -> None:
    feed = _feed(ask)
    assert feed.active and feed.rotated_at is not None


def _feed_stopped(ask: Ask) -> None:
    assert not _feed(ask).active


# --- form data that depends on the records ----------------------------------------------------


def _wizard(ask: Ask) -> dict:
    return {
        "regimen": "bnf-no-neuro",
        "product": "hydroxocobalamin",
        "strength_mcg_per_ml": "1000",
        "dose_mcg": "1000",
        "route": "IM",
        "cause": "unknown",
        "neuro": "no",
        "given_by": "self",
        "start_date": local_today(ask.user).isoformat(),
    }


def _treatment(prescription: Prescription) -> dict:
    return {
        "product": prescription.product,
        "strength_mcg_per_ml": str(prescription.strength_mcg_per_ml),
        "dose_mcg": str(prescription.dose_mcg),
        "route": prescription.route,
        "cause": prescription.cause,
        "given_by": prescription.given_by,
        "notes": "Keep the ampoules in their box.",
    }


def _patient_edit(ask: Ask) -> dict:
    prescription = _active(ask.user)
    return {
        **_treatment(prescription),
        "neuro": "yes" if prescription.neuro else "no",
        "start_date": prescription.start_date.isoformat(),
    }


def _clinician_edit(ask: Ask) -> dict:
    return {**_treatment(_active(ask.cast["alice"])), "reason": "Storage advice"}


def _log_today(ask: Ask) -> dict:
    return {
        "given_on": local_today(ask.user).isoformat(),
        "site": "thigh_left",
        "given_by": "self",
        "dose_mcg": "1000",
    }


def _correction(ask: Ask) -> dict:
    original = Injection.objects.get(pk=ask.kwargs["injection_id"])
    return {
        "reason": "I picked the wrong arm",
        "given_on": original.given_on.isoformat(),
        "site": "deltoid_right",
        "given_by": "self",
        "dose_mcg": "1000",
    }


def _end_loading_today(ask: Ask) -> dict:
    return {"closed_on": local_today(ask.cast["alice"]).isoformat()}


def _new_batch(ask: Ask) -> dict:
    return {
        "count": "6",
        "strength_mcg_per_ml": "1000",
        "ampoule_ml": "1.00",
        "expiry": (local_today(ask.user) + timedelta(days=300)).isoformat(),
        "lot": "LOT42",
    }


def _booking_on(day: Callable[[date], date]) -> Callable[[Ask], dict]:
    """The nurse appointment form for the asker's open dose, on `day` of their today."""

    def fill(ask: Ask) -> dict:
        dose = _open_dose(_active(ask.user))
        return {
            "dose": str(dose.pk),
            "on": day(local_today(ask.user)).isoformat(),
            "place": "Surgery",
        }

    return fill


def _taken_today(ask: Ask) -> dict:
    return {"given_on": local_today(ask.cast["alice"]).isoformat(), "site": "deltoid_right"}


def _booked_today(ask: Ask) -> dict:
    return {"on": local_today(ask.cast["alice"]).isoformat()}


PREFERENCES = {
    "email_enabled": "on",
    "upcoming_enabled": "on",
    "upcoming_time": "18:00",
    "due_enabled": "on",
    "reminder_time": "09:00",
    "nudge_time": "20:00",
    "missed_enabled": "on",
    "booking_days_before": "21",
    "quiet_start": "21:00",
    "quiet_end": "08:00",
}


def api_answer(status: int, check: Callable[[Ask, object], None] | None = None) -> Expect:
    """An API call's answer: `status`, JSON (a problem for an error), then `check` on the body."""

    def expect(ask: Ask, response: HttpResponse) -> None:
        assert response.status_code == status, response.content[:300]
        kind = "application/json" if status < 400 else "application/problem+json"
        assert response["Content-Type"] == kind
        if check is not None:
            check(ask, response.json())

    return expect


def _own_doses(ask: Ask, body) -> None:
    ids = {dose["id"] for dose in body["results"]}
    assert ids and ids <= set(
        Dose.objects.filter(prescription__patient=ask.user).values_list("pk", flat=True)
    )


def _own_prescription(ask: Ask, body) -> None:
    assert body["id"] == _active(ask.user).pk


def _schema(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def _token_shown_once(ask: Ask, response: HttpResponse) -> None:
    token = ApiToken.objects.get(user=ask.user, name="A spreadsheet")
    assert response.status_code == 200
    assert token.prefix in response.content.decode() and "only now" in response.content.decode()


def _alice_token(cast: dict) -> dict:
    return {"token_id": token_create(user=cast["alice"], name="Old script", scope="read")[0].pk}


def _token_revoked(ask: Ask) -> None:
    assert ApiToken.objects.get(pk=ask.kwargs["token_id"]).revoked_at is not None


def _alice_draft(cast: dict) -> dict:
    from interop.fhir_import.services import draft_create
    from tests.interop.test_fhir_import_mapping import EHR_REQUEST

    draft = draft_create(patient=cast["alice"], clinician=cast["bob"], resource=EHR_REQUEST)
    return {"patient_id": cast["alice"].pk, "draft_id": draft.pk}


def _draft_made(ask: Ask) -> str:
    from interop.models import PrescriptionDraft

    draft = PrescriptionDraft.objects.get(patient=ask.cast["alice"])
    return reverse("interop:fhir_import_draft", args=[draft.patient_id, draft.pk])


def _paste_request(ask: Ask) -> dict:
    from tests.interop.test_fhir_import_mapping import EHR_REQUEST

    return {"text": json.dumps(EHR_REQUEST)}


def _draft_discarded(ask: Ask) -> None:
    from interop.models import PrescriptionDraft

    assert PrescriptionDraft.objects.get(pk=ask.kwargs["draft_id"]).state == "discarded"


def _own_injections(ask: Ask, body) -> None:
    ids = {row["id"] for row in body["results"]}
    assert ids == set(Injection.objects.filter(patient=ask.user).values_list("pk", flat=True))


def _api_logged_today(ask: Ask, body) -> None:
    _logged_today(ask)
    assert body["site"] == "thigh_left"


def _api_injection(ask: Ask, body) -> None:
    assert body["id"] == ask.kwargs["injection_id"]


def _api_checkin_saved(ask: Ask, body) -> None:
    from monitoring.models import CheckIn

    assert CheckIn.objects.filter(patient=ask.user, tiredness=2).count() == 1


def _api_lab_saved(ask: Ask, body) -> None:
    from monitoring.models import LabResult

    assert LabResult.objects.filter(patient=ask.user, test="folate").count() == 1


def _api_batch_added(ask: Ask, body) -> None:
    _batch_added(ask)


def _api_lists(model_name: str) -> Callable[[Ask, object], None]:
    def check(ask: Ask, body) -> None:
        assert isinstance(body["results"], list)

    return check


def _api_stock(ask: Ask, body) -> None:
    assert "batches" in body


def _api_lab(ask: Ask) -> dict:
    return {
        "test": "folate",
        "value": "6",
        "unit": "ng/mL",
        "taken_on": local_today(ask.user).isoformat(),
    }


def _alice_flag_only(cast: dict) -> dict:
    return {"flag_id": _alice_flag(cast)["flag_id"]}


def _api_flag_is(status: str, note_ends: str = "") -> Callable[[Ask, object], None]:
    def check(ask: Ask, body) -> None:
        _flag_is(status, note_ends)(ask)
        assert (body["id"], body["status"]) == (ask.kwargs["flag_id"], status)

    return check


def _api_bobs_patients(ask: Ask, body) -> None:
    ids = {row["id"] for row in body["results"]}
    linked = set(
        CareLink.objects.filter(clinician=ask.user, status="active").values_list(
            "patient", flat=True
        )
    )
    assert ids == linked


def _api_alice_summary(ask: Ask, body) -> None:
    assert body["id"] == ask.cast["alice"].pk


def _own(**fields) -> OwnAccount:
    """One of the patient's own schedule pages."""
    return OwnAccount(roles=PATIENT, **fields)


def _bob_acts(kwargs: Kwargs, expect: Expect, method: str = "post", **fields) -> PatientData:
    """A clinician's page or action on alice's record: bob may, nobody else may."""
    return PatientData(kwargs=kwargs, method=method, expect=expect, **fields)


def _alice_acts(kwargs: Kwargs, expect: Expect, method: str = "get", **fields) -> PatientData:
    """A patient's page or action on her own record or links: alice may, nobody else may."""
    return PatientData(kwargs=kwargs, method=method, expect=expect, allowed="alice", **fields)


# --- carers, dependents, sessions and email changes ---------------------------------------------


def _carer_link(carer: str) -> Kwargs:
    def kwargs(cast: dict) -> dict:
        return {"link_id": CarerLink.objects.get(carer=cast[carer], patient=cast["alice"]).pk}

    return kwargs


def _alice_prescribed_carer_link(carer: str) -> Kwargs:
    def kwargs(cast: dict) -> dict:
        alice_injection(cast)
        return _carer_link(carer)(cast)

    return kwargs


def _carer_link_is(status: str) -> Callable[[Ask], None]:
    def check(ask: Ask) -> None:
        assert CarerLink.objects.get(pk=ask.kwargs["link_id"]).status == status

    return check


def _carer_invitation(cast: dict) -> dict:
    """An invitation from a patient outside the cast to an address with no account yet."""
    olive = User.objects.filter(email="olive@example.com").first()
    if olive is None:
        from accounts.models import PatientProfile

        olive = User.objects.create_user(email="olive@example.com", password=PASSWORD)
        PatientProfile.objects.create(user=olive, display_name="Olive Grant")
    link = carer_services.carer_invite(
        patient=olive,
        email="new.carer@example.com",
        can_log=False,
        gets_alerts=False,
        alert_after_hours=12,
    )
    return {"token": link.token}


def _toms_record(cast: dict) -> dict:
    return {"dependent_id": Guardianship.objects.get(guardian=cast["gwen"]).dependent_id}


def _carer_logged_today(ask: Ask) -> None:
    alice = ask.cast["alice"]
    (injection,) = Injection.objects.filter(patient=alice, given_on=local_today(alice))
    assert (injection.given_by, injection.site) == ("carer", "thigh_left")
    assert AuditEvent.objects.filter(
        actor=ask.user, patient=alice, object_id=str(injection.pk)
    ).exists()


def _carer_logs_today(ask: Ask) -> dict:
    return {**_log_today(replace(ask, who="alice")), "given_by": "carer"}


def _overview_url(ask: Ask) -> str:
    return reverse("carers:patient_overview", args=[ask.kwargs["link_id"]])


def _sessions_ended(ask: Ask) -> None:
    assert User.objects.get(pk=ask.user.pk).session_epoch == 1


def _own_everything(ask: Ask, response: HttpResponse) -> None:
    """A ZIP of the asker's own record: their prescriptions and injections, no one else's."""
    import zipfile

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))

    def rows(name: str) -> list[dict]:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode())))

    assert len(rows("injections.csv")) == Injection.objects.filter(patient=ask.user).count()
    assert len(rows("prescriptions.csv")) == Prescription.objects.filter(patient=ask.user).count()
    assert Prescription.objects.filter(patient=ask.user).exists()


def _account_closed(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert title_of(response) == "Your account is closed · B12 Tracker"
    closed = User.objects.get(pk=ask.user.pk)
    assert closed.closed_at is not None and not closed.is_active
    assert not Injection.objects.filter(patient=closed).exists()


def _alice_asks_charlie(cast: dict) -> dict:
    """alice asked charlie, whom she is not linked with, to see her record."""
    from accounts.sharing import share_request

    link = share_request(patient=cast["alice"], target="charlie@example.com")
    assert link is not None
    return {"link_id": link.pk}


def _share_is(status: str) -> Callable[[Ask], None]:
    def check(ask: Ask) -> None:
        assert CareLink.objects.get(pk=ask.kwargs["link_id"]).status == status

    return check


def _shared_with_charlie(ask: Ask) -> None:
    link = CareLink.objects.get(patient=ask.user, clinician=ask.cast["charlie"])
    assert (link.status, link.initiated_by) == ("requested", "patient")


def _practice_code(ask: Ask, response: HttpResponse) -> None:
    assert ask.user.clinician_profile.practice_code in response.content.decode()


def _bobs_methods(cast: dict) -> dict:
    """bob's two authenticator apps and a passkey (so removing one never leaves him none)."""
    import hashlib

    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnCredential

    bob = cast["bob"]
    apps = [
        TOTPDevice.objects.get_or_create(user=bob, name=name, confirmed=True)[0]
        for name in ("Phone app", "Tablet app")
    ]
    passkey, _ = WebAuthnCredential.objects.get_or_create(
        user=bob,
        credential_id_sha256=hashlib.sha256(b"bob-key").hexdigest(),
        defaults={"name": "Laptop", "confirmed": True, "credential_id": b"bob-key"},
    )
    return {"device_id": apps[1].pk, "credential_id": passkey.pk}


def _app_kwargs(cast: dict) -> dict:
    return {"device_id": _bobs_methods(cast)["device_id"]}


def _passkey_kwargs(cast: dict) -> dict:
    return {"credential_id": _bobs_methods(cast)["credential_id"]}


def _app_removed(ask: Ask) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.filter(pk=ask.kwargs["device_id"]).exists()


def _passkey_removed(ask: Ask) -> None:
    from django_otp_webauthn.models import WebAuthnCredential

    assert not WebAuthnCredential.objects.filter(pk=ask.kwargs["credential_id"]).exists()


def _json_has(key: str, status: int = 200) -> Expect:
    def check(ask: Ask, response: HttpResponse) -> None:
        assert response.status_code == status, response.status_code
        assert response["Content-Type"] == "application/json"
        assert key in response.json()

    return check


def _script(ask: Ask, response: HttpResponse) -> None:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")


def _email_change(cast: dict) -> dict:
    change = EmailChange.objects.create(user=cast["alice"], new_email="alice.new@example.com")
    return {"token": change.token}


PUBLIC: dict[str, Page] = {
    "home": Page(expect=shows("Welcome")),
    "accounts:passkey_jsi18n": Page(expect=_script),
    # An email change link as sent to the new address: its GET shows the button, changes nothing.
    "accounts:email_change_confirm": Page(
        kwargs=_email_change, expect=shows("Confirm your new email address")
    ),
    "accounts:signup": Page(expect=shows("Create your account", 'name="display_name"')),
    "accounts:signup_sent": Page(expect=shows("Check your email", "Check your email to continue")),
    # A sign-up link as emailed: its GET shows the button and makes nothing.
    "accounts:signup_confirm": Page(
        kwargs=_pending_signup, expect=shows("Finish creating your account", "Create my account")
    ),
    "accounts:login": Page(expect=shows("Log in", 'name="password"')),
    "accounts:logout": Page(method="post", expect=goes("accounts:login", lambda ask: None)),
    "accounts:password_reset": Page(expect=shows("Reset your password", 'name="email"')),
    "accounts:password_reset_done": Page(expect=shows("Check your email")),
    # A made-up link: the page says it cannot be used, and offers a new one.
    "accounts:password_reset_confirm": Page(
        kwargs=lambda cast: {"uidb64": "MQ", "token": "x-y"},
        expect=shows("Choose a new password", "This reset link has expired or was already used"),
    ),
    "accounts:password_reset_complete": Page(expect=shows("Password reset")),
    # The SMS provider's webhook for STOP replies: no session, checked by its signature, and
    # absent (404) unless the twilio backend is configured, as in the test settings.
    "reminders:sms_inbound": Page(method="post", data={"Body": "STOP"}, expect=answers(404)),
    # The process manager's probes: no login, plain "ok".
    "healthz": Page(expect=_probe_ok),
    "readyz": Page(expect=_probe_ok),
    # What browsers ask every site for: the icon, a static file.
    "favicon": Page(expect=goes(lambda ask: static("img/favicon.svg"), lambda ask: None)),
    # The installable app: its manifest, its service worker and the page it shows offline.
    "manifest": Page(expect=_manifest),
    "service_worker": Page(expect=_service_worker),
    "offline": Page(expect=shows("You are offline")),
    # A reminder's answer links: no login, the signed token in the address is the whole
    # authority, for whoever holds it. Opening one shows its button and changes nothing.
    "reminders:answer_taken": Page(
        kwargs=_answer_link("taken"), expect=shows("Had your injection?", "Yes, I've had it")
    ),
    "reminders:answer_later": Page(
        kwargs=_answer_link("later"), expect=shows("Remind me later", 'method="post"')
    ),
    "reminders:answer_booked": Page(
        kwargs=_answer_link("booked"),
        expect=shows("Tell us the date you booked", "Save the appointment"),
    ),
    # The calendar feed: its secret address is the credential, for any calendar app.
    "interop:feed": Page(kwargs=_alice_feed, expect=_calendar_feed),
    # The API's description and its reference page; anything else under /api/ is a problem.
    "api:schema": Page(expect=_schema),
    "api:docs": Page(expect=shows("API reference", "B12 Tracker API")),
    "api:not_found": Page(kwargs=lambda cast: {}, expect=answers(404)),
}
OWN_ACCOUNT: dict[str, OwnAccount] = {
    "accounts:profile": OwnAccount(expect=shows("Your profile", then=_profile_page)),
    "accounts:password_change": OwnAccount(
        expect=shows("Change your password", 'name="old_password"')
    ),
    "accounts:password_change_done": OwnAccount(expect=shows("Password changed")),
    # Two-factor sign-in: each person's own methods. The cast's sessions have passed the
    # second step already (tests/conftest.py), so the verify page sends them on.
    "accounts:mfa_setup": OwnAccount(expect=shows("Two-factor sign-in")),
    "accounts:mfa_verify": OwnAccount(expect=answers(302)),
    "accounts:mfa_totp_add": OwnAccount(
        expect=shows("Add an authenticator app", 'name="code"', "<svg")
    ),
    "accounts:mfa_passkeys": OwnAccount(expect=shows("Passkeys")),
    # New recovery codes: for those with an app or passkey (the cast's clinicians and staff).
    "accounts:mfa_recovery": OwnAccount(
        roles=frozenset({"clinician", "staff"}), expect=shows("Make new recovery codes")
    ),
    "accounts:mfa_recovery_codes": OwnAccount(expect=goes("accounts:mfa_setup", lambda a: None)),
    # django-otp-webauthn's passkey ceremonies (JSON; the completions need a begun one).
    "accounts:passkey_register_begin": OwnAccount(
        method="post", as_json=True, expect=_json_has("challenge")
    ),
    "accounts:passkey_register_complete": OwnAccount(
        method="post", as_json=True, expect=_json_has("code", 400)
    ),
    "accounts:passkey_auth_begin": OwnAccount(
        method="post", as_json=True, expect=_json_has("challenge")
    ),
    "accounts:passkey_auth_complete": OwnAccount(
        method="post", as_json=True, expect=_json_has("code", 400)
    ),
    # Sharing: a patient asks a clinician (by email or practice code); the clinician's answers.
    "accounts:share": OwnAccount(
        method="post",
        roles=PATIENT,
        data={"target": "charlie@example.com"},
        expect=goes("accounts:care_team", _shared_with_charlie),
    ),
    "clinic:invitations": OwnAccount(
        roles=CLINICIAN, expect=shows("Invitations", then=_practice_code)
    ),
    "accounts:reauth": OwnAccount(expect=shows("Confirm it's you", 'name="password"')),
    "accounts:email_change": OwnAccount(
        expect=shows("Change your email address", 'name="new_email"')
    ),
    "accounts:sign_out_everywhere": OwnAccount(
        method="post", expect=goes("accounts:login", _sessions_ended)
    ),
    # Leaving: the patient's own download and the closing form.
    "interop:download_everything": OwnAccount(
        roles=PATIENT, expect=shows("Download everything", "Download")
    ),
    "interop:close_account": OwnAccount(
        roles=PATIENT, expect=shows("Close my account", 'name="password"')
    ),
    # Carers and dependents: each patient's own lists, forms and the switch back.
    "carers:my_carers": OwnAccount(roles=PATIENT, expect=shows("Your carers", 'name="email"')),
    "carers:caring_for": OwnAccount(roles=PATIENT, expect=shows("People you care for")),
    "carers:dependent_add": OwnAccount(
        roles=PATIENT, expect=shows("Add someone you look after", 'name="display_name"')
    ),
    "carers:switch_back": OwnAccount(
        method="post", roles=PATIENT, expect=goes("home", lambda ask: None)
    ),
    # The invitation's token is its secret: any patient but the inviter may answer it.
    "carers:accept_invite": OwnAccount(
        roles=PATIENT, kwargs=_carer_invitation, expect=shows("Invitation to be a carer")
    ),
    "accounts:care_team": OwnAccount(
        roles=PATIENT, expect=shows("Your care team", then=_care_team_page)
    ),
    "clinic:patients": OwnAccount(
        roles=CLINICIAN, expect=shows("My patients", then=_patients_page)
    ),
    "clinic:invite": OwnAccount(
        method="post",
        roles=CLINICIAN,
        data={"email": "erin@example.com"},
        expect=goes("clinic:patients", _invited),
    ),
    "clinic:invitation_withdraw": OwnAccount(
        method="post",
        roles=CLINICIAN,
        fill=_pending_invitation,
        expect=goes("clinic:patients", _withdrawn),
    ),
    "clinic:patients_csv": OwnAccount(roles=CLINICIAN, expect=_csv_export),
    "clinic:flags": OwnAccount(roles=CLINICIAN, expect=shows("Flags", "Flags inbox")),
    "clinic:tests_due": OwnAccount(
        roles=CLINICIAN, expect=shows("Tests due", "Tests and reviews due")
    ),
    # The patient's monitoring plan: only her own tests and reviews.
    "monitoring:tests": _own(expect=shows("Your tests and reviews")),
    # The patient's own schedule pages: each reads only the logged-in patient's records.
    "schedules:about": _own(expect=shows("About your injections")),
    "schedules:prescription": _own(
        kwargs=_both_prescribed,
        expect=shows("Your prescription", then=_shows_own_prescription),
    ),
    "schedules:prescription_new": _own(
        expect=shows("Add your prescription", "Which schedule did your clinician give you?"),
    ),
    "schedules:prescription_details": _own(
        data={"regimen": "bnf-no-neuro"},
        expect=shows("Add your prescription", 'name="start_date"'),
    ),
    "schedules:prescription_preview": _own(
        data={"regimen": "bnf-no-neuro"},
        fill=_wizard,
        expect=_preview,
    ),
    "schedules:prescription_edit": _own(
        kwargs=_both_prescribed,
        expect=shows("Change your prescription", then=_shows_own_prescription),
    ),
    "schedules:injection_log": _own(
        kwargs=_both_prescribed,
        expect=shows("Log an injection", then=_shows_own_prescription),
    ),
    "schedules:schedule": _own(
        kwargs=_both_prescribed,
        expect=shows("Your schedule", then=_shows_own_prescription),
    ),
    "schedules:history": _own(kwargs=_both_prescribed, expect=shows("Your injection history")),
    "schedules:injection_backfill": _own(
        kwargs=_both_prescribed, expect=shows("Add past injections", 'name="form-0-given_on"')
    ),
    "schedules:appointment": _own(kwargs=_both_prescribed, expect=shows("Before your appointment")),
    "schedules:record": _own(
        kwargs=_both_prescribed, expect=shows("Your injection record", then=_shows_own_record)
    ),
    "schedules:record_csv": _own(kwargs=_both_prescribed, expect=_own_record_csv),
    "schedules:past_prescriptions": _own(
        kwargs=_both_prescribed,
        expect=shows("Past prescriptions", "No prescription of yours has been stopped"),
    ),
    "reminders:preferences": OwnAccount(
        roles=PATIENT, expect=shows("Reminders", 'name="booking_days_before"')
    ),
    # The patient's lab results: each reads only the logged-in patient's results.
    "monitoring:labs": _own(expect=shows("Your lab results", "Add a result")),
    "monitoring:lab_add": _own(expect=shows("Add a lab result", 'name="unit"')),
    "monitoring:lab_trend": _own(
        kwargs=lambda cast: {"test": "serum_b12"},
        expect=shows("Serum B12: your results", "No Serum B12 results yet"),
    ),
    # Symptom check-ins: the page and its cadence form read and write only the patient's own.
    "monitoring:checkins": _own(expect=shows("Symptoms", "How have you been feeling?")),
    "monitoring:checkin_plan": OwnAccount(
        method="post",
        roles=PATIENT,
        data={"every_days": "3"},
        expect=goes("monitoring:checkins", _asked_every_3_days),
    ),
    "reminders:sms_send_code": OwnAccount(
        method="post",
        roles=PATIENT,
        data={"mobile": MOBILE},
        expect=goes(_sms_anchor, _code_requested),
    ),
    "reminders:sms_check_code": OwnAccount(
        method="post",
        roles=PATIENT,
        kwargs=_codes_sent,
        data={"code": CODE},
        expect=goes(_sms_anchor, _number_confirmed),
    ),
    "reminders:sms_off": OwnAccount(
        method="post", roles=PATIENT, kwargs=_texts_on, expect=goes(_sms_anchor, _texts_off)
    ),
    # Phone notifications: the page's script posts the device's subscription as JSON.
    "reminders:push_subscribe": OwnAccount(
        method="post", roles=PATIENT, data=SUBSCRIPTION, as_json=True, expect=_subscribed
    ),
    "reminders:push_unsubscribe": OwnAccount(
        method="post",
        roles=PATIENT,
        kwargs=_devices,
        fill=lambda ask: {"endpoint": _endpoint(ask.user)},
        as_json=True,
        expect=_unsubscribed,
    ),
    # The ampoules the patient keeps: only their own batches and settings.
    "reminders:stock": _own(
        kwargs=_both_prescribed, expect=shows("Your ampoules", 'name="expiry"')
    ),
    "reminders:stock_settings": OwnAccount(
        method="post",
        roles=PATIENT,
        data={"refill_enabled": "on", "refill_doses_ahead": "5", "nurse_uses_my_ampoules": "on"},
        expect=goes(_stock_settings_anchor, _stock_settings_saved),
    ),
    # The nurse appointment of the patient's own next dose.
    "schedules:appointment_booking": OwnAccount(
        method="post",
        roles=PATIENT,
        kwargs=_both_nurse_given,
        fill=_booking_on(lambda today: today),
        expect=goes("schedules:appointment", _booked),
    ),
    # The calendar feed of the patient's own doses, and their record as FHIR.
    "interop:calendar": _own(expect=shows("Your injections in your calendar")),
    "interop:calendar_create": OwnAccount(
        method="post",
        roles=PATIENT,
        data={"detail_level": "plain"},
        expect=shows("Your injections in your calendar", then=lambda ask, _: _feed_made(ask)),
    ),
    "interop:calendar_settings": OwnAccount(
        method="post",
        roles=PATIENT,
        kwargs=_feeds_on,
        data={"detail_level": "detailed", "alarm": "on"},
        expect=goes("interop:calendar", _feed_detailed),
    ),
    "interop:calendar_rotate": OwnAccount(
        method="post",
        roles=PATIENT,
        kwargs=_feeds_on,
        expect=shows("Your injections in your calendar", then=lambda ask, _: _feed_rotated(ask)),
    ),
    "interop:calendar_revoke": OwnAccount(
        method="post",
        roles=PATIENT,
        kwargs=_feeds_on,
        expect=goes("interop:calendar", _feed_stopped),
    ),
    "interop:fhir_export": _own(kwargs=_both_prescribed, expect=_fhir_bundle),
    # Personal access tokens for the API, and the patient's own record through it.
    "api:tokens": OwnAccount(roles=PATIENT | CLINICIAN, expect=shows("API tokens")),
    "api:token_create": OwnAccount(
        method="post",
        roles=PATIENT | CLINICIAN,
        data={"name": "A spreadsheet", "scope": "read", "expires_in_days": "30"},
        expect=_token_shown_once,
    ),
    "api:me_prescription": _own(kwargs=_both_prescribed, expect=api_answer(200, _own_prescription)),
    "api:me_doses": _own(kwargs=_both_prescribed, expect=api_answer(200, _own_doses)),
    "api:me_injections": _own(kwargs=_both_prescribed, expect=api_answer(200, _own_injections)),
    "api:me_checkins": _own(expect=api_answer(200, _api_lists("checkins"))),
    "api:me_labs": _own(expect=api_answer(200, _api_lists("labs"))),
    "api:me_stock": _own(kwargs=_both_prescribed, expect=api_answer(200, _api_stock)),
    "api:clinic_patients": OwnAccount(
        roles=CLINICIAN,
        kwargs=lambda cast: _alice_flag(cast) and {},
        expect=api_answer(200, _api_bobs_patients),
    ),
    "api:clinic_flags": OwnAccount(
        roles=CLINICIAN,
        kwargs=lambda cast: _alice_flag(cast) and {},
        expect=api_answer(200, _api_lists("flags")),
    ),
    "api:me_stock_batches": _own(
        method="post",
        kwargs=_both_prescribed,
        fill=_new_batch,
        expect=api_answer(201, lambda ask, body: _batch_added(ask)),
    ),
}
PATIENT_DATA: dict[str, PatientData] = {
    # A person's own sign-in methods: only they may remove one.
    "accounts:mfa_remove_app": PatientData(
        kwargs=_app_kwargs, expect=shows("Remove a sign-in method")
    ),
    "accounts:mfa_remove_passkey": PatientData(
        kwargs=_passkey_kwargs, expect=shows("Remove a sign-in method")
    ),
    "accounts:share_withdraw": PatientData(
        method="post",
        allowed="alice",
        kwargs=_alice_asks_charlie,
        expect=goes("accounts:care_team", _share_is("withdrawn")),
    ),
    "clinic:share_accept": PatientData(
        method="post",
        allowed="charlie",
        kwargs=_alice_asks_charlie,
        expect=goes("clinic:invitations", _share_is("active")),
    ),
    "clinic:share_decline": PatientData(
        method="post",
        allowed="charlie",
        kwargs=_alice_asks_charlie,
        expect=goes("clinic:invitations", _share_is("declined")),
    ),
    # A patient's carers: only she changes or ends a link; only its carer reads or leaves it,
    # and logs only when she allowed it (carol may not: see the ALSO refusals).
    "carers:carer_edit": PatientData(
        allowed="alice", kwargs=_carer_link("carol"), expect=shows("What your carer can do")
    ),
    "carers:carer_revoke": PatientData(
        method="post",
        allowed="alice",
        kwargs=_carer_link("carol"),
        expect=goes("carers:my_carers", _carer_link_is("revoked")),
    ),
    "carers:patient_overview": PatientData(
        allowed="carol",
        kwargs=_alice_prescribed_carer_link("carol"),
        expect=shows("Alice Patel's schedule"),
    ),
    "carers:log_injection": PatientData(
        allowed="cody",
        kwargs=_alice_prescribed_carer_link("cody"),
        expect=shows("Log an injection for Alice Patel", 'name="site"'),
    ),
    "carers:carer_leave": PatientData(
        method="post",
        allowed="carol",
        kwargs=_carer_link("carol"),
        expect=goes("carers:caring_for", _carer_link_is("withdrawn")),
    ),
    "carers:switch": PatientData(
        method="post", allowed="gwen", kwargs=_toms_record, expect=goes("home", lambda ask: None)
    ),
    "clinic:patient_detail": PatientData(
        kwargs=_alice, expect=shows("Alice Patel", then=_shows_alice)
    ),
    "accounts:carelink_accept": _alice_acts(
        _pending_link, goes("accounts:care_team", _link_is("active")), method="post"
    ),
    "accounts:carelink_decline": _alice_acts(
        _pending_link, goes("accounts:care_team", _link_is("declined")), method="post"
    ),
    "accounts:carelink_revoke": _alice_acts(
        _active_link, goes("accounts:care_team", _link_is("revoked")), method="post"
    ),
    "clinic:patient_report": PatientData(
        kwargs=_alice, expect=shows("Report: Alice Patel", "B12 injection report: Alice Patel")
    ),
    "interop:fhir_export_patient": PatientData(
        kwargs=_alice_with_prescription, expect=_alices_fhir_bundle
    ),
    # A prescription imported from the clinician's own system: the upload, then its review.
    "interop:fhir_import": PatientData(
        kwargs=_alice, expect=shows("Import a prescription for Alice Patel", 'name="text"')
    ),
    "interop:fhir_import_draft": PatientData(
        kwargs=_alice_draft, expect=shows("Imported prescription for Alice Patel", "Not imported")
    ),
    "clinic:prescription_edit": _bob_acts(
        _alice_with_prescription,
        shows("Amend the prescription of Alice Patel", 'name="reason"'),
        method="get",
    ),
    "clinic:prescription_confirm": _bob_acts(_alice_with_prescription, goes(_detail, _confirmed)),
    "clinic:phase_close": _bob_acts(
        _alice_phase, goes(_detail, _loading_ended), fill=_end_loading_today
    ),
    "clinic:interval_change": _bob_acts(
        _alice_with_prescription,
        goes(_detail, _every_three_months),
        data={"every": "3", "unit": "month"},
    ),
    "clinic:note_add": _bob_acts(
        _alice_with_prescription,
        goes(_detail, _note_written),
        data={"note": "Rang about the missed dose."},
    ),
    "clinic:flag_acknowledge": _bob_acts(_alice_flag, goes(_detail, _flag_is("acknowledged"))),
    "clinic:flag_resolve": _bob_acts(
        _alice_flag,
        goes(_detail, _flag_is("resolved", "Dr Bob Smith: Booked a review")),
        data={"note": "Booked a review"},
    ),
    "clinic:flag_note": _bob_acts(
        _alice_flag,
        goes(_detail, _flag_is("open", "Dr Bob Smith: Left a voicemail")),
        data={"note": "Left a voicemail"},
    ),
    "clinic:plan_item_add": _bob_acts(
        _alice_with_prescription,
        goes(_detail, _folate_planned),
        data={"what": "folate", "due_on": "2030-01-01"},
    ),
    "clinic:plan_item_change": _bob_acts(
        _alice_plan_item,
        goes(_detail, _plan_item_is("planned", "2030-02-01")),
        data={"due_on": "2030-02-01"},
    ),
    "clinic:plan_item_done": _bob_acts(
        _alice_plan_item, goes(_detail, _plan_item_is("done")), fill=_done_today
    ),
    "clinic:plan_item_cancel": _bob_acts(
        _alice_plan_item, goes(_detail, _plan_item_is("cancelled"))
    ),
    "schedules:injection_correct": _alice_acts(
        alice_injection, shows("Correct an entry", 'name="reason"')
    ),
    "schedules:injection_void": _alice_acts(
        alice_injection, shows("Void an entry", 'name="reason"')
    ),
    "schedules:prescription_stop": _alice_acts(
        _alice_prescription, shows("Stop your prescription", 'name="reason"')
    ),
    "schedules:past_prescription": _alice_acts(
        _alice_prescription, shows(_prescription_title, "This is your current prescription")
    ),
    "reminders:notice_dismiss": _alice_acts(
        _alice_notice, goes("home", _notice_dismissed), method="post"
    ),
    "monitoring:lab_edit": _alice_acts(
        _alice_lab_result, shows("Correct a lab result", 'value="300"')
    ),
    "reminders:stock_batch": _alice_acts(
        _alice_batch, shows("A batch of ampoules", "5 of 5 left", 'name="note"')
    ),
    "reminders:stock_adjust": _alice_acts(
        _alice_batch,
        goes("reminders:stock", _recounted),
        method="post",
        data={"count": "3", "note": "Counted again"},
    ),
    "reminders:stock_discard": _alice_acts(
        _alice_batch, goes("reminders:stock", _thrown_away), method="post", data={"note": "Expired"}
    ),
    "reminders:push_device_remove": _alice_acts(
        _alice_device, goes(_push_anchor, _device_gone), method="post"
    ),
    "schedules:appointment_cancel": _alice_acts(
        _alice_appointment, goes("schedules:appointment", _appointment_cancelled), method="post"
    ),
    "api:token_revoke": _alice_acts(
        _alice_token, goes("api:tokens", _token_revoked), method="post"
    ),
    "api:clinic_patient": PatientData(kwargs=_alice, expect=api_answer(200, _api_alice_summary)),
    "api:clinic_flag_acknowledge": _bob_acts(
        _alice_flag_only,
        api_answer(200, _api_flag_is("acknowledged", "Seen")),
        data={"note": "Seen"},
    ),
    "api:clinic_flag_resolve": _bob_acts(
        _alice_flag_only,
        api_answer(200, _api_flag_is("resolved", "Booked a review")),
        data={"note": "Booked a review"},
    ),
    "api:me_injection": _alice_acts(alice_injection, api_answer(200, _api_injection)),
    "api:me_injection_correct": _alice_acts(
        alice_injection,
        api_answer(201, lambda ask, body: _corrected(ask)),
        method="post",
        fill=_correction,
    ),
    "api:me_injection_void": _alice_acts(
        alice_injection,
        api_answer(200, lambda ask, body: _voided(ask)),
        method="post",
        data={"reason": "Logged twice by mistake"},
    ),
}
STAFF_ONLY: dict[str, Page] = {
    "reminders:status": Page(expect=shows("System status")),
    # JSON for a monitor (which may also use OPS_HEALTH_TOKEN, see tests/reminders/test_health.py):
    # anonymous visitors get 404 too, never the log-in page.
    "reminders:health": Page(expect=_health_json),
    "reminders:failed": Page(
        kwargs=_failed_digest, expect=shows("Failed reminders", "bob@example.com")
    ),
    "reminders:retry_selected": Page(
        method="post",
        kwargs=_failed_digest,
        fill=_failed_ids,
        expect=goes("reminders:failed", _failed_requeued),
    ),
    "reminders:retry_after": Page(
        method="post",
        kwargs=_failed_digest,
        fill=lambda ask: {"failed_after": f"{timezone.now() - timedelta(days=1):%Y-%m-%dT%H:%M}"},
        expect=goes("reminders:failed", _failed_requeued),
    ),
}
# Answers that are not HTML pages: no log-in redirect, nothing for the page scanners to read.
NOT_HTML = {
    "reminders:health",
    "healthz",
    "readyz",
    "favicon",
    "manifest",
    "service_worker",
    "interop:feed",
    "interop:fhir_export",
    "interop:fhir_export_patient",
    "api:schema",
    "api:not_found",
    "accounts:passkey_jsi18n",
    "clinic:patients_csv",
}
# django-otp-webauthn's own JSON views answer an anonymous caller 403 with a reason, not the
# log-in page.
PASSKEY_JSON = {
    "accounts:passkey_register_begin",
    "accounts:passkey_register_complete",
    "accounts:passkey_auth_begin",
    "accounts:passkey_auth_complete",
}
NOT_HTML |= PASSKEY_JSON
# The API's endpoints answer JSON to a token, never a page to a session.
NOT_HTML |= {
    name
    for table in (OWN_ACCOUNT, PATIENT_DATA)
    for name in table
    if name.startswith(("api:me_", "api:clinic_"))
}

# More requests of URLs classified above, with the same access as the first: the POST beside
# a form's GET, and refusals that must say why.
ALSO: list[tuple[str, Page]] = [
    (
        "accounts:mfa_remove_app",
        PatientData(
            method="post", kwargs=_app_kwargs, expect=goes("accounts:mfa_setup", _app_removed)
        ),
    ),
    (
        "accounts:mfa_remove_passkey",
        PatientData(
            method="post",
            kwargs=_passkey_kwargs,
            expect=goes("accounts:mfa_setup", _passkey_removed),
        ),
    ),
    (
        "interop:download_everything",
        _own(method="post", kwargs=_both_prescribed, expect=_own_everything),
    ),
    (
        "interop:close_account",
        OwnAccount(
            method="post",
            roles=PATIENT,
            kwargs=_both_prescribed,
            fill=lambda ask: {"email": ask.user.email, "password": PASSWORD},
            expect=_account_closed,
        ),
    ),
    (
        "carers:log_injection",
        PatientData(
            method="post",
            allowed="cody",
            kwargs=_alice_prescribed_carer_link("cody"),
            fill=_carer_logs_today,
            expect=goes(_overview_url, _carer_logged_today),
        ),
    ),
    (
        "api:me_injections",
        _own(
            method="post",
            kwargs=_both_prescribed,
            fill=_log_today,
            expect=api_answer(201, _api_logged_today),
        ),
    ),
    (
        "api:me_checkins",
        _own(method="post", data={"tiredness": 2}, expect=api_answer(201, _api_checkin_saved)),
    ),
    ("api:me_labs", _own(method="post", fill=_api_lab, expect=api_answer(201, _api_lab_saved))),
    (
        "interop:fhir_import",
        PatientData(
            method="post",
            kwargs=_alice,
            fill=_paste_request,
            expect=goes(_draft_made, lambda ask: None),
        ),
    ),
    (
        "interop:fhir_import_draft",
        PatientData(
            method="post",
            kwargs=_alice_draft,
            data={"action": "discard"},
            expect=goes(
                lambda ask: reverse("clinic:patient_detail", args=[ask.cast["alice"].pk]),
                _draft_discarded,
            ),
        ),
    ),
    (
        "accounts:password_change",
        OwnAccount(
            method="post",
            data={
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            expect=goes("accounts:password_change_done", _password_changed),
        ),
    ),
    (
        "clinic:invite",
        OwnAccount(
            method="post",
            roles=CLINICIAN,
            data={"email": "staff@example.com"},
            expect=goes("clinic:patients", _invited_neutrally),
        ),
    ),
    (
        "schedules:prescription_new",
        _own(
            data={"regimen": "bnf-no-neuro"},
            expect=goes(
                lambda ask: reverse("schedules:prescription_details") + "?regimen=bnf-no-neuro",
                lambda ask: None,
            ),
        ),
    ),
    (
        "schedules:prescription_details",
        _own(method="post", fill=_wizard, expect=goes("schedules:prescription", _created)),
    ),
    (
        "schedules:prescription_edit",
        _own(
            method="post",
            kwargs=_both_prescribed,
            fill=_patient_edit,
            expect=goes("schedules:prescription", _notes_saved),
        ),
    ),
    (
        "schedules:injection_log",
        _own(
            method="post",
            kwargs=_both_prescribed,
            fill=_log_today,
            expect=goes("home", _logged_today),
        ),
    ),
    (
        "reminders:preferences",
        OwnAccount(
            method="post",
            roles=PATIENT,
            data=PREFERENCES,
            expect=goes("reminders:preferences", _preferences_saved),
        ),
    ),
    (
        "reminders:sms_send_code",
        OwnAccount(
            method="post",
            roles=PATIENT,
            kwargs=_preferences_exist,
            data={"mobile": "+44 abc"},
            expect=refuses("Enter the number in international form"),
        ),
    ),
    (
        "reminders:sms_check_code",
        OwnAccount(
            method="post",
            roles=PATIENT,
            kwargs=_preferences_exist,
            data={"code": CODE},
            expect=refuses("Ask for a code first"),
        ),
    ),
    (
        "accounts:carelink_revoke",
        _alice_acts(_active_link, shows("Remove access", "Dr Bob Smith")),
    ),
    (
        "clinic:prescription_edit",
        _bob_acts(
            _alice_with_prescription,
            goes(_detail, _notes_saved),
            fill=_clinician_edit,
        ),
    ),
    (
        "clinic:flag_resolve",
        _bob_acts(_alice_flag, refuses("Say what was done before resolving the flag.")),
    ),
    (
        "schedules:injection_correct",
        _alice_acts(
            alice_injection, goes("schedules:history", _corrected), method="post", fill=_correction
        ),
    ),
    (
        "schedules:injection_void",
        _alice_acts(
            alice_injection,
            goes("schedules:history", _voided),
            method="post",
            data={"reason": "Logged twice by mistake"},
        ),
    ),
    (
        "schedules:prescription_stop",
        _alice_acts(
            _alice_prescription,
            goes("schedules:prescription_new", _stopped),
            method="post",
            data={"reason": "My clinician changed the schedule"},
        ),
    ),
    (
        "reminders:answer_taken",
        Page(
            method="post",
            kwargs=_answer_link("taken"),
            fill=_taken_today,
            expect=shows("Logged", then=lambda ask, response: _taken(ask)),
        ),
    ),
    (
        "reminders:answer_taken",
        Page(
            method="post",
            kwargs=_tampered("taken"),
            fill=_taken_today,
            expect=refuses("This link is not valid"),
        ),
    ),
    (
        "reminders:answer_later",
        Page(
            method="post",
            kwargs=_answer_link("later"),
            expect=shows("We will remind you", then=lambda ask, response: _snoozed(ask)),
        ),
    ),
    (
        "reminders:answer_booked",
        Page(
            method="post",
            kwargs=_answer_link("booked"),
            fill=_booked_today,
            expect=shows(
                "Tell us the date you booked",
                "Appointment saved",
                then=lambda ask, response: _booked_by_link(ask),
            ),
        ),
    ),
    ("interop:feed", Page(kwargs=lambda cast: {"token": "not-" + "x" * 39}, expect=answers(404))),
    ("interop:feed", Page(kwargs=_alice_old_feed, expect=answers(404))),
    (
        "reminders:push_subscribe",
        OwnAccount(
            method="post",
            roles=PATIENT,
            data={"endpoint": SUBSCRIPTION["endpoint"]},
            as_json=True,
            expect=refuses("The subscription has no keys."),
        ),
    ),
    (
        "reminders:push_unsubscribe",
        OwnAccount(
            method="post",
            roles=PATIENT,
            kwargs=_devices,
            as_json=True,
            expect=refuses("Say which device (its endpoint)."),
        ),
    ),
    (
        "reminders:stock",
        _own(
            method="post",
            kwargs=_both_prescribed,
            fill=_new_batch,
            expect=goes("reminders:stock", _batch_added),
        ),
    ),
    (
        "reminders:stock",
        _own(method="post", fill=_new_batch, expect=refuses("Add your prescription first")),
    ),
    (
        "reminders:stock_settings",
        OwnAccount(
            method="post",
            roles=PATIENT,
            data={"refill_enabled": "on", "refill_doses_ahead": "50"},
            expect=refuses("Choose between 1 and 20 injections."),
        ),
    ),
    (
        "reminders:stock_adjust",
        _alice_acts(
            _alice_batch,
            refuses("Say why the count changed"),
            method="post",
            data={"count": "3"},
        ),
    ),
    (
        "schedules:appointment_booking",
        OwnAccount(
            method="post",
            roles=PATIENT,
            kwargs=_both_nurse_given,
            fill=_booking_on(lambda today: today - timedelta(days=1)),
            expect=refuses("That date has passed."),
        ),
    ),
    (
        "interop:calendar_create",
        OwnAccount(
            method="post", roles=PATIENT, data={}, expect=refuses("Choose what each event says.")
        ),
    ),
    (
        "interop:calendar_settings",
        OwnAccount(
            method="post",
            roles=PATIENT,
            data={"detail_level": "detailed"},
            expect=refuses(calendar_services.NO_FEED),
        ),
    ),
]
ADMIN_NAMESPACE = "admin"


def _walk(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner)
        else:
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed>", entry


def all_url_names() -> set[str]:
    return {name for name, _ in _walk(get_resolver())}


def classified() -> set[str]:
    return set(PUBLIC) | set(OWN_ACCOUNT) | set(PATIENT_DATA) | set(STAFF_ONLY)


def cases(table: dict) -> list[tuple[str, Page]]:
    """The table's requests, then those of ALSO for the same kind of URL."""
    kind = type(next(iter(table.values())))
    return sorted(table.items()) + [
        (name, page) for name, page in ALSO if name in table and type(page) is kind
    ]


def case_ids(table: dict) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for name, page in cases(table):
        label = f"{name}-{page.method}"
        seen[label] = seen.get(label, 0) + 1
        ids.append(label if seen[label] == 1 else f"{label}{seen[label]}")
    return ids


def test_every_url_is_classified():
    names = all_url_names()
    ours = {name for name in names if not name.startswith(f"{ADMIN_NAMESPACE}:")}

    unclassified = ours - classified()
    assert not unclassified, f"classify these URLs in tests/test_access.py: {sorted(unclassified)}"
    assert not classified() - names, "classified URLs that no longer exist"


def test_every_request_says_what_the_allowed_user_gets():
    tables = (PUBLIC, OWN_ACCOUNT, PATIENT_DATA, STAFF_ONLY)
    every = [page for table in tables for page in table.values()] + [p for _, p in ALSO]

    assert all(page.expect is not None for page in every)
    for name, page in ALSO:
        assert name in classified(), name
        first = next(table[name] for table in tables if name in table)
        assert type(page) is type(first), name
        assert getattr(page, "roles", None) == getattr(first, "roles", None), name
        assert getattr(page, "allowed", None) == getattr(first, "allowed", None), name


def test_the_walk_finds_nested_and_admin_urls():
    names = all_url_names()

    assert {"home", "accounts:login", "clinic:patient_detail", "admin:index"} <= names


def sender(page: Page, who: str) -> str:
    """Whose records fill the form: the asker's when they may, else the first who may (a
    refused request carries the data that would have worked)."""
    if isinstance(page, PatientData):
        return page.allowed
    if isinstance(page, OwnAccount):
        if who in CAST and CAST_ROLES[who] in page.roles:
            return who
        return next(name for name in CAST if CAST_ROLES[name] in page.roles)
    return who


def request(client, cast: dict, who: str, name: str, page: Page):
    """Log in as `who`, build the records, then send the request; returns the request as
    asked, what was written just before it, and the response."""
    ask = Ask(cast, who, page.kwargs(cast))
    url = reverse(name, kwargs=ask.kwargs)
    headers = {}
    if is_api(url):
        if who != ANONYMOUS:
            headers["HTTP_AUTHORIZATION"] = "Bearer " + api_token(cast[who])
    elif who != ANONYMOUS:
        client.force_login(cast[who], backend="accounts.backends.ProfileBackend")
    data = dict(page.data)
    if page.fill is not None:
        data |= page.fill(replace(ask, who=sender(page, who)))
    before = written()
    send = getattr(client, page.method)
    if is_api(url):
        body = json.dumps(data) if page.method != "get" else data
        kind = {"content_type": "application/json"} if page.method != "get" else {}
        return ask, before, url, send(url, body, **kind, **headers)
    if page.as_json:
        return ask, before, url, send(url, json.dumps(data), content_type="application/json")
    return ask, before, url, send(url, data)


def is_api(url: str) -> bool:
    """An API endpoint: a token opens it, never a session (the schema needs neither)."""
    return url.startswith("/api/v1/") and url != reverse("api:schema")


def api_token(user: User) -> str:
    return token_create(user=user, name="access matrix", scope="write")[1]


def assert_sent_to_login(response, url: str) -> None:
    if is_api(url):  # no token: 401 with a problem, not the log-in page
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        return
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse(settings.LOGIN_URL)
    assert urlsplit(parse_qs(target.query)["next"][0]).path == url


def assert_refused(response, who: str, url: str, *, login: bool = True) -> None:
    if who == ANONYMOUS and login:
        assert_sent_to_login(response, url)
    else:
        assert response.status_code == 404


def allowed_outcome(page: Page, ask: Ask, before: dict, response) -> None:
    page.expect(ask, response)
    if response.status_code >= 400 and page.method == "post":
        assert written() == before, "a refused POST wrote something"


@pytest.fixture(autouse=True)
def _phone_notifications_set_up(settings):
    """The server has its VAPID keys, so a device can subscribe to phone notifications."""
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = VAPID_KEYS


def test_the_cast_roles_are_as_named(cast):
    assert {name: user.role for name, user in cast.items()} == CAST_ROLES


@pytest.mark.parametrize("who", [*CAST, *CARE_CAST, ANONYMOUS])
@pytest.mark.parametrize(("name", "spec"), cases(PATIENT_DATA), ids=case_ids(PATIENT_DATA))
def test_patient_data_is_only_for_the_allowed_user(client, cast, name, spec, who):
    ask, before, url, response = request(client, cast, who, name, spec)

    if who == spec.allowed:
        allowed_outcome(spec, ask, before, response)
    else:
        assert_refused(response, who, url)
        assert written() == before


def test_patient_detail_shows_alice_to_bob(client_for, cast):
    url = reverse("clinic:patient_detail", args=[cast["alice"].pk])

    response = client_for(cast["bob"]).get(url)

    assert response.context["patient"] == cast["alice"]
    assert "Alice Patel" in response.content.decode()


@pytest.mark.parametrize("status", ["pending", "declined", "revoked"])
def test_patient_detail_needs_an_active_link(client_for, cast, status):
    CareLink.objects.filter(clinician=cast["bob"]).update(status=status)
    url = reverse("clinic:patient_detail", args=[cast["alice"].pk])

    assert client_for(cast["bob"]).get(url).status_code == 404


def test_patient_detail_of_a_clinician_or_unknown_id_is_404(client_for, cast):
    client = client_for(cast["bob"])

    for target in (cast["charlie"].pk, cast["staff"].pk, 999_999):
        response = client.get(reverse("clinic:patient_detail", args=[target]))
        assert response.status_code == 404


@pytest.mark.parametrize("who", [*CAST, ANONYMOUS])
@pytest.mark.parametrize(("name", "spec"), cases(OWN_ACCOUNT), ids=case_ids(OWN_ACCOUNT))
def test_own_account_pages_need_login_and_the_right_role(client, cast, name, spec, who):
    ask, before, url, response = request(client, cast, who, name, spec)

    if who == ANONYMOUS and name in PASSKEY_JSON:
        assert response.status_code == 403
        assert written() == before
    elif who == ANONYMOUS:
        assert_sent_to_login(response, url)
        assert written() == before
    elif cast[who].role in spec.roles:
        allowed_outcome(spec, ask, before, response)
    else:
        assert response.status_code == 404
        assert written() == before


@pytest.mark.parametrize("who", [*CAST, *CARE_CAST, ANONYMOUS])
@pytest.mark.parametrize(("name", "spec"), cases(STAFF_ONLY), ids=case_ids(STAFF_ONLY))
def test_staff_pages_are_404_for_patients_and_clinicians(client, cast, name, spec, who):
    ask, before, url, response = request(client, cast, who, name, spec)

    if who == "staff":
        allowed_outcome(spec, ask, before, response)
    else:
        assert_refused(response, who, url, login=name not in NOT_HTML)


@pytest.mark.parametrize("who", [*CAST, *CARE_CAST, ANONYMOUS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_carer_who_may_only_look_cannot_log_for_anyone(client, cast, who, method):
    """carol's link lets her look, not log: its log page is refused to everyone, her too."""
    kwargs = _alice_prescribed_carer_link("carol")(cast)
    url = reverse("carers:log_injection", kwargs=kwargs)
    if who != ANONYMOUS:
        client.force_login(cast[who], backend="accounts.backends.ProfileBackend")
    data = {
        "given_on": local_today(cast["alice"]).isoformat(),
        "site": "thigh_left",
        "dose_mcg": "1000",
    }
    before = written()

    response = getattr(client, method)(url, data if method == "post" else {})

    assert_refused(response, who, url)
    assert written() == before


@pytest.mark.parametrize(("name", "spec"), cases(PUBLIC), ids=case_ids(PUBLIC))
def test_public_pages_open_without_login(client, cast, name, spec):
    ask, before, _, response = request(client, cast, ANONYMOUS, name, spec)

    allowed_outcome(spec, ask, before, response)


@pytest.mark.parametrize(
    ("who", "title", "to"),
    [
        ("alice", "Home", None),
        ("dave", "Home", None),
        ("bob", None, "clinic:patients"),
        ("charlie", None, "clinic:patients"),
        ("staff", "Staff", None),
    ],
)
def test_home_sends_each_role_to_its_own_start_page(client_for, cast, who, title, to):
    response = client_for(cast[who]).get(reverse("home"))

    if to is not None:
        assert response.status_code == 302 and response.url == reverse(to)
    else:
        shows(title)(Ask(cast, who), response)
    if who in ("alice", "dave"):
        assert response.context["profile"].user == cast[who]


def test_logging_out_ends_the_session(client_for, cast):
    client = client_for(cast["alice"])

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert_sent_to_login(client.get(reverse("accounts:profile")), reverse("accounts:profile"))


def test_the_stop_webhook_refuses_an_unsigned_request_once_configured(client, db, settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_AUTH_TOKEN = "test-token"

    response = client.post(reverse("reminders:sms_inbound"), {"From": MOBILE, "Body": "STOP"})

    assert response.status_code == 403
    assert response.content == b"Bad signature"


def _admin_pages_without_arguments() -> list[str]:
    skip = {"admin:login", "admin:logout", "admin:<unnamed>"}
    return sorted(
        name
        for name, pattern in _walk(get_resolver())
        if name.startswith(f"{ADMIN_NAMESPACE}:")
        and name not in skip
        and not pattern.pattern.regex.groups
    )


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", ANONYMOUS])
def test_admin_is_closed_to_everyone_but_staff(client, cast, who):
    names = _admin_pages_without_arguments()
    assert "admin:index" in names
    if who != ANONYMOUS:
        client.force_login(cast[who], backend="accounts.backends.ProfileBackend")

    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("admin:login")), name


def _may_add(name: str, staff: User) -> bool:
    """Whether the admin lets staff use this add page (the read-only ones do not)."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = staff
    for model, model_admin in admin.site._registry.items():
        if name == f"admin:{model._meta.app_label}_{model._meta.model_name}_add":
            return model_admin.has_add_permission(request)
    raise AssertionError(f"no registered admin has the add page {name}")


def test_admin_opens_for_staff(client_for, cast):
    client = client_for(cast["staff"])
    names = _admin_pages_without_arguments()
    forbidden = {
        name for name in names if name.endswith("_add") and not _may_add(name, cast["staff"])
    }
    # The autocomplete endpoint refuses a request that names no admin field to complete.
    forbidden.add("admin:autocomplete")

    assert {"admin:accounts_auditevent_add", "admin:reminders_notification_add"} <= forbidden
    for name in names:
        response = client.get(reverse(name))
        # 403 only where the admin forbids the action itself, such as adding an audit event.
        assert response.status_code == (403 if name in forbidden else 200), name
