"""The staff "System status" page: the broker in use, each periodic task's last tick, and a
red warning when the heartbeat is missing or older than three minutes."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import SweepTick
from tests.htmltools import parse

pytestmark = pytest.mark.django_db
URL = reverse("reminders:status")


def page(client):
    response = client.get(URL)
    assert response.status_code == 200
    return parse(response.content)


@override_settings(CELERY_BROKER_URL="filesystem://")
def test_fresh_heartbeat_shows_green_with_last_tick_and_broker(client_for, staff):
    now = timezone.now()
    SweepTick.record("heartbeat", at=now - timedelta(seconds=30), worker="worker-1")
    SweepTick.record("heartbeat", at=now - timedelta(seconds=20), worker="worker-1")

    with time_machine.travel(now, tick=False):
        html = page(client_for(staff))

    assert html.by_id("heartbeat-stale") is None
    ok = html.by_id("heartbeat-ok")
    assert "alert-success" in ok.classes
    assert "20 seconds" in ok.text
    row = html.find("th", scope="row")
    assert row.text == "heartbeat"
    cells = [td.text for td in html.find("tbody").find_all("td")]
    last = (now - timedelta(seconds=20)).strftime("%-d %b %Y, %H:%M:%S")
    assert cells == [last, "2", "worker-1"]
    assert html.find("code").text == f"filesystem ({settings.BROKER_DIR})"


def test_heartbeat_just_under_three_minutes_is_still_fresh(client_for, staff):
    now = timezone.now()
    SweepTick.record("heartbeat", at=now - timedelta(minutes=2, seconds=59))

    with time_machine.travel(now, tick=False):
        html = page(client_for(staff))

    assert html.by_id("heartbeat-ok") is not None
    assert html.by_id("heartbeat-stale") is None


def test_heartbeat_older_than_three_minutes_shows_red_warning(client_for, staff):
    now = timezone.now()
    SweepTick.record("heartbeat", at=now - timedelta(minutes=3, seconds=1))

    with time_machine.travel(now, tick=False):
        html = page(client_for(staff))

    stale = html.by_id("heartbeat-stale")
    assert stale is not None
    assert {"alert", "alert-danger"} <= stale.classes
    assert stale.attrs["role"] == "alert"
    assert "Reminders may have stopped" in stale.text
    assert "3 minutes" in stale.text
    assert html.by_id("heartbeat-ok") is None


def test_missing_heartbeat_shows_red_warning(client_for, staff):
    html = page(client_for(staff))

    stale = html.by_id("heartbeat-stale")
    assert stale is not None
    assert "never ticked" in stale.text
    assert "No periodic task has run yet" in html.find("tbody").text


def test_other_sweeps_do_not_count_as_a_heartbeat(client_for, staff):
    SweepTick.record("flag_missed_doses", at=timezone.now())

    html = page(client_for(staff))

    assert html.by_id("heartbeat-stale") is not None


@override_settings(CELERY_BROKER_URL="redis://:hunter2-secret@redis.internal:6380/7")
def test_broker_is_shown_without_its_password(client_for, staff):
    response = client_for(staff).get(URL)

    assert parse(response.content).find("code").text == "redis://redis.internal:6380/7"
    assert "hunter2" not in response.content.decode()


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dave"])
def test_status_page_is_404_for_patients_and_clinicians(client_for, request, who):
    user = request.getfixturevalue(who)

    assert client_for(user).get(URL).status_code == 404


def test_status_page_sends_anonymous_visitors_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_staff_home_links_to_the_status_page(client_for, staff):
    html = client_for(staff).get(reverse("home")).content.decode()

    assert f'href="{URL}"' in html
