"""The site's URLs and error handlers, plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path

from todo_site.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def forbidden(request):
    raise PermissionDenied("internal reason: staff only")


def broken(request):
    raise RuntimeError("internal detail: /srv/secret/settings.py line 42")


def database_gone(request):
    raise OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed')


urlpatterns = [
    *urlpatterns,
    path("forbidden/", forbidden),
    path("broken/", broken),
    path("database-gone/", database_gone),
]
