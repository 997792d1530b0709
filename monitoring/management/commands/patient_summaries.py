"""`manage.py patient_summaries --rebuild | --verify | --refresh-stale`: the patients list's
per-patient summaries, built from scratch, checked against the slow recomputation, or recounted
where the days have moved them.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from monitoring import summary_sync, summary_verify

# Enough to see what is wrong without flooding a terminal.
SHOWN = 50


class Command(BaseCommand):
    help = (
        "Rebuild every patient's summary (--rebuild), compare each stored summary with the "
        "slow recomputation and exit non-zero listing the differences (--verify), or recount "
        "the summaries whose 90-day figures the passing days have moved (--refresh-stale)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--rebuild", action="store_true", help="Recompute every summary.")
        what.add_argument("--verify", action="store_true", help="Check every summary.")
        what.add_argument(
            "--refresh-stale", action="store_true", help="Recount the summaries due for it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["rebuild"]:
            written = summary_sync.summaries_rebuild(now=now)
            self.stdout.write(f"Rebuilt {written} patient summaries.")
        elif options["refresh_stale"]:
            written = summary_sync.summaries_refresh_stale(now=now)
            self.stdout.write(f"Recounted {written} patient summaries.")
        else:
            self._verify(now)

    def _verify(self, now: Any) -> None:
        differences = summary_verify.summaries_verify(now=now)
        if not differences:
            self.stdout.write("Every patient summary matches its recomputation.")
            return
        for difference in differences[:SHOWN]:
            self.stdout.write(str(difference))
        if len(differences) > SHOWN:
            self.stdout.write(f"… and {len(differences) - SHOWN} more.")
        patients = len({d.patient_id for d in differences})
        raise CommandError(
            f"{len(differences)} differences in {patients} patient summaries: "
            "run --rebuild to fix them."
        )
