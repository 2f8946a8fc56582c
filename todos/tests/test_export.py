"""GET /todos/export/: the signed-in user's todos as a JSON file to take away."""

import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from todos.models import Todo

pytestmark = pytest.mark.django_db


def export(client):
    response = client.get(reverse("todos:export"))
    assert response.status_code == 200
    return response


def test_the_export_is_a_json_attachment_of_every_todo_in_list_order(user_client, user, make_todo):
    first = make_todo("buy milk", completed=True)
    second = make_todo("walk the dog")
    Todo.objects.filter(pk=first.pk).update(created=timezone.now() - timedelta(days=1))
    first.refresh_from_db()

    response = export(user_client)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="todos.json"'
    data = json.loads(response.content)
    assert data == {
        "todos": [
            {
                "title": todo.title,
                "completed": todo.completed,
                "created": todo.created.isoformat(),
                "updated": todo.updated.isoformat(),
            }
            for todo in (first, second)
        ]
    }
    assert datetime.fromisoformat(data["todos"][0]["created"]) == first.created


def test_titles_keep_their_own_characters(user_client, make_todo):
    make_todo("买牛奶 🥛")
    assert "买牛奶 🥛".encode() in export(user_client).content


def test_nobody_elses_todos_appear(user_client, make_todo, other_user):
    make_todo("mine")
    make_todo("theirs", owner=other_user)
    assert [todo["title"] for todo in json.loads(export(user_client).content)["todos"]] == ["mine"]


def test_an_empty_list_exports_an_empty_list(user_client):
    assert json.loads(export(user_client).content) == {"todos": []}


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("todos:export"))
    assert response.url == f"{reverse('login')}?next={reverse('todos:export')}"


def test_only_get_and_head_are_answered(user_client):
    assert user_client.head(reverse("todos:export")).status_code == 200
    assert user_client.post(reverse("todos:export")).status_code == 405


def test_the_list_page_links_to_the_export(user_client):
    assert f'href="{reverse("todos:export")}"' in user_client.get(reverse("todos:list")).content.decode()


def test_the_export_is_never_cached(user_client):
    assert "no-store" in export(user_client)["Cache-Control"]


def test_the_export_runs_three_queries_whatever_the_number_of_todos(user_client, user, django_assert_num_queries):
    Todo.objects.bulk_create(Todo(owner=user, title=f"todo {n}") for n in range(50))
    with django_assert_num_queries(3):  # session, user, todos
        export(user_client)
