"""Sign-ups, password-reset e-mails and wrong current passwords are throttled (accounts/throttle.py): each limit
lets through up to its number and refuses past it, and a refusal tells nothing about which accounts exist."""

import math

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Attempt
from todos.models import Todo

from .test_lockout import age

pytestmark = pytest.mark.django_db
User = get_user_model()
THROTTLES = settings.THROTTLES
HERE, ELSEWHERE = "203.0.113.7", "198.51.100.23"
NEW_PASSWORD = "a-Long-enough-Pass-9"


def minutes(rule):
    return math.ceil(THROTTLES[rule]["seconds"] / 60)


def sign_up(client, email, address=HERE):
    """Post the sign-up form; the errors on the address, or None when an account was made."""
    response = client.post(
        reverse("signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        REMOTE_ADDR=address,
    )
    if response.status_code == 302:
        client.logout()
        return None
    return response.context["form"].errors.get("email")


def too_many_sign_ups(rule):
    return [f"Too many sign-ups from your network. Try again in {minutes(rule)} minutes."]


def test_sign_ups_with_taken_addresses_are_refused_past_the_limit_and_then_every_sign_up(client, user):
    limit = THROTTLES["signup_taken"]["limit"]
    taken = ["An account with this e-mail address already exists."]
    assert [sign_up(client, "ann@example.com") for _ in range(limit)] == [taken] * limit
    assert sign_up(client, "ann@example.com") == too_many_sign_ups("signup_taken")
    # Refused whether or not the address is taken: the refusal tells nothing.
    assert sign_up(client, "new@example.com") == too_many_sign_ups("signup_taken")
    assert not User.objects.filter(email="new@example.com").exists()
    assert sign_up(client, "new@example.com", ELSEWHERE) is None


def test_new_accounts_from_one_address_are_refused_past_their_limit(client):
    limit = THROTTLES["signup"]["limit"]
    assert [sign_up(client, f"new{n}@example.com") for n in range(limit)] == [None] * limit
    assert sign_up(client, "one-more@example.com") == too_many_sign_ups("signup")
    assert User.objects.count() == limit
    assert sign_up(client, "one-more@example.com", ELSEWHERE) is None


def test_sign_up_limits_lift_after_their_window(client, user):
    for _ in range(THROTTLES["signup_taken"]["limit"]):
        sign_up(client, "ann@example.com")
    age(THROTTLES["signup_taken"]["seconds"])
    assert sign_up(client, "new@example.com") is None


def ask_for_a_reset(client, email, address=HERE):
    sent = len(mail.outbox)
    response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    return len(mail.outbox) - sent


def test_reset_emails_to_one_account_stop_past_the_limit_with_the_same_page(client, user):
    limit = THROTTLES["password_reset_account"]["limit"]
    addresses = [f"192.0.2.{n}" for n in range(1, limit + 3)]
    assert [ask_for_a_reset(client, "ann@example.com", address) for address in addresses] == [1] * limit + [0, 0]
    age(THROTTLES["password_reset_account"]["seconds"])
    assert ask_for_a_reset(client, "ann@example.com") == 1


def test_reset_requests_from_one_address_stop_past_the_limit(client, django_user_model):
    limit = THROTTLES["password_reset_address"]["limit"]
    for n in range(limit + 1):
        django_user_model.objects.create_user(email=f"user{n}@example.com", password="x")
    sent = [ask_for_a_reset(client, f"user{n}@example.com") for n in range(limit + 1)]
    assert sent == [1] * limit + [0]
    assert ask_for_a_reset(client, f"user{limit}@example.com", ELSEWHERE) == 1


def test_reset_requests_for_addresses_without_accounts_count_the_same(client, user):
    limit = THROTTLES["password_reset_address"]["limit"]
    for n in range(limit):
        ask_for_a_reset(client, f"nobody{n}@example.com")
    assert ask_for_a_reset(client, "ann@example.com") == 0


def change_password(client, old_password):
    data = {"old_password": old_password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(reverse("password_change"), data, REMOTE_ADDR=HERE)


def delete_account(client, password):
    return client.post(reverse("account_delete"), {"password": password}, REMOTE_ADDR=HERE)


@pytest.mark.parametrize(("post", "field"), [(change_password, "old_password"), (delete_account, "password")])
def test_wrong_current_passwords_sign_the_session_out_at_the_limit(user_client, user, password, post, field):
    limit = THROTTLES["password_check"]["limit"]
    for _ in range(limit - 1):
        response = post(user_client, "wrong")
        assert response.status_code == 200
        assert response.context["form"].has_error(field, "password_incorrect")
    response = post(user_client, "wrong")
    assert response.status_code == 302
    assert response.url == reverse("login")
    page = user_client.get(response.url)
    assert [str(message) for message in page.context["messages"]] == [
        "Too many wrong passwords. For your account's safety you have been logged out."
    ]
    assert not page.wsgi_request.user.is_authenticated
    user.refresh_from_db()
    assert user.check_password(password)


@pytest.mark.parametrize("post", [change_password, delete_account])
def test_past_the_limit_even_the_right_password_signs_out_another_session(client, user, password, post):
    Attempt.objects.bulk_create(
        Attempt(action="password_check", key=user.email_key, address=ELSEWHERE)
        for _ in range(THROTTLES["password_check"]["limit"])
    )
    Todo.objects.create(owner=user, title="kept")
    client.force_login(user)
    response = post(client, password)
    assert response.url == reverse("login")
    user.refresh_from_db()
    assert user.check_password(password)
    assert Todo.objects.filter(owner=user).exists()


def test_wrong_current_passwords_below_the_limit_let_the_right_one_through(user_client, user, password):
    for _ in range(THROTTLES["password_check"]["limit"] - 1):
        change_password(user_client, "wrong")
    response = change_password(user_client, password)
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
