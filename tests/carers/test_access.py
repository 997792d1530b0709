"""Who may use each carers URL: the patient their own carers, a carer the people they care for
(logging only when allowed), the guardian their dependents; everyone else gets 404, and an
anonymous visitor the log-in page. A refused request writes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from carers.models import CarerLink, Guardianship
from core.clock import local_today
from schedules.models import Injection
from tests.helpers import prescribe

EVERYONE = ("alice", "erin", "frank", "dave", "bob", "charlie", "staff", "anonymous")
PATIENTS = {"alice", "erin", "frank", "dave"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    args: Callable[[dict], list[object]]
    allowed: set[str]


CASES = [
    Case("my_carers", "get", lambda s: [], PATIENTS),
    Case("carer_edit", "get", lambda s: [s["see_link"].pk], {"alice"}),
    Case("carer_revoke", "post", lambda s: [s["see_link"].pk], {"alice"}),
    # The invitation's token is the secret: any patient but the inviter may answer it.
    Case("accept_invite", "get", lambda s: [s["pending_link"].token], {"alice", "erin", "frank"}),
    Case("caring_for", "get", lambda s: [], PATIENTS),
    Case("patient_overview", "get", lambda s: [s["see_link"].pk], {"erin"}),
    Case("patient_overview", "get", lambda s: [s["log_link"].pk], {"frank"}),
    Case("log_injection", "get", lambda s: [s["log_link"].pk], {"frank"}),
    Case("log_injection", "get", lambda s: [s["see_link"].pk], set()),
    Case("log_injection", "post", lambda s: [s["see_link"].pk], set()),
    Case("carer_leave", "post", lambda s: [s["see_link"].pk], {"erin"}),
    Case("dependent_add", "get", lambda s: [], PATIENTS),
    Case("switch", "post", lambda s: [s["tom"].pk], {"alice"}),
    Case("switch_back", "post", lambda s: [], PATIENTS),
]


def _state() -> tuple[int, int, int, list[str]]:
    links = sorted(CarerLink.objects.values_list("status", flat=True))
    return (
        Injection.objects.count(),
        Guardianship.objects.filter(ended_at__isnull=True).count(),
        AuditEvent.objects.exclude(action="record.viewed").count(),
        links,
    )


@pytest.fixture
def scene(cast, erin, frank, see_link, log_link, tom, pending_link):
    prescribe(cast["alice"], start=local_today(cast["alice"]) - timedelta(days=3))
    return {
        **cast,
        "erin": erin,
        "frank": frank,
        "see_link": see_link,
        "log_link": log_link,
        "tom": tom,
        "pending_link": pending_link,
    }


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method}-{c.name}")
def test_each_url_answers_only_its_users(client, client_for, scene, case, who):
    url = reverse(f"carers:{case.name}", args=case.args(scene))
    if who != "anonymous":
        client = client_for(scene[who])
    before = _state()
    response = getattr(client, case.method)(url)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert _state() == before
    elif who in case.allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 404
        assert _state() == before


def test_a_guardian_cannot_switch_to_another_guardians_dependent(client_for, dave, tom):
    response = client_for(dave).post(reverse("carers:switch", args=[tom.pk]))
    assert response.status_code == 404
    assert "carers.acting_for" not in response.wsgi_request.session


def test_a_guardian_cannot_switch_to_an_ordinary_patient(client_for, alice, dave):
    response = client_for(alice).post(reverse("carers:switch", args=[dave.pk]))
    assert response.status_code == 404
