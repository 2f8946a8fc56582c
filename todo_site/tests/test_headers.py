"""Every response carries the security headers and the Content-Security-Policy, in every environment."""

import pytest
from django.urls import reverse

from todo_site.settings.base import content_security_policy, static_sources

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", reverse("home"), 200),
        ("get", reverse("login"), 200),
        ("get", reverse("todos:list"), 302),
        ("get", "/no-such-page/", 404),
        ("post", reverse("todos:toggle_all"), 302),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_json_answers_carry_the_policy_too(user_client):
    response = user_client.post(reverse("todos:list"), {"title": "a"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_admin_is_under_the_same_policy(client):
    response = client.get(reverse("admin:login"))
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("static_url", "sources"),
    [
        ("static/", ["'self'"]),
        ("/static/", ["'self'"]),
        ("https://d111.cloudfront.net/static/", ["'self'", "https://d111.cloudfront.net"]),
        ("https://todo-static.s3.amazonaws.com:443/static/", ["'self'", "https://todo-static.s3.amazonaws.com:443"]),
        ("//static.example.com/todo/", ["'self'", "static.example.com"]),
    ],
)
def test_static_files_on_another_origin_add_that_origin_only(static_url, sources):
    assert static_sources(static_url) == sources
    policy = content_security_policy(static_url)
    for directive in ("script-src", "style-src", "font-src"):
        assert policy[directive] == sources
    assert policy["img-src"] == [*sources, "data:"]
    assert policy["default-src"] == ["'self'"]
