"""Errors answer the site's own plain pages (JSON for JSON callers) and never show anything internal."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("todo_site.tests.urls")]
JSON = {"HTTP_ACCEPT": "application/json"}
INTERNALS = ("Traceback", "Error", "internal", "secret", "db.internal", "settings.py", "urlpatterns", "DEBUG")


@pytest.fixture
def client():
    """A browser's view: exceptions become error pages instead of failing the test."""
    return Client(raise_request_exception=False)


def assert_plain_page(response, status, heading):
    content = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert f"<h1>{heading}</h1>" in content
    assert not [word for word in INTERNALS if word in content]
    assert "Content-Security-Policy" in response


def test_an_unknown_page_is_the_sites_own_404(client):
    assert_plain_page(client.get("/no-such-page/"), 404, "There is nothing here")


def test_the_404_page_keeps_the_signed_in_navigation(client, user):
    client.force_login(user)
    assert "ann@example.com" in client.get("/no-such-page/").content.decode()


def test_a_request_with_too_many_fields_is_the_sites_own_400(client):
    fields = "&".join(f"f{number}=x" for number in range(1001))
    response = client.post(reverse("login"), fields, content_type="application/x-www-form-urlencoded")
    assert_plain_page(response, 400, "That request could not be read")


def test_permission_denied_is_the_sites_own_403(client):
    assert_plain_page(client.get("/forbidden/"), 403, "You cannot open this page")


def test_a_post_without_a_csrf_token_is_the_sites_own_403(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "ann@example.com", "password": "x"})
    assert_plain_page(response, 403, "This form has expired")


def test_a_crash_is_the_sites_own_500_without_details(client):
    response = client.get("/broken/")
    assert_plain_page(response, 500, "Something went wrong")
    assert "Retry-After" not in response


def test_an_unreachable_database_is_a_503_try_again_page(client):
    response = client.get("/database-gone/")
    assert_plain_page(response, 503, "Try again in a moment")
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize(
    ("vendor", "error", "status"),
    [
        ("postgresql", "08006", 503),  # connection failure
        ("postgresql", "57P01", 503),  # the server shuts down
        ("postgresql", "53300", 503),  # too many connections
        ("postgresql", "40P01", 500),  # deadlock
        ("postgresql", "40001", 500),  # serialisation failure
        ("postgresql", "statement-timeout", 500),
        ("sqlite", "cannot-open", 503),
        ("sqlite", "no-such-table", 500),
    ],
)
def test_only_a_database_out_of_reach_is_a_503(client, vendor, error, status):
    """A failed query is the site's own error to report; only a connection that fails is worth a retry."""
    if connection.vendor != vendor:
        pytest.skip(f"a {vendor} error")
    response = client.get(f"/database-error/{error}/", **JSON)
    assert response.status_code == status
    assert ("Retry-After" in response) == (status == 503)


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/no-such-page/", 404, "There is nothing here."),
        ("/forbidden/", 403, "You do not have access to this."),
        ("/broken/", 500, "Something went wrong on our side. Please try again later."),
        ("/database-gone/", 503, "The site is briefly unavailable. Please try again in a moment."),
    ],
)
def test_json_callers_get_json_errors(client, path, status, message):
    response = client.get(path, **JSON)
    assert response.status_code == status
    assert response.json() == {"error": message}


def test_json_callers_get_a_json_400(client):
    fields = "&".join(f"f{number}=x" for number in range(1001))
    response = client.post(reverse("login"), fields, content_type="application/x-www-form-urlencoded", **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "The request could not be read."}


def test_a_script_posting_without_a_csrf_token_gets_a_json_403(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("todos:list"), {"title": "a"}, **JSON)
    assert response.status_code == 403
    assert response.json()["error"].startswith("This page is out of date or your session has ended.")
