"""The Celery application: configuration comes from Django settings under CELERY_*.

Tasks are discovered in each app's tasks.py; the beat schedule lives in settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "b12tracker.settings")

app = Celery("b12tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
