"""The one way accounts asks for a message (an invitation, a sign-up link, a password reset):
a signal the outbox's owner answers by writing a row in the caller's transaction.

Accounts sits below reminders and never imports it; the message's link or code is made when
the row is sent, so nothing secret is in the request."""

from django.db import transaction

from .models import User
from .signals import message_requested

KEY_LENGTH = 120
# The kinds accounts asks for; the outbox names them alike.
INVITATION = "invitation"
SIGNUP_LINK = "signup_link"
SIGNUP_EXISTS = "signup_exists"
PASSWORD_RESET = "password_reset"  # noqa: S105 (a message kind, not a secret)


class MessageNotQueued(RuntimeError):
    """No receiver took the request: the message would vanish, so the change must not commit."""


def message_request(
    *,
    kind: str,
    key: str,
    payload: dict[str, object],
    recipient: User | None = None,
    address: str = "",
) -> int:
    """Ask for one message of `kind` in the current transaction; the id of its outbox row.
    `key` names the message (asking twice with it is harmless); `payload` holds ids only."""
    if len(key) > KEY_LENGTH:
        raise ValueError(f"A message key is at most {KEY_LENGTH} characters: {key!r}")
    if recipient is None and not address:
        raise ValueError("A message needs a recipient account or an address.")
    with transaction.atomic():
        answers = message_requested.send(
            sender=User,
            kind=kind,
            recipient=recipient,
            address=address,
            payload=payload,
            key=key,
        )
        # django-stubs types a receiver's answer as str | None; ours answer a row id.
        ids: list[object] = [row_id for _receiver, row_id in answers]
        taken = [row_id for row_id in ids if isinstance(row_id, int)]
        if not taken:
            raise MessageNotQueued(f"Nothing took the request for a {kind} message ({key}).")
    return taken[0]
