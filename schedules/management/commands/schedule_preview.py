"""`manage.py schedule_preview`: the planned doses of a built-in regimen, as a table or JSON.

Reads nothing from the database: it runs the engine on the arguments alone.
"""

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schedules import engine, regimens


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(f"{option} {value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Print the planned doses of a built-in regimen. --taken dates are confirmed "
        "injections. --today defaults to the later of --start and the last --taken date, so "
        "that a preview shows the plan rather than doses missed since; --until defaults to "
        "365 days after --start (inclusive)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--regimen", required=True, help="One of: " + ", ".join(regimens.REGIMENS)
        )
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument(
            "--taken", action="append", default=[], help="An injection date (repeatable)."
        )
        parser.add_argument("--today", help="The day statuses are rated on, YYYY-MM-DD.")
        parser.add_argument("--until", help="Last day to list, YYYY-MM-DD.")
        parser.add_argument(
            "--close-open-phase", dest="close", help="End the open-ended phase on this date."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: object, **options: Any) -> None:
        slug = str(options["regimen"])
        if slug not in regimens.REGIMENS:
            raise CommandError(
                f"Unknown regimen {slug!r}; choose one of: {', '.join(regimens.REGIMENS)}."
            )
        regimen = regimens.REGIMENS[slug]
        start = _date("--start", str(options["start"]))
        taken = sorted(_date("--taken", str(value)) for value in options["taken"])
        today = (
            _date("--today", str(options["today"])) if options["today"] else max([start, *taken])
        )
        until = (
            _date("--until", str(options["until"]))
            if options["until"]
            else start + timedelta(days=365)
        )
        phases = self._phases(regimen, options.get("close"), start)
        self._check(start=start, taken=taken, today=today, until=until)
        given = [engine.Given(id=index, given_on=day) for index, day in enumerate(taken)]
        try:
            plan = engine.plan(phases, start=start, given=given, today=today, until=until)
        except engine.EngineError as error:
            raise CommandError(str(error)) from None
        doses = [dose for dose in plan.doses if dose.due <= until]
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(slug, phases, doses, plan.extra)))
        else:
            self._table(regimen, phases, doses, plan.extra)

    def _phases(
        self, regimen: regimens.Regimen, close: object, start: date
    ) -> list[engine.PhaseSpec]:
        phases = list(regimen.phases)
        if not close:
            return phases
        closed_on = _date("--close-open-phase", str(close))
        if closed_on < start:
            raise CommandError("--close-open-phase is before --start.")
        for index, phase in enumerate(phases):
            if phase.bound == "open":
                phases[index] = replace(phase, closed_on=closed_on)
                return phases
        raise CommandError(f"Regimen {regimen.slug!r} has no open-ended phase to close.")

    def _check(self, *, start: date, taken: list[date], today: date, until: date) -> None:
        if today < start:
            raise CommandError(f"--today {today} is before --start {start}.")
        if until < start:
            raise CommandError(f"--until {until} is before --start {start}.")
        for day in taken:
            if day < start:
                raise CommandError(f"--taken {day} is before --start {start}.")
            if day > today:
                raise CommandError(f"--taken {day} is after --today {today}.")

    def _as_json(
        self,
        slug: str,
        phases: list[engine.PhaseSpec],
        doses: list[engine.PlannedDose],
        extra: tuple[engine.Given, ...],
    ) -> dict[str, object]:
        return {
            "regimen": slug,
            "doses": [
                {
                    "phase": phases[dose.phase_index].kind,
                    "due": dose.due.isoformat(),
                    "earliest": dose.earliest.isoformat(),
                    "latest": dose.latest.isoformat(),
                    "dose_mcg": dose.dose_mcg,
                    "status": dose.status,
                    "given_on": dose.given_on.isoformat() if dose.given_on else None,
                }
                for dose in doses
            ],
            "extra": [item.given_on.isoformat() for item in extra],
        }

    def _table(
        self,
        regimen: regimens.Regimen,
        phases: list[engine.PhaseSpec],
        doses: list[engine.PlannedDose],
        extra: tuple[engine.Given, ...],
    ) -> None:
        self.stdout.write(f"{regimen.name} ({regimen.slug}): {regimen.source}")
        header = (
            f"{'#':>4}  {'phase':<13} {'due':<15} {'window':<23} {'dose':>9}  {'status':<9} given"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for number, dose in enumerate(doses, start=1):
            window = f"{dose.earliest} to {dose.latest}"
            given = dose.given_on.isoformat() if dose.given_on else ""
            self.stdout.write(
                f"{number:>4}  {phases[dose.phase_index].kind:<13} {dose.due:%a %Y-%m-%d}  "
                f"{window:<23} {dose.dose_mcg:>5} mcg  {dose.status:<9} {given}"
            )
        if extra:
            self.stdout.write(
                "extra injections (no dose took them): "
                + ", ".join(e.given_on.isoformat() for e in extra)
            )
