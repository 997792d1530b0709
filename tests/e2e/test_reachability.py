"""Targets big enough for unsteady or numb fingers (WCAG 2.5.5, 44 x 44 CSS px), measured in
Chromium: every visible link, button, field, checkbox or radio (by its label, which must
cover it), summary and body-map region on the main patient pages at 375 px and on the
clinician and staff pages at 1280 px, where each role's menu fits on one line.

The one exemption is WCAG's own: a link inside a sentence (see IN_A_SENTENCE below)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page

from schedules.models import Injection
from tests.e2e.helpers import sign_in
from tests.helpers import prescribe
from tests.schedules.history import give_history

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MIN = 44
PATIENT_PAGES = [
    "/",
    "/me/log/",
    "/me/schedule/",
    "/me/history/",
    "/me/history/backfill/",
    "/me/record/",
    "/me/prescriptions/past/",
    "/me/prescription/",
    "/me/prescription/edit/",
    "/me/appointment/",
    "/me/about/",
    "/reminders/",
    "/accounts/care-team/",
    "/accounts/profile/",
]

# Exempt, as WCAG 2.5.5 allows: a link that is part of a sentence, so that its size is set
# by the line of text around it. It must be laid out inline and share its block with at
# least three other words; a link alone in a list item or table cell is not exempt.
IN_A_SENTENCE = """
(el) => {
  if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
  let block = el.parentElement;
  while (block && getComputedStyle(block).display.startsWith("inline")) {
    block = block.parentElement;
  }
  const rest = block.textContent.replace(el.textContent, " ").trim();
  return rest.split(/\\s+/).filter((word) => /\\w/.test(word)).length >= 3;
}
"""

MEASURE = (
    """
() => {
  const inSentence = """
    + IN_A_SENTENCE
    + """;
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && style.visibility !== "hidden";
  };
  const describe = (el) => el.tagName.toLowerCase()
    + (el.id ? "#" + el.id : "")
    + (el.getAttribute("data-site") ? "[data-site=" + el.getAttribute("data-site") + "]" : "")
    + " '" + (el.textContent || el.value || el.getAttribute("aria-label") || "")
      .trim().replace(/\\s+/g, " ").slice(0, 40) + "'";
  const small = [];
  const exempt = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    + "area, svg [data-site]";
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el)) continue;
    let target = el;
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      // The target is the label, which must take in the box itself.
      const own = el.getBoundingClientRect();
      const cx = own.left + own.width / 2;
      const cy = own.top + own.height / 2;
      const covering = Array.from(el.labels || []).find((label) => {
        const box = label.getBoundingClientRect();
        return box.left <= cx && cx <= box.right && box.top <= cy && cy <= box.bottom;
      });
      target = covering || el;
    }
    if (inSentence(el)) {
      exempt.push(describe(el));
      continue;
    }
    const box = target.getBoundingClientRect();
    // Half a pixel of rounding is not a smaller target.
    if (box.width < """
    + str(MIN)
    + """ - 0.5 || box.height < """
    + str(MIN)
    + """ - 0.5) {
      small.push(describe(el) + " " + Math.round(box.width) + "x" + Math.round(box.height));
    }
  }
  return {small, exempt};
}
"""
)

NAV_LINES = """
() => {
  const nav = document.querySelector("nav[aria-label=Main]");
  const items = Array.from(nav.querySelectorAll(".navbar-brand, .nav-link"))
    .filter((el) => el.getBoundingClientRect().width > 0);
  // Entries whose middles are within 10 px of each other share a line.
  const middles = items.map((el) => {
    const box = el.getBoundingClientRect();
    return box.top + box.height / 2;
  }).sort((a, b) => a - b);
  const lines = middles.filter((y, i) => i === 0 || y - middles[i - 1] > 10).length;
  return {count: items.length, lines, height: nav.getBoundingClientRect().height};
}
"""


def small_targets(page: Page) -> list[str]:
    return page.evaluate(MEASURE)["small"]


def test_the_measure_catches_a_small_target_and_spares_a_link_in_a_sentence(
    page: Page, live_server
):
    page.set_content(
        '<p>Read <a href="#a" id="inline">the notes</a> before you start.</p>'
        '<ul><li><a href="#b" id="listed">Schedule</a></li></ul>'
        '<label for="c" id="c-label" style="display:inline-block;width:10px">C</label>'
        '<input type="checkbox" id="c">'
        '<button style="min-height:44px;min-width:44px">Go</button>'
    )

    result = page.evaluate(MEASURE)

    assert [item.split(" ")[0] for item in result["small"]] == ["a#listed", "input#c"]
    assert [item.split(" ")[0] for item in result["exempt"]] == ["a#inline"]


def test_patient_pages_have_44_px_targets_at_375(page: Page, live_server, client, alice):
    today = datetime.now(ZoneInfo("Europe/London")).date()
    give_history(alice, days=365, today=today)
    injection = Injection.objects.filter(patient=alice, status="recorded").first()
    sign_in(page, live_server, client, alice)
    page.set_viewport_size({"width": 375, "height": 800})
    found = {}
    for path in [
        *PATIENT_PAGES,
        f"/me/history/{injection.pk}/correct/",
        f"/me/history/{injection.pk}/void/",
    ]:
        assert page.goto(live_server.url + path).status == 200, path
        found[path] = small_targets(page)
        page.get_by_role("button", name="Show or hide the menu").click()
        page.locator("#main-nav.collapse.show").wait_for()
        found[path + " (menu open)"] = small_targets(page)

    assert {path: small for path, small in found.items() if small} == {}


def test_the_regimen_cards_and_body_map_have_44_px_targets_at_375(
    page: Page, live_server, client, dave
):
    sign_in(page, live_server, client, dave)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/me/prescription/new/")
    assert small_targets(page) == []

    # The whole card picks its schedule, not only its title.
    card = page.locator(".regimen-option").nth(1)
    card.locator(".regimen-summary").click()
    assert card.locator("input[type=radio]").is_checked()
    page.get_by_role("button", name="Next: your medicine").click()
    page.get_by_role("button", name="Save prescription").wait_for()
    assert small_targets(page) == []

    prescribe(dave, regimen="seed-maintenance", start=date.today() - timedelta(days=3))
    page.goto(f"{live_server.url}/me/log/")
    assert page.locator("svg [data-site]").count() == page.locator("input[name=site]").count() > 0
    assert small_targets(page) == []
    page.locator('[data-site="gluteal_left"]').click()
    assert page.locator('input[value="gluteal_left"]').is_checked()


@pytest.mark.parametrize("width", [1280])
def test_clinician_pages_have_44_px_targets_and_a_one_line_menu(
    page: Page, live_server, client, bob, ward, width
):
    sign_in(page, live_server, client, bob)
    page.set_viewport_size({"width": width, "height": 800})
    patient = ward.patient_id
    found = {}
    for path in (
        "/clinic/",
        "/clinic/flags/",
        f"/clinic/patients/{patient}/",
        f"/clinic/patients/{patient}/report/",
    ):
        assert page.goto(live_server.url + path).status == 200, path
        found[path] = small_targets(page)
        assert page.evaluate(NAV_LINES)["lines"] == 1, path

    assert {path: small for path, small in found.items() if small} == {}


@pytest.mark.parametrize("role", ["alice", "bob", "staff"])
def test_each_roles_menu_fits_one_line_at_1280(page: Page, live_server, client, role, request):
    user = request.getfixturevalue(role)
    sign_in(page, live_server, client, user)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/accounts/profile/")

    nav = page.evaluate(NAV_LINES)

    assert nav["count"] >= 4
    assert nav["lines"] == 1, nav


def test_staff_pages_have_44_px_targets_at_1280(page: Page, live_server, client, staff):
    sign_in(page, live_server, client, staff)
    page.set_viewport_size({"width": 1280, "height": 800})
    found = {}
    for path in ("/", "/ops/status/", "/ops/outbox/failed/"):
        assert page.goto(live_server.url + path).status == 200, path
        found[path] = small_targets(page)

    assert {path: small for path, small in found.items() if small} == {}


def test_pages_before_logging_in_have_44_px_targets_at_375(page: Page, live_server, db):
    page.set_viewport_size({"width": 375, "height": 800})
    found = {}
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        found[path] = small_targets(page)

    assert {path: small for path, small in found.items() if small} == {}
