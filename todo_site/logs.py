"""
The function's log as one JSON object a line, which CloudWatch Logs' metric filters read by field.

    {"level": "ERROR", "logger": "django.request", "message": "Internal Server Error: /todos/",
     "request_id": "8f5c...", "status": 500, "exception": "Traceback ..."}

`level` is what the stack's alarm counts (`{ $.level = "ERROR" || $.level = "CRITICAL" }`), so a
message can be reworded or translated without blinding it. `request_id` is Lambda's id of the
invocation, the one in its START, END and REPORT lines: Zappa hands the Lambda context to Django
in the request's environ, and RequestIdMiddleware, the first of the site's middleware, takes it
from there; a scheduled event's function sets it with `invocation(context)`.
"""

import contextvars
import datetime
import json
import logging

request_id = contextvars.ContextVar("request_id", default=None)


def invocation(context):
    """Mark what is logged from now on as the invocation's of this Lambda context (None: no invocation)."""
    request_id.set(getattr(context, "aws_request_id", None))


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Not reset on the way out: Django logs an answer of 500 and above after the middleware has returned.
        invocation(request.META.get("lambda.context"))
        return self.get_response(request)


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        # Django's request logger gives the answer's status code (never the request itself: it may hold a password).
        if isinstance(getattr(record, "status_code", None), int):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
