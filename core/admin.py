"""Admin views for operations staff: sweep ticks, read-only."""

from django.contrib import admin

from .models import SweepTick


@admin.register(SweepTick)
class SweepTickAdmin(admin.ModelAdmin[SweepTick]):
    list_display = ("name", "last_tick_at", "ticks", "last_worker")
    readonly_fields = ("name", "last_tick_at", "ticks", "last_worker")
