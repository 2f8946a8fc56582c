"""How many SQL statements each page and action runs, and how heavy the page is."""

import pytest
from django.urls import reverse

from scripts.page_weight import BUDGET_KB, fill, page_parts
from todos.models import Todo, TodoList

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.parametrize("name", ["todos:list", "todos:active", "todos:completed"])
def test_the_list_runs_the_same_few_queries_for_1_and_200_todos(user_client, user, statements, name):
    Todo.objects.create(owner=user, title="one")
    _, one = statements(lambda: user_client.get(reverse(name)))
    Todo.objects.bulk_create(Todo(owner=user, title=f"todo {n}", completed=n % 2 == 0) for n in range(199))
    response, many = statements(lambda: user_client.get(reverse(name)))
    assert response.status_code == 200
    assert len(many) == len(one) == 5  # session, user, the list, its counts, its todos


# Each action on a form post (answered by a redirect), then the extra statements its JSON answer
# runs, every round trip counted (a transaction's BEGIN and COMMIT too, see the `statements`
# fixture): the counter's counts, and for toggle-all the todos it answers. Every action starts
# with the session and the user; toggle, edit, delete and move then find the todo among the
# user's own, the list's actions the list.
ACTIONS = [
    ("create", "todos:list", False, {"title": "milk"}, 5, 1),  # the list, the user's todos (a limit), INSERT
    ("create with a due date", "todos:list", False, {"title": "milk", "due": "2030-01-31"}, 5, 1),
    ("toggle", "todos:toggle", True, {"completed": "true"}, 4, 1),  # the todo, UPDATE
    ("flip", "todos:toggle", True, {}, 4, 1),
    ("rename", "todos:edit", True, {"title": "bread"}, 4, 1),  # the todo, UPDATE
    ("set a due date", "todos:edit", True, {"due": "2030-01-31"}, 4, 1),  # the todo, UPDATE
    ("rename to nothing", "todos:edit", True, {"title": " "}, 4, 1),  # the todo, DELETE
    ("delete", "todos:delete", True, {}, 4, 1),
    # the todo; BEGIN, lock the list, the neighbours, UPDATE, COMMIT
    ("move", "todos:move", True, {"position": "1"}, 8, 1),
    ("mark all", "todos:toggle_all", False, {"completed": "true"}, 4, 2),  # the list, UPDATE
    ("toggle all", "todos:toggle_all", False, {}, 5, 2),  # the list, are any active?, UPDATE
    ("clear completed", "todos:clear_completed", False, {}, 7, 1),  # the list; BEGIN, their ids, DELETE, COMMIT
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


def test_a_refused_title_is_answered_without_writing(user_client, user, statements):
    TodoList.objects.default_for(user)
    response, sql = statements(lambda: user_client.post(reverse("todos:list"), {"title": "  "}, **JSON))
    assert response.status_code == 400
    assert len(sql) == 3, sql  # session, user, the list
    assert not Todo.objects.exists()


def test_the_page_with_its_css_and_js_stays_within_its_budget(user_client, user):
    fill(user, 20)
    parts = dict(page_parts(user_client))
    assert "/static/todos/todos.js" in parts
    assert sum(len(content) for content in parts.values()) <= BUDGET_KB * 1000
