"""Signed links that let a reminder be answered without a password, for that one action only.

A token names an outbox row and an action ("taken", "later", "booked"), signed with the site's
secret and a salt of its own. It holds no expiry of its own: a link lasts while the row's dose
is open and its window has not closed in the patient's home zone. Each link counts once: the
answer it makes is stored with the nonce `n{row.pk}-{action}` (unique), so a second use finds
it and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core import signing

from accounts.models import User
from core.clock import local_today
from core.messages import site_link
from reminders.models import Kind, Notification, ReminderAnswer
from schedules.models import Dose

SALT = "reminders.answers.link"
SEP = "."
SIGNATURE_CHARS = 22
ACTIONS = tuple(ReminderAnswer.Action.values)

# The answer links each kind of reminder carries, by action (a snoozed reminder offers "I've
# had it" only: a dose is put off once). A token is good only for an action its row's kind
# offers.
LINK_ACTIONS: dict[str, tuple[str, ...]] = {
    Kind.UPCOMING: ("taken", "later"),
    Kind.DUE: ("taken", "later"),
    Kind.NUDGE: ("taken", "later"),
    Kind.SNOOZED: ("taken",),
    Kind.BOOKING: ("booked",),
}

# The URL name of each action's page; "booked" is served by the booking answer page.
URL_NAMES = {action: f"reminders:answer_{action}" for action in ACTIONS}


class LinkProblem(Exception):
    """Why a link cannot be used: `reason_code` for code, `message` for the person."""

    TAMPERED = "tampered"
    WRONG_ACTION = "wrong_action"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    CLOSED = "closed"
    USED = "used"
    SNOOZED = "snoozed"
    NO_REMINDER = "no_reminder"  # "later" could not come before the window closes

    def __init__(self, reason_code: str, message: str, *, answer: ReminderAnswer | None = None):
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message
        self.answer = answer  # the earlier answer, when the link was used already


@dataclass(frozen=True)
class Answerable:
    row: Notification
    dose: Dose
    patient: User
    nonce: str
    action: str


def nonce_for(row_id: int, action: str) -> str:
    return f"n{row_id}-{action}"


class _ShortSigner(signing.Signer):
    """HMAC-SHA256 cut to its first 128 bits (22 characters), so a link fits in a text."""

    def signature(self, value: str | bytes, key: str | bytes | None = None) -> str:
        return super().signature(value, key)[:SIGNATURE_CHARS]


def _signer() -> signing.Signer:
    return _ShortSigner(salt=SALT, sep=SEP)


def sign(row: Notification, action: str) -> str:
    """A URL-safe token for answering `row` with `action`."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown answer action {action!r}.")
    return _signer().sign(f"{row.pk}-{action}")


def link(row: Notification, action: str) -> str:
    """The absolute address of the page that answers `row` with `action`."""
    return site_link(URL_NAMES[action], sign(row, action))


def _unsign(token: str) -> tuple[int, str]:
    try:
        value = _signer().unsign(token)
        row_id, action = value.split("-", 1)
        return int(row_id), action
    except (signing.BadSignature, ValueError) as exc:
        raise LinkProblem(
            LinkProblem.TAMPERED,
            "This link is not valid: it may have been cut short or changed. "
            "Open the reminder again, or log your injection on the Log injection page.",
        ) from exc


def _when(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def check_open(dose: Dose, patient: User) -> None:
    """Raise LinkProblem when the dose can no longer be answered: settled, or window closed."""
    if dose.injection_id is not None:
        raise LinkProblem(
            LinkProblem.CLOSED, "This injection is already logged: there is nothing to do."
        )
    if dose.status in (Dose.Status.CANCELLED, Dose.Status.MISSED) or (
        local_today(patient) > dose.latest
    ):
        if dose.status == Dose.Status.CANCELLED:
            raise LinkProblem(
                LinkProblem.CLOSED,
                "This dose is no longer in your schedule, so the link does nothing now.",
            )
        raise LinkProblem(
            LinkProblem.EXPIRED,
            f"This link has expired: the window for this injection closed on "
            f"{_when(dose.latest)}. If you had it, log it on the Log injection page.",
        )


def _wrong_action() -> LinkProblem:
    return LinkProblem(
        LinkProblem.WRONG_ACTION,
        "This link is for another answer. Open the reminder again and tap the button you mean.",
    )


def read(token: str, action: str) -> Answerable:
    """What a token answers, if it still may: raises LinkProblem when it was tampered with, is
    for another action or one its reminder does not offer, names no dose reminder, was used
    already, or its dose is settled or its window closed in the patient's home zone."""
    row_id, signed_action = _unsign(token)
    if signed_action != action:
        raise _wrong_action()
    row = (
        Notification.objects.select_related(
            "recipient__patient_profile", "dose__prescription", "dose__injection"
        )
        .filter(pk=row_id)
        .first()
    )
    if row is None or row.dose is None or row.recipient is None:
        raise LinkProblem(
            LinkProblem.UNKNOWN,
            "This link points to a reminder we no longer have. "
            "If you had your injection, log it on the Log injection page.",
        )
    if action not in LINK_ACTIONS.get(row.kind, ()):
        raise _wrong_action()
    nonce = nonce_for(row.pk, action)
    earlier = ReminderAnswer.objects.filter(nonce=nonce).first()
    if earlier is not None:
        raise LinkProblem(
            LinkProblem.USED,
            earlier.outcome or "You already answered this reminder: nothing more to do.",
            answer=earlier,
        )
    check_open(row.dose, row.recipient)
    return Answerable(row=row, dose=row.dose, patient=row.recipient, nonce=nonce, action=action)
