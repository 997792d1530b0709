"""URL map: one include per app, the home page, and the admin."""

from django.contrib import admin
from django.urls import include, path

from .views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("me/", include("schedules.urls")),
    path("clinic/", include("clinic.urls")),
    path("", include("reminders.urls")),
    path("admin/", admin.site.urls),
]
