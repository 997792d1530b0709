"""The stock reminders: "running low" a set number of doses ahead, and a batch that expires
before its planned use; the check after each change, the sweep, and what the messages say.

Each asks prompts for one outbox row per channel, keyed so a shortfall is told once (the key
names the newest batch: the doses of a re-anchored plan are new rows, a new batch is news) and
a batch's expiry once. A reminder withdrawn before it went (the stock was enough again, the
batch counted to 0) ends its episode: the next shortfall or expiry under the same batch is a
new episode, keyed with its number, so it is told again.
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
    """The base of the refill keys under the newest batch (and the key of its first episode)."""
    return f"refill:{patient_id}:{newest_batch_id}"


def expiry_key(batch_id: int) -> str:
    """The base of a batch's expiry keys (and the key of its first episode)."""
    return f"stock_expiry:{batch_id}"


def episode_key(base: str, episode: int) -> str:
    return base if episode == 1 else f"{base}:{episode}"


def current_keys(patient: User, kind: str, bases: list[str]) -> dict[str, str]:
    """For each base, the key of its current episode: the latest one asked for, unless every
    row of it was cancelled (withdrawn before it went), then the next. One query."""
    rows = Notification.objects.filter(recipient=patient, kind=kind).values_list(
        "dedupe_key", "status"
    )
    latest: dict[str, tuple[int, bool]] = {}  # base: (episode, every row cancelled)
    for dedupe_key, status in rows:
        found = _episode_of(dedupe_key, bases)
        if found is None:
            continue
        base, episode = found
        cancelled = status == Notification.Status.CANCELLED
        held = latest.get(base)
        if held is None or episode > held[0]:
            latest[base] = (episode, cancelled)
        elif episode == held[0]:
            latest[base] = (episode, held[1] and cancelled)
    keys = {}
    for base in bases:
        episode, withdrawn = latest.get(base, (0, True))
        keys[base] = episode_key(base, episode + 1 if withdrawn else episode)
    return keys


def _episode_of(dedupe_key: str, bases: list[str]) -> tuple[str, int] | None:
    """The base and episode of a row's key (`<base>:<channel>` or `<base>:<n>:<channel>`)."""
    base = dedupe_key.rpartition(":")[0]  # the channel off
    if base in bases:
        return base, 1
    base, _, number = base.rpartition(":")
    if base in bases and number.isdigit():
        return base, int(number)
    return None


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
    base = refill_key(patient.pk, forecast.newest_batch_id)
    key = current_keys(patient, Kind.REFILL, [base])[base]
    payload: dict[str, object] = {"runs_out_dose": runs_out.id}
    prompt_enqueue(patient=patient, kind=Kind.REFILL, key=key, at=now, payload=payload)
    return [key]


def _expiry(patient: User, forecast: StockForecast, now: datetime) -> list[str]:
    if not forecast.needed:
        return []
    batches = {waste.batch_id for waste in forecast.wasted}
    batches |= {batch.id for batch in forecast.expiring}
    bases = [expiry_key(batch_id) for batch_id in sorted(batches)]
    current = current_keys(patient, Kind.STOCK_EXPIRY, bases) if bases else {}
    keys = [current[base] for base in bases]
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
