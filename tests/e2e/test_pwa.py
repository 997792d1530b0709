"""The installable app in Chromium: the manifest and service worker pass Chromium's own
installability checks; the worker registers for the whole site; without a network the home
page shows as the patient last saw it and other pages show the offline page; log-out leaves
no kept page for the next person; and the reminders page offers the notification switch
(a real push service cannot be reached from the test machines, so no push arrives here)."""

import json
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.clock import local_today
from reminders.management.commands.vapid_keys import new_pair
from reminders.models import PushSubscription, ReminderPreference
from tests.e2e.helpers import sign_in
from tests.helpers import prescribe
from tests.reminders.push_service import Device

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The active worker's script and scope; null when none is active within 15 s.
WORKER_READY = """async () => {
  const late = new Promise((resolve) => setTimeout(() => resolve(null), 15000));
  const reg = await Promise.race([navigator.serviceWorker.ready, late]);
  return reg && {script: reg.active.scriptURL, scope: reg.scope};
}"""
KEPT_HOME = """async () => {
  const names = await caches.keys();
  const home = names.includes("b12-home") ? await (await caches.open("b12-home")).match("/") : null;
  return {names, home: home ? await home.text() : null};
}"""


# Make the kept home page look `age` seconds old (null: kept without a time, as an older
# worker kept it); the worker decides from that stamp alone.
AGE_KEPT_HOME = """async (age) => {
  const cache = await caches.open("b12-home");
  const kept = await cache.match("/");
  const headers = new Headers(kept.headers);
  if (age === null) {
    headers.delete("X-Kept-At");
  } else {
    headers.set("X-Kept-At", String(Date.now() - age * 1000));
  }
  await cache.put("/", new Response(await kept.blob(), {status: kept.status, headers}));
}"""


def controlled(page: Page) -> None:
    """Wait until the worker is active and controls this page (the first load is not)."""
    page.evaluate(WORKER_READY)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_the_manifest_and_worker_pass_chromiums_installability_checks(
    browser_type, browser_type_launch_args, live_server, client, alice, tmp_path
):
    """In a browser profile of its own: Chromium never offers to install from an incognito
    context, which is what the other browser tests use."""
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args
    )
    try:
        page = context.new_page()
        client.force_login(alice, backend="accounts.backends.ProfileBackend")
        session = {"name": "sessionid", "value": client.cookies["sessionid"].value}
        context.add_cookies([{**session, "url": live_server.url}])
        page.goto(live_server.url + "/")
        ready = page.evaluate(WORKER_READY)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    finally:
        context.close()

    assert ready == {"script": live_server.url + "/sw.js", "scope": live_server.url + "/"}
    assert manifest["url"] == live_server.url + "/manifest.webmanifest"
    assert manifest["errors"] == []
    assert errors == []


def test_offline_the_home_page_is_as_last_seen_and_other_pages_say_offline(
    page: Page, live_server, client, alice, axe_check
):
    today = local_today(alice)
    prescribe(alice, regimen="seed-maintenance", start=today - timedelta(days=3))
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/")
    controlled(page)
    seen = page.locator("main").inner_text()
    page.wait_for_function("caches.has('b12-home')")

    page.context.set_offline(True)
    page.goto(live_server.url + "/")
    offline = page.locator("main").inner_text()
    assert "Hello, Alice" in seen and seen.strip() in offline  # the page as she last saw it
    expect(page.locator("#offline-note")).to_be_visible()
    page.goto(live_server.url + "/me/history/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    axe_check(page)
    page.context.set_offline(False)


def test_offline_the_kept_home_page_is_not_shown_once_a_session_would_have_ended(
    page: Page, live_server, client, alice, settings
):
    """A shared computer: the session ran out without a log-out, so nothing cleared the kept
    page. Once it is older than SESSION_COOKIE_AGE the worker shows the offline page instead
    and throws the copy away."""
    settings.SESSION_COOKIE_AGE = 600
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/")
    controlled(page)
    page.wait_for_function("caches.has('b12-home')")
    assert '"keepSeconds": 600' in page.request.get(live_server.url + "/sw.js").text()

    page.context.set_offline(True)
    page.evaluate(AGE_KEPT_HOME, 590)
    page.goto(live_server.url + "/")
    expect(page.locator("#offline-note")).to_be_visible()  # still within a session's length
    assert "Log out" in page.content()

    page.evaluate(AGE_KEPT_HOME, 610)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert "Log out" not in page.content() and "Alice" not in page.content()
    assert page.evaluate(KEPT_HOME)["home"] is None  # thrown away, not just hidden
    page.context.set_offline(False)


def test_offline_a_home_page_kept_without_its_time_is_not_shown(
    page: Page, live_server, client, alice
):
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/")
    controlled(page)
    page.wait_for_function("caches.has('b12-home')")

    page.context.set_offline(True)
    page.evaluate(AGE_KEPT_HOME, None)
    page.goto(live_server.url + "/")

    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert "Log out" not in page.content()
    page.context.set_offline(False)


def test_log_out_leaves_no_kept_page_for_the_next_person(page: Page, live_server, client, alice):
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/")
    controlled(page)
    page.wait_for_function("caches.has('b12-home')")
    assert "Log out" in page.evaluate(KEPT_HOME)["home"]

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    kept = page.evaluate(KEPT_HOME)
    assert kept["home"] is None and "b12-home" not in kept["names"]
    page.evaluate(WORKER_READY)  # the log-in page's worker, installed afresh
    page.context.set_offline(True)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert "Log out" not in page.content()
    page.context.set_offline(False)


def test_the_reminders_page_offers_the_switch_for_this_device(
    page: Page, live_server, client, alice, settings, axe_check
):
    from tests.e2e.test_patient_pages import fits_320

    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()
    PushSubscription.objects.create(
        patient=alice,
        endpoint="https://push.example.net/send/laptop",
        p256dh="B" + "x" * 86,
        auth="a" * 22,
        label="Firefox on Linux",
    )
    ReminderPreference.objects.create(patient=alice, push_enabled=True)
    sign_in(page, live_server, client, alice)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/reminders/")

    expect(page.get_by_role("button", name="Turn on notifications on this device")).to_be_visible()
    expect(page.locator("#push-unsupported")).to_be_hidden()
    expect(page.get_by_role("button", name="Remove Firefox on Linux")).to_be_visible()
    axe_check(page)
    assert fits_320(page)


def test_without_keys_the_reminders_page_says_notifications_are_not_set_up(
    page: Page, live_server, client, alice, settings
):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/reminders/")

    expect(page.get_by_text("Phone notifications are not set up on this server")).to_be_visible()
    expect(page.get_by_role("button", name="Turn on notifications on this device")).to_have_count(0)


def test_turning_on_without_a_reachable_push_service_says_so_and_saves_nothing(
    page: Page, live_server, client, alice, settings
):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/reminders/")

    page.get_by_role("button", name="Turn on notifications on this device").click()

    expect(page.locator("#push-state")).to_contain_text("Notifications could not be turned on")
    assert not PushSubscription.objects.exists()


def test_a_push_service_that_never_answers_is_given_up_on_with_a_plain_message(
    page: Page, live_server, client, alice, settings
):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script("PushManager.prototype.subscribe = () => new Promise(() => {});")
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/reminders/")
    button = page.get_by_role("button", name="Turn on notifications on this device")
    button.evaluate("b => b.closest('[data-public-key]').dataset.subscribeWaitMs = '300'")

    button.click()

    expect(page.locator("#push-state")).to_contain_text("notification service did not answer")
    expect(button).to_be_enabled()
    assert not PushSubscription.objects.exists()


# A browser whose push service hands out `endpoint` (no real one is reachable from here):
# the page's script runs as with a real subscription, with real keys.
FAKE_PUSH_SERVICE = """(() => {
  let current = null;
  window.unsubscribed = 0;
  const make = () => ({
    endpoint: ENDPOINT,
    toJSON: () => ({endpoint: ENDPOINT, keys: {p256dh: P256DH, auth: AUTH}}),
    unsubscribe: () => { current = null; window.unsubscribed += 1; return Promise.resolve(true); },
  });
  PushManager.prototype.subscribe = () => Promise.resolve(current = make());
  PushManager.prototype.getSubscription = () => Promise.resolve(current);
})();"""


def fake_push_service(page: Page, endpoint: str) -> None:
    device = Device()
    script = FAKE_PUSH_SERVICE.replace("ENDPOINT", json.dumps(endpoint))
    script = script.replace("P256DH", json.dumps(device.p256dh))
    page.add_init_script(script.replace("AUTH", json.dumps(device.auth)))


def test_a_push_service_we_do_not_send_to_is_refused_on_the_page_and_undone(
    page: Page, live_server, client, alice, settings
):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    fake_push_service(page, "https://169.254.169.254/latest/meta-data/")
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/reminders/")

    page.get_by_role("button", name="Turn on notifications on this device").click()

    expect(page.locator("#push-state")).to_contain_text(
        "This browser's notification service is not one we can send to."
    )
    assert page.evaluate("window.unsubscribed") == 1  # the browser keeps no subscription
    expect(page.get_by_role("button", name="Turn on notifications on this device")).to_be_visible()
    assert not PushSubscription.objects.exists()


def test_a_browser_push_service_subscribes_and_the_device_is_listed(
    page: Page, live_server, client, alice, settings
):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = new_pair()
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    fake_push_service(page, "https://fcm.googleapis.com/fcm/send/this-browser")
    sign_in(page, live_server, client, alice)
    page.goto(live_server.url + "/reminders/")

    page.get_by_role("button", name="Turn on notifications on this device").click()

    expect(page.get_by_text("Devices that get notifications")).to_be_visible()
    device = PushSubscription.objects.get()
    assert device.patient == alice and device.endpoint.endswith("/this-browser")
    assert ReminderPreference.objects.get(patient=alice).push_ready


def test_the_worker_and_manifest_load_under_the_real_content_security_policy(
    browser, live_server, client, alice
):
    """The other browser tests bypass the CSP (to inject axe); this one keeps it."""
    context = browser.new_context(bypass_csp=False)
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message: refused.append(message.text) if "Refused" in message.text else None,
        )
        sign_in(page, live_server, client, alice)
        page.goto(live_server.url + "/reminders/")
        ready = page.evaluate(WORKER_READY)
        manifest = context.new_cdp_session(page).send("Page.getAppManifest")
    finally:
        context.close()

    assert ready is not None and ready["scope"] == live_server.url + "/"
    assert manifest["errors"] == [] and manifest["data"]
    assert refused == []
