"""Sessions: a new key at every log-in, and ended on the server at log-out, password change and account deletion."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "an-Entirely-new-Secret-42"


def session_key(client):
    return client.cookies["sessionid"].value


def signed_in(client):
    return client.get(reverse("todos:list")).status_code == 200


def client_with_cookie(key):
    client = Client()
    client.cookies["sessionid"] = key
    return client


@pytest.fixture
def logged_in(user, password):
    """A new browser that logs in as the user through the log-in form."""

    def logged_in():
        client = Client()
        client.post(reverse("login"), {"username": user.email, "password": password})
        assert signed_in(client)
        return client

    return logged_in


@pytest.fixture
def planted_session(client):
    """A session the visitor had before logging in, as a session-fixation attack would plant it."""
    session = client.session
    session["planted"] = True
    session.save()
    return session.session_key


def test_logging_in_gives_a_new_session_key(client, user, password, planted_session):
    client.post(reverse("login"), {"username": "ann@example.com", "password": password})
    assert session_key(client) != planted_session
    assert not Session.objects.filter(session_key=planted_session).exists()
    assert not signed_in(client_with_cookie(planted_session))


def test_signing_up_gives_a_new_session_key(client, planted_session):
    client.post(
        reverse("signup"),
        {"email": "new@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert signed_in(client)
    assert session_key(client) != planted_session
    assert not Session.objects.filter(session_key=planted_session).exists()


def test_the_admin_login_gives_a_new_session_key(client, django_user_model, password, planted_session):
    django_user_model.objects.create_superuser(email="root@example.com", password=password)
    client.post(reverse("admin:login"), {"username": "root@example.com", "password": password})
    assert client.get(reverse("admin:index")).status_code == 200
    assert session_key(client) != planted_session


def test_logging_out_deletes_the_session_on_the_server(logged_in):
    client = logged_in()
    key = session_key(client)
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not signed_in(client_with_cookie(key))


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(logged_in, password):
    this, other = logged_in(), logged_in()
    other_key = session_key(other)
    this.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert signed_in(this)
    assert not signed_in(other)
    assert not Session.objects.filter(session_key=other_key).exists()


def test_resetting_the_password_ends_every_session(logged_in, client):
    other = logged_in()
    client.post(reverse("password_reset"), {"email": "ann@example.com"})
    link = re.search(r"https?://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert not signed_in(other)


def test_deleting_the_account_ends_its_other_sessions_for_good(logged_in, password):
    this, other = logged_in(), logged_in()
    other_key = session_key(other)
    this.post(reverse("account_delete"), {"password": password})
    assert not signed_in(other)
    # Even an account created again with the same address and password does not revive it.
    again = Client()
    again.post(reverse("signup"), {"email": "ann@example.com", "password1": password, "password2": password})
    assert signed_in(again)
    assert not signed_in(client_with_cookie(other_key))
