"""The stock reminders: "running low" a set number of doses ahead, and a batch that expires
before its planned use; the check after each change, the sweep, and what the messages say.

Each asks prompts for one outbox row per channel, keyed so a shortfall is told once (the key
names the newest batch: the doses of a re-anchored plan are new rows, a new batch is news) and
a batch's expiry once.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef

from accounts.models import User
from core.clock import local_today
from core.messages import first_name, site_link
from reminders.models import Kind, Notification, ReminderPreference, StockBatch
from reminders.prompts import prompt_enqueue, prompt_withdraw
from schedules.models import Prescription

from .selectors import StockForecast, stock_forecast


def refill_key(patient_id: int, newest_batch_id: int) -> str:
    return f"refill:{patient_id}:{newest_batch_id}"


def expiry_key(batch_id: int) -> str:
    return f"stock_expiry:{batch_id}"


def stock_check(
    *, patient: User, now: datetime, pref: ReminderPreference | None = None
) -> list[int]:
    """Ask for, or withdraw, the patient's stock reminders as the forecast now stands; the ids
    of the rows waiting to go (for a kick after the commit)."""
    pref = pref or ReminderPreference.objects.filter(patient=patient).first()
    pref = pref or ReminderPreference(patient=patient)
    forecast = stock_forecast(patient=patient, today=local_today(patient, now=now), pref=pref)
    if not forecast.tracked:
        return []  # a patient who keeps no stock here hears nothing about it
    keys = [*_refill(patient, forecast, pref, now), *_expiry(patient, forecast, now)]
    if not keys:
        return []
    rows = Notification.objects.filter(
        recipient=patient,
        status=Notification.Status.PENDING,
        kind__in=[Kind.REFILL, Kind.STOCK_EXPIRY],
    )
    return [row.pk for row in rows if row.dedupe_key.rsplit(":", 1)[0] in keys]


def _refill(
    patient: User, forecast: StockForecast, pref: ReminderPreference, now: datetime
) -> list[str]:
    runs_out = forecast.runs_out
    if runs_out is None or not forecast.low(pref.refill_doses_ahead):
        waiting = Notification.objects.filter(
            recipient=patient, kind=Kind.REFILL, status=Notification.Status.PENDING
        )
        if waiting.exists():  # on the recipient's index, before a prefix match of keys
            prompt_withdraw(key=f"refill:{patient.pk}", reason="Enough ampoules are in stock.")
        return []
    key = refill_key(patient.pk, forecast.newest_batch_id)
    payload: dict[str, object] = {"runs_out_dose": runs_out.id}
    prompt_enqueue(patient=patient, kind=Kind.REFILL, key=key, at=now, payload=payload)
    return [key]


def _expiry(patient: User, forecast: StockForecast, now: datetime) -> list[str]:
    if not forecast.needed:
        return []
    batches = {waste.batch_id for waste in forecast.wasted}
    batches |= {batch.id for batch in forecast.expiring}
    keys = [expiry_key(batch_id) for batch_id in sorted(batches)]
    for key, batch_id in zip(keys, sorted(batches), strict=True):
        payload: dict[str, object] = {"batch": batch_id}
        prompt_enqueue(patient=patient, kind=Kind.STOCK_EXPIRY, key=key, at=now, payload=payload)
    return keys


def stock_sweep(*, now: datetime) -> int:
    """Check every patient who keeps ampoules here and has an active prescription: the
    forecast moves with the date (a batch nears its use-by date) as well as with each change."""
    active = Prescription.objects.filter(patient=OuterRef("pk"), status=Prescription.Status.ACTIVE)
    stocked = StockBatch.objects.filter(patient=OuterRef("pk"), discarded_at__isnull=True)
    patients = User.objects.filter(Exists(active), Exists(stocked)).select_related(
        "patient_profile", "reminder_preference"
    )
    return sum(
        len(stock_check(patient=patient, now=now, pref=ReminderPreference.of(patient)))
        for patient in patients
    )


# --- what the messages say ----------------------------------------------------------------------


def _base(row: Notification, pref: ReminderPreference) -> dict[str, object]:
    return {
        "name": first_name(row.recipient),
        "detailed": pref.detailed_messages,
        "link": site_link("reminders:stock"),
        "preferences_link": site_link("reminders:stock"),
    }


def refill_context(row: Notification) -> dict[str, object]:
    """Running low: how many injections the ampoules cover, and before when to get more (the
    forecast as it stands when the message goes)."""
    patient = row.account
    pref = ReminderPreference.of(patient)
    forecast = stock_forecast(patient=patient, pref=pref)
    last = forecast.last_covered
    runs_out = forecast.runs_out
    context = _base(row, pref) | {
        "covered": forecast.covered,
        "last_covered": last.due if last else None,
        "runs_out": runs_out.due if runs_out else None,
    }
    if pref.detailed_messages and forecast.prescription is not None:
        context["strength"] = forecast.prescription.strength_mcg_per_ml
    return context


def stock_expiry_context(row: Notification) -> dict[str, object]:
    """A batch expiring before its use: its date, lot, and the ampoules that would be left."""
    patient = row.account
    pref = ReminderPreference.of(patient)
    batch = StockBatch.objects.get(pk=row.payload["batch"], patient=patient)
    forecast = stock_forecast(patient=patient, pref=pref)
    wasted = next((w.ampoules for w in forecast.wasted if w.batch_id == batch.pk), 0)
    return _base(row, pref) | {
        "expiry": batch.expiry,
        "expired": batch.expiry < forecast.today,
        "lot": batch.lot,
        "left": batch.on_hand,
        "wasted": wasted,
        "strength": batch.strength_mcg_per_ml,
    }
