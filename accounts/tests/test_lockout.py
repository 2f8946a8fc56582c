"""Repeated failed log-ins lock the account key for a cool-off time, on the site and in the admin."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginThrottle

pytestmark = pytest.mark.django_db
LIMIT = settings.LOGIN_FAILURE_LIMIT
INVALID = ["The e-mail address and password do not match an account."]
LOCKED = ["Too many failed log-ins for this account. Try again in 15 minutes."]


def log_in(client, email, password, **headers):
    """Post the log-in form; return the errors shown, or None when the visitor got in."""
    response = client.post(reverse("login"), {"username": email, "password": password}, **headers)
    if response.status_code == 302:
        return None
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    return response.context["form"].non_field_errors()


def fail(client, email, times, **headers):
    return [log_in(client, email, "not the password", **headers) for _ in range(times)]


def test_the_defaults_are_five_failures_and_fifteen_minutes():
    assert (LIMIT, settings.LOGIN_LOCKOUT_SECONDS) == (5, 900)


def test_the_limit_th_failure_locks_the_account(client, user):
    assert fail(client, "ann@example.com", LIMIT) == [INVALID] * (LIMIT - 1) + [LOCKED]
    assert LoginThrottle.objects.get(key="ann@example.com").is_locked()


def test_the_right_password_is_refused_while_locked(client, user, password):
    fail(client, "ann@example.com", LIMIT)
    assert log_in(client, "ann@example.com", password) == LOCKED
    assert client.get(reverse("todos:list")).status_code == 302


def test_the_lock_covers_every_spelling_of_the_address(client, user, password):
    fail(client, "ann@example.com", LIMIT)
    assert log_in(client, " ANN@Example.COM ", password) == LOCKED


def test_changing_the_client_address_does_not_help(client, user, password):
    for number in range(LIMIT):
        address = f"203.0.113.{number}"
        fail(client, "ann@example.com", 1, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=f"{address}, 198.51.100.7")
    assert log_in(client, "ann@example.com", password, REMOTE_ADDR="192.0.2.99", HTTP_X_FORWARDED_FOR="192.0.2.99") == (
        LOCKED
    )


def test_the_lock_lifts_after_the_cool_off(client, user, password):
    fail(client, "ann@example.com", LIMIT)
    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert log_in(client, "ann@example.com", password) is None


def test_after_the_cool_off_the_count_starts_again(client, user):
    fail(client, "ann@example.com", LIMIT)
    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert fail(client, "ann@example.com", LIMIT) == [INVALID] * (LIMIT - 1) + [LOCKED]


def test_the_message_counts_down_the_minutes_left(client, user):
    fail(client, "ann@example.com", LIMIT)
    LoginThrottle.objects.update(locked_until=timezone.now() + timedelta(seconds=61))
    assert log_in(client, "ann@example.com", "x") == [
        "Too many failed log-ins for this account. Try again in 2 minutes."
    ]
    LoginThrottle.objects.update(locked_until=timezone.now() + timedelta(seconds=30))
    assert log_in(client, "ann@example.com", "x") == [
        "Too many failed log-ins for this account. Try again in 1 minute."
    ]


def test_a_success_clears_the_failures(client, user, password):
    fail(client, "ann@example.com", LIMIT - 1)
    assert log_in(client, "ann@example.com", password) is None
    client.logout()
    assert fail(client, "ann@example.com", LIMIT - 1) == [INVALID] * (LIMIT - 1)
    assert not LoginThrottle.objects.get().is_locked()


def test_failures_older_than_the_window_are_forgotten(client, user):
    fail(client, "ann@example.com", LIMIT - 1)
    window = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    LoginThrottle.objects.update(window_start=timezone.now() - window)
    assert fail(client, "ann@example.com", LIMIT - 1) == [INVALID] * (LIMIT - 1)


def test_an_empty_password_neither_counts_nor_clears(client, user):
    fail(client, "ann@example.com", LIMIT - 1)
    response = client.post(reverse("login"), {"username": "ann@example.com", "password": ""})
    assert response.context["form"].has_error("password", "required")
    assert fail(client, "ann@example.com", 1) == [LOCKED]


def test_other_accounts_are_not_locked(client, user, other_user, password):
    fail(client, "ann@example.com", LIMIT)
    assert log_in(client, "bob@example.com", password) is None


def test_an_unknown_address_behaves_exactly_like_a_known_one(client, user):
    known = fail(client, "ann@example.com", LIMIT + 1)
    unknown = fail(client, "nobody@example.com", LIMIT + 1)
    assert known == unknown == [INVALID] * (LIMIT - 1) + [LOCKED, LOCKED]
    throttles = {throttle.key: throttle for throttle in LoginThrottle.objects.all()}
    assert throttles.keys() == {"ann@example.com", "nobody@example.com"}
    assert throttles["ann@example.com"].failures == throttles["nobody@example.com"].failures


def test_the_admin_login_shares_the_lock(client, django_user_model, password):
    django_user_model.objects.create_superuser(email="root@example.com", password=password)
    fail(client, "root@example.com", LIMIT)
    response = client.post(reverse("admin:login"), {"username": "root@example.com", "password": password})
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "locked")
    assert not response.wsgi_request.user.is_authenticated


def test_failures_at_the_admin_login_lock_the_site_login(client, user, password):
    for _ in range(LIMIT):
        client.post(reverse("admin:login"), {"username": "ann@example.com", "password": "not the password"})
    assert log_in(client, "ann@example.com", password) == LOCKED


def test_an_administrator_lifts_a_lock_by_deleting_the_throttle(client, user, password, django_user_model):
    fail(client, "ann@example.com", LIMIT)
    throttle = LoginThrottle.objects.get()
    admin_client = Client()
    admin_client.force_login(django_user_model.objects.create_superuser(email="root@example.com", password="x"))
    changelist = admin_client.get(reverse("admin:accounts_loginthrottle_changelist"), {"q": "ann@"})
    assert list(changelist.context["cl"].result_list) == [throttle]
    admin_client.post(reverse("admin:accounts_loginthrottle_delete", args=[throttle.pk]), {"post": "yes"})
    assert log_in(client, "ann@example.com", password) is None


def test_clearing_deletes_only_throttles_that_no_longer_lock_or_count(client, user):
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    LoginThrottle.objects.bulk_create(
        [
            LoginThrottle(key="forgotten@example.com", failures=2, window_start=now - window),
            LoginThrottle(key="lifted@example.com", locked_until=now - timedelta(seconds=1)),
            LoginThrottle(key="counting@example.com", failures=2, window_start=now - window / 2),
            LoginThrottle(key="locked@example.com", locked_until=now + window),
        ]
    )
    out = StringIO()
    call_command("clearloginthrottles", stdout=out)
    assert "2 expired log-in throttle(s) deleted." in out.getvalue()
    assert sorted(LoginThrottle.objects.values_list("key", flat=True)) == ["counting@example.com", "locked@example.com"]
