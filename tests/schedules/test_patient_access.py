"""Access to the patient pages: clinicians and staff get 404 on all of them, another patient
gets 404 on alice's entries and sees only their own records, nothing is written for them."""

import pytest
from django.conf import settings
from django.urls import reverse

from schedules import services
from schedules.models import Injection, Prescription
from tests.schedules.helpers import START, log

pytestmark = pytest.mark.django_db

OWN_PAGES = [
    ("home", ""),
    ("schedules:about", ""),
    ("schedules:prescription", ""),
    ("schedules:prescription_new", ""),
    ("schedules:prescription_details", "?regimen=bnf-no-neuro"),
    ("schedules:prescription_preview", "?regimen=bnf-no-neuro&start_date=2025-01-06"),
    ("schedules:prescription_edit", ""),
    ("schedules:injection_log", ""),
    ("schedules:schedule", ""),
    ("schedules:history", ""),
    ("schedules:appointment", ""),
]
FORM_POSTS = {
    "schedules:injection_log": {
        "given_on": "2025-01-06",
        "site": "thigh_left",
        "given_by": "self",
        "dose_mcg": "1000",
        "client_token": "intruder",
    },
    "schedules:prescription_edit": {"dose_mcg": "2000", "strength_mcg_per_ml": "1000"},
    "schedules:prescription_details": {"regimen": "seed-maintenance", "start_date": "2025-01-06"},
}
ENTRY_PAGES = ["schedules:injection_correct", "schedules:injection_void"]
ENTRY_POSTS = {
    "schedules:injection_correct": {
        "reason": "intrusion",
        "given_on": "2025-01-06",
        "site": "thigh_right",
        "given_by": "self",
        "dose_mcg": "1000",
    },
    "schedules:injection_void": {"reason": "intrusion"},
}


@pytest.fixture
def alice_entry(alice_rx):
    return log(alice_rx, START, lot="ALICE-LOT-7")


@pytest.fixture
def dave_rx(dave, clock):
    return services.prescription_create(
        patient=dave,
        actor=dave,
        product="cyanocobalamin",
        strength_mcg_per_ml=1000,
        dose_mcg=1000,
        route="IM",
        start_date=START,
        regimen_slug="cdc-weekly",
    )


def snapshot() -> list:
    return [
        list(Injection.objects.order_by("pk").values_list("pk", "status", "site", "patient")),
        list(Prescription.objects.order_by("pk").values_list("pk", "dose_mcg", "version")),
    ]


@pytest.mark.parametrize("who", ["bob", "charlie", "staff"])
@pytest.mark.parametrize(("name", "query"), OWN_PAGES[1:])
def test_patient_pages_are_404_for_clinicians_and_staff(
    client_for, request, alice_entry, who, name, query
):
    client = client_for(request.getfixturevalue(who))
    url = reverse(name) + query

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["bob", "charlie", "staff"])
@pytest.mark.parametrize("name", list(FORM_POSTS))
def test_patient_forms_are_404_for_clinicians_and_staff_and_write_nothing(
    client_for, request, alice_entry, who, name
):
    before = snapshot()

    response = client_for(request.getfixturevalue(who)).post(reverse(name), FORM_POSTS[name])

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("who", ["dave", "charlie", "bob"])
@pytest.mark.parametrize("name", ENTRY_PAGES)
def test_alices_entries_are_404_for_everyone_else(client_for, request, alice_entry, who, name):
    client = client_for(request.getfixturevalue(who))
    url = reverse(name, args=[alice_entry.pk])
    before = snapshot()

    assert client.get(url).status_code == 404
    assert client.post(url, ENTRY_POSTS[name]).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", ENTRY_PAGES)
def test_unknown_entry_is_404_for_its_would_be_owner(client_for, alice, alice_entry, name):
    assert client_for(alice).get(reverse(name, args=[alice_entry.pk + 999])).status_code == 404


@pytest.mark.parametrize(("name", "query"), OWN_PAGES)
def test_another_patient_sees_only_their_own_records(
    client_for, alice_entry, dave, dave_rx, name, query
):
    log(dave_rx, START, lot="DAVE-LOT-1")

    response = client_for(dave).get(reverse(name) + query, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "ALICE-LOT-7" not in html
    assert "Alice Patel" not in html
    assert "BNF, no nerve symptoms" not in html or name.startswith("schedules:prescription_")


def test_another_patient_logging_writes_to_their_own_prescription_only(
    client_for, alice_entry, dave, dave_rx
):
    client_for(dave).post(reverse("schedules:injection_log"), FORM_POSTS["schedules:injection_log"])

    assert Injection.objects.filter(patient=dave, prescription=dave_rx).count() == 1
    assert list(Injection.objects.filter(prescription__patient__email="alice@example.com")) == [
        alice_entry
    ]


@pytest.mark.parametrize(("name", "query"), OWN_PAGES[1:])
def test_anonymous_visitors_are_sent_to_log_in(client, clock, name, query):
    url = reverse(name) + query

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("who", ["dave", "bob", "charlie", "staff"])
def test_stopping_alices_prescription_is_404_for_everyone_else_and_stops_nothing(
    client_for, request, alice_entry, alice_rx, dave_rx, who
):
    client = client_for(request.getfixturevalue(who))
    url = reverse("schedules:prescription_stop", args=[alice_rx.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "intrusion"}).status_code == 404
    assert set(Prescription.objects.values_list("status", flat=True)) == {"active"}


def test_a_patient_can_stop_only_through_their_own_prescription(
    client_for, alice_entry, alice_rx, dave, dave_rx
):
    client = client_for(dave)

    own = client.post(
        reverse("schedules:prescription_stop", args=[dave_rx.pk]), {"reason": "Wrong one"}
    )

    assert own.status_code == 302
    alice_rx.refresh_from_db()
    dave_rx.refresh_from_db()
    assert (alice_rx.status, dave_rx.status) == ("active", "stopped")
