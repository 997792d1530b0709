"""Monitoring's own news for its rules: a check-in or a lab result was recorded or changed.

Sent by the services that save them, inside their transaction; the adjustment triggers
(which read check-ins and labs, so those cannot import them) listen in `MonitoringConfig.ready`.
"""

from django.dispatch import Signal

# Arguments: patient_id (int), lab (bool: a lab result rather than a check-in).
evidence_recorded = Signal()
