"""`manage.py seed_demo`: demo logins for trying the app, safe to run again.

Prints one line per login it made or refreshed: ROLE EMAIL PASSWORD.
"""

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import CareLink, ClinicianProfile, PatientProfile, Role, User
from demo.bulk import give_demo_histories
from demo.evidence import give_demo_evidence
from demo.histories import give_demo_history
from demo.reminders import arm_demo_reminder

DEMO_ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
SERVICE_HISTORIES = 4  # the first few through the services, with a demo reminder each


class Command(BaseCommand):
    help = "Create demo staff, clinician and patient logins (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=4, help="How many demo patients.")
        parser.add_argument("--password", default="demo-b12-pass", help="Password for every login.")

    def handle(self, *args: object, **options: object) -> None:
        count = int(str(options["patients"]))
        password = str(options["password"])
        if count < 0:
            raise CommandError("--patients must be zero or more.")
        if len(password) < 8:
            raise CommandError("--password must be at least 8 characters.")
        with transaction.atomic():
            lines = self._seed(count, password)
        for role, email in lines:
            self.stdout.write(f"{role} {email} {password}")

    def _seed(self, count: int, password: str) -> list[tuple[str, str]]:
        # Hash once: the hasher is slow on purpose, and every demo login shares the password.
        hashed = make_password(password)
        staff = self._user(
            "staff@demo.b12tracker.test", Role.STAFF, hashed, is_staff=True, is_superuser=True
        )
        clinician = self._user("clinician@demo.b12tracker.test", Role.CLINICIAN, hashed)
        ClinicianProfile.objects.update_or_create(
            user=clinician, defaults={"display_name": "Dr Morgan Reid", "practice": "Demo Surgery"}
        )
        lines = [("staff", staff.email), ("clinician", clinician.email)]
        bulk: list[tuple[User, int]] = []
        for number in range(1, count + 1):
            patient = self._user(f"patient{number}@demo.b12tracker.test", Role.PATIENT, hashed)
            PatientProfile.objects.get_or_create(
                user=patient,
                defaults={
                    "display_name": f"Demo Patient {number}",
                    "time_zone": DEMO_ZONES[(number - 1) % len(DEMO_ZONES)],
                },
            )
            CareLink.objects.get_or_create(
                clinician=clinician,
                invited_email=patient.email,
                status__in=["pending", "active"],
                defaults={
                    "patient": patient,
                    "status": CareLink.Status.ACTIVE,
                    "responded_at": timezone.now(),
                },
            )
            if number <= SERVICE_HISTORIES:
                give_demo_history(patient, number)
                give_demo_evidence(patient, number)
                arm_demo_reminder(patient=patient)
            else:
                bulk.append((patient, number))
            lines.append(("patient", patient.email))
        # Beyond the first few, histories go in by bulk insert (10,000 patients in minutes).
        give_demo_histories(bulk, clinician=clinician)
        return lines

    def _user(self, email: str, role: str, hashed: str, **flags: bool) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"role": role, "password": hashed, **flags}
        )
        if not created:
            User.objects.filter(pk=user.pk).update(password=hashed)
        return user
