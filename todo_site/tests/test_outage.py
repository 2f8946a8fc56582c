"""While PostgreSQL is down the site answers a plain 503, and it recovers by itself when PostgreSQL returns.

The test starts its own throwaway PostgreSQL server and runs the site in separate processes
against it (one opening a connection per request, one keeping connections open), then stops and
restarts the server under them.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from local_aws.database import ThrowawayPostgres

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The outage test runs once, in the PostgreSQL leg."
)

SERVE = """
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.core.wsgi import get_wsgi_application


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
print(server.server_port, flush=True)
server.serve_forever()
"""
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def postgres():
    with ThrowawayPostgres(name="hardening_outage") as server:
        yield server


class Site:
    """The site in a process of its own (Django's WSGI application behind wsgiref), and a browser's cookies."""

    def __init__(self, database_url, conn_max_age):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "todo_site.settings.base",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": str(conn_max_age),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE], cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True
        )
        port = self.process.stdout.readline()
        assert port, "The site's process ended before it served anything."
        self.url = f"http://127.0.0.1:{int(port)}"
        self.cookies = http.cookiejar.CookieJar()
        self.browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path, fields=None, **headers):
        """(status, headers, body) of a GET, or of a POST of the fields, after redirects."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.url + path, data, headers=headers)  # noqa: S310 - always http://127.0.0.1
        try:
            with self.browser.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def request(self, path, fields=None):
        """A page, or a form on that page posted as a browser would (with the form's CSRF token)."""
        if fields is None:
            return self.open(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.open(path)[2]).group(1)
        return self.open(path, {"csrfmiddlewaretoken": token, **fields})

    def post_json(self, path, fields):
        """A post as the page's script sends it: the CSRF token from the cookie in a header, JSON back."""
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        status, _, body = self.open(path, fields, Accept="application/json", **{"X-CSRFToken": token})
        return status, json.loads(body)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def sites(postgres):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "todo_site.settings.base", "DATABASE_URL": postgres.url},
        check=True,
        capture_output=True,
        timeout=120,
    )
    started = {conn_max_age: Site(postgres.url, conn_max_age) for conn_max_age in (0, 60)}
    yield started
    for site in started.values():
        site.stop()


def titles(page):
    return re.findall(r"<label>(.*?)</label>", page)


def test_an_outage_answers_503_and_the_site_recovers_by_itself(postgres, sites):
    todos, healthz = reverse("todos:list"), reverse("healthz")
    for conn_max_age, site in sites.items():
        email = f"outage{conn_max_age}@example.com"
        site.request(reverse("signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})
        status, _, page = site.request(todos, {"title": "before the outage"})
        assert (status, titles(page)) == (200, ["before the outage"])
        assert site.request(healthz)[:3:2] == (200, "ok\n")

    postgres.stop()
    for site in sites.values():
        status, headers, page = site.request(todos)
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert "<h1>Try again in a moment</h1>" in page
        assert "Traceback" not in page
        assert "psycopg2" not in page
        assert site.post_json(todos, {"title": "during the outage"}) == (
            503,
            {"error": "The site is briefly unavailable. Please try again in a moment."},
        )
        assert site.request(healthz)[:3:2] == (503, "database unavailable\n")

    postgres.start()
    for site in sites.values():
        status, _, page = site.request(todos)
        assert (status, titles(page)) == (200, ["before the outage"])
        status, data = site.post_json(todos, {"title": "after the outage"})
        assert (status, data["counts"]["total"]) == (201, 2)
        assert site.request(healthz)[:3:2] == (200, "ok\n")
        assert site.process.poll() is None
