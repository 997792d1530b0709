"""The Symptoms section of a clinician's patient page: only alice's own clinician sees it; it
shows when symptoms return per cycle (chart and table), worse tingling, the latest check-ins
with their urgent answers, and costs three queries for 5 check-ins or 50."""

from datetime import date, timedelta

import pytest

from clinic.selectors.symptoms import symptoms_section
from monitoring.models import CheckIn
from tests.helpers import prescribe
from tests.htmltools import parse

from .helpers import TODAY, log, settle, url

pytestmark = pytest.mark.django_db

CYCLE_STARTS = (date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1))


@pytest.fixture
def cycles(alice, clock):
    """Monthly maintenance from 1 Apr 2025, four injections on time; in each finished cycle a
    calm day 2 and a total of 6 from day 18; the tingling rises in the running cycle."""
    rx = prescribe(alice, regimen="seed-maintenance", start=CYCLE_STARTS[0])
    for day in CYCLE_STARTS:
        log(rx, day)
    settle(rx, TODAY)
    for start in CYCLE_STARTS[:-1]:
        CheckIn.objects.create(patient=alice, on=start + timedelta(days=2), tingling=1)
        CheckIn.objects.create(
            patient=alice, on=start + timedelta(days=18), tiredness=3, mood=2, tingling=1
        )
    CheckIn.objects.create(patient=alice, on=date(2025, 7, 3), tingling=1)
    CheckIn.objects.create(
        patient=alice, on=date(2025, 7, 15), tingling=3, walking=True, note="legs heavy"
    )
    return rx


def test_only_the_linked_clinician_sees_the_section(client_for, alice, bob, charlie, dave, cycles):
    page = url("patient_detail", alice)
    response = client_for(bob).get(page)
    assert response.status_code == 200
    assert parse(response.content).by_id("symptoms") is not None
    for other in (charlie, dave, alice):
        assert client_for(other).get(page).status_code == 404


def test_the_section_shows_the_return_day_worse_tingling_and_urgent_answers(
    client_for, alice, bob, cycles
):
    page = parse(client_for(bob).get(url("patient_detail", alice)).content)
    section = page.by_id("symptoms")
    sentence = section.find(cls="checkin-return-sentence").text
    # Return on day 18 of each finished cycle; "of 31": the running cycle's interval (1 Jul to
    # 1 Aug).
    assert "Symptoms return around day 18 of 31." in sentence
    assert section.by_id("tingling-worse") is not None
    rows = list(section.find_all("tr", cls="symptoms-cycle"))
    assert [list(r.find_all("td"))[2].text for r in rows] == [
        "not yet",
        "day 18",
        "day 18",
        "day 18",
    ]
    latest = next(section.find_all("tr", cls="recent-checkin"))
    assert "Difficulty walking" in latest.text and "legs heavy" in latest.text


def test_no_check_ins_says_so(client_for, alice, bob, clock):
    prescribe(alice, regimen="seed-maintenance", start=date(2025, 6, 1))
    section = parse(client_for(bob).get(url("patient_detail", alice)).content).by_id("symptoms")
    assert "No symptom check-ins yet." in section.text
    assert section.find(cls="symptoms-svg") is None
    assert section.by_id("tingling-worse") is None


@pytest.mark.parametrize("count", [5, 50])
def test_the_section_costs_three_queries_for_5_or_50_check_ins(
    alice, clock, django_assert_num_queries, count
):
    rx = prescribe(alice, regimen="seed-maintenance", start=CYCLE_STARTS[0])
    for day in CYCLE_STARTS:
        log(rx, day)
    CheckIn.objects.bulk_create(
        CheckIn(patient=alice, on=TODAY - timedelta(days=n), tiredness=n % 4) for n in range(count)
    )
    with django_assert_num_queries(3):
        section = symptoms_section(patient=alice)
    assert len(section.recent) == min(count, 10)
    assert sum(len(c.days) for c in section.summary.cycles) == min(
        count, (TODAY - CYCLE_STARTS[0]).days + 1
    )
