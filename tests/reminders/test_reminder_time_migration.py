"""The migrations that keep one day-of reminder time: each preference's `due_time` moves to its
patient's profile before the field goes, and going back copies the profile's time again."""

from datetime import time

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

WITH_DUE_TIME = [("reminders", "0003_move_sweeptick_to_core")]
WITHOUT_DUE_TIME = [("reminders", "0005_remove_reminderpreference_due_time")]


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate the test database to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    """The database as it was before the move, then back to the latest state for other tests."""
    yield migrate(WITH_DUE_TIME)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_preference_time_wins_and_profiles_without_one_keep_theirs(old_schema):
    user = old_schema.get_model("accounts", "User")
    profile = old_schema.get_model("accounts", "PatientProfile")
    later = user.objects.create(email="later@example.com", role="patient")
    alone = user.objects.create(email="alone@example.com", role="patient")
    profile.objects.create(user=later, display_name="Later", reminder_time=time(9, 0))
    profile.objects.create(user=alone, display_name="Alone", reminder_time=time(6, 45))
    old_schema.get_model("reminders", "ReminderPreference").objects.create(
        patient=later, due_time=time(7, 30)
    )

    new = migrate(WITHOUT_DUE_TIME)

    profiles = new.get_model("accounts", "PatientProfile").objects
    assert dict(profiles.values_list("user__email", "reminder_time")) == {
        "later@example.com": time(7, 30),
        "alone@example.com": time(6, 45),
    }
    preference = new.get_model("reminders", "ReminderPreference")
    assert "due_time" not in {field.name for field in preference._meta.get_fields()}


def test_going_back_copies_the_profile_time_into_the_preference(old_schema):
    new = migrate(WITHOUT_DUE_TIME)
    user = new.get_model("accounts", "User").objects.create(email="b@example.com", role="patient")
    new.get_model("accounts", "PatientProfile").objects.create(
        user=user, display_name="Back", reminder_time=time(10, 15)
    )
    new.get_model("reminders", "ReminderPreference").objects.create(patient=user)

    old = migrate(WITH_DUE_TIME)

    pref = old.get_model("reminders", "ReminderPreference").objects.get(patient_id=user.pk)
    assert pref.due_time == time(10, 15)
