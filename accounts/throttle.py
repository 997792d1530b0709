"""Log-in throttling rules that django-axes applies: failures count per account and address,
and an address alone is stopped only after many more, since a whole practice may share one.
One account is also stopped, from every address, after failures spread over many addresses."""

from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt
from django.db.models import Sum
from django.http import HttpRequest

# Failures of one account from one address before that pair is locked.
ACCOUNT_FAILURE_LIMIT = 5
# Failures from one address, whatever the accounts, before the address is locked.
ADDRESS_FAILURE_LIMIT = 50
# Failures of one account, whatever the addresses, before the account is locked everywhere:
# guesses spread over many addresses still meet a limit.
ACCOUNT_SPREAD_LIMIT = 30


def account_key(request: HttpRequest, credentials: dict[str, str] | None = None) -> str | None:
    """The account key failures are counted under: the email as the login form cleans it."""
    value = (credentials or {}).get("username") or request.POST.get("username")
    return value.strip().lower() if value else None


def address_failures(request: HttpRequest) -> int:
    """Failures from the request's address within the cool-off period, for every account."""
    attempts = AccessAttempt.objects.filter(
        ip_address=getattr(request, "axes_ip_address", None),
        attempt_time__gte=get_cool_off_threshold(request),
    )
    total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


def account_failures(request: HttpRequest, credentials: dict[str, str] | None = None) -> int:
    """Failures of the request's account within the cool-off period, from every address."""
    key = account_key(request, credentials)
    if not key:
        return 0
    attempts = AccessAttempt.objects.filter(
        username=key, attempt_time__gte=get_cool_off_threshold(request)
    )
    total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


def failure_limit(request: HttpRequest, credentials: dict[str, str] | None = None) -> int:
    """The limit axes compares the account-and-address count with (AXES_FAILURE_LIMIT).

    Once the address itself, or the account from all addresses together, has reached its own
    limit nothing is left."""
    if address_failures(request) >= ADDRESS_FAILURE_LIMIT:
        return 0
    if account_failures(request, credentials) >= ACCOUNT_SPREAD_LIMIT:
        return 0
    return ACCOUNT_FAILURE_LIMIT


def refused_unchecked(request: HttpRequest) -> bool:
    """Whether this failed attempt was refused before its password was looked at.

    Refused attempts are counted too, so a count above a limit means the lock was already in
    place; the attempt that reaches a limit was checked like any other."""
    account = getattr(request, "axes_failures_since_start", None) or 0
    return (
        account > ACCOUNT_FAILURE_LIMIT
        or address_failures(request) > ADDRESS_FAILURE_LIMIT
        or account_failures(request) > ACCOUNT_SPREAD_LIMIT
    )
