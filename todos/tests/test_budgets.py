"""How many SQL statements each page and action runs, and how heavy the page is."""

import pytest
from django.urls import reverse

from scripts.page_weight import fill, page_parts
from todos.models import Todo

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.parametrize("name", ["todos:list", "todos:active", "todos:completed"])
def test_the_list_runs_the_same_few_queries_for_1_and_200_todos(user_client, user, statements, name):
    Todo.objects.create(owner=user, title="one")
    _, one = statements(lambda: user_client.get(reverse(name)))
    Todo.objects.bulk_create(Todo(owner=user, title=f"todo {n}", completed=n % 2 == 0) for n in range(199))
    response, many = statements(lambda: user_client.get(reverse(name)))
    assert response.status_code == 200
    assert len(many) == len(one) == 4  # session, user, counts, todos


# Each action on a form post (answered by a redirect), then the extra statements its JSON answer
# runs: the counter's counts, and for toggle-all the todos it answers. Every action starts with the
# session and the user; toggle, edit and delete then find the todo among the user's own.
ACTIONS = [
    ("create", "todos:list", False, {"title": "milk"}, 3, 1),  # INSERT
    ("toggle", "todos:toggle", True, {"completed": "true"}, 4, 1),  # the todo, UPDATE
    ("flip", "todos:toggle", True, {}, 4, 1),
    ("rename", "todos:edit", True, {"title": "bread"}, 4, 1),  # the todo, UPDATE
    ("rename to nothing", "todos:edit", True, {"title": " "}, 4, 1),  # the todo, DELETE
    ("delete", "todos:delete", True, {}, 4, 1),
    ("mark all", "todos:toggle_all", False, {"completed": "true"}, 3, 2),  # UPDATE
    ("toggle all", "todos:toggle_all", False, {}, 4, 2),  # are any active?, UPDATE
    ("clear completed", "todos:clear_completed", False, {}, 4, 1),  # their ids, DELETE
]


@pytest.mark.parametrize(
    ("name", "args", "data", "form_budget", "json_extra"),
    [action[1:] for action in ACTIONS],
    ids=[action[0] for action in ACTIONS],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_every_action_runs_its_budget_of_queries(
    user_client, user, statements, name, args, data, form_budget, json_extra, as_json
):
    todo = Todo.objects.create(owner=user, title="done", completed=True)
    Todo.objects.create(owner=user, title="open")
    url = reverse(name, args=[todo.pk] if args else [])
    response, sql = statements(lambda: user_client.post(url, data, **(JSON if as_json else {})))
    assert response.status_code in ({200, 201} if as_json else {302})
    assert len(sql) == form_budget + (json_extra if as_json else 0), sql


def test_a_refused_title_is_answered_without_writing(user_client, statements):
    response, sql = statements(lambda: user_client.post(reverse("todos:list"), {"title": "  "}, **JSON))
    assert response.status_code == 400
    assert len(sql) == 2, sql  # session, user
    assert not Todo.objects.exists()


def test_the_page_with_its_css_and_js_stays_under_30_kb(user_client, user):
    fill(user, 20)
    parts = dict(page_parts(user_client))
    assert "/static/todos/todos.js" in parts
    assert sum(len(content) for content in parts.values()) <= 30_000
