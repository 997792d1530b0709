"""Stock reminders: "running low" once when the ampoules cover the set number of doses, withdrawn
when a batch comes before it went, again after running low on the new batch; one expiry warning
per batch; what the messages say, with no medicine named unless the patient asked."""

from datetime import date

import pytest

from reminders.messages import render
from reminders.models import Notification
from reminders.stock.alerts import stock_sweep
from reminders.stock.services import batch_discard, stock_settings_update
from tests.helpers import noon
from tests.reminders.test_stock_helpers import START, add, log, on, weekly, weeks

pytestmark = pytest.mark.django_db


def refills(status: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(kind="refill").order_by("pk")
    return list(rows.filter(status=status) if status else rows)


def test_the_refill_reminder_comes_once_when_the_stock_reaches_the_threshold(alice):
    rx = weekly(alice)
    add(alice, 5)
    log(rx, START)  # 4 left: more than 3 doses covered
    assert refills() == []
    log(rx, weeks(1))  # 3 left: the threshold (3 doses ahead, the default)
    [row] = refills()
    assert (row.recipient, row.channel, row.status) == (alice, "email", "pending")
    assert row.scheduled_for == noon(weeks(1))
    log(rx, weeks(2))  # 2 left: the same shortfall, no second message
    log(rx, weeks(3))
    assert len(refills()) == 1


def test_a_batch_added_before_it_went_withdraws_it_and_running_low_again_asks_again(alice):
    rx = weekly(alice)
    first = add(alice, 3)
    [row] = refills()  # 3 doses covered from the start
    second = add(alice, 10, day=START)
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("cancelled", "More ampoules were added.")
    assert len(refills()) == 1
    for week in range(10):  # 13 ampoules: down to 3 after ten injections
        log(rx, weeks(week))
    pending = refills("pending")
    assert len(pending) == 1 and pending[0].dedupe_key == f"refill:{alice.pk}:{second.pk}:email"
    assert first.pk != second.pk


def test_no_refill_reminder_when_turned_off_or_when_a_nurse_brings_the_ampoules(alice, dave):
    rx = weekly(alice)
    with on(START):
        stock_settings_update(patient=alice, values={"refill_enabled": False})
    add(alice, 2)
    log(rx, START)
    weekly(dave, given_by="nurse")
    add(dave, 1)
    assert refills() == []


def test_a_higher_threshold_saved_asks_at_once(alice):
    weekly(alice)
    add(alice, 5)
    assert refills() == []
    with on(START):
        stock_settings_update(patient=alice, values={"refill_doses_ahead": 5})
    assert len(refills()) == 1


def test_a_batch_expiring_before_use_is_warned_about_once_and_withdrawn_when_thrown_away(alice):
    weekly(alice)
    add(alice, 10)
    short = add(alice, 4, expiry=weeks(1), lot="K9")  # two doses before it expires
    rows = list(Notification.objects.filter(kind="stock_expiry"))
    assert [row.dedupe_key for row in rows] == [f"stock_expiry:{short.pk}:email"]
    with on(START):
        stock_sweep(now=noon(START))
        stock_sweep(now=noon(START))
    assert Notification.objects.filter(kind="stock_expiry").count() == 1
    with on(START):
        batch_discard(patient=alice, batch_id=short.pk, note="expires too soon")
    assert Notification.objects.get(kind="stock_expiry").status == "cancelled"


def test_the_sweep_warns_of_a_batch_reaching_its_date_as_the_days_pass(alice):
    weekly(alice)
    batch = add(alice, 5, expiry=date(2026, 9, 1))  # used by the end of June, as planned
    assert not Notification.objects.filter(kind="stock_expiry", status="pending").exists()
    later = date(2026, 8, 20)  # 12 days before it expires, ampoules left
    with on(later):
        stock_sweep(now=noon(later))
    row = Notification.objects.get(
        kind="stock_expiry", dedupe_key__startswith=f"stock_expiry:{batch.pk}:"
    )
    assert row.payload == {"batch": batch.pk}


def test_the_messages_say_how_long_the_stock_lasts_and_name_no_medicine(alice):
    rx = weekly(alice)
    add(alice, 4)
    log(rx, START)
    [row] = refills()
    with on(START):
        email = render(row)
        row.channel = "sms"
        text = render(row)
    assert email.subject == "Time to get more ampoules"
    assert "cover your next 3 injections, up to Monday 22 June" in email.body
    assert "Please get more before Monday 29 June" in email.body
    assert "/me/stock/" in email.body
    assert text.body.startswith("B12 Tracker: your ampoules cover 3 more injections.")
    assert "Get more before Mon 29 Jun." in text.body
    assert text.body.isascii()
    for body in (email.body, text.body):
        assert "hydroxocobalamin" not in body.lower() and "mcg" not in body


def test_the_expiry_message_says_how_many_would_be_wasted(alice):
    weekly(alice)
    add(alice, 10)
    add(alice, 4, expiry=weeks(1), lot="K9")
    row = Notification.objects.get(kind="stock_expiry")
    with on(START):
        email = render(row)
        row.channel = "sms"
        text = render(row)
    assert (
        "2 ampoules of a batch (lot K9) will pass the use-by date, Monday 8 June 2026" in email.body
    )
    assert text.body.startswith("B12 Tracker: 2 of your ampoules expire 8 Jun 2026")


def test_the_beat_task_runs_the_sweep_and_records_its_tick(alice, settings):
    from core.models import SweepTick
    from reminders.stock.tasks import check_stock

    weekly(alice)
    add(alice, 2, day=START)  # 2 doses covered: running low, asked at once
    Notification.objects.all().delete()
    with on(START):
        assert check_stock() == 1  # the refill row waiting to go
    assert SweepTick.objects.filter(name="check_stock").exists()
    entry = settings.CELERY_BEAT_SCHEDULE["check-stock"]
    assert (entry["task"], entry["schedule"]) == ("reminders.stock.tasks.check_stock", 900.0)


def test_running_low_again_after_a_withdrawn_reminder_asks_again_once(alice):
    from reminders.stock.services import batch_adjust

    rx = weekly(alice)
    batch = add(alice, 3)  # 3 doses covered: running low at once
    [first] = refills()
    with on(START):
        batch_adjust(patient=alice, batch_id=batch.pk, count=8, note="counted again")
    first.refresh_from_db()
    assert first.status == "cancelled"
    with on(START):
        batch_adjust(patient=alice, batch_id=batch.pk, count=3, note="counted again")
    [again] = refills("pending")  # a new shortfall under the same newest batch
    assert again.pk != first.pk
    log(rx, START)  # the same shortfall: no second row
    with on(START):
        stock_sweep(now=noon(START))
    assert [row.pk for row in refills("pending")] == [again.pk]
    assert len(refills()) == 2


def test_an_expiry_warning_withdrawn_by_a_count_of_zero_comes_back_when_counted_up(alice):
    from reminders.stock.services import batch_adjust

    weekly(alice)
    add(alice, 10)
    short = add(alice, 4, expiry=weeks(1), lot="K9")
    with on(START):
        batch_adjust(patient=alice, batch_id=short.pk, count=0, note="none left")
    assert Notification.objects.get(kind="stock_expiry").status == "cancelled"
    with on(START):
        batch_adjust(patient=alice, batch_id=short.pk, count=4, note="found the box")
        stock_sweep(now=noon(START))
    rows = Notification.objects.filter(kind="stock_expiry").order_by("pk")
    assert [row.status for row in rows] == ["cancelled", "pending"]
