"""Injection sites for the log and correct pages: when each was last used, and the one to
suggest next (the stalest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max

from accounts.models import User
from schedules.models import IM_SITES, SC_SITES, Injection


@dataclass(frozen=True)
class SiteUse:
    site: str
    label: str
    last_used: date | None
    suggested: bool = False


def site_uses(*, patient: User, route: str) -> list[SiteUse]:
    """The sites for this route with the day each was last used; the stalest one suggested."""
    sites = IM_SITES if route == "IM" else SC_SITES
    last = dict(
        Injection.objects.recorded()
        .filter(patient=patient, site__in=sites)
        .order_by()
        .values("site")
        .annotate(last=Max("given_on"))
        .values_list("site", "last")
    )
    # Never used beats used long ago; ties go to the order of the list (left before right).
    stalest = min(sites, key=lambda site: (last.get(site.value) or date.min, sites.index(site)))
    return [
        SiteUse(site.value, site.label, last.get(site.value), site == stalest) for site in sites
    ]


def suggested_site(uses: list[SiteUse]) -> SiteUse | None:
    return next((use for use in uses if use.suggested), None)
