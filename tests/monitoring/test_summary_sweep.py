"""The summaries' own sweep: a row whose 90-day counts may have moved with the days alone is
recounted by the beat task; a row still fresh is left alone; the sweep is ticked."""

from datetime import timedelta

from django.utils import timezone

from core.models import SweepTick
from monitoring.summary import PatientSummary
from monitoring.tasks import refresh_patient_summaries
from tests.helpers import prescribe


def test_the_beat_task_recounts_only_the_rows_whose_counts_may_have_moved(db, alice, dave):
    for patient in (alice, dave):
        prescribe(patient, start=timezone.localdate() - timedelta(days=10))
    today = timezone.localdate()
    PatientSummary.objects.filter(patient=alice).update(fresh_until=today - timedelta(days=1))
    PatientSummary.objects.filter(patient=dave).update(fresh_until=today + timedelta(days=30))

    assert refresh_patient_summaries() == 1

    # alice's row was recounted, so it names its next change again; dave's was left alone.
    assert PatientSummary.objects.get(patient=alice).fresh_until >= today
    assert PatientSummary.objects.get(patient=dave).fresh_until == today + timedelta(days=30)
    assert SweepTick.objects.filter(name="refresh_patient_summaries").exists()
