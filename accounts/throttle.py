"""Log-in throttling rules that django-axes applies: failures count per account and address,
and an address alone is stopped only after many more, since a whole practice may share one."""

from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt
from django.db.models import Sum
from django.http import HttpRequest

# Failures of one account from one address before that pair is locked.
ACCOUNT_FAILURE_LIMIT = 5
# Failures from one address, whatever the accounts, before the address is locked.
ADDRESS_FAILURE_LIMIT = 50


def address_failures(request: HttpRequest) -> int:
    """Failures from the request's address within the cool-off period, for every account."""
    attempts = AccessAttempt.objects.filter(
        ip_address=getattr(request, "axes_ip_address", None),
        attempt_time__gte=get_cool_off_threshold(request),
    )
    total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


def failure_limit(request: HttpRequest, credentials: dict[str, str] | None = None) -> int:
    """The limit axes compares the account-and-address count with (AXES_FAILURE_LIMIT).

    Once the address itself has reached its own limit nothing is left for any account."""
    if address_failures(request) >= ADDRESS_FAILURE_LIMIT:
        return 0
    return ACCOUNT_FAILURE_LIMIT


def refused_unchecked(request: HttpRequest) -> bool:
    """Whether this failed attempt was refused before its password was looked at.

    Refused attempts are counted too, so a count above a limit means the lock was already in
    place; the attempt that reaches a limit was checked like any other."""
    account = getattr(request, "axes_failures_since_start", None) or 0
    return account > ACCOUNT_FAILURE_LIMIT or address_failures(request) > ADDRESS_FAILURE_LIMIT
