"""Admin views for operations staff: sweep ticks, read-only; and the base of every read-only
admin (the audit log, the outbox)."""

from typing import TypeVar

from django.contrib import admin
from django.db.models import Model

from .models import SweepTick

_M = TypeVar("_M", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """Staff look; only the app's own code adds, changes or deletes these rows."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SweepTick)
class SweepTickAdmin(ReadOnlyAdmin[SweepTick]):
    list_display = ("name", "last_tick_at", "ticks", "last_worker")
    readonly_fields = ("name", "last_tick_at", "ticks", "last_worker")
