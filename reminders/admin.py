"""Admin views for operations staff: the outbox, read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin[Notification]):
    """The outbox as staff see it; rows change only through the sweeps."""

    list_display = ("pk", "kind", "channel", "status", "scheduled_for", "attempts", "sent_at")
    list_filter = ("status", "kind", "channel")
    date_hierarchy = "scheduled_for"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "dose")
