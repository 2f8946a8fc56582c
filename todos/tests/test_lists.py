"""Every user has lists: a default one (the /todos/ page), and others made, renamed and deleted at /lists/; each list is
a TodoMVC page of its own, and another user's list is a 404."""

import pytest
from django.db import connection
from django.urls import reverse

from todos.models import Todo, TodoList

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def work(user):
    return TodoList.objects.create(owner=user, name="Work")


def test_the_default_list_is_made_on_the_first_visit_in_the_users_language(user_client, user):
    user_client.get(reverse("todos:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert list(TodoList.objects.filter(owner=user).values_list("name", "is_default")) == [("待办事项", True)]
    user_client.get(reverse("todos:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert TodoList.objects.filter(owner=user).count() == 1


def test_a_sign_up_lands_on_the_new_default_list(client):
    data = {"email": "new@example.com", "password1": "a-Long-enough-Pass-9", "password2": "a-Long-enough-Pass-9"}
    response = client.post(reverse("signup"), data, follow=True)
    assert response.context["todo_list"].is_default
    assert response.context["todo_list"].name == "Todos"


def test_lists_json_gives_every_list_with_its_counts(user_client, user, work, make_todo):
    make_todo("milk")
    Todo.objects.add(todo_list=work, title="report")
    done = Todo.objects.add(todo_list=work, title="slides")
    Todo.objects.filter(pk=done.pk).update(completed=True)
    data = user_client.get(reverse("lists:index"), **JSON).json()
    default = TodoList.objects.get(owner=user, is_default=True)
    assert data == {
        "lists": [
            {"id": default.pk, "name": "Todos", "default": True, "counts": {"total": 1, "active": 1, "completed": 0}},
            {"id": work.pk, "name": "Work", "default": False, "counts": {"total": 2, "active": 1, "completed": 1}},
        ]
    }


def test_a_list_is_made_and_the_visitor_lands_on_it(user_client, user):
    response = user_client.post(reverse("lists:index"), {"name": "  Home  "})
    home = TodoList.objects.get(owner=user, name="Home")
    assert response.url == reverse("lists:list", args=[home.pk])
    assert not home.is_default


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("work", "duplicate"),
        ("WORK", "duplicate"),
        ("   ", "required"),
        ("x" * 101, "max_length"),
        ("a\x00b", "null_characters_not_allowed"),
    ],
)
def test_a_bad_name_is_refused(user_client, user, work, name, code):
    response = user_client.post(reverse("lists:index"), {"name": name}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == code
    assert TodoList.objects.filter(owner=user).count() == 2  # the default list, made by the page, and Work


def test_another_user_may_use_the_same_name(user_client, other_user, work):
    TodoList.objects.create(owner=other_user, name="Work")
    assert TodoList.objects.filter(name="Work").count() == 2


def test_past_the_list_limit_a_new_list_is_refused(user_client, user, settings):
    settings.TODO_LISTS_PER_USER = 2
    assert user_client.post(reverse("lists:index"), {"name": "One"}, **JSON).status_code == 201
    response = user_client.post(reverse("lists:index"), {"name": "Two"}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["__all__"][0]["message"] == "You have 2 lists, as many as an account can keep."


def test_a_list_page_shows_its_todos_only_and_adds_to_it(user_client, user, work, make_todo):
    make_todo("milk")
    response = user_client.post(reverse("lists:list", args=[work.pk]), {"title": "report"}, **JSON)
    assert response.status_code == 201
    page = user_client.get(reverse("lists:list", args=[work.pk]))
    assert [todo.title for todo in page.context["todos"]] == ["report"]
    assert page.context["counts"] == {"total": 1, "completed": 0, "active": 1}
    assert list(Todo.objects.filter(todo_list=work).values_list("title", flat=True)) == ["report"]


def test_a_lists_filters_and_actions_stay_within_it(user_client, user, work, make_todo):
    make_todo("milk")
    Todo.objects.add(todo_list=work, title="report")
    user_client.post(reverse("lists:toggle_all", args=[work.pk]), {"completed": "true"})
    assert list(Todo.objects.completed().values_list("title", flat=True)) == ["report"]
    completed = user_client.get(reverse("lists:completed", args=[work.pk]))
    assert [todo.title for todo in completed.context["todos"]] == ["report"]
    user_client.post(reverse("lists:clear_completed", args=[work.pk]))
    assert list(Todo.objects.values_list("title", flat=True)) == ["milk"]


def test_a_list_is_renamed(user_client, work):
    response = user_client.post(reverse("lists:rename", args=[work.pk]), {"name": "Office"}, **JSON)
    assert response.json() == {"id": work.pk, "name": "Office"}
    work.refresh_from_db()
    assert work.name == "Office"


def test_renaming_to_its_own_name_in_another_case_is_allowed_but_not_to_another_lists(user_client, user, work):
    assert user_client.post(reverse("lists:rename", args=[work.pk]), {"name": "WORK"}).status_code == 302
    TodoList.objects.create(owner=user, name="Home")
    response = user_client.post(reverse("lists:rename", args=[work.pk]), {"name": "home"}, **JSON)
    assert response.status_code == 400


def test_a_list_is_deleted_with_its_todos_after_a_confirmation(user_client, user, work, make_todo):
    make_todo("milk")
    Todo.objects.add(todo_list=work, title="report")
    page = user_client.get(reverse("lists:delete", args=[work.pk]))
    assert page.status_code == 200
    assert "Its 1 todo will be deleted with it." in page.content.decode()
    assert TodoList.objects.filter(pk=work.pk).exists()
    response = user_client.post(reverse("lists:delete", args=[work.pk]))
    assert response.url == reverse("lists:index")
    assert not TodoList.objects.filter(pk=work.pk).exists()
    assert list(Todo.objects.values_list("title", flat=True)) == ["milk"]


def test_the_default_list_cannot_be_deleted(user_client, user):
    default = TodoList.objects.default_for(user)
    assert user_client.get(reverse("lists:delete", args=[default.pk])).status_code == 400
    assert user_client.post(reverse("lists:delete", args=[default.pk])).status_code == 400
    assert TodoList.objects.filter(pk=default.pk).exists()


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("lists:list", "get", {}),
        ("lists:list", "post", {"title": "mine now"}),
        ("lists:active", "get", {}),
        ("lists:toggle_all", "post", {}),
        ("lists:clear_completed", "post", {}),
        ("lists:rename", "post", {"name": "mine now"}),
        ("lists:delete", "get", {}),
        ("lists:delete", "post", {}),
    ],
)
def test_another_users_list_is_a_404_and_stays_as_it_is(user_client, other_user, name, method, data):
    theirs = TodoList.objects.create(owner=other_user, name="Theirs")
    Todo.objects.add(todo_list=theirs, title="their todo")
    response = getattr(user_client, method)(reverse(name, args=[theirs.pk]), data)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    assert list(Todo.objects.values_list("title", "completed")) == [("their todo", False)]


def test_the_lists_page_runs_the_same_queries_for_1_and_20_lists(user_client, user, statements):
    TodoList.objects.default_for(user)
    _, one = statements(lambda: user_client.get(reverse("lists:index")))
    TodoList.objects.bulk_create(TodoList(owner=user, name=f"list {n}") for n in range(19))
    response, many = statements(lambda: user_client.get(reverse("lists:index")))
    assert len(response.context["lists"]) == 20
    assert len(many) == len(one) == 4  # session, user, the default list, the lists with their counts


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's LOWER() folds ASCII letters only.")
def test_a_name_the_database_folds_to_another_lists_is_a_form_error(user_client, user):
    """Python's case folding keeps İx apart from Ix; PostgreSQL's LOWER() does not, and its constraint decides."""
    TodoList.objects.create(owner=user, name="Ix")
    response = user_client.post(reverse("lists:index"), {"name": "İx"}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == "duplicate"
    home = TodoList.objects.create(owner=user, name="Home")
    response = user_client.post(reverse("lists:rename", args=[home.pk]), {"name": "İx"}, **JSON)
    assert response.status_code == 400
    home.refresh_from_db()
    assert home.name == "Home"
