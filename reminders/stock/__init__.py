"""Ampoule stock a patient keeps at home: batches, their ledger, the draw-down by injections,
the "runs out on" forecast, and the refill and expiry reminders (docs/stock.md)."""
