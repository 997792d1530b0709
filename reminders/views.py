"""Reminder pages: the patient's preferences and SMS verification, the provider's STOP
webhook, and the staff-only system status page and failed-reminders page."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import AuthedRequest, patient_required, staff_required
from core.forms import submitted

from . import push, services, tasks
from .answers.sms import sms_inbound as sms_inbound  # the webhook lives with the answers
from .changes import notice_dismiss as notice_dismiss_service
from .forms import (
    PreferenceForm,
    RetryAfterForm,
    RetrySelectedForm,
    SmsCodeForm,
    SmsNumberForm,
)
from .models import ChangeNotice
from .selectors import channel_problems, failed_page, health, preference_or_defaults


@staff_required
def system_status(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    checks = health(now=now)
    context = {"health": checks, "status": checks.worker, "outbox": checks.outbox, "now": now}
    return render(request, "reminders/status.html", context)


def _failed(request: AuthedRequest, *, status: int = 200, **forms: Form) -> HttpResponse:
    context = {
        "page": failed_page(number=request.GET.get("page")),
        "selected_form": forms.get("selected_form") or RetrySelectedForm(),
        "after_form": forms.get("after_form") or RetryAfterForm(),
    }
    return render(request, "reminders/failed.html", context, status=status)


@require_GET
@staff_required
def failed(request: AuthedRequest) -> HttpResponse:
    return _failed(request)


def _retried(request: AuthedRequest, result: services.RetryResult) -> HttpResponse:
    messages.success(
        request,
        f"Retried {result.retried}; {result.skipped} skipped because their dose window has closed.",
    )
    return redirect("reminders:failed")


@require_POST
@staff_required
def retry_selected(request: AuthedRequest) -> HttpResponse:
    form = RetrySelectedForm(request.POST)
    if form.is_valid():
        ids = form.cleaned_data["ids"]
        result = submitted(
            form, lambda: services.failed_retry(actor=request.user, ids=ids, request=request)
        )
        if result is not None:
            return _retried(request, result)
    return _failed(request, selected_form=form, status=400)


@require_POST
@staff_required
def retry_after(request: AuthedRequest) -> HttpResponse:
    form = RetryAfterForm(request.POST)
    if form.is_valid():
        after = form.cleaned_data["failed_after"]
        result = submitted(
            form,
            lambda: services.failed_retry(actor=request.user, failed_after=after, request=request),
        )
        if result is not None:
            return _retried(request, result)
    return _failed(request, after_form=form, status=400)


def _monitor_may_read(request: HttpRequest) -> bool:
    """Staff, or a monitor holding OPS_HEALTH_TOKEN as a bearer token (when one is set)."""
    token = settings.OPS_HEALTH_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and given:
        return secrets.compare_digest(given.strip().encode(), token.encode())
    user = request.user
    return user.is_authenticated and user.is_active and user.is_staff


@never_cache
@require_GET
def ops_health(request: HttpRequest) -> JsonResponse:
    """The status page's checks as JSON for a monitor: 200 when ok, 503 when degraded, and
    404 (as for every staff page) to anyone who may not read it."""
    if not _monitor_may_read(request):
        raise Http404
    checks = health(now=timezone.now())
    return JsonResponse(checks.as_json(), status=200 if checks.ok else 503)


def _page(request: AuthedRequest, *, status: int = 200, **forms: Form) -> HttpResponse:
    pref = preference_or_defaults(patient=request.user)
    profile = request.user.patient_profile
    context = {
        "pref": pref,
        "form": forms.get("form")
        or PreferenceForm(
            initial={
                **model_to_dict(pref, fields=services.PREFERENCE_FIELDS),
                "reminder_time": profile.reminder_time,
            },
            sms_available=bool(pref.sms_number),
        ),
        "number_form": forms.get("number_form")
        or SmsNumberForm(
            initial={"mobile": pref.sms_pending_number or profile.mobile},
            time_zone=profile.time_zone,
        ),
        "code_form": forms.get("code_form") or SmsCodeForm(),
        "problems": channel_problems(patient=request.user),
        "time_zone": profile.time_zone,
        # Replies reach the app only through the provider's webhook (sms_inbound).
        "stop_replies": settings.SMS_BACKEND == "twilio",
        "push": push.push_page(patient=request.user),
    }
    return render(request, "reminders/preferences.html", context, status=status)


@patient_required
def preferences(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    pref = preference_or_defaults(patient=request.user)
    form = PreferenceForm(request.POST, sms_available=bool(pref.sms_number))
    if form.is_valid():
        saved = submitted(
            form,
            lambda: services.preference_update(
                patient=request.user, values=form.cleaned_data, request=request
            ),
        )
        if saved is not None:
            messages.success(request, "Your reminder settings are saved.")
            return redirect("reminders:preferences")
    return _page(request, form=form, status=400)


@require_POST
@patient_required
def sms_send_code(request: AuthedRequest) -> HttpResponse:
    form = SmsNumberForm(request.POST, time_zone=request.user.patient_profile.time_zone)
    if form.is_valid():
        number = form.cleaned_data["mobile"]
        pref = submitted(
            form,
            lambda: services.sms_verification_start(
                patient=request.user, number=number, request=request
            ),
        )
        if pref is not None:
            tasks.send_soon(services.sms_code_row_ids(patient=request.user))
            messages.success(
                request, f"We are texting a code to {number}. It can take a minute to arrive."
            )
            return redirect(reverse("reminders:preferences") + "#sms")
    return _page(request, number_form=form, status=400)


@require_POST
@patient_required
def sms_check_code(request: AuthedRequest) -> HttpResponse:
    form = SmsCodeForm(request.POST)
    if form.is_valid():
        pref = submitted(
            form,
            lambda: services.sms_verification_check(
                patient=request.user, code=form.cleaned_data["code"], request=request
            ),
        )
        if pref is not None:
            messages.success(request, f"{pref.sms_number} is confirmed. Text reminders are now on.")
            return redirect(reverse("reminders:preferences") + "#sms")
    return _page(request, code_form=form, status=400)


@require_POST
@patient_required
def sms_off(request: AuthedRequest) -> HttpResponse:
    services.sms_turn_off(patient=request.user, request=request)
    messages.success(request, "Text reminders are off. Email reminders carry on if they are on.")
    return redirect(reverse("reminders:preferences") + "#sms")


# --- the patient's notices of a clinician's changes ---------------------------------------------


@require_POST
@patient_required
def notice_dismiss(request: AuthedRequest, notice_id: int) -> HttpResponse:
    """Take a change notice off the home page; another patient's notice is not found."""
    if not ChangeNotice.objects.filter(pk=notice_id, patient=request.user).exists():
        raise Http404
    notice_dismiss_service(patient=request.user, notice_id=notice_id, request=request)
    return redirect("home")
