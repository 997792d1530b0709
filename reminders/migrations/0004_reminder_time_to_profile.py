"""The day-of reminder time lives on the patient's profile only: each preference's `due_time`
is copied there first (the preference was the later writer when the two differed)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import OuterRef, Subquery


def preference_time_to_profile(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    preference = apps.get_model("reminders", "ReminderPreference")
    profile = apps.get_model("accounts", "PatientProfile")
    saved = preference.objects.filter(patient_id=OuterRef("user_id")).values("due_time")[:1]
    profile.objects.filter(user__reminder_preference__isnull=False).update(
        reminder_time=Subquery(saved)
    )


def profile_time_to_preference(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    preference = apps.get_model("reminders", "ReminderPreference")
    profile = apps.get_model("accounts", "PatientProfile")
    saved = profile.objects.filter(user_id=OuterRef("patient_id")).values("reminder_time")[:1]
    preference.objects.filter(patient__patient_profile__isnull=False).update(
        due_time=Subquery(saved)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_protect_users"),
        ("reminders", "0003_move_sweeptick_to_core"),
    ]

    operations = [migrations.RunPython(preference_time_to_profile, profile_time_to_preference)]
