"""App config for accounts: users, roles, profiles, care links and the audit log.

At start-up it listens to log-ins, which stamp the session for re-authentication and session
limits."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and care links"

    def ready(self) -> None:
        # Imported here: both import models, which exist only once the registry is ready.
        from . import reauth, session_limits

        reauth.connect()
        session_limits.connect()
