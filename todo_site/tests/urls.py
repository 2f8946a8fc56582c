"""The site's URLs and error handlers, plus views that fail on purpose, for the error page tests."""

import re

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection, connections, transaction
from django.http import Http404
from django.urls import path

from todo_site.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def forbidden(request):
    raise PermissionDenied("internal reason: staff only")


def broken(request):
    raise RuntimeError("internal detail: /srv/secret/settings.py line 42")


def database_gone(request):
    raise OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed')


def database_error(request, error):
    """Fail with a real error of the database in use: PostgreSQL raises any SQLSTATE it has itself."""
    with transaction.atomic(), connection.cursor() as cursor:
        if error == "statement-timeout":
            cursor.execute("SET LOCAL statement_timeout = '1ms'")
            cursor.execute("SELECT pg_sleep(1)")
        elif error == "no-such-table":
            cursor.execute("SELECT * FROM no_such_table")
        elif error == "cannot-open":
            broken = type(connections["default"])({**connection.settings_dict, "NAME": "/no/such/folder/db.sqlite3"})
            broken.ensure_connection()
        elif re.fullmatch("[0-9A-Z]{5}", error):
            cursor.execute(f"DO $$ BEGIN RAISE EXCEPTION 'failed on purpose' USING ERRCODE = '{error}'; END $$")
        else:
            raise Http404


urlpatterns = [
    *urlpatterns,
    path("forbidden/", forbidden),
    path("broken/", broken),
    path("database-gone/", database_gone),
    path("database-error/<str:error>/", database_error),
]
