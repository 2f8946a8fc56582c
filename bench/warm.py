"""Warm requests in one process: Django's WSGI handler alone, and Zappa's Lambda handler around it.

Both serve the same Django project with the production settings; the WSGI side gets the very
environ Zappa builds from the API Gateway event, so the difference is Zappa's own work: reading
the event, running the app through werkzeug, and building the response for API Gateway.
"""

import io
import statistics
import time

from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test.utils import CaptureQueriesContext
from zappa.wsgi import create_wsgi_request

from local_aws.events import Response


def wsgi_handler(event, stage):
    # `stage` is a Stage: the environ's SCRIPT_NAME is its prefix, as Zappa sets it.
    """Django's WSGI application called directly with the environ Zappa would build; returns the body."""
    application = get_wsgi_application()
    environ = create_wsgi_request(event, script_name=f"/{stage.name}", trailing_slash=True, binary_support=True)
    environ.update({"HTTPS": "on", "wsgi.url_scheme": "https"})

    def call():
        response = application({**environ, "wsgi.input": io.BytesIO(b"")}, lambda status, headers: None)
        try:
            return b"".join(response)
        finally:
            response.close()

    return call


def response_size(result):
    return len(Response.from_result(result).body)


def compare(calls, requests, block=25, warmup=50):
    """{name: [milliseconds, ...]}: `requests` calls of each, in alternating blocks after a warm-up."""
    for call in calls.values():
        for _ in range(warmup):
            call()
    times = {name: [] for name in calls}
    while len(times[next(iter(calls))]) < requests:
        for name, call in calls.items():
            for _ in range(block):
                start = time.perf_counter()
                call()
                times[name].append((time.perf_counter() - start) * 1000)
    return times


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(times):
    return {
        "p50": statistics.median(times),
        "p99": percentile(times, 0.99),
        "rps": 1000 / statistics.fmean(times),
        "requests": len(times),
    }


def count_queries(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)
