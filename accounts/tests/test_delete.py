import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from todos.models import Todo

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_account_deletion_requires_login(client):
    response = client.get(reverse("account_delete"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_wrong_password_deletes_nothing(user_client, user):
    todo = Todo.objects.create(owner=user, title="mine")
    response = user_client.post(reverse("account_delete"), {"password": "not my password"})
    assert response.status_code == 200
    assert response.context["form"].has_error("password", "password_incorrect")
    assert User.objects.filter(pk=user.pk).exists()
    assert list(Todo.objects.all()) == [todo]
    assert user_client.get(reverse("todos:list")).status_code == 200


def test_deletion_with_the_password_removes_the_user_and_logs_out(user_client, user, other_user, password):
    Todo.objects.create(owner=user, title="mine")
    theirs = Todo.objects.create(owner=other_user, title="theirs")
    response = user_client.post(reverse("account_delete"), {"password": password})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not User.objects.filter(pk=user.pk).exists()
    assert User.objects.filter(pk=other_user.pk).exists()
    assert list(Todo.objects.all()) == [theirs]
    assert user_client.get(reverse("todos:list")).status_code == 302
