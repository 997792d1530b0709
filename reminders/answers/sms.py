"""Text replies through the provider's webhook: STOP turns texts off; DONE and LATER answer
the most recent text reminder sent to that number whose dose is still open.

Several patients may share a number (a parent and their children): when more than one of them
has a reminder that could be answered, a reply cannot say whose it is, so it changes nothing.

The webhook exists only with a real provider, whose signature every request must carry: an
unsigned reply would let anyone log or silence another person's injection. A reply counts
once per provider message id (the answer's nonce).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from core.clock import local_today
from core.messages import site_link
from reminders import services as reminder_services
from reminders.models import Channel, Kind, Notification, ReminderAnswer, ReminderPreference

from . import services
from .tokens import LinkProblem, check_open

# Not "YES": it may answer the day-before reminder, and would log an injection today.
DONE_WORDS = {"DONE", "TAKEN", "HAD IT", "DONE IT"}
LATER_WORDS = {"LATER", "SNOOZE", "REMIND ME LATER"}
ANSWERED_KINDS = (Kind.UPCOMING, Kind.DUE, Kind.NUDGE, Kind.SNOOZED)
RECENT = 10  # the latest text reminders looked at for one that can still be answered


def reply_word(body: str) -> str:
    """ "taken", "later" or "" for a reply's text (case, spaces and a final stop ignored)."""
    words = " ".join(body.upper().replace("'", "").split()).rstrip(".!")
    if words in DONE_WORDS:
        return ReminderAnswer.Action.TAKEN
    if words in LATER_WORDS:
        return ReminderAnswer.Action.LATER
    return ""


def answerable_reminders(number: str) -> list[Notification]:
    """For each patient who verified `number`, the most recent text reminder sent to them whose
    dose is open and its window too (a reminder of a dose not yet in its window is passed over
    for an earlier one that is); patients with none are left out."""
    patients = ReminderPreference.objects.filter(sms_number=number).values_list(
        "patient_id", flat=True
    )
    found = (_answerable_of(patient_id) for patient_id in patients)
    return [row for row in found if row is not None]


def _answerable_of(patient_id: int) -> Notification | None:
    rows = (
        Notification.objects.filter(
            recipient_id=patient_id,
            channel=Channel.SMS,
            status=Notification.Status.SENT,
            kind__in=ANSWERED_KINDS,
            dose__isnull=False,
        )
        .select_related("dose", "recipient__patient_profile")
        .order_by("-sent_at", "-pk")[:RECENT]
    )
    for row in rows:
        assert row.dose is not None and row.recipient is not None
        try:
            check_open(row.dose, row.recipient)
        except LinkProblem:
            continue
        if row.dose.earliest <= local_today(row.recipient):
            return row
    return None


def sms_answer(*, number: str, action: str, sid: str) -> str:
    """Answer by text; the reply to send back, whatever happened."""
    earlier = ReminderAnswer.objects.filter(nonce=f"sms-{sid}").first()
    if earlier is not None:
        return earlier.outcome or "That reply was already counted."
    if not ReminderPreference.objects.filter(sms_number=number).exists():
        return "We could not match this number to text reminders, so nothing was logged."
    rows = answerable_reminders(number)
    if len(rows) > 1:
        return (
            "Several people get reminders at this number, so we cannot tell whose injection "
            "this is and nothing was changed. Use the link in an email reminder, or log it "
            "here: " + site_link("schedules:injection_log")
        )
    row = rows[0] if rows else None
    if row is None or row.dose is None or row.recipient is None:
        return (
            "There is no injection waiting for an answer. If you had one, log it here: "
            + site_link("schedules:injection_log")
        )
    asked = services.Asked(
        patient=row.recipient,
        dose_id=row.dose.pk,
        notification_id=row.pk,
        nonce=f"sms-{sid}",
        via=ReminderAnswer.Via.SMS,
    )
    try:
        if action == ReminderAnswer.Action.TAKEN:
            return services.taken_answer(asked=asked).outcome
        return services.snooze_answer(asked=asked).outcome
    except LinkProblem as problem:
        return problem.message
    except ValidationError as error:
        return " ".join(error.messages) + " Nothing was logged."


def _signature_ok(request: HttpRequest) -> bool:
    """Twilio signs the URL it called and the form fields with the account's auth token."""
    token = settings.TWILIO_AUTH_TOKEN
    if not token:
        return False
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(token)
    params = request.POST.dict()
    urls = {request.build_absolute_uri(), settings.SITE_URL + request.get_full_path()}
    return any(validator.validate(url, params, signature) for url in urls)


def _twiml(text: str) -> HttpResponse:
    message = f"<Message>{escape('B12 Tracker: ' + text)}</Message>" if text else ""
    body = f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>'
    return HttpResponse(body, content_type="text/xml")


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """The provider's webhook for replies: STOP (and its synonyms) turns texts off; DONE and
    LATER answer the latest text reminder; anything else gets no reply."""
    if settings.SMS_BACKEND != "twilio":
        raise Http404
    if not _signature_ok(request):
        return HttpResponseForbidden("Bad signature")
    number = request.POST.get("From", "").strip()
    body = request.POST.get("Body", "")
    sid = request.POST.get("MessageSid", "").strip()
    if number and reminder_services.is_stop_word(body):
        reminder_services.sms_stop_received(number=number)
        return _twiml("")
    action = reply_word(body)
    if not (number and action):
        return _twiml("")
    if not sid:
        return _twiml("We could not read that reply, so nothing was logged.")
    return _twiml(sms_answer(number=number, action=action, sid=sid[:50]))
