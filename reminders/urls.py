from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [path("status/", views.system_status, name="status")]
