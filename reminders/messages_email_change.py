"""Placeholder: this module's account messages are registered here in this change."""

from accounts import reauth


def register() -> None:
    # accounts has no start-up hook of its own for its log-in receivers; reminders' ready()
    # calls this at start-up, so every log-in is stamped from the first request on.
    reauth.connect()
