"""The home time-zone picker: readable place names ("London (Europe/London)") so that typing a
city finds it, common zones first, no aliases offered but any known zone accepted; on the
sign-up form the browser's own zone is chosen by script while the field is untouched."""

import pytest
from django.urls import reverse

from accounts.models import PatientProfile
from tests.htmltools import parse

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
PROFILE = reverse("accounts:profile")


def zone_select(html: bytes):
    return parse(html).find("select", name="time_zone")


def test_common_zones_come_first_with_readable_labels(client):
    select = zone_select(client.get(SIGNUP).content)

    groups = list(select.find_all("optgroup"))
    assert groups[0].attrs["label"] == "Common time zones"
    first = list(groups[0].find_all("option"))
    assert (first[0].attrs["value"], first[0].text) == ("Europe/London", "London (Europe/London)")
    assert "New York (America/New_York)" in [option.text for option in first]
    assert [group.attrs["label"] for group in groups[1:]] == sorted(
        group.attrs["label"] for group in groups[1:]
    )


def test_each_region_lists_places_by_name(client):
    select = zone_select(client.get(SIGNUP).content)

    america = next(g for g in select.find_all("optgroup") if g.attrs["label"] == "America")
    labels = [option.text for option in america.find_all("option")]
    assert labels == sorted(labels)
    assert "Buenos Aires (America/Argentina/Buenos_Aires)" in labels


def test_aliases_are_not_offered(client):
    values = [o.attrs["value"] for o in zone_select(client.get(SIGNUP).content).find_all("option")]

    assert len(values) == len(set(values))
    assert len(values) < 450
    assert "US/Eastern" not in values and "GB" not in values and "Etc/GMT+5" not in values
    assert "UTC" in values


def test_without_script_london_is_chosen(client):
    select = zone_select(client.get(SIGNUP).content)

    selected = [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs]
    assert selected == ["Europe/London"]
    assert select.attrs["data-browser-zone"] == "true"
    assert 'src="/static/js/timezone.js"' in client.get(SIGNUP).content.decode()


def test_a_zone_sent_back_is_kept_and_not_guessed_over(client):
    response = client.post(SIGNUP, {"time_zone": "Asia/Tokyo", "email": "bad"})

    select = zone_select(response.content)
    selected = [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs]
    assert selected == ["Asia/Tokyo"]
    assert "data-browser-zone" not in select.attrs


def test_an_alias_saved_earlier_is_shown_and_kept(client_for, alice):
    PatientProfile.objects.filter(user=alice).update(time_zone="US/Eastern")

    select = zone_select(client_for(alice).get(PROFILE).content)

    selected = [o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs]
    assert selected == ["US/Eastern"]
    assert "data-browser-zone" not in select.attrs
    response = client_for(alice).post(
        PROFILE, {"display_name": "Alice", "time_zone": "US/Eastern", "reminder_time": "09:00"}
    )
    assert response.status_code == 302
