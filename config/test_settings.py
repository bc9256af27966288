"""Settings for the test suite: the real settings, a throwaway secret and a fast password hasher."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("TASKS_BACKEND", "immediate")

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# TEST_MEDIA_ROOT: a test that starts a worker process gives it the test's own folder (tests/test_jobs_worker.py).
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", VAR_DIR / "test-uploads"))  # noqa: F405
# Lockout counts failed logins per account and address: the lockout tests turn it on (tests/test_lockout.py).
AXES_ENABLED = False
