"""`manage.py create_clinician EMAIL`: add a clinician account from the command line."""

import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import clinician_create


class Command(BaseCommand):
    help = "Create a clinician account. Prints the password when one is generated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Name shown to patients.")
        parser.add_argument("--practice", default="", help="Practice or clinic.")
        parser.add_argument("--password", default="", help="Password (generated when omitted).")

    def handle(self, *args: object, **options: str) -> None:
        password = options["password"] or secrets.token_urlsafe(12)
        name = options["name"] or options["email"].split("@")[0]
        try:
            user = clinician_create(
                email=options["email"],
                display_name=name,
                practice=options["practice"],
                password=password,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"clinician {user.email} {password}")
