"""Shared steps of the browser tests."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page


def sign_in(page: Page, live_server, client, user) -> Page:
    """Log `user` in through the test client and hand the session cookie to the browser. The
    session has passed the second step too (tests/conftest.py wraps force_login)."""
    client.force_login(user, backend="accounts.backends.ProfileBackend")
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    return page


def app_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def app_of(user) -> TOTPDevice:
    """The person's authenticator app, made for them if they have none (before the password,
    so that the second step asks for its code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return device


def pass_second_step(page: Page, device: TOTPDevice) -> None:
    """On the second step after the password: type the app's code, as from the phone."""
    page.locator("#id_code").fill(app_code(device))
    page.get_by_role("button", name="Confirm").click()
