"""Where an account's email goes. Usually its own address; an app above reminders may name
another for accounts that cannot receive mail themselves (a dependent's record held by a
guardian), without reminders knowing why."""

from collections.abc import Callable

from accounts.models import User

EmailResolver = Callable[[User], str | None]
_resolvers: list[EmailResolver] = []


def register_email_resolver(resolver: EmailResolver) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def email_for(user: User) -> str:
    """The first address a resolver names, else the account's own."""
    for resolver in _resolvers:
        found = resolver(user)
        if found:
            return found
    return user.email
