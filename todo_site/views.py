from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def home(request):
    if request.user.is_authenticated:
        return redirect("todos:list")
    return render(request, "home.html")


@never_cache
@require_safe
@transaction.non_atomic_requests
def healthz(request):
    """For uptime checks: 200 when the database answers, else 503. One query; no session, no template."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
