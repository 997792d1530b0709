"""What every transport is: `send(message) -> provider id`, failing only with TransportError.

A permanent error (the address or number will never work) turns the channel off; others retry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    """One message as a transport takes it. `key` is its idempotency key (the email's
    Message-ID, the SMS file's name, a phone notification's tag); `subject` is for email
    only. A phone notification goes to every device of the patient whose id is `to`, as the
    JSON `data`, kept by the push service for `ttl` seconds while a device is offline."""

    to: str
    body: str
    key: str
    subject: str = ""
    data: str = ""
    ttl: int = 0


class TransportError(Exception):
    """`permanent`: this address or number will never work. `outage`: the provider itself did
    not answer (refused, timed out, a server error), so every message would fail alike."""

    def __init__(self, message: str, *, permanent: bool = False, outage: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.outage = outage and not permanent


class Transport(ABC):
    """One way a message leaves: email, a text message backend, web push."""

    @abstractmethod
    def send(self, message: Outgoing) -> str:
        """Send `message`; the provider's id for it. Any failure is a TransportError."""
