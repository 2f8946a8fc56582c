"""How many SQL statements each of the accounts' forms runs when it succeeds or is refused."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a much newer passphrase 42"


def post(statements, client, name, data, *args):
    response, sql = statements(lambda: client.post(reverse(name, args=args), data))
    return response.status_code, len(sql), sql


def test_signing_up(client, statements, password):
    data = {"email": "new@example.com", "password1": password, "password2": password}
    status, count, sql = post(statements, client, "signup", data)
    # Is the address taken (as typed, and as its key)? INSERT the user; the session's key is new?
    # INSERT the session, the user's last log-in, and the session again with the welcome message.
    assert (status, count) == (302, 7), sql


def test_logging_in(client, user, statements, password):
    status, count, sql = post(statements, client, "login", {"username": user.email, "password": password})
    # The account's row locked; a lock? recent failures? the user; forget its failures and lock;
    # a new session key, INSERT it, the user's last log-in, and the session with the user in it.
    assert (status, count) == (302, 10), sql


def test_a_wrong_password(client, user, statements):
    status, count, sql = post(statements, client, "login", {"username": user.email, "password": "wrong"})
    # The row, a lock? recent failures? the user; INSERT the failure, count the day's; a lock? failures?
    assert (status, count) == (200, 8), sql


def test_logging_out(user_client, statements):
    status, count, sql = post(statements, user_client, "logout", {})
    assert (status, count) == (302, 4), sql  # session, user, the session again, DELETE it


def test_changing_the_password(user_client, statements, password):
    data = {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    status, count, sql = post(statements, user_client, "password_change", data)
    # Session, user, UPDATE the user; a new session key, INSERT it, the old one, DELETE it; the message.
    assert (status, count) == (302, 8), sql


@pytest.mark.parametrize("email", ["ann@example.com", "nobody@example.com"])
def test_asking_for_a_reset(client, user, statements, email):
    status, count, sql = post(statements, client, "password_reset", {"email": email})
    assert (status, count) == (302, 1), sql  # the users with that address


def test_setting_a_password_from_the_reset_link(client, user, statements):
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link).url
    response, sql = statements(
        lambda: client.post(form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    )
    # The user, the session; UPDATE the user, forget its failures and lock, the session.
    assert (response.status_code, len(sql)) == (302, 6), sql


def test_deleting_the_account(user_client, user, statements, password):
    user.todos.bulk_create(user.todos.model(owner=user, title=f"todo {number}") for number in range(50))
    status, count, sql = post(statements, user_client, "account_delete", {"password": password})
    # Session, user; end the session (read it, DELETE it); then one DELETE per table that refers to
    # the user, however many rows: the admin's log, groups, permissions, todos, and the user.
    assert (status, count) == (302, 9), sql


def test_choosing_a_language(client, statements):
    status, count, sql = post(statements, client, "set_language", {"language": "zh-hans", "next": "/"})
    assert (status, count) == (302, 0), sql  # a cookie, no session
