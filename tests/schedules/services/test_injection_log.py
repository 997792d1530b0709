"""Logging an injection: dates before the start or in the future, a dose of zero and a time
later than now (on the patient's own clock) refused; the same form sent twice is one row."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from schedules import services
from schedules.models import Injection
from tests.schedules.helpers import START, create, log


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(2025, 1, 5), date(2025, 1, 10)])
def test_injection_before_start_or_in_future_is_refused(alice, day):
    rx = create(alice)
    with pytest.raises(ValidationError) as error:
        log(rx, day, today=date(2025, 1, 8))
    assert "given_on" in error.value.message_dict
    assert not Injection.objects.exists()


@pytest.mark.django_db
def test_the_same_form_sent_twice_records_one_injection(alice):
    rx = create(alice)
    first = log(rx, START, client_token="abc123")
    second = log(rx, START, client_token="abc123")
    assert first.pk == second.pk
    assert Injection.objects.count() == 1


@pytest.mark.django_db
def test_a_dose_of_zero_is_refused_not_replaced_by_the_planned_dose(alice):
    rx = create(alice)

    with pytest.raises(ValidationError) as error:
        log(rx, START, dose_mcg=0)

    assert "positive number of micrograms" in str(error.value.message_dict["dose_mcg"])
    assert not Injection.objects.exists()


@pytest.mark.django_db
def test_a_time_later_than_now_today_is_refused_on_logging_and_correcting(alice):
    sunday = START - timedelta(days=1)
    with time_machine.travel(datetime(2025, 1, 6, 9, 30, tzinfo=UTC), tick=False):
        rx = create(alice, start=sunday)
        with pytest.raises(ValidationError) as error:
            log(rx, START, given_at=time(10, 0))
        assert "later than now" in error.value.message_dict["given_at"][0]
        assert not Injection.objects.exists()
        # The same time yesterday has passed, so it is fine.
        assert log(rx, sunday, given_at=time(23, 0)).given_at == time(23, 0)
        shot = log(rx, START, given_at=time(9, 15))
        with pytest.raises(ValidationError) as error:
            services.injection_correct(
                injection=shot, actor=alice, reason="Time", given_at=time(11, 0), today=START
            )
        assert "later than now" in error.value.message_dict["given_at"][0]
        shot.refresh_from_db()
        assert shot.status == "recorded"


@pytest.mark.django_db
def test_time_later_than_now_is_judged_on_the_patients_own_clock(dave):
    # 14:00 UTC is 09:00 in New York: 10:00 there is still to come.
    with time_machine.travel(datetime(2025, 1, 6, 14, 0, tzinfo=UTC), tick=False):
        rx = create(dave)
        with pytest.raises(ValidationError) as error:
            log(rx, START, given_at=time(10, 0))
        assert "given_at" in error.value.message_dict
        assert log(rx, START, given_at=time(8, 45)).given_at == time(8, 45)
