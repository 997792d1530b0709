"""Admin views for operations staff: the outbox, read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ChangeNotice, Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin[Notification]):
    """The outbox as staff see it; rows change only through the sweeps."""

    list_display = (
        "pk",
        "kind",
        "channel",
        "to",
        "status",
        "scheduled_for",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "kind", "channel")
    date_hierarchy = "scheduled_for"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "dose")
    search_fields = ("address", "recipient__email")

    @admin.display(description="To")
    def to(self, row: Notification) -> str:
        """The row's own address (an invited one, a number being checked), else the account's."""
        if row.address:
            return row.address
        return row.recipient.email if row.recipient is not None else ""


@admin.register(ChangeNotice)
class ChangeNoticeAdmin(ReadOnlyAdmin[ChangeNotice]):
    """What patients were told of their clinicians' changes, and whether they dismissed it."""

    list_display = ("pk", "patient", "description", "before", "after", "created_at", "dismissed_at")
    list_select_related = ("patient",)
    raw_id_fields = ("patient", "prescription", "changed_by")
