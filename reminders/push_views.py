"""The patient's phone notification endpoints: a device's page script subscribes it or takes
it off (JSON, with the CSRF token in a header), and the reminders page removes any device."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, patient_required

from . import push


def _problem(error: ValidationError, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": " ".join(error.messages)}, status=status)


@require_POST
@patient_required
def push_subscribe(request: AuthedRequest) -> JsonResponse:
    """Body: the browser's PushSubscription as JSON. 201 with the device's id and name."""
    if not push.configured():
        return JsonResponse({"error": "Phone notifications are not set up here."}, status=404)
    try:
        data = push.subscription_parse(request.body)
        sub = push.push_subscribe(
            patient=request.user,
            data=data,
            label=push.device_label(request.headers.get("User-Agent", "")),
            request=request,
        )
    except ValidationError as error:
        return _problem(error)
    return JsonResponse({"id": sub.pk, "label": sub.label}, status=201)


@require_POST
@patient_required
def push_unsubscribe(request: AuthedRequest) -> JsonResponse:
    """Body: {"endpoint": ...} from the device turning its own notifications off."""
    try:
        endpoint = json.loads(request.body or b"{}").get("endpoint", "")
    except (ValueError, AttributeError):
        endpoint = ""
    if not isinstance(endpoint, str) or not endpoint:
        return JsonResponse({"error": "Say which device (its endpoint)."}, status=400)
    removed = push.push_unsubscribe(patient=request.user, endpoint=endpoint, request=request)
    return JsonResponse({"removed": removed})


@require_POST
@patient_required
def push_device_remove(request: AuthedRequest, subscription_id: int) -> HttpResponse:
    """The remove button beside a device on the reminders page; another's device is 404."""
    removed = push.push_unsubscribe(
        patient=request.user, subscription_id=subscription_id, request=request
    )
    if not removed:
        raise Http404
    messages.success(request, "That device no longer gets phone notifications.")
    return redirect(reverse("reminders:preferences") + "#push")
