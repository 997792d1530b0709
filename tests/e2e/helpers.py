"""Shared steps of the browser tests."""

from playwright.sync_api import Page


def sign_in(page: Page, live_server, client, user) -> Page:
    """Log `user` in through the test client and hand the session cookie to the browser."""
    client.force_login(user, backend="accounts.backends.ProfileBackend")
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    return page
