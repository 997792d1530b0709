"""Setting up a prescription: the worked-fixture dates materialised, and unit slips, far-off
start dates and a second active prescription refused with nothing written."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from schedules.models import Dose, Prescription
from tests.schedules.helpers import START, create, live_dues


@pytest.mark.django_db
def test_template_prescription_materialises_the_fixture_dates(alice):
    rx = create(alice)
    dues = live_dues(rx)
    assert dues[:8] == [
        date(2025, 1, 6),
        date(2025, 1, 8),
        date(2025, 1, 10),
        date(2025, 1, 13),
        date(2025, 1, 15),
        date(2025, 1, 17),
        date(2025, 3, 17),
        date(2025, 5, 17),
    ]
    maintenance = rx.doses.get(due=date(2025, 3, 17))
    assert (maintenance.earliest, maintenance.latest) == (date(2025, 3, 10), date(2025, 4, 24))
    assert rx.phases.count() == 2
    # Planned through twelve months: the next two-monthly dose would fall beyond the horizon.
    assert dues[-1] + timedelta(days=62) > START + timedelta(days=365)
    assert AuditEvent.objects.filter(action="prescription.created", patient=alice).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("dose", "strength", "field", "words"),
    [
        (6000, 1000, "dose_mcg", "mg"),
        (1, 1000, "dose_mcg", "1000 mcg"),
        (1000, 1, "strength_mcg_per_ml", "1000"),
        (1000, 10000, "strength_mcg_per_ml", "outside"),
        (5000, 1000, "dose_mcg", "5.00 mL"),
    ],
)
def test_unit_confusion_is_refused_with_a_reason_and_nothing_written(
    alice, dose, strength, field, words
):
    with pytest.raises(ValidationError) as error:
        create(alice, dose_mcg=dose, strength_mcg_per_ml=strength)
    assert words in " ".join(error.value.message_dict[field])
    assert not Prescription.objects.exists() and not Dose.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("start", [date(2010, 1, 1), date(2027, 6, 1)])
def test_start_date_far_away_is_refused(alice, start):
    with pytest.raises(ValidationError) as error:
        create(alice, start=start, today=date(2026, 1, 1))
    assert "start_date" in error.value.message_dict
    assert not Prescription.objects.exists()


@pytest.mark.django_db
def test_a_second_active_prescription_is_refused(alice):
    create(alice)
    with pytest.raises(ValidationError):
        create(alice, regimen="cdc-weekly")
    assert Prescription.objects.count() == 1
