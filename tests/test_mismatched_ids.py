"""Ids that do not belong together answer 404 and change nothing.

A URL naming a patient and one of their records (a flag, a phase) must find the record within
that patient: alice's patient_id with dave's flag is 404, even for bob, who is linked to both,
so nothing but the mismatch refuses it. A URL naming only a record finds it within its parent:
the logged-in patient (alice with dave's injection, prescription or care link), or, for a
clinician's patient URL, the clinician's own links (charlie, linked to dave only, with alice).

Every URL pattern with an id in it (walked from the resolver) must have its cases here, so a
new one cannot be forgotten. Each case is checked against a control: the same request with
matching ids succeeds, so the 404 is the mismatch's and not the data's.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import AuditEvent, CareLink, User
from accounts.sharing import share_request
from api.models import ApiToken
from api.services import token_create
from carers.models import CarerLink, Guardianship
from carers.services import dependent_add
from core.clock import local_today
from interop.models import PrescriptionDraft
from monitoring.models import Flag
from reminders.models import ChangeNotice, PushSubscription, StockBatch, StockMovement
from reminders.stock.services import batch_add
from schedules.models import (
    Appointment,
    Dose,
    Injection,
    Phase,
    Prescription,
    PrescriptionVersion,
)
from tests.helpers import loading_with_a_first_injection

pytestmark = pytest.mark.django_db

PATIENTS = ("alice", "dave")
ADMIN = "admin:"


def id_arguments() -> dict[str, tuple[str, ...]]:
    """Each named URL outside the admin with its id arguments (integers, or named *_id)."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(resolver: URLResolver, namespace: str, inherited: dict) -> None:
        for entry in resolver.url_patterns:
            converters = {**inherited, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, inner, converters)
            elif isinstance(entry, URLPattern) and not namespace.startswith(ADMIN):
                names = dict.fromkeys([*converters, *entry.pattern.regex.groupindex])
                ids = tuple(
                    name
                    for name in names
                    if name.endswith("_id")
                    or name == "pk"
                    or isinstance(converters.get(name), IntConverter)
                )
                if ids:
                    found[f"{namespace}{entry.name}"] = ids

    walk(get_resolver(), "", {})
    return found


# --- the records -------------------------------------------------------------------------------


@pytest.fixture
def world(alice, bob, charlie, dave, make_clinician) -> dict:
    """alice and dave alike: open-ended loading from 3 days ago with its first dose logged, an
    open flag, an active link to bob and a pending invitation from Dr Penny, a box of
    ampoules, a nurse appointment for the next dose and a phone taking notifications.
    charlie is linked to dave only."""
    penny = make_clinician("penny@example.com", "Dr Penny Lane")
    quinn = make_clinician("quinn@example.com", "Dr Quinn Hart")
    for clinician, patient in ((bob, dave), (charlie, dave)):
        CareLink.objects.create(
            clinician=clinician,
            patient=patient,
            invited_email=patient.email,
            status=CareLink.Status.ACTIVE,
            responded_at=timezone.now(),
        )
    records: dict = {"bob": bob, "charlie": charlie, "quinn": quinn}
    # The clinicians' authenticator apps, made now so that signing in makes none later.
    for clinician in (bob, charlie, quinn):
        TOTPDevice.objects.create(user=clinician, name="Clinic phone", confirmed=True)
    # alice and dave care for each other (and may log), and each holds a dependent's record.
    carer_of = {
        patient: CarerLink.objects.create(
            patient=patient,
            carer=carer,
            invited_email=carer.email,
            status=CarerLink.Status.ACTIVE,
            can_log=True,
            responded_at=timezone.now(),
        )
        for patient, carer in ((alice, dave), (dave, alice))
    }
    # Write tokens for the API's cases, made now so that no request's snapshot counts them.
    records["api_tokens"] = {
        who: token_create(user=user, name="Mismatch checks", scope="write")[1]
        for who, user in (("alice", alice), ("dave", dave), ("bob", bob), ("charlie", charlie))
    }
    for name, patient in (("alice", alice), ("dave", dave)):
        injection = loading_with_a_first_injection(patient)
        rx = injection.prescription
        records[name] = {
            "user": patient,
            "patient": patient.pk,
            "prescription": rx.pk,
            "injection": injection.pk,
            "phase": rx.phases.get(order=0, bound="open").pk,
            "flag": Flag.objects.create(
                patient=patient,
                prescription=rx,
                kind=Flag.Kind.THREE_MONTH_REVIEW,
                key=f"rx:{rx.pk}:review:mismatch-test",
            ).pk,
            "link": CareLink.objects.get(clinician=bob, patient=patient).pk,
            "pending": CareLink.objects.create(
                clinician=penny, patient=patient, invited_email=patient.email
            ).pk,
            "today": local_today(patient),
            "notice": ChangeNotice.objects.create(
                patient=patient, prescription=rx, changed_by=bob, description="Loading ended"
            ).pk,
            "lab": _lab_result(patient),
            "item": _plan_item(rx),
            "batch": _batch(patient),
            "appointment": _appointment(rx),
            "device": PushSubscription.objects.create(
                patient=patient,
                endpoint=f"https://push.example.net/send/{name}",
                p256dh="B" + "x" * 86,
                auth="a" * 22,
            ).pk,
            "token": token_create(user=patient, name="A script", scope="read")[0].pk,
            "draft": _draft(patient, bob),
            "mfa_app": TOTPDevice.objects.create(user=patient, name="Phone", confirmed=True).pk,
            "passkey": WebAuthnCredential.objects.create(
                user=patient,
                name="Laptop",
                confirmed=True,
                credential_id=name.encode(),
                credential_id_sha256=hashlib.sha256(name.encode()).hexdigest(),
            ).pk,
            # Her request that Dr Quinn, whom she is not linked with, see her record.
            "share": share_request(patient=patient, target="quinn@example.com").pk,
            # The link to her carer (hers to change), the link by which she cares for the
            # other patient (hers to read, log and leave), and her dependent.
            "carer": carer_of[patient].pk,
            "caring": carer_of[dave if patient == alice else alice].pk,
            "dependent": dependent_add(
                guardian=patient, display_name=f"{name.title()}'s child", time_zone="UTC"
            ).pk,
        }
    return records


def _draft(patient: User, clinician: User) -> int:
    from interop.fhir_import.services import draft_create
    from tests.interop.test_fhir_import_mapping import EHR_REQUEST

    return draft_create(patient=patient, clinician=clinician, resource=EHR_REQUEST).pk


def _lab_result(patient: User) -> int:
    from decimal import Decimal

    from monitoring.labs.services import LabEntry, lab_result_record

    entry = LabEntry(test="folate", value=Decimal(5), unit="ng/mL", taken_on=local_today(patient))
    return lab_result_record(patient=patient, actor=patient, entry=entry).pk


def _batch(patient: User) -> int:
    expiry = local_today(patient) + timedelta(days=365)
    return batch_add(patient=patient, count=5, strength_mcg_per_ml=1000, expiry=expiry).pk


def _appointment(rx: Prescription) -> int:
    """An appointment on the day the next dose is due (as a booking would record it)."""
    dose = (
        Dose.objects.filter(prescription=rx, injection=None, status__in=("scheduled", "due"))
        .order_by("due")
        .first()
    )
    assert dose is not None
    return Appointment.objects.create(
        prescription=rx, dose=dose, on=dose.due, created_by=rx.patient
    ).pk


def _plan_item(rx: Prescription) -> int:
    from monitoring.models import PlanItem

    return PlanItem.objects.get(prescription=rx, what="serum_b12").pk


def written() -> dict:
    """Everything these requests could write."""
    from monitoring.models import LabResult, PlanItem

    return {
        "plan": list(PlanItem.objects.order_by("pk").values()),
        "labs": list(LabResult.objects.order_by("pk").values()),
        "audit": list(AuditEvent.objects.values_list("pk", flat=True)),
        "links": list(CareLink.objects.order_by("pk").values()),
        "flags": list(Flag.objects.order_by("pk").values()),
        "phases": list(Phase.objects.order_by("pk").values()),
        "prescriptions": list(Prescription.objects.order_by("pk").values()),
        "versions": PrescriptionVersion.objects.count(),
        "injections": list(Injection.objects.order_by("pk").values()),
        "doses": list(Dose.objects.order_by("pk").values("due", "status", "injection")),
        "notices": list(ChangeNotice.objects.order_by("pk").values()),
        "batches": list(StockBatch.objects.order_by("pk").values()),
        "movements": list(StockMovement.objects.order_by("pk").values()),
        "appointments": list(Appointment.objects.order_by("pk").values()),
        "devices": list(PushSubscription.objects.order_by("pk").values()),
        "tokens": list(ApiToken.objects.order_by("pk").values("pk", "scope", "revoked_at")),
        "drafts": list(PrescriptionDraft.objects.order_by("pk").values()),
        "carers": list(CarerLink.objects.order_by("pk").values()),
        "guardianships": list(Guardianship.objects.order_by("pk").values()),
        "apps": list(TOTPDevice.objects.order_by("pk").values_list("pk", flat=True)),
        "passkeys": list(WebAuthnCredential.objects.order_by("pk").values_list("pk", flat=True)),
    }


# --- the cases ---------------------------------------------------------------------------------

Data = Callable[[dict], dict]  # form data from the owner of the record named


@dataclass(frozen=True)
class Child:
    """A patient URL that also names one of the patient's records: bob, linked to both
    patients, asks with one patient's id and the other's record."""

    record: str  # the world key of the record, and its URL argument is record + "_id"
    data: Data = lambda owner: {}
    methods: tuple[str, ...] = ("post",)


@dataclass(frozen=True)
class Own:
    """A patient's URL naming one of their own records: each patient asks for the other's."""

    record: str
    argument: str
    data: Data = lambda owner: {}
    methods: tuple[str, ...] = ("post",)


@dataclass(frozen=True)
class Linked:
    """A clinician's URL naming a patient: charlie, linked to dave only, asks for alice."""

    data: Data = lambda owner: {}
    methods: tuple[str, ...] = ("post",)


@dataclass(frozen=True)
class LinkedRecord:
    """A clinician's URL naming only a patient's record: charlie, linked to dave only, asks
    for alice's."""

    record: str
    argument: str
    data: Data = lambda owner: {}
    methods: tuple[str, ...] = ("post",)


AMEND = {
    "product": "hydroxocobalamin",
    "strength_mcg_per_ml": "1000",
    "dose_mcg": "1000",
    "route": "IM",
    "cause": "unknown",
    "given_by": "self",
    "notes": "Changed through a mismatched id",
}


def _correction(owner: dict) -> dict:
    given_on = Injection.objects.get(pk=owner["injection"]).given_on
    return {
        "reason": "Wrong arm",
        "given_on": given_on.isoformat(),
        "site": "deltoid_right",
        "given_by": "self",
        "dose_mcg": "1000",
    }


def _lab_correction(owner: dict) -> dict:
    taken_on = owner["today"].isoformat()
    return {"test": "folate", "value": "6", "unit": "ng/mL", "taken_on": taken_on}


@dataclass(frozen=True)
class Addressed:
    """A clinician's answer to a request addressed to them, naming only the request: bob, to
    whom neither patient's request is addressed, asks with each; Dr Quinn may."""

    record: str
    argument: str
    data: Data = lambda owner: {}
    methods: tuple[str, ...] = ("post",)


CASES: dict[str, Child | Own | Linked | LinkedRecord | Addressed] = {
    "accounts:share_withdraw": Own("share", "link_id"),
    "accounts:mfa_remove_app": Own("mfa_app", "device_id", methods=("get", "post")),
    "accounts:mfa_remove_passkey": Own("passkey", "credential_id", methods=("get", "post")),
    "clinic:share_accept": Addressed("share", "link_id"),
    "clinic:share_decline": Addressed("share", "link_id"),
    "clinic:phase_close": Child("phase", lambda owner: {"closed_on": owner["today"].isoformat()}),
    "clinic:flag_acknowledge": Child("flag", lambda owner: {"note": "Seen"}),
    "clinic:flag_resolve": Child("flag", lambda owner: {"note": "Done"}),
    "clinic:flag_note": Child("flag", lambda owner: {"note": "Rang"}),
    "clinic:plan_item_change": Child("item", lambda owner: {"due_on": "2030-01-01"}),
    "clinic:plan_item_done": Child("item", lambda owner: {"done_on": owner["today"].isoformat()}),
    "clinic:plan_item_cancel": Child("item"),
    "schedules:injection_correct": Own("injection", "injection_id", _correction, ("get", "post")),
    "schedules:injection_void": Own(
        "injection", "injection_id", lambda owner: {"reason": "Twice"}, ("get", "post")
    ),
    "schedules:prescription_stop": Own(
        "prescription", "prescription_id", lambda owner: {"reason": "Changed"}, ("get", "post")
    ),
    "reminders:notice_dismiss": Own("notice", "notice_id"),
    "monitoring:lab_edit": Own("lab", "result_id", _lab_correction, ("get", "post")),
    "schedules:past_prescription": Own("prescription", "prescription_id", methods=("get",)),
    "accounts:carelink_accept": Own("pending", "link_id"),
    "accounts:carelink_decline": Own("pending", "link_id"),
    "accounts:carelink_revoke": Own("link", "link_id", methods=("get", "post")),
    "reminders:stock_batch": Own("batch", "batch_id", methods=("get",)),
    "reminders:stock_adjust": Own(
        "batch", "batch_id", lambda owner: {"count": "3", "note": "Counted again"}
    ),
    "reminders:stock_discard": Own("batch", "batch_id", lambda owner: {"note": "Expired"}),
    "reminders:push_device_remove": Own("device", "subscription_id"),
    "schedules:appointment_cancel": Own("appointment", "appointment_id"),
    "clinic:patient_detail": Linked(methods=("get",)),
    "clinic:patient_report": Linked(methods=("get",)),
    "interop:fhir_export_patient": Linked(methods=("get",)),
    "clinic:prescription_edit": Linked(lambda owner: AMEND, ("get", "post")),
    "clinic:prescription_confirm": Linked(),
    "clinic:interval_change": Linked(lambda owner: {"every": "3", "unit": "month"}),
    "clinic:note_add": Linked(lambda owner: {"note": "Through a mismatched id"}),
    "clinic:plan_item_add": Linked(lambda owner: {"what": "folate", "due_on": "2030-01-01"}),
    "api:token_revoke": Own("token", "token_id"),
    "api:me_injection": Own("injection", "injection_id", methods=("get",)),
    "api:me_injection_correct": Own(
        "injection", "injection_id", lambda owner: {"reason": "Wrong arm", "site": "deltoid_right"}
    ),
    "api:me_injection_void": Own("injection", "injection_id", lambda owner: {"reason": "Twice"}),
    "interop:fhir_import": Linked(methods=("get",)),
    "api:clinic_patient": Linked(methods=("get",)),
    "api:clinic_flag_acknowledge": LinkedRecord("flag", "flag_id", lambda owner: {"note": "Seen"}),
    "api:clinic_flag_resolve": LinkedRecord("flag", "flag_id", lambda owner: {"note": "Done"}),
    "carers:carer_edit": Own(
        "carer",
        "link_id",
        lambda owner: {"can_log": "", "gets_alerts": "on", "alert_after_hours": "6"},
        ("get", "post"),
    ),
    "carers:carer_revoke": Own("carer", "link_id"),
    "carers:patient_overview": Own("caring", "link_id", methods=("get",)),
    "carers:log_injection": Own(
        "caring",
        "link_id",
        lambda owner: {
            "given_on": owner["today"].isoformat(),
            "site": "thigh_left",
            "dose_mcg": "1000",
        },
        ("get", "post"),
    ),
    "carers:carer_leave": Own("caring", "link_id"),
    "carers:switch": Own("dependent", "dependent_id"),
    "interop:fhir_import_draft": Child(
        "draft", lambda owner: {"action": "discard"}, ("get", "post")
    ),
}


@dataclass(frozen=True)
class Request:
    who: str
    method: str
    kwargs: dict
    data: dict = field(default_factory=dict)


def mismatched(name: str, world: dict) -> list[Request]:
    """The requests whose ids do not belong together."""
    case = CASES[name]
    found = []
    for parent, other in ((PATIENTS[0], PATIENTS[1]), (PATIENTS[1], PATIENTS[0])):
        owner = world[other]
        for method in case.methods:
            data = case.data(owner) if method == "post" else {}
            if isinstance(case, Child):
                kwargs = {
                    "patient_id": world[parent]["patient"],
                    f"{case.record}_id": owner[case.record],
                }
                found.append(Request("bob", method, kwargs, data))
            elif isinstance(case, Own):
                found.append(Request(parent, method, {case.argument: owner[case.record]}, data))
            elif isinstance(case, Addressed):
                found.append(Request("bob", method, {case.argument: owner[case.record]}, data))
            elif isinstance(case, LinkedRecord):
                if other == "alice":
                    kwargs = {case.argument: owner[case.record]}
                    found.append(Request("charlie", method, kwargs, data))
            elif other == "alice":  # Linked: charlie has dave, not alice
                found.append(Request("charlie", method, {"patient_id": owner["patient"]}, data))
    return found


def matched(name: str, world: dict) -> list[Request]:
    """The same requests with ids that belong together (each GET before any POST)."""
    case = CASES[name]
    owner = world["dave"]
    found = []
    for method in case.methods:
        data = case.data(owner) if method == "post" else {}
        if isinstance(case, Child):
            kwargs = {"patient_id": owner["patient"], f"{case.record}_id": owner[case.record]}
            found.append(Request("bob", method, kwargs, data))
        elif isinstance(case, Own):
            found.append(Request("dave", method, {case.argument: owner[case.record]}, data))
        elif isinstance(case, LinkedRecord):
            found.append(Request("charlie", method, {case.argument: owner[case.record]}, data))
        elif isinstance(case, Addressed):
            found.append(Request("quinn", method, {case.argument: owner[case.record]}, data))
        else:
            found.append(Request("charlie", method, {"patient_id": owner["patient"]}, data))
    return found


def is_api(url: str) -> bool:
    return url.startswith("/api/v1/")


def send(client, world: dict, name: str, request: Request):
    asker = world[request.who]
    user: User = asker["user"] if isinstance(asker, dict) else asker
    url = reverse(name, kwargs=request.kwargs)
    if is_api(url):  # the API takes a token (made before the "before" snapshot: see api_tokens)
        bearer = {"HTTP_AUTHORIZATION": "Bearer " + world["api_tokens"][request.who]}
        if request.method == "get":
            return client.get(url, request.data, **bearer)
        body = json.dumps(request.data)
        return client.post(url, body, content_type="application/json", **bearer)
    client.force_login(user, backend="accounts.backends.ProfileBackend")
    return getattr(client, request.method)(url, request.data)


def succeeded(url: str, method: str, status: int) -> bool:
    if is_api(url):
        return status in ((200,) if method == "get" else (200, 201))
    return status == (302 if method == "post" else 200)


# --- the tests ---------------------------------------------------------------------------------


def test_every_url_with_an_id_has_mismatched_cases():
    ids = id_arguments()

    assert set(CASES) == set(ids), (
        "add the new URL's mismatched ids to tests/test_mismatched_ids.py"
    )
    for name, arguments in ids.items():
        case = CASES[name]
        if len(arguments) > 1:
            # Every record named beside the patient is swapped for another patient's.
            assert isinstance(case, Child), name
            assert arguments == ("patient_id", f"{case.record}_id"), name
        elif isinstance(case, Own | LinkedRecord | Addressed):
            assert arguments == (case.argument,), name
        else:
            assert arguments == ("patient_id",), name


def test_the_walk_finds_every_url_that_takes_two_ids():
    two = {name for name, arguments in id_arguments().items() if len(arguments) > 1}

    assert two == {
        "clinic:phase_close",
        "clinic:flag_acknowledge",
        "clinic:flag_resolve",
        "clinic:flag_note",
        "clinic:plan_item_change",
        "clinic:plan_item_done",
        "clinic:plan_item_cancel",
        "interop:fhir_import_draft",
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_mismatched_ids_answer_404_and_change_nothing(client, world, name):
    requests = mismatched(name, world)
    assert requests
    before = written()

    for request in requests:
        response = send(client, world, name, request)
        assert response.status_code == 404, request
        assert written() == before, request

    # The control: the same requests with ids that belong together go through.
    for request in matched(name, world):
        response = send(client, world, name, request)
        url = reverse(name, kwargs=request.kwargs)
        assert succeeded(url, request.method, response.status_code), (request, response.content)
    if "post" in CASES[name].methods:
        assert written() != before, "the matching POST should have changed something"
