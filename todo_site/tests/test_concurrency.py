"""Many requests at once, each with its own database connection, lose nothing and bypass nothing."""

from functools import partial

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Attempt
from todos.models import Todo

from .concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite takes one writer at a time; concurrency is proven on PostgreSQL, as in production.",
    ),
]
JSON = {"HTTP_ACCEPT": "application/json"}


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def add_and_complete(session, title):
    """One visitor adds a todo and ticks it, as the page's script does; returns both answers' statuses."""
    client = Client()
    client.cookies["sessionid"] = session
    created = client.post(reverse("todos:list"), {"title": title}, **JSON)
    if created.status_code != 201:
        return created.status_code, None
    toggled = client.post(reverse("todos:toggle", args=[created.json()["todo"]["id"]]), {"completed": "true"}, **JSON)
    return created.status_code, toggled.status_code


def test_concurrent_writers_lose_nothing(user, other_user):
    sessions = {user: session_cookie(user), other_user: session_cookie(other_user)}
    jobs = [partial(add_and_complete, sessions[owner], f"todo {n}") for n in range(100) for owner in sessions]
    assert run_together(jobs, threads=8) == [(201, 200)] * 200
    for owner in sessions:
        todos = Todo.objects.filter(owner=owner)
        assert todos.counts() == {"total": 100, "completed": 100, "active": 0}
        assert sorted(todos.values_list("title", flat=True)) == sorted(f"todo {n}" for n in range(100))


def failed_log_in(email):
    """One wrong-password log-in from a new client; returns which refusal it got."""
    response = Client().post(reverse("login"), {"username": email, "password": "not the password"})
    content = response.content.decode()
    return "locked" if "Too many failed log-ins" in content else "invalid" if "do not match" in content else content


def test_concurrent_guesses_check_no_more_passwords_than_the_limit(user):
    limit = settings.THROTTLES["login_account_address"]["limit"]
    answers = run_together([partial(failed_log_in, "ann@example.com")] * 24, threads=8)
    # Every answer is a refusal, and no more passwords were checked than the limit (each check a failure that
    # stays counted), however the attempts interleaved. Fewer may be: an attempt counted but then refused
    # also refuses, for its moment, those counted after it.
    assert set(answers) <= {"invalid", "locked"}
    assert answers.count("invalid") <= limit - 1
    assert 1 <= Attempt.objects.filter(key="ann@example.com").count() <= limit


def wrong_current_password(session):
    client = Client()
    client.cookies["sessionid"] = session
    fields = {
        "old_password": "not the password",
        "new_password1": "a new passphrase 42",
        "new_password2": "a new passphrase 42",
    }
    return client.post(reverse("password_change"), fields).status_code


def test_concurrent_wrong_current_passwords_check_no_more_than_the_limit(user):
    """Whoever holds a stolen session cannot guess faster by sending guesses at once."""
    session = session_cookie(user)
    run_together([partial(wrong_current_password, session)] * 24, threads=8)
    checked = Attempt.objects.filter(action=Attempt.Action.PASSWORD_CHECK, key=user.email_key).count()
    assert 0 < checked <= settings.THROTTLES["password_check"]["limit"]
