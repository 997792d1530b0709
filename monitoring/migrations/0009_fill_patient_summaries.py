"""Fill the clinicians' patient summaries for the patients an existing database already has.

The summaries are computed by the same code that keeps them current (monitoring.summary_sync),
not by historical models: what they hold is derived data, and a database with no patients
(every new one) skips the work and never runs that code."""

from django.db import migrations


def fill(apps, schema_editor):
    users = apps.get_model("accounts", "User")
    if not users.objects.filter(role="patient").exists():
        return
    from monitoring.summary_sync import summaries_rebuild

    summaries_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0008_patient_summary"),
        ("schedules", "0006_appointment"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
