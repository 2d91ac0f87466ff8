"""Settings for the test run: development mode and a throw-away data folder, then M3's own."""

import os
import tempfile

os.environ.setdefault("M3_DEBUG", "1")
os.environ.setdefault("M3_DATA_DIR", tempfile.mkdtemp(prefix="m3-tests-"))

from m3.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
