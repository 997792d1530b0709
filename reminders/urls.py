"""Reminder URLs: staff operations under ops/, the patient's reminder pages under reminders/."""

from django.urls import path

from . import booking_views, push_views, views
from .answers import views as answer_views
from .stock import views as stock_views

app_name = "reminders"
urlpatterns = [
    path("ops/status/", views.system_status, name="status"),
    path("ops/health", views.ops_health, name="health"),
    path("ops/outbox/failed/", views.failed, name="failed"),
    path("ops/outbox/failed/retry/", views.retry_selected, name="retry_selected"),
    path("ops/outbox/failed/retry-after/", views.retry_after, name="retry_after"),
    path("reminders/", views.preferences, name="preferences"),
    path("reminders/sms/code/", views.sms_send_code, name="sms_send_code"),
    path("reminders/sms/verify/", views.sms_check_code, name="sms_check_code"),
    path("reminders/sms/off/", views.sms_off, name="sms_off"),
    path("reminders/sms/inbound/", views.sms_inbound, name="sms_inbound"),
    path("reminders/push/subscribe/", push_views.push_subscribe, name="push_subscribe"),
    path("reminders/push/unsubscribe/", push_views.push_unsubscribe, name="push_unsubscribe"),
    path(
        "reminders/push/devices/<int:subscription_id>/remove/",
        push_views.push_device_remove,
        name="push_device_remove",
    ),
    path("reminders/notices/<int:notice_id>/dismiss/", views.notice_dismiss, name="notice_dismiss"),
    path("me/stock/", stock_views.stock, name="stock"),
    path("me/stock/settings/", stock_views.stock_settings, name="stock_settings"),
    path("me/stock/<int:batch_id>/", stock_views.stock_batch, name="stock_batch"),
    path("me/stock/<int:batch_id>/adjust/", stock_views.stock_adjust, name="stock_adjust"),
    path("me/stock/<int:batch_id>/discard/", stock_views.stock_discard, name="stock_discard"),
    path("answer/taken/<str:token>/", answer_views.answer_taken, name="answer_taken"),
    path("answer/later/<str:token>/", answer_views.answer_later, name="answer_later"),
    path("answer/booked/<str:token>/", booking_views.answer_booked, name="answer_booked"),
]
