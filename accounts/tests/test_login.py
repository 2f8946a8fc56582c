import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_form_has_email_and_password_fields(client):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert '<label for="id_username">Email' in content
    assert 'name="password"' in content


def test_login_lands_on_todos(client, user, password):
    response = client.post(reverse("login"), {"username": "ann@example.com", "password": password})
    assert response.status_code == 302
    assert response.url == reverse("todos:list")
    assert response.wsgi_request.user == user


def test_login_email_is_case_insensitive(client, user, password):
    response = client.post(reverse("login"), {"username": "Ann@Example.com", "password": password})
    assert response.status_code == 302
    assert response.wsgi_request.user == user


def login_error(client, username, password):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    return response.context["form"].non_field_errors()


def test_wrong_password_and_unknown_email_give_the_same_message(client, user):
    wrong_password = login_error(client, "ann@example.com", "not the password")
    unknown_email = login_error(client, "nobody@example.com", "not the password")
    assert wrong_password == unknown_email
    assert wrong_password == ["The e-mail address and password do not match an account."]


def test_inactive_account_gets_the_same_message(client, user, password):
    user.is_active = False
    user.save()
    assert login_error(client, "ann@example.com", password) == [
        "The e-mail address and password do not match an account."
    ]


def test_same_site_next_is_honoured(client, user, password):
    response = client.post(
        reverse("login"), {"username": "ann@example.com", "password": password, "next": reverse("password_change")}
    )
    assert response.url == reverse("password_change")


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "http://evil.example/todos/"])
def test_offsite_next_is_ignored(client, user, password, next_url):
    response = client.post(reverse("login"), {"username": "ann@example.com", "password": password, "next": next_url})
    assert response.status_code == 302
    assert response.url == reverse("todos:list")


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get(reverse("todos:list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('todos:list')}"


def test_signed_in_user_skips_the_login_page(user_client):
    response = user_client.get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("todos:list")
