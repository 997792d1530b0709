"""Settings for the test run: the real settings with a fast hasher and plain static storage.

Only what a test process needs differs; services come from the same environment variables.
"""

import os

os.environ.setdefault(
    "SECRET_KEY", "test-only-" + "k3y-for-the-test-run-which-is-long-enough-0123456789"
)
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("B12_ENV_FILE", "")
# The API's rate limits stay out of the way of tests that call it many times; the tests of
# throttling set their own.
os.environ.setdefault("API_RATE_USER", "100000/minute")
os.environ.setdefault(
    "API_RATE_ANON", "100000/minute"
)  # a developer's local .env stays out of the tests

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SMS_BACKEND = "locmem"

# A test database per run, so that two test runs on one machine never drop each other's.
_default = DATABASES["default"]  # noqa: F405
if _default["ENGINE"].endswith("sqlite3"):
    _default["TEST"] = {"NAME": str(VAR_DIR / f"test_b12tracker_{os.getpid()}.sqlite3")}  # noqa: F405
else:
    _default["TEST"] = {"NAME": f"test_{_default['NAME']}_{os.getpid()}"}

# WhiteNoise warns on every request when the collected-static folder does not exist yet.
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405
