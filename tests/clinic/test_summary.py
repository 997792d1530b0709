"""The per-patient summary behind the patients list: kept current by the services that change
its inputs (logging, voiding and correcting injections, re-plans, stopped prescriptions, flags
acted on, profiles), equal to the slow recomputation on random histories, recounted when the
days move it, and rebuilt and checked by `manage.py patient_summaries`."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import patient_profile_update
from monitoring import actions
from monitoring.models import Flag, PatientSearchTerm, PatientSummary
from monitoring.summary_sync import summaries_refresh_stale
from monitoring.summary_verify import summaries_verify
from schedules import services
from schedules.models import Injection, Prescription
from tests.helpers import noon, prescribe

from .helpers import TODAY, link, log, settle

pytestmark = pytest.mark.django_db


def _try(action: object, *args: object, **kwargs: object) -> object:
    """A random history asks for things the rules refuse (an injection too soon): skip those."""
    try:
        return action(*args, **kwargs)  # type: ignore[operator]
    except ValidationError:
        return None


def random_history(rng: random.Random, patient: User, clinician: User) -> Prescription:
    """A history through the real services: a random regimen and start, injections on random
    days (some late, some skipped), a voided and a corrected one, a re-plan on today, flags
    acknowledged or resolved, and now and then a stopped prescription."""
    regimen = rng.choice(["seed-maintenance", "bnf-neuro"])
    start = TODAY - timedelta(days=rng.randint(10, 300))
    rx = prescribe(patient, regimen=regimen, start=start)
    day, logged = start, []
    while day < TODAY:
        if rng.random() < 0.7:
            made = _try(log, rx, day, confirm=rng.random() < 0.3)
            if isinstance(made, Injection):
                logged.append(made)
        day += timedelta(days=rng.choice([1, 2, 3, 14, 30, 31, 40]))
    if logged and rng.random() < 0.5:
        _try(
            services.injection_void,
            injection=rng.choice(logged),
            actor=patient,
            reason="Not given",
            today=TODAY,
        )
    recorded = list(Injection.objects.recorded().filter(prescription=rx))
    if recorded and rng.random() < 0.5:
        wrong = rng.choice(recorded)
        _try(
            services.injection_correct,
            injection=wrong,
            actor=patient,
            reason="Wrong day",
            given_on=min(TODAY, wrong.given_on + timedelta(days=1)),
            today=TODAY,
        )
    settle(rx, TODAY)
    for flag in Flag.objects.filter(patient=patient, status=Flag.Status.OPEN):
        if rng.random() < 0.3:
            actions.flag_acknowledge(flag=flag, actor=clinician, note="Seen")
        elif rng.random() < 0.3:
            actions.flag_resolve(flag=flag, actor=clinician, note="Called them")
    if rng.random() < 0.15:
        services.prescription_stop(prescription=rx, actor=clinician, reason="Done", today=TODAY)
    return rx


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summary_kept_by_the_services_equals_the_recomputation(seed, bob, make_patient, clock):
    rng = random.Random(seed)
    for n in range(4):
        patient = make_patient(f"r{seed}-{n}@example.com", f"Random Patient {seed}{n}")
        link(bob, patient)
        random_history(rng, patient, bob)
        if rng.random() < 0.5:
            patient_profile_update(
                user=patient,
                display_name=f"Renamed {seed}{n}",
                time_zone=rng.choice(["Europe/London", "Pacific/Auckland", "America/New_York"]),
                mobile="",
                reminder_time=patient.patient_profile.reminder_time,
            )

    assert summaries_verify(now=timezone.now()) == []
    assert PatientSummary.objects.filter(patient__email__startswith=f"r{seed}-").count() == 4


def test_the_hand_worked_history_is_summarised_as_by_hand(alice, history):
    summary = PatientSummary.objects.get(patient=alice)

    assert (summary.on_time, summary.late, summary.missed) == (3, 2, 1)
    assert (summary.on_time_90, summary.late_90, summary.missed_90) == (1, 1, 1)
    assert summary.next_due == date(2025, 8, 4)
    assert summary.last_injection == date(2025, 7, 4)
    assert summary.median_interval == 31.5
    assert summary.band == "poor"
    # The missed 05-02 leaves the 90-day window on 1 Aug, before 08-04's window closes.
    assert summary.fresh_until == date(2025, 8, 1)


def test_acting_on_a_flag_moves_the_open_flag_count(alice, bob, neuro):
    flag = Flag.objects.get(patient=alice, kind="missed_loading")
    before = PatientSummary.objects.get(patient=alice)
    assert before.open_flags >= 1 and "missed_loading" in before.flag_kinds

    actions.flag_acknowledge(flag=flag, actor=bob, note="Seen")

    after = PatientSummary.objects.get(patient=alice)
    assert after.open_flags == before.open_flags - 1
    assert summaries_verify(now=timezone.now()) == []


def test_a_stopped_prescription_leaves_no_next_dose(alice, bob, history):
    services.prescription_stop(prescription=history, actor=bob, reason="Moved", today=TODAY)

    summary = PatientSummary.objects.get(patient=alice)
    assert summary.prescription_id is None and summary.next_due is None
    assert summaries_verify(now=timezone.now()) == []


def test_a_new_name_is_a_new_search_term(alice):
    patient_profile_update(
        user=alice,
        display_name="Alice Okafor",
        time_zone="Europe/London",
        mobile="",
        reminder_time=alice.patient_profile.reminder_time,
    )

    terms = set(
        PatientSearchTerm.objects.filter(summary_id=alice.pk).values_list("term", flat=True)
    )
    assert terms == {"alice okafor", "alice", "okafor", alice.email}


def test_the_days_move_the_counts_and_the_stale_sweep_recounts_them(alice, history, clock):
    clock.move_to(noon(date(2025, 8, 1)))  # 05-02 has left the window
    now = timezone.now()
    assert "missed_90" in {d.field for d in summaries_verify(now=now)}

    assert summaries_refresh_stale(now=now) == 1

    assert summaries_verify(now=now) == []
    assert PatientSummary.objects.get(patient=alice).missed_90 == 0


def test_the_command_rebuilds_and_verifies(alice, history, capsys):
    PatientSummary.objects.filter(patient=alice).update(open_flags=7, late=0)
    with pytest.raises(CommandError, match="differences in 1 patient summaries"):
        call_command("patient_summaries", "--verify")
    out = capsys.readouterr().out
    assert f"patient {alice.pk}: open_flags is 7" in out and "late is 0" in out

    call_command("patient_summaries", "--rebuild")
    call_command("patient_summaries", "--verify")

    assert "matches" in capsys.readouterr().out


def test_a_missing_summary_is_a_difference(alice):
    PatientSummary.objects.filter(patient=alice).delete()

    (difference,) = summaries_verify(now=timezone.now())

    assert difference.field == "row"
