"""Checks the stored patient summaries against the slow recomputation: what
`manage.py patient_summaries --verify` reports, and what the tests hold equal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from accounts.models import Role, User

from .summary import PatientSearchTerm, PatientSummary
from .summary_sync import chunks, computed, terms_for


@dataclass(frozen=True)
class Difference:
    patient_id: int
    field: str
    stored: object
    expected: object

    def __str__(self) -> str:
        return (
            f"patient {self.patient_id}: {self.field} is {self.stored!r},"
            f" should be {self.expected!r}"
        )


def summaries_verify(*, now: datetime | None = None) -> list[Difference]:
    """Every stored summary against the slow recomputation on each patient's today."""
    now = now or timezone.now()
    ids = list(User.objects.filter(role=Role.PATIENT).order_by("pk").values_list("pk", flat=True))
    found: list[Difference] = []
    for chunk in chunks(ids):
        stored = PatientSummary.objects.in_bulk(chunk)
        emails = dict(User.objects.filter(pk__in=chunk).values_list("pk", "email"))
        terms: dict[int, set[str]] = defaultdict(set)
        for summary_id, term in PatientSearchTerm.objects.filter(summary_id__in=chunk).values_list(
            "summary_id", "term"
        ):
            terms[summary_id].add(term)
        for row in computed(patient_ids=chunk, now=now):
            found += _compare(stored.get(row.pk), row)
            wanted = terms_for(row.name, emails.get(row.pk, ""))
            if row.pk in stored and terms[row.pk] != wanted:
                found.append(Difference(row.pk, "terms", sorted(terms[row.pk]), sorted(wanted)))
    return found


# The day a row was worked out on is bookkeeping: the figures are what must agree.
_COMPARED = [
    f.attname
    for f in PatientSummary._meta.concrete_fields
    if f.name not in ("patient", "updated_at", "as_of")
]


def _compare(stored: PatientSummary | None, expected: PatientSummary) -> list[Difference]:
    if stored is None:
        return [Difference(expected.pk, "row", None, "a summary")]
    return [
        Difference(expected.pk, name, getattr(stored, name), getattr(expected, name))
        for name in _COMPARED
        if getattr(stored, name) != getattr(expected, name)
    ]
