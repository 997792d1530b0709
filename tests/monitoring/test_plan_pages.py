"""The patient's "Your tests and reviews" page: their own plan with each status, reached from
the menu; clinicians and other patients get 404 or nothing of alice's."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from tests.helpers import noon, prescribe

pytestmark = pytest.mark.django_db

URL = "/me/tests/"


@pytest.fixture
def rx(alice):
    return prescribe(alice, regimen="seed-maintenance", start=date(2025, 1, 6))


def test_alice_sees_her_tests_with_their_status(client_for, alice, rx):
    with time_machine.travel(noon(date(2025, 3, 27)), tick=False):
        response = client_for(alice).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Full blood count" in page and "Serum B12" in page and "Review with your clinician" in page
    )
    assert page.count('text-bg-warning">Due<') == 3
    assert "6 Apr 2025" in page


def test_the_appointment_page_links_the_page(client_for, alice, rx):
    page = client_for(alice).get(reverse("schedules:appointment")).content.decode()

    assert f'href="{URL}"' in page


def test_a_patient_with_no_plan_is_told_so(client_for, dave):
    assert "No tests or reviews are planned" in client_for(dave).get(URL).content.decode()


def test_dave_sees_none_of_alices_plan(client_for, alice, dave, rx):
    page = client_for(dave).get(URL).content.decode()

    assert "Full blood count" not in page


@pytest.mark.parametrize("who", ["bob", "charlie", "staff"])
def test_other_roles_get_404(client_for, cast, who):
    assert client_for(cast[who]).get(URL).status_code == 404


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login" in response.url
