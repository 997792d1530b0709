"""Clinician pages, one module per page or group: the patients list and its CSV, invitations,
the flags inbox and flag actions, one patient's page and report, prescription actions, notes.

Every patient URL goes through `common.patient_of`, which answers 404 without an active link;
flags and phases are then looked up within that patient, so an id from elsewhere is 404.
"""
