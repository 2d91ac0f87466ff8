"""Django settings for M3, built from the validated `M3_*` configuration (see m3/config.py)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import plotly

from m3.config import config_load

M3 = config_load()

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = M3.secret_key
DEBUG = M3.debug
ALLOWED_HOSTS = list(M3.allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "m3.org",
    "m3.jobs",
    "m3.ingest",
    "m3.initiatives",
    "m3.measure",
    "m3.message",
    "m3.pulse",
    "m3.diagnose",
    "m3.reports",
    "m3.state",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages and JSON are compressed (a 200-team overview is ~230 KB of HTML, ~25 KB gzipped);
    # Django masks the CSRF token per response, which defeats BREACH-style guessing.
    "django.middleware.gzip.GZipMiddleware",
    # An ETag on every answer: a browser that has the page already gets 304 Not Modified.
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "m3.web.M3ErrorMiddleware",
]

ROOT_URLCONF = "m3.urls"
WSGI_APPLICATION = "m3.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "m3.org.scope.viewer_context",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    db: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        Path(str(db["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the server read while a CLI command writes; IMMEDIATE avoids upgrade deadlocks.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        db["CONN_MAX_AGE"] = 0
    return db


DATABASES = {"default": _database(M3.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = M3.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# No STATIC_ROOT: WhiteNoise serves the apps' and packages' static files through the finders.
# Plotly's JavaScript is served from the installed package, never copied into the repository.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("plotly", Path(plotly.__file__).resolve().parent / "package_data"),
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
