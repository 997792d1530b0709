"""Ending an open-ended phase: the next phase takes over by the handover rule, and only an
open phase not yet ended can be ended."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from schedules import services
from schedules.models import Phase
from tests.schedules.helpers import create, live_dues


@pytest.mark.django_db
def test_closing_an_open_phase_starts_maintenance_by_the_handover_rule(alice):
    rx = create(alice, regimen="bnf-neuro", today=date(2025, 1, 6))
    assert not rx.doses.filter(phase__kind="maintenance").exists()
    loading = rx.phases.get(order=0)
    services.phase_close(
        phase=loading, actor=alice, closed_on=date(2025, 1, 20), today=date(2025, 1, 21)
    )
    dues = live_dues(rx)
    assert dues[7] == date(2025, 1, 20)
    assert dues[8:10] == [date(2025, 3, 20), date(2025, 5, 20)]
    with pytest.raises(ValidationError):
        services.phase_close(
            phase=loading, actor=alice, closed_on=date(2025, 1, 21), today=date(2025, 1, 21)
        )
    maintenance = Phase.objects.get(prescription=rx, order=1)
    with pytest.raises(ValidationError):
        services.phase_close(
            phase=maintenance, actor=alice, closed_on=date(2025, 1, 21), today=date(2025, 1, 21)
        )
