"""URL map: one include per app, the home page, the admin, and the liveness and readiness
probes."""

from django.contrib import admin
from django.urls import include, path

from core.views import healthz, readyz

from .views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("me/", include("schedules.urls")),
    path("clinic/", include("clinic.urls")),
    path("", include("reminders.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
