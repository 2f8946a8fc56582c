"""Failed log-ins refuse the address they come from for a while, and too many in a day lock the account until a
password reset; on the site and in the admin alike (accounts/throttle.py)."""

import math
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginFailure, LoginLock

pytestmark = pytest.mark.django_db
LIMIT = settings.LOGIN_FAILURE_LIMIT
DAILY_LIMIT = settings.LOGIN_DAILY_FAILURE_LIMIT
HERE, ELSEWHERE = "203.0.113.7", "198.51.100.23"
INVALID = ["The e-mail address and password do not match an account."]
LOCKOUT_MINUTES = math.ceil(settings.LOGIN_LOCKOUT_SECONDS / 60)
LOCKED = [f"Too many failed log-ins for this account from your network. Try again in {LOCKOUT_MINUTES} minutes."]
RESET_REQUIRED = ["This account is locked after too many failed log-ins. Reset its password to unlock it."]


def log_in(client, email, password, address=HERE, **headers):
    """Post the log-in form from `address`; return the errors shown, or None when the visitor got in."""
    response = client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **headers)
    if response.status_code == 302:
        client.logout()
        return None
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    return response.context["form"].non_field_errors()


def fail(client, email, times, address=HERE, **headers):
    return [log_in(client, email, "not the password", address, **headers) for _ in range(times)]


def age(seconds):
    """Make every recorded failure `seconds` older."""
    for failure in LoginFailure.objects.all():
        failure.at -= timedelta(seconds=seconds)
        failure.save()


def test_the_limit_th_failure_from_an_address_refuses_that_address(client, user):
    assert fail(client, "ann@example.com", LIMIT) == [INVALID] * (LIMIT - 1) + [LOCKED]
    assert LoginFailure.objects.filter(key="ann@example.com", address=HERE).count() == LIMIT


def test_the_right_password_is_refused_from_the_refused_address(client, user, password):
    fail(client, "ann@example.com", LIMIT)
    assert log_in(client, "ann@example.com", password) == LOCKED
    assert client.get(reverse("todos:list")).status_code == 302


def test_the_owner_still_logs_in_from_another_address(client, user, password):
    fail(client, "ann@example.com", LIMIT)
    assert log_in(client, "ann@example.com", password, ELSEWHERE) is None


def test_a_refused_address_is_refused_under_every_spelling_of_the_account(client, user, password):
    fail(client, "ann@example.com", LIMIT)
    assert log_in(client, " ANN@Example.COM ", password) == LOCKED
    assert log_in(client, "ａnn@example.com", password) == LOCKED


def test_a_forged_x_forwarded_for_does_not_change_the_address(client, user, password):
    for number in range(LIMIT):
        fail(client, "ann@example.com", 1, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 198.51.100.7")
    assert log_in(client, "ann@example.com", password, HTTP_X_FORWARDED_FOR=ELSEWHERE) == LOCKED


def test_the_refusal_lifts_when_the_oldest_failure_leaves_the_window(client, user, password):
    fail(client, "ann@example.com", LIMIT)
    age(settings.LOGIN_LOCKOUT_SECONDS)
    assert log_in(client, "ann@example.com", password) is None


def test_the_message_counts_down_the_minutes_left(client, user):
    fail(client, "ann@example.com", LIMIT)
    age(settings.LOGIN_LOCKOUT_SECONDS - 61)
    assert log_in(client, "ann@example.com", "x") == [
        "Too many failed log-ins for this account from your network. Try again in 2 minutes."
    ]
    age(31)
    assert log_in(client, "ann@example.com", "x") == [
        "Too many failed log-ins for this account from your network. Try again in 1 minute."
    ]


def test_a_success_clears_the_accounts_failures_and_writes_nothing(client, user, password):
    fail(client, "ann@example.com", LIMIT - 1)
    fail(client, "ann@example.com", LIMIT - 1, ELSEWHERE)
    assert log_in(client, "ann@example.com", password) is None
    assert not LoginFailure.objects.exists()
    assert fail(client, "ann@example.com", LIMIT - 1) == [INVALID] * (LIMIT - 1)


def test_a_success_with_no_failures_writes_no_throttle_row(client, user, password):
    assert log_in(client, "ann@example.com", password) is None
    assert not LoginFailure.objects.exists()
    assert not LoginLock.objects.exists()


def test_an_empty_password_neither_counts_nor_clears(client, user):
    fail(client, "ann@example.com", LIMIT - 1)
    response = client.post(reverse("login"), {"username": "ann@example.com", "password": ""}, REMOTE_ADDR=HERE)
    assert response.context["form"].has_error("password", "required")
    assert fail(client, "ann@example.com", 1) == [LOCKED]


def test_other_accounts_are_not_refused(client, user, other_user, password):
    fail(client, "ann@example.com", LIMIT)
    assert log_in(client, "bob@example.com", password) is None


def test_an_unknown_address_behaves_exactly_like_a_known_one(client, user):
    known = fail(client, "ann@example.com", LIMIT + 1)
    unknown = fail(client, "nobody@example.com", LIMIT + 1)
    assert known == unknown == [INVALID] * (LIMIT - 1) + [LOCKED, LOCKED]
    assert LoginFailure.objects.filter(key="ann@example.com").count() == LIMIT
    assert LoginFailure.objects.filter(key="nobody@example.com").count() == LIMIT


def many_failures(key, count, address_base="10.0"):
    LoginFailure.objects.bulk_create(
        LoginFailure(key=key, address=f"{address_base}.{n // 250}.{n % 250 + 1}") for n in range(count)
    )


def test_the_daily_ceiling_locks_the_account_until_a_password_reset(client, user, password):
    many_failures("ann@example.com", DAILY_LIMIT - 1)
    assert fail(client, "ann@example.com", 1, ELSEWHERE) == [RESET_REQUIRED]
    assert LoginLock.objects.filter(key="ann@example.com").exists()
    assert log_in(client, "ann@example.com", password, "192.0.2.200") == RESET_REQUIRED
    age(2 * 24 * 60 * 60)
    assert log_in(client, "ann@example.com", password, "192.0.2.200") == RESET_REQUIRED


def test_the_daily_ceiling_counts_only_the_last_day(client, user, password):
    many_failures("ann@example.com", DAILY_LIMIT - 1)
    age(24 * 60 * 60)
    assert fail(client, "ann@example.com", 1, ELSEWHERE) == [INVALID]
    assert log_in(client, "ann@example.com", password, ELSEWHERE) is None


def test_a_password_reset_lifts_the_lock_and_forgets_the_failures(client, user, password):
    many_failures("ann@example.com", DAILY_LIMIT)
    LoginLock.objects.create(key="ann@example.com")
    client.post(reverse("password_reset"), {"email": "ann@example.com"})
    (link,) = re.findall(r"https?://\S+/password/reset/\S+", mail.outbox[0].body)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "a-Brand-new-Pass-42"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})

    assert not LoginLock.objects.exists()
    assert not LoginFailure.objects.exists()
    assert log_in(client, "ann@example.com", new_password) is None


def test_the_admin_login_follows_the_same_rules(client, django_user_model, password):
    django_user_model.objects.create_superuser(email="root@example.com", password=password)
    fail(client, "root@example.com", LIMIT)
    response = client.post(
        reverse("admin:login"), {"username": "root@example.com", "password": password}, REMOTE_ADDR=HERE
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "locked")
    assert not response.wsgi_request.user.is_authenticated
    response = client.post(
        reverse("admin:login"), {"username": "root@example.com", "password": password}, REMOTE_ADDR=ELSEWHERE
    )
    assert response.status_code == 302


def test_failures_at_the_admin_login_count_at_the_site_login(client, user, password):
    for _ in range(LIMIT):
        client.post(reverse("admin:login"), {"username": "ann@example.com", "password": "wrong"}, REMOTE_ADDR=HERE)
    assert log_in(client, "ann@example.com", password) == LOCKED


@pytest.fixture
def admin_client(django_user_model):
    admin_client = Client()
    admin_client.force_login(django_user_model.objects.create_superuser(email="root@example.com", password="x"))
    return admin_client


def test_an_administrator_lifts_a_refusal_by_deleting_the_failures(client, user, password, admin_client):
    fail(client, "ann@example.com", LIMIT)
    changelist = admin_client.get(reverse("admin:accounts_loginfailure_changelist"), {"q": "ANN@"})
    failures = list(changelist.context["cl"].result_list)
    assert len(failures) == LIMIT
    admin_client.post(
        reverse("admin:accounts_loginfailure_changelist"),
        {"action": "delete_selected", "_selected_action": [failure.pk for failure in failures], "post": "yes"},
    )
    assert log_in(client, "ann@example.com", password) is None


def test_an_administrator_lifts_a_lock_by_deleting_it(client, user, password, admin_client):
    lock = LoginLock.objects.create(key="ann@example.com")
    admin_client.post(reverse("admin:accounts_loginlock_delete", args=[lock.pk]), {"post": "yes"})
    assert log_in(client, "ann@example.com", password) is None


def test_clearing_deletes_only_failures_that_no_longer_count(client, user):
    many_failures("old@example.com", 3)
    age(24 * 60 * 60)
    many_failures("recent@example.com", 2)
    LoginLock.objects.create(key="locked@example.com", locked_at=timezone.now() - timedelta(days=30))
    out = StringIO()
    call_command("clearloginthrottles", stdout=out)
    assert "3 expired failed log-in(s) deleted." in out.getvalue()
    assert set(LoginFailure.objects.values_list("key", flat=True)) == {"recent@example.com"}
    assert LoginLock.objects.filter(key="locked@example.com").exists()
