"""The installable web app: the manifest, the service worker (served at the site root so that
its scope is the whole site), the offline page, and the middleware that keeps the worker's
copy of the home page to the person who saw it.

The worker keeps the home page for offline use only while every page it fetches carries the
same `X-Offline-Owner`, and for no longer than a session lasts (SESSION_COOKIE_AGE, passed in
its settings); log-out clears the browser's caches and storage outright.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.models import Role

THEME = "#0b5d63"
BACKGROUND = "#ffffff"
ICONS = (("icons/icon-192.png", 192), ("icons/icon-512.png", 512))
# What the worker keeps from install on, so that the offline page and the last-seen home
# page render without a network: our own styles, scripts and icons.
PRECACHE_STATIC = (
    "css/app.css",
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "js/js-enabled.js",
    "js/pwa.js",
    "img/favicon.svg",
    *(path for path, _size in ICONS),
)


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
        for path, size in ICONS
        for purpose in ("any", "maskable")
    ]
    data = {
        "id": "/",
        "name": "B12 Tracker",
        "short_name": "B12",
        "description": "Your vitamin B12 injection schedule and reminders.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": icons,
    }
    response = JsonResponse(data)
    response["Content-Type"] = "application/manifest+json"
    return response


@lru_cache(maxsize=1)
def _worker_source() -> str:
    found = finders.find("js/sw.js")
    if not found:
        raise FileNotFoundError("static/js/sw.js")
    return Path(str(found)).read_text(encoding="utf-8")


def worker_config() -> dict[str, object]:
    precache = [reverse("offline"), *(static(path) for path in PRECACHE_STATIC)]
    digest = hashlib.sha256(json.dumps(precache).encode() + _worker_source().encode())
    return {
        "version": digest.hexdigest()[:12],
        "offline": reverse("offline"),
        "home": reverse("home"),
        "precache": precache,
        # No session outlives this from the home page's fetch, so neither does its copy.
        "keepSeconds": settings.SESSION_COOKIE_AGE,
    }


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker's script with its settings in front: the precache list carries the hashed
    static names, and a new version of any of them changes the script, so browsers update."""
    body = f"self.B12 = {json.dumps(worker_config())};\n{_worker_source()}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it cannot fetch: the same for everyone."""
    return render(request, "offline.html", {"theme": THEME})


def owner_tag(user_id: int) -> str:
    """An opaque tag for who a page was made for (no id in clear in the worker's cache)."""
    return salted_hmac("b12tracker.pwa.owner", str(user_id)).hexdigest()[:24]


class OfflineCacheMiddleware:
    """Tags each patient's page with its viewer for the service worker, and makes log-out clear the
    browser's caches and storage (the worker and its copy of the home page with them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a patient's home page is kept for offline use: a clinician's lists patients.
        user = getattr(request, "user", None)
        patient = user is not None and user.is_authenticated and user.role == Role.PATIENT
        before = user.pk if patient and user is not None else None
        response = self.get_response(request)
        if request.method == "POST" and request.path_info == reverse("accounts:logout"):
            response["Clear-Site-Data"] = '"cache", "storage"'
        elif before is not None and response.get("Content-Type", "").startswith("text/html"):
            response["X-Offline-Owner"] = owner_tag(before)
        return response
