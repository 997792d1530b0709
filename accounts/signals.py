"""What accounts announces to the apps above it, which it never imports.

`profile_changed` is sent inside the profile's transaction with `patient`, `zone_changed`,
`time_changed` (and `now` when the caller has one): a new home zone moves reminder instants
(dose dates stay), a new reminder time moves the day-of reminder.

`message_requested` is sent by `accounts.outgoing.message_request` inside the transaction of
the change the message is about, with `kind`, `recipient` (a User or None), `address` (where
it goes when that is not the recipient's own address), `payload` (ids only, never a token or
a code) and `key` (the same request twice makes one message). The receiver (reminders)
writes the outbox row in that same transaction and returns its id.
"""

from django.dispatch import Signal

profile_changed = Signal()
message_requested = Signal()
