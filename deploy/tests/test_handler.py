"""Zappa's real LambdaHandler, built from the dev stage, serving API Gateway events in process."""

from datetime import timedelta
from functools import partial
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from zappa.wsgi import create_wsgi_request

from accounts.models import Attempt
from local_aws.events import EDGE_ADDRESS, Response, api_host, http_api_event, rest_event

from .support import daily_event, written_stage
from .visitor import Page, Visitor, journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def host(dev):
    return api_host(dev.region)


@pytest.mark.parametrize("event", [rest_event, http_api_event], ids=["rest-api", "http-api"])
def test_the_whole_journey_stays_under_the_stage_prefix(lambda_handler, host, event):
    """Every page, redirect, form action and script URL keeps /dev/ through the journey."""
    journey(Visitor(lambda_handler, stage="dev", host=host, event=event))


def test_session_and_csrf_cookies_are_secure_and_every_cookie_reaches_the_browser(lambda_handler, host, password):
    visitor = Visitor(lambda_handler, stage="dev", host=host)
    signup = visitor.page(visitor.url("signup"))
    visitor.submit(signup, visitor.url("signup"), email="ann@example.com", password1=password, password2=password)

    assert set(visitor.cookies) == {"csrftoken", "sessionid", "messages", "device"}
    for name in ("csrftoken", "sessionid", "device"):
        assert visitor.cookie_attributes[name]["secure"]
    for name in ("sessionid", "device"):
        assert visitor.cookie_attributes[name]["httponly"]


def test_a_post_from_another_origin_is_refused(lambda_handler, host, password):
    """Zappa marks requests as HTTPS, so Django checks the Origin against the API's host."""
    visitor = Visitor(lambda_handler, stage="dev", host=host)
    signup = visitor.page(visitor.url("signup"))
    fields = {**signup.form(visitor.url("signup")).fields, "email": "ann@example.com"}
    fields.update(password1=password, password2=password)
    event = rest_event(
        "POST",
        "/accounts/signup/",
        stage="dev",
        host=host,
        headers=[
            ("Cookie", f"csrftoken={visitor.cookies['csrftoken']}"),
            ("Origin", "https://evil.example"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body="&".join(f"{name}={value}" for name, value in fields.items()).encode(),
    )
    assert Response.from_result(lambda_handler(event)).status == 403


def test_a_client_written_x_forwarded_for_reaches_django_but_never_becomes_its_remote_addr(host):
    """An edge-optimized API appends the client's and the edge's addresses; Zappa takes the one before the edge."""
    event = rest_event(
        "GET", "/", stage="dev", host=host, headers=[("X-Forwarded-For", "192.0.2.66")], source_ip="203.0.113.10"
    )
    environ = create_wsgi_request(event)
    assert environ["HTTP_X_FORWARDED_FOR"] == f"192.0.2.66, 203.0.113.10, {EDGE_ADDRESS}"
    assert environ["REMOTE_ADDR"] == "203.0.113.10"


# Headers a client may write to claim another address.
FORGED = ["X-Forwarded-For", "X-Real-Ip", "Forwarded", "True-Client-Ip", "X-Client-Ip", "Cf-Connecting-Ip"]


@pytest.mark.parametrize("event", [rest_event, http_api_event], ids=["rest-api", "http-api"])
def test_the_throttle_counts_the_address_api_gateway_saw_whatever_the_client_writes(
    lambda_handler, host, event, user, password
):
    """Failures from one source address refuse it, whatever each attempt claims; the owner gets in from another."""

    def log_in(password, source_ip, claimed):
        visitor = Visitor(lambda_handler, stage="dev", host=host, event=partial(event, source_ip=source_ip))
        login = visitor.page(visitor.url("login"))
        fields = {**login.form(visitor.url("login")).fields, "username": "ann@example.com", "password": password}
        forged = [(name, f"for={claimed}" if name == "Forwarded" else claimed) for name in FORGED]
        return visitor.request("POST", visitor.url("login"), fields=fields, headers=forged)

    for number in range(settings.THROTTLES["login_account_address"]["limit"]):
        assert log_in("not the password", "203.0.113.10", f"192.0.2.{number}").status == 200
    refused = log_in(password, "203.0.113.10", "198.51.100.99")
    assert refused.status == 200
    assert "Too many failed log-ins" in refused.text
    assert set(Attempt.objects.values_list("address", flat=True)) == {"203.0.113.10"}
    assert log_in(password, "198.51.100.99", "203.0.113.10").status == 302


def test_a_custom_domain_serves_the_site_at_its_root_and_trusts_its_own_origin_only(
    build_lambda_handler, dev, tmp_path, password
):
    """The stage written from a stack with a domain; API Gateway's mapping takes the stage out of rawPath."""
    handler = build_lambda_handler(written_stage("dev", tmp_path, DomainName="todo.example.com"))
    domain = partial(http_api_event, stage="dev", host="todo.example.com", custom_domain=True)

    signup = Response.from_result(handler(domain("GET", "/accounts/signup/")))
    assert signup.status == 200
    assert 'action="/accounts/signup/"' in signup.text
    csrf_token = SimpleCookie(signup.header("Set-Cookie"))["csrftoken"].value
    form = Page(signup.text).form("/accounts/signup/").fields
    fields = urlencode({**form, "email": "ann@example.com", "password1": password, "password2": password})

    def post(origin):
        headers = [
            ("Cookie", f"csrftoken={csrf_token}"),
            ("Origin", origin),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ]
        return Response.from_result(handler(domain("POST", "/accounts/signup/", headers=headers, body=fields.encode())))

    assert post("https://evil.example").status == 403
    signed_up = post("https://todo.example.com")
    assert (signed_up.status, signed_up.header("Location")) == (302, "/todos/")


def test_an_unknown_host_is_a_bad_request(lambda_handler):
    event = rest_event("GET", "/", stage="dev", host="a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com")
    assert Response.from_result(lambda_handler(event)).status == 400


def test_the_daily_event_deletes_expired_sessions_only(lambda_handler, dev, client, user):
    client.force_login(user)
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1))

    lambda_handler(daily_event(dev))

    assert list(Session.objects.values_list("session_key", flat=True)) == [client.session.session_key]
