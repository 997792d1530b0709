"""Sweep ticks, moved here from reminders: the table already exists under its new name."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("reminders", "0003_move_sweeptick_to_core")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="SweepTick",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=64, unique=True)),
                        ("last_tick_at", models.DateTimeField()),
                        ("ticks", models.PositiveBigIntegerField(default=0)),
                        ("last_worker", models.CharField(blank=True, max_length=200)),
                    ],
                ),
            ],
        ),
    ]
