"""Sweep ticks belong to core now: the table is renamed, its rows kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reminders", "0002_notification_reminderpreference")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="SweepTick", table="core_sweeptick"),
            ],
            state_operations=[migrations.DeleteModel(name="SweepTick")],
        ),
    ]
