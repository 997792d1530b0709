"""What every transport is: `send(message) -> provider id`, failing only with TransportError.

A permanent error (the address or number will never work) turns the channel off; others retry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    """One message as a transport takes it. `key` is its idempotency key (the email's
    Message-ID, the SMS file's name); `subject` is for email only."""

    to: str
    body: str
    key: str
    subject: str = ""


class TransportError(Exception):
    """`permanent`: this address or number will never work. `outage`: the provider itself did
    not answer (refused, timed out, a server error), so every message would fail alike."""

    def __init__(self, message: str, *, permanent: bool = False, outage: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.outage = outage and not permanent


class Transport(ABC):
    """One way a message leaves: email, a text message backend (later perhaps web push)."""

    @abstractmethod
    def send(self, message: Outgoing) -> str:
        """Send `message`; the provider's id for it. Any failure is a TransportError."""
