"""With no database to reach, every page answers a plain 503 "try again" and /healthz/ says so.

The site runs in its own process against a PostgreSQL address where nothing listens. The outage
test (test_outage.py) also stops and restarts a real server.
"""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

VISIT = """
import json
import sys

import django

django.setup()
from django.test import Client

client = Client(HTTP_HOST="localhost", raise_request_exception=False)
client.cookies["sessionid"] = "a-session-from-before-the-outage"
answers = []
for path, accept in json.loads(sys.argv[1]):
    response = client.get(path, HTTP_ACCEPT=accept)
    answers.append({
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": response.content.decode(),
    })
print(json.dumps(answers))
"""


def unused_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def answers():
    requests = [
        (reverse("home"), "text/html"),
        (reverse("login"), "text/html"),
        (reverse("todos:list"), "text/html"),
        (reverse("todos:list"), "application/json"),
        (reverse("healthz"), "*/*"),
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_site.settings.base",
        "DEBUG": "false",
        "DATABASE_URL": f"postgres://todo@127.0.0.1:{unused_port()}/todo",
    }
    result = subprocess.run(
        [sys.executable, "-c", VISIT, json.dumps(requests)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("index", [0, 1, 2], ids=["home", "login", "todos"])
def test_pages_answer_a_plain_503_with_retry_after(answers, index):
    answer = answers[index]
    assert answer["status"] == 503
    assert answer["headers"]["Retry-After"] == "30"
    assert "<h1>Try again in a moment</h1>" in answer["body"]
    assert "Traceback" not in answer["body"]
    assert "OperationalError" not in answer["body"]
    assert "127.0.0.1" not in answer["body"]


def test_scripts_get_a_json_503(answers):
    assert answers[3]["status"] == 503
    assert json.loads(answers[3]["body"]) == {"error": "The site is briefly unavailable. Please try again in a moment."}


def test_healthz_answers_503(answers):
    assert answers[4]["status"] == 503
    assert answers[4]["body"] == "database unavailable\n"
