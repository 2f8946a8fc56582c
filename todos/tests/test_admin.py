import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from todos.models import Todo

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:todos_todo_changelist")


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(email="root@example.com", password="x"))
    return client


def results(response):
    return [todo.title for todo in response.context["cl"].result_list]


def test_the_list_shows_title_owner_completed_and_created(staff_client, make_todo):
    make_todo("Buy milk")
    response = staff_client.get(CHANGELIST)
    assert response.context["cl"].list_display == [
        "action_checkbox",
        "title",
        "owner",
        "todo_list",
        "completed",
        "due",
        "created",
    ]
    assert "ann@example.com" in response.content.decode()


def test_the_list_filters_on_completed(staff_client, make_todo):
    make_todo("open")
    make_todo("done", completed=True)
    assert results(staff_client.get(CHANGELIST, {"completed__exact": "1"})) == ["done"]


def test_the_list_filters_on_created(staff_client, make_todo):
    make_todo("today")
    assert results(staff_client.get(CHANGELIST, {"created__gte": "2000-01-01T00:00:00+00:00"})) == ["today"]
    assert results(staff_client.get(CHANGELIST, {"created__lt": "2000-01-01T00:00:00+00:00"})) == []


@pytest.mark.parametrize(("query", "expected"), [("milk", ["Buy milk"]), ("bob@", ["Walk dog"])])
def test_search_by_title_and_owner_email(staff_client, make_todo, other_user, query, expected):
    make_todo("Buy milk")
    make_todo("Walk dog", owner=other_user)
    assert results(staff_client.get(CHANGELIST, {"q": query})) == expected


def test_owners_come_in_the_same_query(staff_client, make_todo, other_user):
    make_todo("a")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            staff_client.get(CHANGELIST)
        return len(captured)

    few = queries()
    for number in range(10):
        make_todo(f"mine {number}")
        make_todo(f"theirs {number}", owner=other_user)
    assert queries() == few


@pytest.mark.parametrize(("action", "before", "after"), [("mark_completed", False, True), ("reopen", True, False)])
def test_bulk_actions_change_only_the_selected_todos(staff_client, make_todo, action, before, after):
    chosen = make_todo("chosen", completed=before)
    other = make_todo("other", completed=before)
    response = staff_client.post(CHANGELIST, {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [chosen.pk]})
    assert response.status_code == 302
    assert Todo.objects.get(pk=chosen.pk).completed is after
    assert Todo.objects.get(pk=other.pk).completed is before


def test_the_change_page_renders(staff_client, make_todo):
    todo = make_todo()
    assert staff_client.get(reverse("admin:todos_todo_change", args=[todo.pk])).status_code == 200


def test_the_search_finds_todos_by_their_owners_address_however_it_is_spelled(staff_client, make_todo):
    make_todo("Buy milk")
    assert results(staff_client.get(CHANGELIST, {"q": "ＡＮＮ@EXAMPLE"})) == ["Buy milk"]
    assert results(staff_client.get(CHANGELIST, {"q": "milk"})) == ["Buy milk"]
    assert results(staff_client.get(CHANGELIST, {"q": "bob@"})) == []


def test_lists_are_in_the_admin_with_their_owner(staff_client, user):
    from todos.models import TodoList

    TodoList.objects.create(owner=user, name="Work")
    response = staff_client.get(reverse("admin:todos_todolist_changelist"), {"q": "ANN@"})
    assert [todo_list.name for todo_list in response.context["cl"].result_list] == ["Work"]
    work = TodoList.objects.get(name="Work")
    assert staff_client.get(reverse("admin:todos_todolist_change", args=[work.pk])).status_code == 200


def test_a_todo_cannot_be_put_in_another_users_list_in_the_admin(staff_client, make_todo, other_user):
    from todos.models import TodoList

    todo = make_todo("mine")
    theirs = TodoList.objects.create(owner=other_user, name="Theirs")
    url = reverse("admin:todos_todo_change", args=[todo.pk])
    response = staff_client.post(url, {"owner": todo.owner_id, "todo_list": theirs.pk, "title": "mine", "position": 0})
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("todo_list", "another_users_list")
    todo.refresh_from_db()
    assert todo.todo_list_id != theirs.pk
