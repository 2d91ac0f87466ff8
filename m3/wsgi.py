"""WSGI entry point for `m3 serve` (gunicorn) and other WSGI servers."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "m3.settings")
application = get_wsgi_application()
