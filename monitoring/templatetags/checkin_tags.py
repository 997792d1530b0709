"""The home page's check-in nudge, `{% checkin_nudge user %}`: a card asking how the patient
feels when a check-in is due by their cadence; monitoring plugs it into schedules' page."""

from __future__ import annotations

from datetime import date

from django import template

from accounts.models import User
from core.clock import local_today
from monitoring.checkins import checkin_nudge as nudge_since

register = template.Library()


@register.inclusion_tag("monitoring/checkin_nudge.html")
def checkin_nudge(user: User) -> dict[str, object]:
    last = nudge_since(patient=user, today=local_today(user))
    return {"due": last is not None, "last": None if last in (None, date.min) else last}
