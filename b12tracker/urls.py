"""URL map: one include per app, the home page, the admin, the liveness and readiness
probes, the icon browsers ask for, and the installable app's manifest, service worker and
offline page (at the root, so that the worker's scope is the whole site)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path

from core.views import healthz, readyz

from .pwa import manifest, offline, service_worker
from .views import home


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers and bookmarks ask for /favicon.ico whatever the page links; the icon is
    a static file (temporary redirect: its hashed name changes with it)."""
    return HttpResponseRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("me/", include("schedules.urls")),
    path("me/", include("monitoring.urls")),
    path("clinic/", include("clinic.urls")),
    path("care/", include("carers.urls")),
    path("", include("interop.urls")),
    path("", include("api.urls")),
    path("", include("reminders.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", favicon, name="favicon"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path("offline/", offline, name="offline"),
]
