"""What schedules announces to the apps above it, which it never imports.

`plan_changed` is sent inside the re-planning transaction, after the doses are stored, so a
receiver's writes (a missed-dose flag) commit or roll back with the doses that caused them.
Arguments: `prescription`, `newly_missed` (ids of doses that became missed) and `today`.
"""

from django.dispatch import Signal

plan_changed = Signal()
