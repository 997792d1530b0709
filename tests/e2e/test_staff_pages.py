"""The staff pages in Chromium: the system status page and the failed-reminders list pass axe
at 320 and 1280 px, with failed rows on show and after a refused retry."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reminders.models import Notification

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_page(page: Page, live_server, client, staff, alice):
    now = timezone.now()
    for n in range(3):
        Notification.objects.create(
            recipient=alice,
            kind="missed",
            channel="email",
            dedupe_key=f"e2e-failed-{n}",
            status=Notification.Status.FAILED,
            attempts=5,
            scheduled_for=now - timedelta(hours=n + 1),
            next_attempt_at=now - timedelta(hours=n + 1),
            last_error="550 mailbox unavailable",
            last_error_at=now - timedelta(minutes=10 * n),
            created_at=now - timedelta(hours=n + 1),
        )
    client.force_login(staff, backend="accounts.backends.ProfileBackend")
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    return page


@pytest.mark.parametrize("width", [320, 1280])
def test_status_and_failed_reminders_pass_axe(staff_page: Page, live_server, axe_check, width):
    staff_page.set_viewport_size({"width": width, "height": 800})
    for path in ("/ops/status/", "/ops/outbox/failed/"):
        response = staff_page.goto(live_server.url + path)
        assert response.status == 200, path
        axe_check(staff_page)

    staff_page.get_by_role("button", name="Retry these").click()
    expect(staff_page.locator("#ids-error")).to_contain_text("Tick at least one failed reminder")
    axe_check(staff_page)
