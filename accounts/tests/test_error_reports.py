"""Views that take a password: a server error in one reports the request with the password hidden, as Django's
own password views do (the report, mailed to ADMINS or logged, is built by Django's error reporter filter), and
none of their pages is cached."""

import sys

import pytest
from django.core.signals import got_request_exception
from django.urls import reverse
from django.views.debug import ExceptionReporter

pytestmark = pytest.mark.django_db
SECRET = "my-Secret-pass-1234"
HIDDEN = "********************"


@pytest.fixture
def reports(client):
    """The text of the report Django would send for each 500, as its AdminEmailHandler builds it."""
    client.raise_request_exception = False
    texts = []

    def report(sender, request, **kwargs):
        texts.append(ExceptionReporter(request, *sys.exc_info(), is_email=True).get_traceback_text())

    got_request_exception.connect(report)
    yield texts
    got_request_exception.disconnect(report)


def broken(*args, **kwargs):
    raise RuntimeError("the database went away")


def test_a_500_in_sign_up_reports_no_password(client, reports, monkeypatch):
    monkeypatch.setattr("accounts.views.login", broken)
    response = client.post(reverse("signup"), {"email": "new@example.com", "password1": SECRET, "password2": SECRET})
    assert response.status_code == 500
    (report,) = reports
    assert "the database went away" in report
    assert SECRET not in report
    assert HIDDEN in report


def test_a_500_in_account_deletion_reports_no_password(user_client, client, reports, monkeypatch, password):
    monkeypatch.setattr("accounts.views.logout", broken)
    response = user_client.post(reverse("account_delete"), {"password": password})
    assert response.status_code == 500
    (report,) = reports
    assert password not in report
    assert HIDDEN in report


def test_the_report_shows_what_a_view_does_not_mark_sensitive(user_client, client, reports, monkeypatch):
    """The contrast: a todo's title is no secret, and the report shows it."""
    monkeypatch.setattr("todos.views.Todo.objects.add", broken)
    user_client.post(reverse("todos:list"), {"title": SECRET})
    (report,) = reports
    assert SECRET in report


@pytest.mark.parametrize("name", ["signup", "login", "account_delete", "password_change"])
def test_every_page_that_takes_a_password_is_never_cached(user_client, name):
    if name in {"signup", "login"}:
        user_client.logout()
    response = user_client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
