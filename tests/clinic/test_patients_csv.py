"""The patients list as CSV: the same rows and order as the page, as filtered, audited, with
cells that a spreadsheet would run as formulas quoted."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent

from .helpers import link

pytestmark = pytest.mark.django_db
CSV_URL = reverse("clinic:patients_csv")


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


def test_csv_export_lists_the_patients_as_filtered(client_for, bob, ward):
    response = client_for(bob).get(CSV_URL, {"phase": "maintenance"})

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert [row["Patient"] for row in rows] == ["Erin Overdue", "Aaron Adams"]
    assert rows[0]["Regimen"] == "Monthly"
    assert int(rows[0]["Days overdue"]) > 0
    event = AuditEvent.objects.get(action="patients.exported")
    assert event.actor == bob and event.detail == {"filters": {"phase": "maintenance"}, "rows": 2}


def test_csv_export_of_everyone_has_the_same_order_as_the_page(client_for, bob, ward):
    rows = read_csv(client_for(bob).get(CSV_URL))

    assert [row["Patient"] for row in rows] == ["Alice Patel", "Erin Overdue", "Aaron Adams"]
    assert rows[0]["Open flag kinds"] == "Missed dose in a loading phase"


def test_csv_cells_that_look_like_formulas_are_quoted(client_for, bob, make_patient):
    mallory = make_patient("mallory@example.com", "=HYPERLINK(1)")
    link(bob, mallory)

    rows = read_csv(client_for(bob).get(CSV_URL))

    assert rows[0]["Patient"] == "'=HYPERLINK(1)"
