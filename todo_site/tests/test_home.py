import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_visitors_see_the_landing_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("signup") in response.content.decode()


def test_signed_in_users_are_sent_to_their_todos(user_client):
    response = user_client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("todos:list")
