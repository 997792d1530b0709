"""What the app's ready() connects for ampoule stock: the injection log's news draws it down,
its two reminder kinds render here, and the stock sweep's task is known to the workers."""

from reminders.messages import register_context
from reminders.models import Kind
from schedules.signals import injection_changed

from . import tasks  # noqa: F401  (imported for its task: autodiscovery reads only tasks.py)
from .alerts import refill_context, stock_expiry_context
from .drawdown import injection_changed_received


def connect() -> None:
    injection_changed.connect(injection_changed_received, dispatch_uid="reminders.stock")
    register_context(Kind.REFILL, refill_context)
    register_context(Kind.STOCK_EXPIRY, stock_expiry_context)
