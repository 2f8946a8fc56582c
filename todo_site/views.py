import sqlite3
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.i18n import set_language as django_set_language

from accounts.views import remember_language

from .http import NotFound, wants_json

RETRY_AFTER_SECONDS = 30
# PostgreSQL's SQLSTATEs for a server that is going away or full; class 08 is "connection exception".
# https://www.postgresql.org/docs/current/errcodes-appendix.html
SERVER_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300"}


def database_unreachable(error):
    """Whether the error says the database cannot be reached (worth a "try again"), not that a query failed.

    A deadlock, a serialisation failure or a statement timeout is an OperationalError too, but it is
    the site's own problem to report, not the visitor's to retry.
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        return getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_CANTOPEN
    code = getattr(cause, "pgcode", None)
    # psycopg2 gives no code to a connection that never opened or was dropped.
    return code is None or code.startswith("08") or code in SERVER_UNAVAILABLE


def home(request):
    if request.user.is_authenticated:
        return redirect("todos:list")
    return render(request, "home.html")


@never_cache
@require_safe
def healthz(request):
    """For uptime checks: 200 when the database answers, else 503. One query; no session, no template."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def error_page(request, status, message, *, context_request=None):
    """The error as {"error": message} for JSON callers, else the status's own page.

    Pages for broken requests and server errors render without the request, as Django's own do:
    the request's body or the database behind its session may be what failed.
    """
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return HttpResponse(loader.render_to_string(f"{status}.html", request=context_request), status=status)


def bad_request(request, exception):
    return error_page(request, 400, gettext("The request could not be read."))


def permission_denied(request, exception):
    return error_page(request, 403, gettext("You do not have access to this."), context_request=request)


def page_not_found(request, exception):
    message = str(exception) if isinstance(exception, NotFound) else gettext("There is nothing here.")
    return error_page(request, 404, message, context_request=request)


def server_error(request):
    """A 500, or a 503 "try again" with Retry-After while the database cannot be reached."""
    if database_unreachable(sys.exception()):
        message = gettext("The site is briefly unavailable. Please try again in a moment.")
        response = error_page(request, 503, message)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return error_page(request, 500, gettext("Something went wrong on our side. Please try again later."))


def csrf_failure(request, reason=""):
    """A form or script posted without a valid CSRF token: usually a page left open across a log-in or out."""
    if wants_json(request):
        message = gettext("This page is out of date or your session has ended. Reload the page and try again.")
        return JsonResponse({"error": message}, status=403)
    return HttpResponse(loader.render_to_string("403_csrf.html", request=request), status=403)


def set_language(request):
    """Django's language switch; a signed-in user's choice is also kept for the e-mails the site sends."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language", ""))
    return response
