"""Reminder rows: each patient's reminder preferences, the outbox and the notices of changes
(outbox.py); phone notification devices, answers to reminders and the ampoule stock
(devices_answers_stock.py)."""

from .devices_answers_stock import (
    PushSubscription,
    ReminderAnswer,
    StockBatch,
    StockMovement,
)
from .outbox import (
    ACCOUNT_KINDS,
    DOSE_REMINDER_KINDS,
    ChangeNotice,
    Channel,
    Kind,
    Notification,
    ReminderPreference,
)

__all__ = [
    "ACCOUNT_KINDS",
    "DOSE_REMINDER_KINDS",
    "ChangeNotice",
    "Channel",
    "Kind",
    "Notification",
    "PushSubscription",
    "ReminderAnswer",
    "ReminderPreference",
    "StockBatch",
    "StockMovement",
]
