"""Failed log-ins are throttled per account and address, per address, per account and per device, and nothing an
attacker does from other browsers locks the owner's own browser out; on the site and in the admin alike
(accounts/throttle.py, accounts/devices.py)."""

import math
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import devices
from accounts.models import Attempt, LoginLock

pytestmark = pytest.mark.django_db
THROTTLES = settings.THROTTLES
LIMIT = THROTTLES["login_account_address"]["limit"]
HERE, ELSEWHERE = "203.0.113.7", "198.51.100.23"
INVALID = ["The e-mail address and password do not match an account."]
LOCKOUT_MINUTES = math.ceil(THROTTLES["login_account_address"]["seconds"] / 60)
LOCKED = [f"Too many failed log-ins for this account from your network. Try again in {LOCKOUT_MINUTES} minutes."]
ACCOUNT_LOCKED = [
    "This account is locked after too many failed log-ins. Log in from a browser you have used before, "
    "or reset the password to unlock it."
]


def log_in(client, email, password, address=HERE, url="login", **headers):
    """Post the log-in form from `address`; return the errors shown, or None when the visitor got in (and then
    end the session, keeping the browser's other cookies)."""
    response = client.post(reverse(url), {"username": email, "password": password}, REMOTE_ADDR=address, **headers)
    if response.status_code == 302:
        client.cookies.pop(settings.SESSION_COOKIE_NAME)
        return None
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    return response.context["form"].non_field_errors()


def fail(client, email, times, address=HERE, **headers):
    return [log_in(client, email, "not the password", address, **headers) for _ in range(times)]


def age(seconds):
    """Make every counted attempt and every lock `seconds` older."""
    for attempt in Attempt.objects.all():
        attempt.at -= timedelta(seconds=seconds)
        attempt.save()
    for lock in LoginLock.objects.all():
        lock.locked_at -= timedelta(seconds=seconds)
        lock.save()


def addresses(count, base="10.0"):
    return [f"{base}.{n // 250}.{n % 250 + 1}" for n in range(count)]


@pytest.fixture
def owners_browser(user, password):
    """The owner's own browser: it has logged in to the account before, so it keeps the device cookie."""
    browser = Client()
    assert log_in(browser, "ann@example.com", password, "192.0.2.50") is None
    assert devices.COOKIE in browser.cookies
    return browser


def spray_the_daily_ceiling(client, email):
    """Attackers from many addresses, each staying under the per-address limit, reach the account's ceiling."""
    ceiling = THROTTLES["login_account"]["limit"]
    for address in addresses(math.ceil(ceiling / LIMIT)):
        fail(client, email, min(LIMIT, ceiling - Attempt.objects.filter(key=email).count()), address)


# From one address, to one account


def test_the_limit_th_failure_from_an_address_refuses_that_address(client, user):
    assert fail(client, "ann@example.com", LIMIT) == [INVALID] * (LIMIT - 1) + [LOCKED]
    assert Attempt.objects.filter(key="ann@example.com", address=HERE).count() == LIMIT


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


def test_an_ipv6_address_counts_as_its_64(client, user, password):
    for host in range(LIMIT):
        fail(client, "ann@example.com", 1, f"2001:db8:1:2::{host + 1:x}")
    assert log_in(client, "ann@example.com", password, "2001:db8:1:2:ffff::9") == LOCKED
    assert log_in(client, "ann@example.com", password, "2001:db8:1:3::1") is None


def test_a_forged_x_forwarded_for_does_not_change_the_address(client, user, password):
    for number in range(LIMIT):
        fail(client, "ann@example.com", 1, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 198.51.100.7")
    assert log_in(client, "ann@example.com", password, HTTP_X_FORWARDED_FOR=ELSEWHERE) == LOCKED


def test_the_refusal_lifts_when_the_oldest_failure_leaves_the_window(client, user, password):
    fail(client, "ann@example.com", LIMIT)
    age(THROTTLES["login_account_address"]["seconds"])
    assert log_in(client, "ann@example.com", password) is None


def test_the_message_counts_down_the_minutes_left(client, user):
    fail(client, "ann@example.com", LIMIT)
    age(THROTTLES["login_account_address"]["seconds"] - 61)
    assert log_in(client, "ann@example.com", "x") == [
        "Too many failed log-ins for this account from your network. Try again in 2 minutes."
    ]
    age(31)
    assert log_in(client, "ann@example.com", "x") == [
        "Too many failed log-ins for this account from your network. Try again in 1 minute."
    ]


def test_a_success_forgets_the_failures_from_its_address_only(client, user, password):
    fail(client, "ann@example.com", LIMIT - 1)
    fail(client, "ann@example.com", LIMIT - 1, ELSEWHERE)
    assert log_in(client, "ann@example.com", password) is None
    assert set(Attempt.objects.values_list("address", flat=True)) == {ELSEWHERE}
    assert fail(Client(), "ann@example.com", LIMIT - 1) == [INVALID] * (LIMIT - 1)


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
    assert Attempt.objects.filter(key="ann@example.com").count() == LIMIT
    assert Attempt.objects.filter(key="nobody@example.com").count() == LIMIT


# From one address, to many accounts (password spraying)


def test_one_address_spraying_many_accounts_is_refused_past_the_address_ceiling(client, user, password):
    ceiling = THROTTLES["login_address"]["limit"]
    answers = [log_in(client, f"someone{n}@example.com", "123456") for n in range(ceiling + 1)]
    assert answers[: ceiling - 1] == [INVALID] * (ceiling - 1)
    assert answers[ceiling - 1 :] == [["Too many failed log-ins from your network. Try again in 60 minutes."]] * 2
    assert log_in(client, "ann@example.com", password) == answers[-1]
    assert log_in(client, "ann@example.com", password, ELSEWHERE) is None


def test_the_address_ceiling_counts_the_last_hour(client, user, password):
    Attempt.objects.bulk_create(
        Attempt(action="login", key=f"someone{n}@example.com", address=HERE)
        for n in range(THROTTLES["login_address"]["limit"])
    )
    assert log_in(client, "ann@example.com", password) is not None
    age(THROTTLES["login_address"]["seconds"])
    assert log_in(client, "ann@example.com", password) is None


# To one account, from everywhere; the owner's browser


def test_after_attacks_from_many_addresses_the_owners_browser_still_logs_in(client, owners_browser, password):
    spray_the_daily_ceiling(client, "ann@example.com")
    assert log_in(Client(), "ann@example.com", password, "192.0.2.200") == ACCOUNT_LOCKED
    assert log_in(owners_browser, "ann@example.com", password, "192.0.2.201") is None
    assert log_in(owners_browser, "ann@example.com", password, "192.0.2.201") is None


def test_the_owner_is_told_once_when_the_account_locks(client, user, password):
    spray_the_daily_ceiling(client, "ann@example.com")
    fail(client, "ann@example.com", 3, "192.0.2.99")
    (notice,) = mail.outbox
    assert notice.to == ["ann@example.com"]
    assert "many wrong passwords" in notice.body
    (link,) = re.findall(r"https?://testserver(/\S+)", notice.body)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "a-Brand-new-Pass-42"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert not LoginLock.objects.exists()
    assert log_in(Client(), "ann@example.com", new_password, "192.0.2.200") is None


def test_an_account_without_an_owner_locks_without_a_notice(client):
    spray_the_daily_ceiling(client, "nobody@example.com")
    assert LoginLock.objects.filter(key="nobody@example.com").exists()
    assert not mail.outbox


def test_the_lock_lapses_after_its_window(client, user, password):
    spray_the_daily_ceiling(client, "ann@example.com")
    age(THROTTLES["login_account"]["seconds"])
    assert log_in(Client(), "ann@example.com", password, "192.0.2.200") is None


def test_the_lock_engages_again_with_a_new_notice_after_it_lapsed(client, user):
    spray_the_daily_ceiling(client, "ann@example.com")
    age(THROTTLES["login_account"]["seconds"])
    Attempt.objects.all().delete()
    spray_the_daily_ceiling(client, "ann@example.com")
    assert log_in(Client(), "ann@example.com", "x", "192.0.2.200") == ACCOUNT_LOCKED
    assert len(mail.outbox) == 2


def test_failures_with_a_device_cookie_do_not_count_toward_the_accounts_ceiling(owners_browser):
    fail(owners_browser, "ann@example.com", THROTTLES["login_device"]["limit"] - 1)
    assert not Attempt.objects.filter(key="ann@example.com", device="").exists()


def test_a_device_is_refused_past_its_own_limit_and_nobody_else_is(owners_browser, password):
    limit = THROTTLES["login_device"]["limit"]
    device_locked = [
        "Too many failed log-ins from this browser. Try again in "
        f"{math.ceil(THROTTLES['login_device']['seconds'] / 60)} minutes."
    ]
    assert fail(owners_browser, "ann@example.com", limit) == [INVALID] * (limit - 1) + [device_locked]
    assert log_in(owners_browser, "ann@example.com", password) == device_locked
    assert log_in(Client(), "ann@example.com", password) is None


def test_a_device_success_forgets_that_devices_failures_only(client, owners_browser, password):
    fail(client, "ann@example.com", 2)
    fail(owners_browser, "ann@example.com", 2)
    assert log_in(owners_browser, "ann@example.com", password) is None
    assert list(Attempt.objects.values_list("device", flat=True)) == ["", ""]


def test_a_forged_device_cookie_counts_as_none(client, user, password):
    spray_the_daily_ceiling(client, "ann@example.com")
    browser = Client()
    genuine = signing.dumps({"account": "ann@example.com", "device": "x" * 22}, salt=devices.SALT)
    browser.cookies[devices.COOKIE] = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    assert log_in(browser, "ann@example.com", password, "192.0.2.200") == ACCOUNT_LOCKED
    browser.cookies[devices.COOKIE] = signing.dumps({"account": "ann@example.com", "device": "x" * 22}, salt="other")
    assert log_in(browser, "ann@example.com", password, "192.0.2.200") == ACCOUNT_LOCKED


def test_another_accounts_device_cookie_counts_as_none(client, user, other_user, password):
    bobs_browser = Client()
    assert log_in(bobs_browser, "bob@example.com", password, "192.0.2.60") is None
    spray_the_daily_ceiling(client, "ann@example.com")
    assert log_in(bobs_browser, "ann@example.com", password, "192.0.2.60") == ACCOUNT_LOCKED


def test_the_device_cookie_is_http_only_strict_and_names_no_password(user, password):
    browser = Client()
    log_in(browser, "ann@example.com", password)
    cookie = browser.cookies[devices.COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["max-age"] == settings.LOGIN_DEVICE_COOKIE_AGE
    assert password not in signing.loads(cookie.value, salt=devices.SALT).values()


def test_a_sign_up_gives_the_browser_its_device_cookie(client):
    data = {"email": "new@example.com", "password1": "a-Long-enough-Pass-9", "password2": "a-Long-enough-Pass-9"}
    client.post(reverse("signup"), data, REMOTE_ADDR=HERE)
    spray_the_daily_ceiling(Client(), "new@example.com")
    client.cookies.pop(settings.SESSION_COOKIE_NAME)
    assert log_in(client, "new@example.com", "a-Long-enough-Pass-9") is None


# The admin's log-in


def test_the_admin_login_follows_the_same_rules(client, django_user_model, password):
    django_user_model.objects.create_superuser(email="root@example.com", password=password)
    fail(client, "root@example.com", LIMIT)
    response = client.post(
        reverse("admin:login"), {"username": "root@example.com", "password": password}, REMOTE_ADDR=HERE
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "login_account_address")
    assert not response.wsgi_request.user.is_authenticated
    assert log_in(client, "root@example.com", password, ELSEWHERE, url="admin:login") is None


def test_the_admin_login_gives_the_device_cookie_that_outlasts_a_lock(client, django_user_model, password):
    django_user_model.objects.create_superuser(email="root@example.com", password=password)
    admins_browser = Client()
    assert log_in(admins_browser, "root@example.com", password, url="admin:login") is None
    spray_the_daily_ceiling(client, "root@example.com")
    assert log_in(Client(), "root@example.com", password, ELSEWHERE, url="admin:login") == ACCOUNT_LOCKED
    assert log_in(admins_browser, "root@example.com", password, ELSEWHERE, url="admin:login") is None


def test_failures_at_the_admin_login_count_at_the_site_login(client, user, password):
    for _ in range(LIMIT):
        client.post(reverse("admin:login"), {"username": "ann@example.com", "password": "wrong"}, REMOTE_ADDR=HERE)
    assert log_in(client, "ann@example.com", password) == LOCKED


def test_a_non_staff_users_right_password_at_the_admin_counts_no_failure(client, user, password):
    response = client.post(
        reverse("admin:login"), {"username": "ann@example.com", "password": password}, REMOTE_ADDR=HERE
    )
    assert response.status_code == 200
    assert not Attempt.objects.exists()


@pytest.fixture
def admin_client(django_user_model):
    admin_client = Client()
    admin_client.force_login(django_user_model.objects.create_superuser(email="root@example.com", password="x"))
    return admin_client


def test_an_administrator_lifts_a_refusal_by_deleting_the_attempts(client, user, password, admin_client):
    fail(client, "ann@example.com", LIMIT)
    changelist = admin_client.get(reverse("admin:accounts_attempt_changelist"), {"q": "ANN@"})
    attempts = list(changelist.context["cl"].result_list)
    assert len(attempts) == LIMIT
    admin_client.post(
        reverse("admin:accounts_attempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk for attempt in attempts], "post": "yes"},
    )
    assert log_in(client, "ann@example.com", password) is None


def test_an_administrator_lifts_a_lock_by_deleting_it(client, user, password, admin_client):
    lock = LoginLock.objects.create(key="ann@example.com")
    assert log_in(Client(), "ann@example.com", password) == ACCOUNT_LOCKED
    admin_client.post(reverse("admin:accounts_loginlock_delete", args=[lock.pk]), {"post": "yes"})
    assert log_in(client, "ann@example.com", password) is None


# The daily clean-up


def test_clearing_deletes_only_what_no_longer_counts(client, user):
    longest = max(rule["seconds"] for rule in THROTTLES.values())
    Attempt.objects.bulk_create(
        [
            *(Attempt(action="login", key="old@example.com", address=HERE) for _ in range(3)),
            Attempt(action="signup", address=HERE),
            Attempt(action="password_reset", key="old@example.com", address=HERE),
        ]
    )
    LoginLock.objects.create(key="nobody@example.com", locked_at=timezone.now() - timedelta(seconds=longest))
    LoginLock.objects.create(key="old@example.com", locked_at=timezone.now() - timedelta(seconds=longest))
    age(longest)
    Attempt.objects.create(action="login", key="recent@example.com", address=HERE)
    LoginLock.objects.create(key="recent@example.com")
    out = StringIO()
    call_command("clearloginthrottles", stdout=out)
    assert "5 expired attempt(s) and 2 lapsed lock(s) deleted." in out.getvalue()
    assert list(Attempt.objects.values_list("key", flat=True)) == ["recent@example.com"]
    assert list(LoginLock.objects.values_list("key", flat=True)) == ["recent@example.com"]
