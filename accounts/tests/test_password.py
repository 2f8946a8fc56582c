import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "an-Entirely-new-Secret-42"


def test_password_change_requires_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_with_the_old_password(user_client, user, password):
    response = user_client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_with_a_wrong_old_password_changes_nothing(user_client, user, password):
    response = user_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.context["form"].has_error("old_password", "password_incorrect")
    user.refresh_from_db()
    assert user.check_password(password)


def test_password_reset_by_email(client, user):
    response = client.post(reverse("password_reset"), {"email": "ANN@example.com"})
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ann@example.com"]
    link = re.search(r"https?://testserver(\S+)", mail.outbox[0].body).group(1)

    set_password_page = client.get(link, follow=True)
    assert set_password_page.context["validlink"]
    response = client.post(
        set_password_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_nothing_and_looks_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_used_reset_link_is_refused(client, user):
    client.post(reverse("password_reset"), {"email": "ann@example.com"})
    link = re.search(r"https?://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert client.get(link, follow=True).context["validlink"] is False


def test_an_older_pbkdf2_hash_is_rehashed_with_argon2id_at_log_in(client, django_user_model, settings, password):
    from django.contrib.auth.hashers import make_password

    from todo_site.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = django_user_model.objects.create_user(email="old@example.com")
    user.password = make_password(password, hasher="pbkdf2_sha256")
    user.save()
    response = client.post(reverse("login"), {"username": "old@example.com", "password": password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(password)
