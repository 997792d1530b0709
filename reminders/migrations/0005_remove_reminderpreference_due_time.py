"""Reminder preferences lose `due_time`: the profile's `reminder_time` is the day-of time."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reminders", "0004_reminder_time_to_profile")]

    operations = [migrations.RemoveField(model_name="reminderpreference", name="due_time")]
