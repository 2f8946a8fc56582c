import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()


def signup(client, email="new@example.com", password1="a-Long-enough-Pass-9", password2=None):
    return client.post(
        reverse("signup"),
        {"email": email, "password1": password1, "password2": password2 or password1},
    )


def test_signup_page_has_labelled_fields(client):
    response = client.get(reverse("signup"))
    content = response.content.decode()
    for name in ("email", "password1", "password2"):
        assert f'name="{name}"' in content
        assert f'for="id_{name}"' in content


def test_signup_creates_account_logs_in_and_lands_on_todos(client):
    response = signup(client)
    assert response.status_code == 302
    assert response.url == reverse("todos:list")
    user = User.objects.get(email="new@example.com")
    assert user.check_password("a-Long-enough-Pass-9")
    assert client.get(reverse("todos:list")).wsgi_request.user == user


def test_mismatched_passwords_are_a_form_error(client):
    response = signup(client, password1="a-Long-enough-Pass-9", password2="a-Long-enough-Pass-8")
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short9A", "password_too_short"),
        ("password123", "password_too_common"),
        ("8395720571", "password_entirely_numeric"),
    ],
)
def test_weak_password_is_refused_by_djangos_validators(client, password, code):
    response = signup(client, password1=password)
    assert response.status_code == 200
    assert response.context["form"].has_error("password2", code)
    assert not User.objects.exists()


def test_password_similar_to_email_is_refused(client):
    response = signup(client, email="marmalade.sandwich@example.com", password1="marmalade.sandwich")
    assert response.context["form"].has_error("password2", "password_too_similar")


def test_duplicate_email_in_another_letter_case_is_a_form_error(client, user):
    response = signup(client, email="ANN@Example.COM")
    assert response.status_code == 200
    assert response.context["form"].has_error("email", "duplicate_email")
    assert User.objects.count() == 1


def test_invalid_email_is_a_form_error(client):
    response = signup(client, email="not-an-address")
    assert response.context["form"].has_error("email", "invalid")
    assert not User.objects.exists()


def test_signed_in_user_is_sent_to_todos(user_client):
    response = user_client.get(reverse("signup"))
    assert response.status_code == 302
    assert response.url == reverse("todos:list")
