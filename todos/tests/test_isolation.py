"""Every todo belongs to one user: nobody else can see, change or delete it."""

import pytest
from django.urls import reverse

from todos.models import Todo

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs_todo(other_user, make_todo):
    return make_todo("Bob's secret", owner=other_user)


def unchanged(todo):
    before = Todo.objects.values().get(pk=todo.pk)
    return lambda: Todo.objects.values().get(pk=todo.pk) == before


@pytest.mark.parametrize(
    ("method", "name", "data"),
    [
        ("post", "toggle", {"completed": "true"}),
        ("get", "edit", {}),
        ("post", "edit", {"title": "hacked"}),
        ("post", "edit", {"title": ""}),
        ("post", "delete", {}),
    ],
)
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_another_users_todo_is_404_and_unchanged(user_client, bobs_todo, method, name, data, accept):
    is_unchanged = unchanged(bobs_todo)
    response = getattr(user_client, method)(reverse(f"todos:{name}", args=[bobs_todo.pk]), data, HTTP_ACCEPT=accept)
    assert response.status_code == 404
    assert "Bob" not in response.content.decode()
    if accept == "application/json":
        assert response.json() == {"error": "There is no such todo."}
    assert is_unchanged()


def test_another_users_todos_are_not_listed(user_client, bobs_todo):
    for name in ("todos:list", "todos:active", "todos:completed"):
        assert "Bob&#x27;s secret" not in user_client.get(reverse(name)).content.decode()


def test_toggle_all_touches_only_ones_own_todos(user_client, make_todo, bobs_todo):
    mine = make_todo("mine")
    is_unchanged = unchanged(bobs_todo)
    data = user_client.post(reverse("todos:toggle_all"), {"completed": "true"}, HTTP_ACCEPT="application/json").json()
    assert [todo["id"] for todo in data["todos"]] == [mine.pk]
    assert data["counts"]["total"] == 1
    assert is_unchanged()


def test_clear_completed_touches_only_ones_own_todos(user_client, make_todo, other_user):
    make_todo("mine", completed=True)
    theirs = make_todo("theirs", owner=other_user, completed=True)
    user_client.post(reverse("todos:clear_completed"))
    assert list(Todo.objects.all()) == [theirs]


@pytest.mark.parametrize("name", ["toggle", "edit", "delete"])
def test_anonymous_actions_go_to_login_and_change_nothing(client, bobs_todo, name):
    is_unchanged = unchanged(bobs_todo)
    path = reverse(f"todos:{name}", args=[bobs_todo.pk])
    response = client.post(path, {"title": "hacked"})
    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('login')}?next=")
    assert is_unchanged()


@pytest.mark.parametrize("name", ["toggle_all", "clear_completed"])
def test_anonymous_bulk_actions_go_to_login(client, bobs_todo, name):
    is_unchanged = unchanged(bobs_todo)
    response = client.post(reverse(f"todos:{name}"), {"completed": "true"})
    assert response.url.startswith(reverse("login"))
    assert is_unchanged()
