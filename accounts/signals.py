"""What accounts announces to the apps above it, which it never imports.

`profile_changed` is sent inside the profile's transaction with `patient`, `zone_changed`,
`time_changed` (and `now` when the caller has one): a new home zone moves reminder instants
(dose dates stay), a new reminder time moves the day-of reminder.
"""

from django.dispatch import Signal

profile_changed = Signal()
