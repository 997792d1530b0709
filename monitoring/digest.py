"""What a clinician's daily flag digest says: the flags it lists, first names and links only.

Registered with reminders' message renderer when the app is ready.
"""

from core.messages import first_name, site_link
from reminders.models import Notification

from .models import Flag


def digest_context(row: Notification) -> dict[str, object]:
    flags = (
        Flag.objects.filter(pk__in=row.payload.get("flag_ids", []))
        .select_related("patient__patient_profile")
        .order_by("raised_at", "pk")
    )
    items = [
        {
            "first_name": first_name(flag.patient),
            "kind": flag.get_kind_display(),
            "link": site_link("clinic:patient_detail", flag.patient_id),
        }
        for flag in flags
    ]
    return {"flags": items, "count": len(items), "link": site_link("clinic:patients")}
