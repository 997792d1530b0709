"""The calendar page under /me/calendar/ (make, rotate, stop the feed; its settings) and the
feed itself at /calendar/<token>.ics, opened by its secret alone, with no session."""

from __future__ import annotations

from datetime import UTC, date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.access import AuthedRequest, patient_required
from core.cache import remember
from core.clock import local_today
from core.forms import submitted

from . import selectors, services
from .calendar import feed_calendar
from .forms import CalendarSettingsForm
from .models import CalendarFeed
from .tokens import feed_url, webcal_url


def _page(
    request: AuthedRequest,
    *,
    status: int = 200,
    form: CalendarSettingsForm | None = None,
    token: str | None = None,
) -> HttpResponse:
    """The page; with `token` (just made, in the answer to the POST that made it) it shows
    the new address, which is kept nowhere: not in the session, not in the browser's cache."""
    feed = selectors.feed_for(patient=request.user)
    active = feed is not None and feed.active
    initial = {"detail_level": feed.detail_level, "alarm": feed.alarm} if feed else None
    context = {
        "feed": feed,
        "active": active,
        "form": form or CalendarSettingsForm(initial=initial),
        "url": feed_url(token) if token and active else None,
        "webcal": webcal_url(token) if token and active else None,
        "reminder_time": request.user.patient_profile.reminder_time,
    }
    return render(request, "interop/calendar.html", context, status=status)


@never_cache
@require_GET
@patient_required
def calendar_page(request: AuthedRequest) -> HttpResponse:
    return _page(request)


def _new_address(request: AuthedRequest, token: str, text: str) -> HttpResponse:
    """The page with the new address, as the answer to the POST itself (no redirect, so the
    token never waits in the session for the next page)."""
    messages.success(request, text)
    return _page(request, token=token)


@never_cache
@require_POST
@patient_required
def calendar_create(request: AuthedRequest) -> HttpResponse:
    form = CalendarSettingsForm(request.POST)
    if form.is_valid():
        made = submitted(
            form,
            lambda: services.feed_create(
                patient=request.user,
                detail_level=form.cleaned_data["detail_level"],
                alarm=form.cleaned_data["alarm"],
                request=request,
            ),
        )
        if made is not None:
            return _new_address(
                request, made[1], "Your calendar feed is on. Subscribe to the address below."
            )
    return _page(request, form=form, status=400)


@require_POST
@patient_required
def calendar_settings(request: AuthedRequest) -> HttpResponse:
    form = CalendarSettingsForm(request.POST)
    if form.is_valid():
        saved = submitted(
            form,
            lambda: services.feed_settings_update(
                patient=request.user,
                detail_level=form.cleaned_data["detail_level"],
                alarm=form.cleaned_data["alarm"],
                request=request,
            ),
        )
        if saved is not None:
            messages.success(
                request, "Saved. Subscribed calendars show the change when they next refresh."
            )
            return redirect("interop:calendar")
    return _page(request, form=form, status=400)


def _refused(request: AuthedRequest) -> HttpResponse:
    messages.error(request, services.NO_FEED)
    return redirect("interop:calendar")


@never_cache
@require_POST
@patient_required
def calendar_rotate(request: AuthedRequest) -> HttpResponse:
    try:
        _, token = services.feed_rotate(patient=request.user, request=request)
    except ValidationError:
        return _refused(request)
    return _new_address(
        request,
        token,
        "Here is your new address. The old one no longer works: subscribe again with this one.",
    )


@require_POST
@patient_required
def calendar_revoke(request: AuthedRequest) -> HttpResponse:
    try:
        services.feed_revoke(patient=request.user, request=request)
    except ValidationError:
        return _refused(request)
    messages.success(
        request,
        "Your calendar feed is off. Remove the subscription from your calendar app to clear "
        "the injections it still shows.",
    )
    return redirect("interop:calendar")


def _calendar(feed: CalendarFeed, today: date) -> bytes:
    events = selectors.feed_events(feed=feed, today=today)
    reminder = feed.patient.patient_profile.reminder_time
    return feed_calendar(feed=feed, events=events, reminder=reminder)


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed: 404 for a wrong, old or stopped token; 304 when the calendar has it already."""
    found = selectors.feed_by_token(token=token)
    if found is None:
        raise Http404
    today = local_today(found.patient)
    etag = quote_etag(selectors.feed_etag(feed=found, today=today))
    modified = found.changed_at.astimezone(UTC).timestamp()
    response = get_conditional_response(request, etag=etag, last_modified=int(modified))
    if response is None:
        # Clients that never revalidate (many poll with plain GETs) get the text made for this
        # ETag, which names everything the text depends on.
        body = remember(("calendar-feed", etag), lambda: _calendar(found, today))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="injections.ics"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
