"""Carers a patient invites, and dependents a guardian holds a record for."""
