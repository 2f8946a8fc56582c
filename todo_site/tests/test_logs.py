"""The function's log: one JSON object a line, with the invocation's id, which the stack's alarm reads by field."""

import io
import json
import logging
import re
from types import SimpleNamespace

import pytest
from django.test import Client

from deploy.stage import template
from todo_site.logs import JsonFormatter

pytestmark = [pytest.mark.django_db, pytest.mark.urls("todo_site.tests.urls")]


@pytest.fixture
def log():
    """What the django.request logger writes through the production formatter, a line per record."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def invoked(request_id):
    """The WSGI environ entry Zappa's handler adds: the Lambda context of the invocation."""
    return {"lambda.context": SimpleNamespace(aws_request_id=request_id)}


def alarm_counts(entry):
    """Whether the stack's server-errors metric filter counts this log entry. Its pattern is a disjunction of
    `$.field = "value"` terms, which this reads from the template and applies as CloudWatch Logs would."""
    pattern = template()["Resources"]["ServerErrorsMetric"]["Properties"]["FilterPattern"]
    assert re.fullmatch(r'\{ (\$\.\w+ = "\w+"(?: \|\| )?)+ \}', pattern), pattern
    terms = re.findall(r'\$\.(\w+) = "(\w+)"', pattern)
    return any(str(entry.get(field)) == value for field, value in terms)


def test_a_crash_is_logged_as_one_json_error_with_its_invocation_and_traceback(log):
    Client(raise_request_exception=False).get("/broken/", **invoked("8f5c0d2e-crash"))
    (entry,) = log()
    assert entry["level"] == "ERROR"
    assert entry["message"] == "Internal Server Error: /broken/"
    assert (entry["status"], entry["request_id"], entry["logger"]) == (500, "8f5c0d2e-crash", "django.request")
    assert "RuntimeError" in entry["exception"]
    assert alarm_counts(entry)


def test_an_unreachable_database_is_an_error_the_alarm_counts_too(log):
    Client(raise_request_exception=False).get("/database-gone/", **invoked("8f5c0d2e-gone"))
    (entry,) = log()
    assert (entry["level"], entry["status"], entry["request_id"]) == ("ERROR", 503, "8f5c0d2e-gone")
    assert alarm_counts(entry)


def test_a_missing_page_is_a_warning_the_alarm_does_not_count(log):
    Client().get("/no-such-page/", **invoked("8f5c0d2e-missing"))
    (entry,) = log()
    assert (entry["level"], entry["status"], entry["request_id"]) == ("WARNING", 404, "8f5c0d2e-missing")
    assert not alarm_counts(entry)


def test_each_request_carries_its_own_invocation(log):
    client = Client()
    client.get("/no-such-page/", **invoked("first"))
    client.get("/no-such-page/")
    assert [entry["request_id"] for entry in log()] == ["first", None]


def test_a_message_is_kept_whole_in_any_language(log):
    logging.getLogger("django.request").error("数据库不可用：%s", "db")
    (entry,) = log()
    assert entry["message"] == "数据库不可用：db"
    assert alarm_counts(entry)
