"""Two saves of the same day's check-in at once, on PostgreSQL: one check-in, the other save
edits it (its earlier answers kept as a revision), and one red-flag flag."""

import threading
from datetime import date

from django.db import connection

from monitoring.checkins import checkin_save
from monitoring.models import CheckIn, CheckInRevision, Flag
from tests.conftest import need
from tests.helpers import prescribe

from .test_flag_race import run_together

TODAY = date(2025, 3, 10)
ROUNDS = 5


def test_two_saves_of_one_day_make_one_check_in_and_one_flag(transactional_db, alice):
    need(connection.vendor == "postgresql", "the race needs PostgreSQL (DATABASE_URL)")
    prescribe(alice, start=date(2025, 1, 31))
    lock = threading.Lock()

    for _ in range(ROUNDS):
        CheckIn.objects.all().delete()
        Flag.objects.all().delete()
        answers = [{"tiredness": 1, "walking": True}, {"tiredness": 3, "walking": True}]

        def save(answers: list[dict[str, object]] = answers) -> bool:
            with lock:
                values = answers.pop()
            saved = checkin_save(patient=alice, actor=alice, on=TODAY, values=values, today=TODAY)
            return saved.created

        assert sorted(run_together(save)) == [False, True]
        checkin = CheckIn.objects.get()
        assert CheckInRevision.objects.filter(checkin=checkin).count() == 1
        assert Flag.objects.filter(kind=Flag.Kind.RED_FLAG_SYMPTOM).count() == 1
