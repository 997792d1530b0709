"""App config for accounts: users, roles, profiles, care links and the audit log."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and care links"
