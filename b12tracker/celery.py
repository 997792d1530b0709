"""The Celery application: configuration comes from Django settings under CELERY_*.

Tasks are discovered in each app's tasks.py; the beat schedule lives in settings. A worker,
and a beat run on its own, check the database and the broker before they start
(b12tracker.startup).
"""

import os
from typing import Any

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "b12tracker.settings")

app = Celery("b12tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def check_services_at_start(sender: Any = None, **kwargs: Any) -> None:
    """Before the banner and "ready": exit (status 1) if the database or broker is down."""
    from .startup import check_services  # needs Django set up, which the worker has done

    global _worker_checked
    check_services(app)
    _worker_checked = True


# Set in a worker that passed its check; a beat embedded in it (-B) inherits it and skips
# checking again. A beat of its own (`celery beat`) checks the same way before it ticks.
_worker_checked = False


@beat_init.connect
def check_services_at_beat_start(sender: Any = None, **kwargs: Any) -> None:
    if _worker_checked:
        return
    from .startup import check_services

    check_services(app, role="beat")
