"""Reads for the history page: the patient's injections a page at a time, newest first, with
names for their links; and one of the patient's own injections for the correct and void pages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum
from django.urls import reverse

from accounts.models import User
from schedules.models import Injection, InjectionQuerySet, Prescription

PAGE_SIZE = 20


@dataclass(frozen=True)
class HistoryEntry:
    injection: Injection
    name: str  # unique among the patient's entries, for the Correct and Void links
    replaces_href: str  # where the entry it corrects is shown ("" when it corrects none)
    replaced_by_href: str


@dataclass(frozen=True)
class HistoryPage:
    page: Page[Injection]
    entries: list[HistoryEntry]


def injection_history(*, patient: User) -> QuerySet[Injection]:
    """Every injection ever logged, newest first, with what it replaced or was replaced by.

    Each carries `is_extra` (it counts as no dose) and its prescription (a stopped one's
    entries can no longer be changed).
    """
    is_extra = ExpressionWrapper(InjectionQuerySet.q_extra(), output_field=BooleanField())
    return (
        Injection.objects.filter(patient=patient)
        .select_related("replaces", "replaced_by", "prescription")
        .annotate(is_extra=is_extra)
        .order_by("-given_on", "-id")
    )


def history_page(*, patient: User, number: str | int | None, entry: int | None) -> HistoryPage:
    """One page of the history, the one holding injection `entry` when it is given: four
    queries however long the history (count, page, the page's days, the entry's place)."""
    if entry is not None:
        number = _page_of(patient, entry) or number
    page = Paginator(injection_history(patient=patient), PAGE_SIZE).get_page(number)
    injections = list(page.object_list)
    names = _names(patient, {injection.given_on for injection in injections})
    on_page = {injection.pk for injection in injections}
    entries = [
        HistoryEntry(
            injection,
            names[injection.pk],
            _href(injection.replaces_id, on_page),
            _href(getattr(getattr(injection, "replaced_by", None), "pk", None), on_page),
        )
        for injection in injections
    ]
    return HistoryPage(page, entries)


def history_revision(*, patient: User) -> str:
    """Changes whenever any of the patient's injections could have (one query): every write
    to injections re-plans, and so raises, a prescription's revision."""
    found = Prescription.objects.filter(patient=patient).aggregate(
        prescriptions=Count("pk"), revisions=Sum("revision")
    )
    return f"{found['prescriptions']}.{found['revisions'] or 0}"


def _page_of(patient: User, entry: int) -> int | None:
    found = Injection.objects.filter(patient=patient, pk=entry).values("given_on").first()
    if found is None:
        return None
    newer = Q(given_on__gt=found["given_on"]) | Q(given_on=found["given_on"], pk__gt=entry)
    return Injection.objects.filter(newer, patient=patient).count() // PAGE_SIZE + 1


def _names(patient: User, days: set[date]) -> dict[int, str]:
    """A name per entry of those days (day, time, site), numbered oldest first when two share
    one, so the same entry keeps its name on whichever page it shows."""
    rows = (
        Injection.objects.filter(patient=patient, given_on__in=days)
        .order_by("given_on", "id")
        .only("given_on", "given_at", "site")
    )
    seen: dict[str, int] = defaultdict(int)
    names = {}
    for injection in rows:
        parts = [f"{injection.given_on.day} {injection.given_on:%b %Y}"]
        if injection.given_at:
            parts.append(f"{injection.given_at:%H:%M}")
        if injection.site:
            parts.append(injection.get_site_display().lower())
        name = ", ".join(parts)
        seen[name] += 1
        names[injection.pk] = name + (
            f" (entry {seen[name]} of that day)" if seen[name] > 1 else ""
        )
    return names


def _href(pk: int | None, on_page: set[int]) -> str:
    if pk is None:
        return ""
    if pk in on_page:
        return f"#injection-{pk}"
    return f"{reverse('schedules:history')}?entry={pk}#injection-{pk}"


def injection_for_patient(*, patient: User, injection_id: int) -> Injection | None:
    """The patient's own injection, or None (the view answers 404)."""
    return (
        Injection.objects.select_related("prescription__patient__patient_profile")
        .filter(pk=injection_id, patient=patient)
        .first()
    )
