"""Reads for the patient pages: the suggested site, the next dose and the calendar grid."""

from collections import Counter
from datetime import date

import pytest

from schedules import selectors, services
from schedules.models import Dose, Injection
from tests.helpers import noon
from tests.schedules.helpers import START, log
from tests.schedules.history import give_history

pytestmark = pytest.mark.django_db


def suggested(patient, route="IM"):
    return selectors.suggested_site(selectors.site_uses(patient=patient, route=route)).site


def test_never_used_sites_come_first_in_list_order(alice, alice_rx):
    assert suggested(alice) == "deltoid_left"
    log(alice_rx, START, site="deltoid_left")
    assert suggested(alice) == "deltoid_right"


def test_once_every_site_is_used_the_least_recent_is_suggested(alice, alice_rx, clock):
    sites = ["thigh_left", "thigh_right", "ventrogluteal_left", "ventrogluteal_right",
             "gluteal_left", "gluteal_right"]  # fmt: skip
    days = [date(2025, 1, d) for d in (6, 8, 10, 13, 15, 17)]
    for day, site in zip(days, sites, strict=True):
        log(alice_rx, day, site=site)
    log(alice_rx, date(2025, 3, 17), site="deltoid_right")
    log(alice_rx, date(2025, 5, 17), site="deltoid_left")

    assert suggested(alice) == "thigh_left"


def test_voided_injections_do_not_count_as_use(alice, alice_rx):
    injection = log(alice_rx, START, site="deltoid_left")
    services.injection_void(injection=injection, actor=alice, reason="Never happened", today=START)

    assert suggested(alice) == "deltoid_left"


def test_sites_follow_the_route(alice, alice_rx):
    sc = [use.site for use in selectors.site_uses(patient=alice, route="SC")]

    assert sc == ["thigh_left", "thigh_right", "abdomen_left", "abdomen_right",
                  "upper_arm_left", "upper_arm_right"]  # fmt: skip


def test_site_uses_is_one_query(alice, alice_rx, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.site_uses(patient=alice, route="IM")


def test_next_dose_skips_a_missed_dose_and_keeps_an_overdue_one(alice, alice_rx, clock):
    log(alice_rx, START)

    assert selectors.next_dose(prescription=alice_rx, today=date(2025, 1, 9)).due == date(
        2025, 1, 8
    )
    assert selectors.next_dose(prescription=alice_rx, today=date(2025, 1, 10)).due == date(
        2025, 1, 10
    )


def test_month_weeks_pads_to_whole_weeks_starting_monday(alice, alice_rx):
    plan = selectors.schedule_for(prescription=alice_rx, today=START)
    weeks = selectors.month_weeks(plan.entries, date(2025, 1, 1), START)

    assert all(len(week) == 7 for week in weeks)
    assert [cell.day for cell in weeks[0][:2]] == [None, None]  # 1 Jan 2025 is a Wednesday
    marked = [cell.day.day for week in weeks for cell in week if cell.entries]
    assert marked == [6, 8, 10, 13, 15, 17]
    assert [cell.day.day for week in weeks for cell in week if cell.today] == [6]


def test_shift_month_crosses_years():
    assert selectors.shift_month(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert selectors.shift_month(date(2025, 12, 1), 1) == date(2026, 1, 1)


def test_schedule_puts_extras_after_the_dose_of_the_same_day(alice, alice_rx, clock):
    log(alice_rx, START)
    log(alice_rx, START, confirm=True)
    clock.move_to(noon(date(2025, 1, 7)))

    plan = selectors.schedule_for(prescription=alice_rx, today=date(2025, 1, 7))

    assert [(e.day, e.status) for e in plan.entries[:3]] == [
        (START, "taken"),
        (START, "extra"),
        (date(2025, 1, 8), "due"),
    ]
    assert Injection.objects.filter(extra=True).count() == 1
    assert plan.counts["extra"] == 1


@pytest.mark.parametrize("today", [date(2025, 6, 1), date(2025, 6, 4), date(2025, 8, 20)])
def test_schedule_counts_in_sql_agree_with_each_doses_own_status(alice, clock, today):
    # The page counts statuses with schedules.states; each row says its own with status_on.
    rx = give_history(alice, days=700, regimen="seed-maintenance", today=date(2025, 6, 1))
    last = rx.injections.order_by("-given_on").first().given_on
    log(rx, last, confirm=True, today=date(2025, 6, 1))  # a second that day: extra
    ahead = rx.doses.filter(due__gt=date(2025, 7, 15)).order_by("due").first()
    Dose.objects.filter(pk=ahead.pk).update(status="missed")  # marked missed in another zone

    plan = selectors.schedule_for(prescription=rx, today=today, every=True)

    rows = Dose.objects.filter(prescription=rx).exclude(status="cancelled")
    expected = Counter(dose.status_on(today) for dose in rows)
    expected["extra"] = Injection.objects.not_doses().filter(status="recorded").count()
    assert plan.counts == {status: n for status, n in expected.items() if n}
    assert {"taken", "missed", "scheduled", "extra"} <= set(plan.counts)
