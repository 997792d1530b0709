"""The installable app's server side: the manifest, the service worker's script and headers,
the offline page (the same for everyone), the tag that keeps the worker's copy of the home
page to one patient, log-out's Clear-Site-Data, the VAPID settings and `manage.py vapid_keys`."""

import json
import struct
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from b12tracker.envconf import env_vapid
from b12tracker.pwa import owner_tag

ROOT = Path(__file__).resolve().parents[1]


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == data["scope"] == "/" and data["display"] == "standalone"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert sizes == {"192x192", "512x512"}
    assert {icon["purpose"] for icon in data["icons"]} == {"any", "maskable"}


@pytest.mark.parametrize("size", [192, 512])
def test_each_icon_is_a_png_of_its_size(size):
    data = (ROOT / "static" / "icons" / f"icon-{size}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (size, size)


def test_the_worker_is_served_for_the_whole_site_with_its_precache_list(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.B12 = ").rstrip(";"))
    assert config["offline"] == "/offline/" and config["home"] == "/"
    assert "/offline/" in config["precache"] and "/static/css/app.css" in config["precache"]
    assert 'addEventListener("push"' in body


def test_the_offline_page_is_the_same_for_everyone(client_for, client, alice):
    anonymous = client.get("/offline/").content.decode()
    patient = client_for(alice).get("/offline/").content.decode()

    assert "You are offline" in anonymous
    assert "csrfmiddlewaretoken" not in patient and "Log out" not in patient
    assert "alice" not in patient.lower()


def test_a_patients_pages_carry_their_owner_tag_and_others_none(client_for, alice, bob):
    assert client_for(alice).get("/")["X-Offline-Owner"] == owner_tag(alice.pk)
    assert owner_tag(alice.pk) != owner_tag(bob.pk)
    assert "X-Offline-Owner" not in client_for(bob).get("/")  # a clinician's home lists patients


def test_log_out_clears_the_browsers_caches_and_storage(client_for, alice):
    response = client_for(alice).post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_base_pages_link_the_manifest_and_register_the_worker(client_for, alice):
    page = client_for(alice).get("/").content.decode()

    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'name="theme-color"' in page and 'rel="apple-touch-icon"' in page
    assert 'data-worker="/sw.js"' in page
    assert "data-logout" in page


def test_vapid_keys_prints_a_pair_the_settings_accept(monkeypatch):
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    monkeypatch.setenv("VAPID_PRIVATE_KEY", lines["VAPID_PRIVATE_KEY"])
    monkeypatch.setenv("VAPID_PUBLIC_KEY", lines["VAPID_PUBLIC_KEY"])

    assert env_vapid("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY") == (
        lines["VAPID_PRIVATE_KEY"],
        lines["VAPID_PUBLIC_KEY"],
    )


def test_vapid_settings_refuse_half_a_pair_a_mismatch_and_nonsense(monkeypatch):
    from reminders.management.commands.vapid_keys import new_pair

    (private, public), (_, other) = new_pair(), new_pair()
    monkeypatch.delenv("VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("VAPID_PUBLIC_KEY", raising=False)
    assert env_vapid("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY") == ("", "")
    for given_private, given_public, says in (
        (private, "", "Set VAPID_PUBLIC_KEY"),
        (private, other, "is not the public key of"),
        ("not-a-key!", public, "is not a base64url P-256 private key"),
    ):
        monkeypatch.setenv("VAPID_PRIVATE_KEY", given_private)
        monkeypatch.setenv("VAPID_PUBLIC_KEY", given_public)
        with pytest.raises(ImproperlyConfigured, match=says):
            env_vapid("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY")


def test_the_system_check_warns_without_keys(settings):
    from reminders.push import vapid_check

    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    assert [message.id for message in vapid_check()] == ["reminders.W001"]
