"""Who may open which page. Every named URL must be classified here, so a new view cannot
be forgotten: patient data answers 404 to everyone without an active link (or consent)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import CareLink
from core.clock import local_today

ANONYMOUS = "anonymous"
CAST = ("alice", "bob", "charlie", "dave", "staff")
Kwargs = Callable[[dict], dict]


@dataclass(frozen=True)
class Page:
    """How to request a URL: its arguments (built from the cast), the method and the data."""

    kwargs: Kwargs = lambda cast: {}
    method: str = "get"
    data: dict = field(default_factory=dict)
    ok_status: int | None = 200


@dataclass(frozen=True)
class PatientData(Page):
    """A page or action on alice's data: only `allowed` may use it, everyone else gets 404."""

    allowed: str = "bob"
    allowed_status: int | None = 200


@dataclass(frozen=True)
class OwnAccount(Page):
    """A page about the logged-in user's own account, for the roles named.

    `ok_status` None means any answer that is not a refusal (a wizard step may redirect).
    """

    roles: frozenset[str] = frozenset({"patient", "clinician", "staff"})


PATIENT = frozenset({"patient"})
CLINICIAN = frozenset({"clinician"})


def _pending_link(cast: dict) -> dict:
    link = CareLink.objects.create(
        clinician=cast["charlie"], patient=cast["alice"], invited_email=cast["alice"].email
    )
    return {"link_id": link.pk}


def _active_link(cast: dict) -> dict:
    return {"link_id": CareLink.objects.get(clinician=cast["bob"], patient=cast["alice"]).pk}


def alice_injection(cast: dict) -> dict:
    """Alice's prescription and one logged injection (made once, then reused)."""
    from schedules import services
    from schedules.models import Injection

    alice = cast["alice"]
    existing = Injection.objects.filter(patient=alice).first()
    if existing is not None:
        return {"injection_id": existing.pk}
    today = local_today(alice)
    prescription = services.prescription_create(
        patient=alice,
        actor=alice,
        product="hydroxocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=1000,
        route="IM",
        start_date=today - timedelta(days=3),
        regimen_slug="bnf-no-neuro",
        today=today,
    )
    injection = services.injection_log(
        prescription=prescription,
        actor=alice,
        given_on=today - timedelta(days=3),
        site="deltoid_left",
        today=today,
    )
    return {"injection_id": injection.pk}


def _alice(cast: dict) -> dict:
    return {"patient_id": cast["alice"].pk}


def _alice_with_prescription(cast: dict) -> dict:
    alice_injection(cast)
    return _alice(cast)


def _alice_prescription(cast: dict) -> dict:
    from schedules.models import Injection

    alice_injection(cast)
    return {"prescription_id": Injection.objects.get(patient=cast["alice"]).prescription_id}


def _alice_phase(cast: dict) -> dict:
    from schedules.models import Injection

    alice_injection(cast)
    prescription = Injection.objects.get(patient=cast["alice"]).prescription
    return {**_alice(cast), "phase_id": prescription.phases.order_by("order").first().pk}


def _alice_flag(cast: dict) -> dict:
    from monitoring.models import Flag
    from schedules.models import Injection

    alice_injection(cast)
    prescription = Injection.objects.get(patient=cast["alice"]).prescription
    flag, _ = Flag.objects.get_or_create(
        patient=cast["alice"],
        prescription=prescription,
        kind=Flag.Kind.THREE_MONTH_REVIEW,
        key=f"rx:{prescription.pk}:review:access-test",
    )
    return {**_alice(cast), "flag_id": flag.pk}


def _bob_acts(kwargs: Kwargs, method: str = "post") -> "PatientData":
    """A clinician's page or action on alice's record: bob may, nobody else may."""
    return PatientData(kwargs=kwargs, method=method, allowed_status=None)


PUBLIC: dict[str, Page] = {
    "home": Page(),
    "accounts:signup": Page(),
    "accounts:login": Page(),
    "accounts:logout": Page(method="post", ok_status=302),
    "accounts:password_reset": Page(),
    "accounts:password_reset_done": Page(),
    "accounts:password_reset_confirm": Page(kwargs=lambda cast: {"uidb64": "MQ", "token": "x-y"}),
    "accounts:password_reset_complete": Page(),
    # The SMS provider's webhook for STOP replies: no session, checked by its signature, and
    # absent (404) unless the twilio backend is configured, as in the test settings.
    "reminders:sms_inbound": Page(method="post", ok_status=404),
}
OWN_ACCOUNT: dict[str, OwnAccount] = {
    "accounts:profile": OwnAccount(),
    "accounts:password_change": OwnAccount(),
    "accounts:password_change_done": OwnAccount(),
    "accounts:care_team": OwnAccount(roles=frozenset({"patient"})),
    "clinic:patients": OwnAccount(roles=CLINICIAN),
    "clinic:invite": OwnAccount(method="post", roles=CLINICIAN, ok_status=400),
    "clinic:patients_csv": OwnAccount(roles=CLINICIAN),
    "clinic:flags": OwnAccount(roles=CLINICIAN),
    # The patient's own schedule pages: each reads only the logged-in patient's records.
    **{
        f"schedules:{name}": OwnAccount(roles=PATIENT, ok_status=None)
        for name in (
            "about",
            "prescription",
            "prescription_new",
            "prescription_details",
            "prescription_edit",
            "injection_log",
            "schedule",
            "history",
            "appointment",
        )
    },
    "reminders:preferences": OwnAccount(roles=PATIENT),
    "reminders:sms_send_code": OwnAccount(method="post", roles=PATIENT, ok_status=400),
    "reminders:sms_check_code": OwnAccount(method="post", roles=PATIENT, ok_status=400),
    "reminders:sms_off": OwnAccount(method="post", roles=PATIENT, ok_status=302),
    "schedules:prescription_preview": OwnAccount(
        roles=PATIENT, ok_status=None, data={"regimen": "bnf-no-neuro"}
    ),
}
PATIENT_DATA: dict[str, PatientData] = {
    "clinic:patient_detail": PatientData(kwargs=lambda cast: {"patient_id": cast["alice"].pk}),
    "accounts:carelink_accept": PatientData(
        kwargs=_pending_link, method="post", allowed="alice", allowed_status=302
    ),
    "accounts:carelink_decline": PatientData(
        kwargs=_pending_link, method="post", allowed="alice", allowed_status=302
    ),
    "accounts:carelink_revoke": PatientData(
        kwargs=_active_link, method="post", allowed="alice", allowed_status=302
    ),
    "clinic:patient_report": PatientData(kwargs=_alice),
    "clinic:prescription_edit": _bob_acts(_alice_with_prescription, method="get"),
    "clinic:prescription_confirm": _bob_acts(_alice_with_prescription),
    "clinic:phase_close": _bob_acts(_alice_phase),
    "clinic:interval_change": _bob_acts(_alice_with_prescription),
    "clinic:note_add": _bob_acts(_alice),
    "clinic:flag_acknowledge": _bob_acts(_alice_flag),
    "clinic:flag_resolve": _bob_acts(_alice_flag),
    "clinic:flag_note": _bob_acts(_alice_flag),
    "schedules:injection_correct": PatientData(kwargs=alice_injection, allowed="alice"),
    "schedules:injection_void": PatientData(kwargs=alice_injection, allowed="alice"),
    "schedules:prescription_stop": PatientData(kwargs=_alice_prescription, allowed="alice"),
}
STAFF_ONLY: dict[str, Page] = {"reminders:status": Page()}
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


def test_every_url_is_classified():
    names = all_url_names()
    ours = {name for name in names if not name.startswith(f"{ADMIN_NAMESPACE}:")}

    unclassified = ours - classified()
    assert not unclassified, f"classify these URLs in tests/test_access.py: {sorted(unclassified)}"
    assert not classified() - names, "classified URLs that no longer exist"


def test_the_walk_finds_nested_and_admin_urls():
    names = all_url_names()

    assert {"home", "accounts:login", "clinic:patient_detail", "admin:index"} <= names


def request(client, cast: dict, who: str, name: str, page: Page):
    if who != ANONYMOUS:
        client.force_login(cast[who], backend="accounts.backends.ProfileBackend")
    url = reverse(name, kwargs=page.kwargs(cast))
    return url, getattr(client, page.method)(url, page.data)


def assert_sent_to_login(response, url: str) -> None:
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse(settings.LOGIN_URL)
    assert urlsplit(parse_qs(target.query)["next"][0]).path == url


def assert_refused(response, who: str, url: str) -> None:
    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", [*CAST, ANONYMOUS])
@pytest.mark.parametrize("name", sorted(PATIENT_DATA))
def test_patient_data_is_only_for_the_allowed_user(client, cast, name, who):
    page = PATIENT_DATA[name]

    url, response = request(client, cast, who, name, page)

    if who == page.allowed and page.allowed_status is None:
        assert response.status_code in (200, 302, 400)
        assert not response.get("Location", "").startswith(reverse(settings.LOGIN_URL))
    elif who == page.allowed:
        assert response.status_code == page.allowed_status
    else:
        assert_refused(response, who, url)


def test_patient_detail_shows_alice_to_bob(client_for, cast):
    url = reverse("clinic:patient_detail", args=[cast["alice"].pk])

    html = client_for(cast["bob"]).get(url).content.decode()

    assert "Alice Patel" in html


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
@pytest.mark.parametrize("name", sorted(OWN_ACCOUNT))
def test_own_account_pages_need_login_and_the_right_role(client, cast, name, who):
    page = OWN_ACCOUNT[name]

    url, response = request(client, cast, who, name, page)

    if who == ANONYMOUS:
        assert_sent_to_login(response, url)
    elif cast[who].role in page.roles and page.ok_status is None:
        assert response.status_code in (200, 302, 400)
        assert not response.get("Location", "").startswith(reverse(settings.LOGIN_URL))
    elif cast[who].role in page.roles:
        assert response.status_code == page.ok_status
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", [*CAST, ANONYMOUS])
@pytest.mark.parametrize("name", sorted(STAFF_ONLY))
def test_staff_pages_are_404_for_patients_and_clinicians(client, cast, name, who):
    page = STAFF_ONLY[name]

    url, response = request(client, cast, who, name, page)

    if who == "staff":
        assert response.status_code == 200
    else:
        assert_refused(response, who, url)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_open_without_login(client, cast, name):
    page = PUBLIC[name]

    _, response = request(client, cast, ANONYMOUS, name, page)

    assert response.status_code == page.ok_status


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


def test_admin_opens_for_staff(client_for, cast):
    client = client_for(cast["staff"])

    assert client.get(reverse("admin:index")).status_code == 200
    for name in _admin_pages_without_arguments():
        # 403 where the admin forbids the action itself, such as adding an audit event.
        assert client.get(reverse(name)).status_code in (200, 403), name
