"""History: every injection, newest first; correct and void need a reason, keep the original
visible, and happen once however often the form is sent."""

from datetime import date, time

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from schedules import services
from schedules.models import Injection
from schedules.selectors import history as history_selectors
from tests.helpers import noon, standard_prescription
from tests.htmltools import field_errors, parse
from tests.schedules.helpers import START, log
from tests.schedules.history import give_history

pytestmark = pytest.mark.django_db
HISTORY = reverse("schedules:history")


@pytest.fixture
def logged(alice_rx, clock):
    first = log(alice_rx, START, site="deltoid_left", lot="LOT-A")
    second = log(alice_rx, date(2025, 1, 8), site="deltoid_right")
    clock.move_to(noon(date(2025, 1, 9)))
    return first, second


def correct_url(injection):
    return reverse("schedules:injection_correct", args=[injection.pk])


def void_url(injection):
    return reverse("schedules:injection_void", args=[injection.pk])


def correction(**changes):
    data = {
        "reason": "Wrong date",
        "given_on": "2025-01-07",
        "site": "thigh_left",
        "given_by": "self",
        "dose_mcg": "1000",
    }
    return data | changes


def test_history_lists_every_injection_newest_first_with_actions(client_for, alice, logged):
    first, second = logged
    page = parse(client_for(alice).get(HISTORY).content)

    cards = list(page.find_all("li", cls="injection"))
    assert [c.attrs["id"] for c in cards] == [f"injection-{second.pk}", f"injection-{first.pk}"]
    assert "Left upper arm (deltoid)" in cards[1].text and "Batch LOT-A" in cards[1].text
    assert cards[1].find("a", href=correct_url(first)) is not None
    assert cards[1].find("a", href=void_url(first)) is not None


def test_void_needs_a_reason_next_to_the_field(client_for, alice, logged):
    first, _ = logged

    response = client_for(alice).post(void_url(first), {"reason": "   "})

    assert response.status_code == 400
    assert field_errors(response.content, "reason") == [
        "Say why, so the record explains what happened."
    ]
    first.refresh_from_db()
    assert first.status == "recorded"


def test_void_keeps_the_entry_visible_and_the_dose_opens_again(client_for, alice, logged, alice_rx):
    first, _ = logged
    client = client_for(alice)

    response = client.post(void_url(first), {"reason": "Logged twice"}, follow=True)

    first.refresh_from_db()
    assert first.status == "voided"
    card = parse(response.content).by_id(f"injection-{first.pk}")
    assert "Voided" in card.text and "Reason: Logged twice" in card.text
    assert card.find("a", href=void_url(first)) is None
    assert alice_rx.doses.get(due=START).status == "missed"


def test_void_sent_twice_happens_once(client_for, alice, logged):
    first, _ = logged
    client = client_for(alice)

    client.post(void_url(first), {"reason": "Logged twice"})
    again = client.post(void_url(first), {"reason": "Logged twice"}, follow=True)

    assert "already voided" in again.content.decode()
    assert AuditEvent.objects.filter(action="injection.voided").count() == 1


def test_correction_keeps_the_original_marked_and_links_both(client_for, alice, logged):
    first, _ = logged
    client = client_for(alice)

    response = client.post(correct_url(first), correction(), follow=True)

    first.refresh_from_db()
    assert first.status == "corrected" and first.reason == "Wrong date"
    replacement = Injection.objects.get(replaces=first)
    assert (replacement.given_on, replacement.site, replacement.lot) == (
        date(2025, 1, 7),
        "thigh_left",
        "",
    )
    page = parse(response.content)
    original = page.by_id(f"injection-{first.pk}")
    assert "Corrected (replaced)" in original.text
    assert original.find("a", href=f"#injection-{replacement.pk}") is not None
    assert "Corrects the entry of 6 Jan 2025" in page.by_id(f"injection-{replacement.pk}").text


def test_correction_form_starts_from_the_original(client_for, alice, logged):
    first, _ = logged
    page = parse(client_for(alice).get(correct_url(first)).content)

    assert page.by_id("id_given_on").attrs["value"] == "2025-01-06"
    assert page.by_id("id_lot").attrs["value"] == "LOT-A"
    checked = [e for e in page.find_all("input", name="site") if "checked" in e.attrs]
    assert [e.attrs["value"] for e in checked] == ["deltoid_left"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason": ""}, "reason", "Say what was wrong"),
        ({"given_on": "2025-01-10"}, "given_on", "in the future"),
        ({"given_on": "2024-12-31"}, "given_on", "before this prescription started"),
        ({"dose_mcg": "1"}, "dose_mcg", "enter 1000 mcg"),
        ({"site": "abdomen_right"}, "site", "not one of the available choices"),
    ],
)
def test_bad_correction_is_refused_next_to_the_field(
    client_for, alice, logged, changes, field, message
):
    first, _ = logged

    response = client_for(alice).post(correct_url(first), correction(**changes))

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content, field))
    first.refresh_from_db()
    assert first.status == "recorded"
    assert Injection.objects.count() == 2


def test_correction_sent_twice_makes_one_replacement(client_for, alice, logged):
    first, _ = logged
    client = client_for(alice)

    client.post(correct_url(first), correction())
    again = client.post(correct_url(first), correction(), follow=True)

    assert "already corrected" in again.content.decode()
    assert Injection.objects.filter(replaces=first).count() == 1


def test_history_of_a_patient_without_injections_says_so(client_for, alice, clock):
    response = client_for(alice).get(HISTORY)

    assert "No injections logged yet." in response.content.decode()


def monthly(patient):
    return standard_prescription(
        patient,
        regimen="seed-maintenance",
        start=START,
    )


def test_injection_outside_every_dose_window_is_shown_as_extra(client_for, alice, clock):
    rx = monthly(alice)
    log(rx, START)
    # 16 days on: not too soon for a monthly dose, but before the next window opens (30 Jan).
    stray = log(rx, date(2025, 1, 22))
    clock.move_to(noon(date(2025, 1, 22)))

    page = parse(client_for(alice).get(HISTORY).content)

    card = page.by_id(f"injection-{stray.pk}")
    assert "Extra" in card.find(cls="badge").text
    assert "not counted as a dose" in card.text
    assert "Extra" not in page.by_id(f"injection-{Injection.objects.get(given_on=START).pk}").text


def test_two_entries_on_one_day_have_different_link_names(client_for, alice, alice_rx):
    log(alice_rx, START, site="deltoid_left")
    log(alice_rx, START, site="deltoid_left", confirm=True)
    log(alice_rx, START, site="thigh_left", confirm=True, given_at=time(8, 30))

    page = parse(client_for(alice).get(HISTORY).content)

    for action in ("Correct", "Void"):
        names = [a.text for a in page.find_all("a") if a.text.startswith(f"{action} the entry")]
        assert len(names) == 3 and len(set(names)) == 3, names
    names = [a.text for a in page.find_all("a") if a.text.startswith("Correct the entry")]
    assert "Correct the entry of 6 Jan 2025, 08:30, left thigh (outer)" in names


def test_more_details_stay_open_after_a_too_soon_error_on_the_correct_form(
    client_for, alice, logged
):
    _first, second = logged

    response = client_for(alice).post(
        correct_url(second), correction(given_on="2025-01-06", given_at="07:45")
    )

    assert response.status_code == 400
    page = parse(response.content)
    assert page.by_id("too-soon") is not None
    details = page.by_id("id_given_at")
    assert details is not None and details.attrs["value"] == "07:45"
    assert "open" in page.find("details").attrs


def test_correcting_an_entry_already_kept_as_extra_does_not_ask_again(client_for, alice, logged):
    first, _ = logged
    extra = log(first.prescription, START, confirm=True)

    response = client_for(alice).post(
        correct_url(extra), correction(given_on="2025-01-06", reason="Wrong arm")
    )

    assert response.status_code == 302
    replacement = Injection.objects.get(replaces=extra)
    assert replacement.extra and replacement.site == "thigh_left"


def test_entries_of_a_stopped_prescription_cannot_be_corrected_or_voided(
    client_for, alice, logged, alice_rx
):
    first, _ = logged
    services.prescription_stop(prescription=alice_rx, actor=alice, reason="Wrong schedule")
    client = client_for(alice)

    card = parse(client.get(HISTORY).content).by_id(f"injection-{first.pk}")
    response = client.post(void_url(first), {"reason": "x"}, follow=True)

    assert card.find("a", href=void_url(first)) is None
    assert "stopped" in card.text
    assert "stays as it is" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "recorded"


# --- a long history comes a page at a time ----------------------------------------------------


def test_a_long_history_comes_twenty_entries_a_page_newest_first(client_for, alice, clock):
    rx = give_history(alice, days=5 * 365, regimen="seed-maintenance", today=START)
    newest_first = list(rx.injections.order_by("-given_on", "-id"))
    assert len(newest_first) > 40
    client = client_for(alice)

    first = parse(client.get(HISTORY).content)
    third = parse(client.get(HISTORY, {"page": 3}).content)

    ids = [li.attrs["id"] for li in first.find_all("li", cls="injection")]
    assert ids == [f"injection-{i.pk}" for i in newest_first[:20]]
    ids = [li.attrs["id"] for li in third.find_all("li", cls="injection")]
    assert ids == [f"injection-{i.pk}" for i in newest_first[40:60]]
    assert [a.text for a in first.find_all("a", cls="page-link")] == ["Older entries"]
    last = [a.text for a in third.find_all("a", cls="page-link")]
    assert last == ["Newer entries"]  # the third page is the last


def test_a_link_to_an_entry_on_another_page_opens_that_page(client_for, alice, clock, monkeypatch):
    monkeypatch.setattr(history_selectors, "PAGE_SIZE", 1)
    rx = give_history(alice, days=365, regimen="seed-maintenance", today=START)
    oldest = rx.injections.order_by("given_on", "id").first()
    services.injection_correct(
        injection=oldest, actor=alice, reason="Wrong site", site="thigh_right", today=START
    )
    replacement = Injection.objects.get(replaces=oldest)
    client = client_for(alice)

    last = parse(client.get(HISTORY, {"entry": oldest.pk}).content)

    original = last.by_id(f"injection-{oldest.pk}")
    assert original is not None and last.by_id(f"injection-{replacement.pk}") is None
    assert original.find("a", href=f"{HISTORY}?entry={replacement.pk}#injection-{replacement.pk}")
    opened = parse(client.get(HISTORY, {"entry": replacement.pk}).content)
    assert opened.by_id(f"injection-{replacement.pk}") is not None
