"""The Celery application: configuration comes from Django settings under CELERY_*.

Tasks are discovered in each app's tasks.py; the beat schedule lives in settings. A worker
checks the database and the broker before it starts (b12tracker.startup).
"""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "b12tracker.settings")

app = Celery("b12tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def check_services_at_start(sender: Any = None, **kwargs: Any) -> None:
    """Before the banner and "ready": exit (status 1) if the database or broker is down."""
    from .startup import check_services  # needs Django set up, which the worker has done

    check_services(app)
