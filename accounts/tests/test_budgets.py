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
    # INSERT the attempt as one to a taken address, then two throttles (taken addresses, new accounts from
    # here); is the address taken (as its key, and as typed)? It is not: DELETE the attempt. INSERT the user,
    # and the sign-up for its throttle; the session's key is new? INSERT the session, the user's last
    # log-in, and the session again with the welcome message. Three transactions (the attempt and its
    # throttles, the user and its sign-up, the session): a BEGIN and a COMMIT each.
    assert (status, count) == (302, 18), sql


def test_logging_in(client, user, statements, password):
    status, count, sql = post(statements, client, "login", {"username": user.email, "password": password})
    # A lock? INSERT the attempt, then the failures from here (for any account, for this one); the user;
    # forget the failures from here; a new session key, INSERT it, the last log-in, the session with the user.
    # Two transactions, a BEGIN and a COMMIT each.
    assert (status, count) == (302, 14), sql


def test_a_wrong_password(client, user, statements):
    status, count, sql = post(statements, client, "login", {"username": user.email, "password": "wrong"})
    # A lock? INSERT the attempt, the failures from here (two throttles); the user; the account's failures
    # of the day, and again the two throttles for the error the next attempt would get.
    assert (status, count) == (200, 8), sql


def test_logging_out(user_client, statements):
    status, count, sql = post(statements, user_client, "logout", {})
    assert (status, count) == (302, 4), sql  # session, user, the session again, DELETE it


def test_changing_the_password(user_client, statements, password):
    data = {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    status, count, sql = post(statements, user_client, "password_change", data)
    # Session, user; INSERT the check as a wrong one, the wrong passwords lately, DELETE it (it was right);
    # UPDATE the user; a new session key, INSERT it, the old one, DELETE it; the message. Two transactions, a
    # BEGIN and a COMMIT each.
    assert (status, count) == (302, 15), sql


@pytest.mark.parametrize(("email", "sent"), [("ann@example.com", 1), ("nobody@example.com", 0)])
def test_asking_for_a_reset(client, user, statements, email, sent):
    status, count, sql = post(statements, client, "password_reset", {"email": email})
    # INSERT this request, then the account's and the client address's requests lately; the users with that
    # address. Off Lambda the e-mail's task runs in place: it takes a slot of the sending rate (an UPDATE of
    # this second's count that finds no row, then its INSERT, in a transaction of their own: BEGIN, COMMIT). On
    # Lambda those four run in the task.
    assert (status, count) == (302, 4 + 4 * sent), sql


def test_setting_a_password_from_the_reset_link(client, user, statements):
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link).url
    response, sql = statements(
        lambda: client.post(form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    )
    # The user, the session; UPDATE the user, forget its failures and lock (in one transaction: BEGIN, COMMIT),
    # the session.
    assert (response.status_code, len(sql)) == (302, 8), sql


def test_deleting_the_account(user_client, user, statements, password):
    user.todos.bulk_create(user.todos.model(owner=user, title=f"todo {number}") for number in range(50))
    status, count, sql = post(statements, user_client, "account_delete", {"password": password})
    # Session, user; INSERT the check, the wrong passwords lately, DELETE it; end the session (read it, DELETE
    # it); the user's lists (their todos go with them); then one DELETE per table that refers to the user or
    # its lists, however many rows: the admin's log, groups, permissions, the daily digests, the todos (by owner
    # and by list), the lists, the user; the deletion is one transaction: BEGIN, COMMIT.
    assert (status, count) == (302, 18), sql


def test_choosing_a_language(client, statements):
    status, count, sql = post(statements, client, "set_language", {"language": "zh-hans", "next": "/"})
    assert (status, count) == (302, 0), sql  # a cookie, no session
