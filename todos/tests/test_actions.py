import pytest
from django.urls import reverse

from todos.models import TITLE_MAX_LENGTH, Todo

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def url(name, todo=None):
    return reverse(f"todos:{name}", args=[todo.pk] if todo else [])


def state(todo):
    todo.refresh_from_db()
    return todo.title, todo.completed


# Creating


def test_a_form_post_adds_the_trimmed_title_at_the_bottom(user_client, user, make_todo):
    make_todo("first")
    response = user_client.post(url("list"), {"title": "  second  ", "next": url("active")})
    assert response.status_code == 302
    assert response.url == url("active")
    assert [todo.title for todo in Todo.objects.filter(owner=user)] == ["first", "second"]


@pytest.mark.parametrize("title", ["", "   "])
def test_an_empty_title_adds_nothing_and_says_why(user_client, title):
    response = user_client.post(url("list"), {"title": title})
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["Write something to do."]
    assert not Todo.objects.exists()


def test_an_over_long_title_adds_nothing_and_keeps_the_text(user_client):
    title = "x" * (TITLE_MAX_LENGTH + 1)
    response = user_client.post(url("list"), {"title": title})
    assert response.status_code == 200
    assert response.context["form"].has_error("title", "max_length")
    assert f'value="{title}"' in response.content.decode()
    assert not Todo.objects.exists()


def test_json_create_answers_the_todo_and_counts(user_client, user):
    response = user_client.post(url("list"), {"title": " Write tests "}, **JSON)
    assert response.status_code == 201
    data = response.json()
    todo = Todo.objects.get(owner=user)
    assert data["todo"]["id"] == todo.pk
    assert data["todo"]["title"] == "Write tests"
    assert data["todo"]["completed"] is False
    assert data["todo"]["html"].startswith('<li><div class="view">')
    assert f'formaction="{url("toggle", todo)}"' in data["todo"]["html"]
    assert data["counts"] == {"total": 1, "completed": 0, "active": 1}


def test_json_create_errors_are_json(user_client):
    response = user_client.post(url("list"), {"title": "x" * (TITLE_MAX_LENGTH + 1)}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["title"][0]["code"] == "max_length"
    assert not Todo.objects.exists()


def test_a_filtered_page_does_not_accept_posts(user_client):
    assert user_client.post(url("active"), {"title": "a"}).status_code == 405
    assert not Todo.objects.exists()


# Toggling


def test_toggle_flips_the_todo_and_goes_back(user_client, make_todo):
    todo = make_todo()
    response = user_client.post(url("toggle", todo), {"next": url("completed")})
    assert response.url == url("completed")
    assert state(todo) == ("Buy milk", True)
    user_client.post(url("toggle", todo))
    assert state(todo) == ("Buy milk", False)


@pytest.mark.parametrize("completed", [True, False])
def test_toggle_sets_an_explicit_state_idempotently(user_client, make_todo, completed):
    todo = make_todo(completed=completed)
    for _ in range(2):
        response = user_client.post(url("toggle", todo), {"completed": str(completed).lower()}, **JSON)
        assert response.json()["todo"]["completed"] is completed
    assert state(todo)[1] is completed


def test_toggle_answers_counts_in_json(user_client, make_todo):
    todo = make_todo()
    make_todo("other")
    data = user_client.post(url("toggle", todo), {"completed": "true"}, **JSON).json()
    assert data["counts"] == {"total": 2, "completed": 1, "active": 1}


def test_toggle_refuses_get(user_client, make_todo):
    todo = make_todo()
    assert user_client.get(url("toggle", todo)).status_code == 405
    assert state(todo)[1] is False


# Editing


def test_edit_saves_the_trimmed_title(user_client, make_todo):
    todo = make_todo("old")
    response = user_client.post(url("edit", todo), {"title": "  new  ", "next": url("active")})
    assert response.url == url("active")
    assert state(todo) == ("new", False)


def test_edit_to_an_empty_title_deletes_the_todo(user_client, make_todo):
    todo = make_todo("old")
    response = user_client.post(url("edit", todo), {"title": "  "}, **JSON)
    data = response.json()
    assert (data["deleted"], data["counts"]) == ([todo.pk], {"total": 0, "completed": 0, "active": 0})
    assert not Todo.objects.exists()


def test_edit_with_an_over_long_title_shows_the_error_and_changes_nothing(user_client, make_todo):
    todo = make_todo("old")
    response = user_client.post(url("edit", todo), {"title": "x" * (TITLE_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert response.context["form"].has_error("title", "max_length")
    assert state(todo) == ("old", False)
    json_response = user_client.post(url("edit", todo), {"title": "x" * (TITLE_MAX_LENGTH + 1)}, **JSON)
    assert json_response.status_code == 400
    assert state(todo) == ("old", False)


def test_json_edit_answers_the_todo(user_client, make_todo):
    todo = make_todo("old")
    data = user_client.post(url("edit", todo), {"title": "<b>new</b>"}, **JSON).json()
    assert data["todo"]["title"] == "<b>new</b>"
    assert "<label>&lt;b&gt;new&lt;/b&gt;</label>" in data["todo"]["html"]


# Deleting, toggle all, clear completed


def test_delete_removes_the_todo_and_goes_back(user_client, make_todo):
    todo, keep = make_todo("a"), make_todo("b")
    response = user_client.post(url("delete", todo), {"next": url("active")})
    assert response.url == url("active")
    assert list(Todo.objects.all()) == [keep]


def test_json_delete_answers_the_deleted_id(user_client, make_todo):
    todo = make_todo()
    data = user_client.post(url("delete", todo), **JSON).json()
    assert (data["deleted"], data["counts"]) == ([todo.pk], {"total": 0, "completed": 0, "active": 0})


def test_toggle_all_completes_everything_then_reopens_everything(user_client, user, make_todo):
    make_todo("a")
    make_todo("b", completed=True)
    user_client.post(url("toggle_all"))
    assert set(Todo.objects.values_list("completed", flat=True)) == {True}
    user_client.post(url("toggle_all"))
    assert set(Todo.objects.values_list("completed", flat=True)) == {False}


def test_json_toggle_all_sets_the_given_state_and_answers_every_todo(user_client, make_todo):
    make_todo("a")
    make_todo("b", completed=True)
    data = user_client.post(url("toggle_all"), {"completed": "false"}, **JSON).json()
    assert data["completed"] is False
    assert [(todo["title"], todo["completed"]) for todo in data["todos"]] == [("a", False), ("b", False)]
    assert data["counts"] == {"total": 2, "completed": 0, "active": 2}


def test_clear_completed_deletes_the_completed_todos(user_client, make_todo):
    keep = make_todo("a")
    done = make_todo("b", completed=True)
    data = user_client.post(url("clear_completed"), **JSON).json()
    assert (data["deleted"], data["counts"]) == ([done.pk], {"total": 1, "completed": 0, "active": 1})
    assert list(Todo.objects.all()) == [keep]


# Where a form post goes back to


def test_without_next_a_post_goes_back_to_the_referer(user_client, make_todo):
    todo = make_todo()
    response = user_client.post(url("toggle", todo), HTTP_REFERER=f"http://testserver{url('completed')}")
    assert response.url == f"http://testserver{url('completed')}"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/todos/", "javascript:alert(1)"])
def test_offsite_next_and_referer_are_ignored(user_client, make_todo, next_url):
    todo = make_todo()
    response = user_client.post(url("toggle", todo), {"next": next_url}, HTTP_REFERER=next_url)
    assert response.url == url("list")


def test_posts_need_the_csrf_token(client, user, make_todo):
    client.force_login(user)
    client.handler.enforce_csrf_checks = True
    todo = make_todo()
    assert client.post(url("toggle", todo)).status_code == 403
    assert client.post(url("list"), {"title": "a"}, **JSON).status_code == 403
    assert state(todo)[1] is False
    assert Todo.objects.count() == 1


@pytest.mark.parametrize(
    "path", ["/todos/abc/toggle/", "/todos/-1/edit/", "/todos/1.5/delete/", "/todos/99999999999999999999999/toggle/"]
)
def test_malformed_or_unknown_ids_are_404(user_client, path):
    assert user_client.post(path).status_code == 404
    assert user_client.post(path, **JSON).status_code == 404


def test_json_answers_carry_the_counter_as_the_page_shows_it(user_client, make_todo):
    make_todo("a")
    make_todo("b")
    data = user_client.post(url("toggle", Todo.objects.first()), {"completed": "true"}, **JSON).json()
    assert data["count_html"].strip() == '<span class="todo-count"><strong>1</strong> item left</span>'
    data = user_client.post(url("toggle_all"), {"completed": "false"}, **JSON).json()
    assert data["count_html"].strip() == '<span class="todo-count"><strong>2</strong> items left</span>'
