"""Receiver of accounts' `message_requested`: the outbox row, written in the asking
transaction, and a kick that sends it as soon as that transaction commits."""

from __future__ import annotations

from accounts.models import User

from . import services, tasks


def message_requested_received(
    *,
    kind: str,
    recipient: User | None,
    address: str,
    payload: dict[str, object],
    key: str,
    **_: object,
) -> int:
    """Returns the row's id: accounts refuses to commit a change whose message nobody took."""
    row_id = services.account_message_write(
        kind=kind, recipient=recipient, address=address, key=key, payload=payload
    )
    tasks.send_soon([row_id])
    return row_id
