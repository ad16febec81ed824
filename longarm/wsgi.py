"""The WSGI application: Django, except for `POST /api/border/check`, which takes a lean path of its own
(`BorderCheckApplication`: a border post's question answered from the in-memory watch-list snapshot, with
the security headers and the request id; anything else through Django with only the security and
request-id middleware) because every border crossing calls it."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longarm.settings")
django_application = get_wsgi_application()

from longarm.watchlist.border_check_api import PATH as BORDER_CHECK_PATH  # noqa: E402 (needs Django set up)
from longarm.watchlist.border_check_api import BorderCheckApplication  # noqa: E402

border_check_application = BorderCheckApplication()


def application(environ, start_response):
    if environ.get("PATH_INFO") == BORDER_CHECK_PATH:
        return border_check_application(environ, start_response)
    return django_application(environ, start_response)

# What is loaded by now (Django, the apps, their modules) lives as long as the process: out of the
# garbage collector's sight, so that its full collections, which stop every serving thread, stay short.
gc.freeze()
