import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_get_logout_is_refused(user_client):
    response = user_client.get(reverse("logout"))
    assert response.status_code == 405
    assert user_client.get(reverse("todos:list")).status_code == 200


def test_post_logout_ends_the_session(user_client):
    response = user_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert user_client.get(reverse("todos:list")).status_code == 302


def test_navigation_shows_email_and_logout_button(user_client):
    content = user_client.get(reverse("todos:list")).content.decode()
    assert "ann@example.com" in content
    assert f'<form method="post" action="{reverse("logout")}">' in content
