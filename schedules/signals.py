"""What schedules announces to the apps above it, which it never imports.

`plan_changed` is sent inside the re-planning transaction, after the doses are stored, so a
receiver's writes (a missed-dose flag) commit or roll back with the doses that caused them.
Arguments: `prescription`, `newly_missed` (ids of doses that became missed) and `today`.

`regimen_changed` is sent when someone changes the regimen itself (a new maintenance
interval, an ended phase, amended details), inside the same transaction and after the
re-plan, so a receiver reads the new doses. Arguments: `prescription`, `actor`, `before` (the
next dose's date before the change, or None), `description` (what changed, in plain words;
empty when `fields` says it), `fields` (the detail fields changed, if any), `reason` and
`today`.
"""

from django.dispatch import Signal

plan_changed = Signal()
regimen_changed = Signal()
# Sent by `prescription_stop` inside its transaction (`prescription`, `actor`): nothing more
# is expected of it, so the apps above end what they planned for it.
prescription_stopped = Signal()

# Sent inside the transaction of every change to the injection log, after the re-plan:
# `injection` (the row now recorded, or the one voided), `change` ("logged", "voided" or
# "corrected"), `replaced` (the corrected original, for "corrected"; else None), `actor` and
# `source` ("page", "answer", "backfill", "api"...). Ampoule stock listens.
injection_changed = Signal()
# Sent when a patient records the booked appointment of a nurse-given dose (`appointment`,
# `actor`), inside its transaction: reminders stops asking them to book it.
appointment_booked = Signal()
