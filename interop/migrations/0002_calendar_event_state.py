from django.db import migrations, models


def cancelled_to_state(apps, schema_editor):
    """A cancelled event keeps saying so; the others start as planned, and the next re-plan
    of each prescription marks the given and missed ones (raising their SEQUENCE once)."""
    CalendarEvent = apps.get_model("interop", "CalendarEvent")
    CalendarEvent.objects.filter(cancelled=True).update(state="cancelled")


def state_to_cancelled(apps, schema_editor):
    CalendarEvent = apps.get_model("interop", "CalendarEvent")
    CalendarEvent.objects.filter(state="cancelled").update(cancelled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("interop", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarevent",
            name="state",
            field=models.CharField(
                choices=[
                    ("planned", "Planned"),
                    ("done", "Done"),
                    ("missed", "Missed"),
                    ("cancelled", "Cancelled"),
                ],
                default="planned",
                max_length=10,
            ),
        ),
        migrations.RunPython(cancelled_to_state, state_to_cancelled),
        migrations.RemoveField(
            model_name="calendarevent",
            name="cancelled",
        ),
    ]
