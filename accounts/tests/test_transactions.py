"""No password is hashed inside a transaction: behind a transaction pooler an open transaction holds a server
connection that every other visitor waits for, and a hash takes a large share of a CPU for a tenth of a second
or more. Checked on the connection itself: Django's view of it, and the database driver's."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "a much newer passphrase 42"


def in_transaction():
    """Whether the request's connection is inside a transaction now, as Django and the server see it."""
    if connection.in_atomic_block:
        return True
    driver = connection.connection
    if driver is None:
        return False
    if connection.vendor == "postgresql":
        import psycopg2.extensions

        return driver.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE
    return driver.in_transaction


class WatchedHasher(MD5PasswordHasher):
    """The test settings' hasher, noting for each hash whether it ran inside a transaction."""

    seen = []

    def encode(self, password, salt):
        self.seen.append(in_transaction())
        return super().encode(password, salt)


@pytest.fixture
def hashes(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.WatchedHasher"]
    WatchedHasher.seen = []
    return WatchedHasher.seen


def test_the_site_log_in_hashes_outside_any_transaction(client, user, password, hashes):
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302
    assert hashes == [False]


def test_a_failed_log_in_and_one_to_no_account_hash_outside_any_transaction(client, user, hashes):
    for email in (user.email, "nobody@example.com"):
        client.post(reverse("login"), {"username": email, "password": "not the password"})
    assert hashes == [False, False]


def test_the_admin_log_in_hashes_outside_any_transaction(django_user_model, password, hashes):
    django_user_model.objects.create_superuser(email="root@example.com", password=password)
    hashes.clear()
    response = Client().post(reverse("admin:login"), {"username": "root@example.com", "password": password})
    assert response.status_code == 302
    assert hashes == [False]


def test_a_sign_up_hashes_outside_any_transaction(client, password, hashes):
    data = {"email": "new@example.com", "password1": password, "password2": password}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 302
    assert hashes == [False]


def test_a_password_change_hashes_outside_any_transaction(user_client, password, hashes):
    data = {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = user_client.post(reverse("password_change"), data)
    assert response.status_code == 302
    assert hashes == [False, False]


def test_the_watch_sees_a_transaction_django_opened(user, password, hashes):
    with transaction.atomic():
        user.check_password(password)
    assert hashes == [True]


def test_the_watch_sees_a_transaction_only_the_server_knows_of(user, password, hashes):
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        user.check_password(password)
        cursor.execute("ROLLBACK")
    assert hashes == [True]
