"""GET /todos/export/ gives the signed-in user's lists and todos as a JSON file; POST /todos/import/ adds such a file
(or one of version 1) to an account: all of it, or none of it and the first bad entry named."""

import json
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from todos.models import Todo, TodoList

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def export(client):
    response = client.get(reverse("todos:export"))
    assert response.status_code == 200
    return json.loads(response.content)


def import_(client, data, name="todos.json", **headers):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(reverse("todos:import"), {"file": SimpleUploadedFile(name, content)}, **headers)


def shape(exported):
    """What an export must keep through an import: lists, their order, titles, completion and due dates."""
    return [
        (todo_list["name"], todo_list["default"], [(t["title"], t["completed"], t["due"]) for t in todo_list["todos"]])
        for todo_list in exported["lists"]
    ]


def test_the_export_is_a_json_attachment_of_every_list_and_todo_in_order(user_client, user, make_todo):
    first = make_todo("buy milk", completed=True)
    work = TodoList.objects.create(owner=user, name="Work")
    report = Todo.objects.add(todo_list=work, title="report", due=date(2030, 1, 31))
    slides = Todo.objects.add(todo_list=work, title="slides")
    report.move(1)

    response = user_client.get(reverse("todos:export"))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="todos.json"'
    data = json.loads(response.content)
    assert data["version"] == 2
    assert shape(data) == [
        ("Todos", True, [("buy milk", True, None)]),
        ("Work", False, [("slides", False, None), ("report", False, "2030-01-31")]),
    ]
    first.refresh_from_db()
    assert datetime.fromisoformat(data["lists"][0]["todos"][0]["created"]) == first.created
    assert slides.pk


def test_titles_keep_their_own_characters(user_client, make_todo):
    make_todo("买牛奶 🥛")
    assert "买牛奶 🥛".encode() in user_client.get(reverse("todos:export")).content


def test_nobody_elses_lists_or_todos_appear(user_client, make_todo, other_user):
    make_todo("mine")
    make_todo("theirs", owner=other_user)
    TodoList.objects.create(owner=other_user, name="Their list")
    assert shape(export(user_client)) == [("Todos", True, [("mine", False, None)])]


def test_a_new_account_exports_its_empty_default_list(user_client):
    assert shape(export(user_client)) == [("Todos", True, [])]


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in ("todos:export", "todos:import"):
        response = client.get(reverse(name))
        assert response.url == f"{reverse('login')}?next={reverse(name)}"


def test_only_get_and_head_are_answered(user_client):
    assert user_client.head(reverse("todos:export")).status_code == 200
    assert user_client.post(reverse("todos:export")).status_code == 405


def test_the_lists_page_links_to_the_export_and_the_import(user_client):
    page = user_client.get(reverse("lists:index")).content.decode()
    assert f'href="{reverse("todos:export")}"' in page
    assert f'href="{reverse("todos:import")}"' in page


def test_the_export_is_never_cached(user_client):
    assert "no-store" in user_client.get(reverse("todos:export"))["Cache-Control"]


def test_the_export_runs_five_queries_whatever_the_number_of_lists_and_todos(
    user_client, user, django_assert_num_queries
):
    TodoList.objects.default_for(user)
    for number in range(5):
        todo_list = TodoList.objects.create(owner=user, name=f"list {number}")
        Todo.objects.bulk_create(Todo(owner=user, todo_list=todo_list, title=f"todo {n}") for n in range(20))
    with django_assert_num_queries(5):  # session, user, the default list, the lists, the todos
        export(user_client)


# Import


def test_an_export_imported_into_a_new_account_exports_the_same(user_client, user, make_todo, django_user_model):
    make_todo("buy milk", completed=True)
    work = TodoList.objects.create(owner=user, name="Work")
    Todo.objects.add(todo_list=work, title="report", due=date(2030, 1, 31))
    Todo.objects.add(todo_list=work, title="slides")
    exported = export(user_client)

    newcomer = Client()
    newcomer.force_login(django_user_model.objects.create_user(email="new@example.com"))
    response = import_(newcomer, exported)
    assert response.status_code == 302
    assert response.url == reverse("lists:index")
    assert shape(export(newcomer)) == shape(exported)


def test_a_version_1_file_goes_to_the_default_list(user_client, make_todo):
    make_todo("already here")
    version_1 = {"todos": [{"title": "old one", "completed": True, "created": "2026-01-01T00:00:00+00:00"}]}
    response = import_(user_client, version_1, **JSON)
    assert response.status_code == 201
    assert response.json() == {"lists": 0, "todos": 1}
    assert shape(export(user_client)) == [("Todos", True, [("already here", False, None), ("old one", True, None)])]


def test_lists_of_a_name_the_account_has_get_the_todos_whatever_the_letter_case(user_client, user):
    TodoList.objects.create(owner=user, name="Work")
    data = {"version": 2, "lists": [{"name": "WORK", "default": False, "todos": [{"title": "report"}]}]}
    assert import_(user_client, data, **JSON).json() == {"lists": 0, "todos": 1}
    assert shape(export(user_client))[1] == ("Work", False, [("report", False, None)])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not json", "The file is not JSON (UTF-8)."),
        ({"version": 3, "lists": []}, "The file is not an export of todos."),
        ([1, 2, 3], "The file is not an export of todos."),
        (
            {"version": 2, "lists": [{"name": "A", "todos": [{"title": "ok"}, {"title": "x" * 201}]}]},
            "list 1, todo 2: Ensure this value has at most 200 characters (it has 201).",
        ),
        (
            {"version": 2, "lists": [{"name": "A", "todos": []}, {"name": "B", "todos": [{"title": "  "}]}]},
            "list 2, todo 1: Write something to do.",
        ),
        (
            {"version": 2, "lists": [{"name": "A", "todos": [{"title": "t", "due": "2030-02-30"}]}]},
            "list 1, todo 1: Enter a valid date.",
        ),
        (
            {"version": 2, "lists": [{"name": "A", "todos": [{"title": "t", "completed": "yes"}]}]},
            "list 1, todo 1: completed must be true or false.",
        ),
        ({"version": 2, "lists": [{"name": "", "todos": []}]}, "list 1: Give the list a name."),
    ],
    ids=[
        "not-json",
        "unknown-version",
        "not-an-object",
        "long-title",
        "blank-title",
        "bad-date",
        "bad-flag",
        "no-name",
    ],
)
def test_a_bad_file_adds_nothing_and_names_the_first_bad_entry(user_client, user, data, message):
    response = import_(user_client, data)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [message]
    assert not Todo.objects.exists()
    assert not TodoList.objects.exclude(is_default=True).exists()


def test_a_file_over_the_size_limit_is_refused(user_client, settings):
    settings.TODO_IMPORT_MAX_BYTES = 100
    data = {"version": 2, "lists": [{"name": "A", "todos": [{"title": "t" * 50}, {"title": "u" * 50}]}]}
    response = import_(user_client, data, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0]["code"] == "too_large"
    assert not Todo.objects.exists()


def test_an_import_past_the_accounts_limits_adds_nothing(user_client, user, settings):
    settings.TODOS_PER_USER = 3
    data = {"version": 2, "lists": [{"name": "A", "todos": [{"title": f"t{n}"} for n in range(4)]}]}
    response = import_(user_client, data, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0]["message"] == "The file would give you more than 3 todos."
    settings.TODO_LISTS_PER_USER = 2
    data = {"version": 2, "lists": [{"name": n, "todos": []} for n in ("A", "B")]}
    assert import_(user_client, data, **JSON).status_code == 400
    assert not TodoList.objects.exclude(is_default=True).exists()


def test_an_import_of_1000_todos_runs_a_bounded_number_of_statements(user_client, statements):
    data = {
        "version": 2,
        "lists": [{"name": f"list {n}", "todos": [{"title": f"t{m}"} for m in range(100)]} for n in range(10)],
    }
    response, sql = statements(lambda: import_(user_client, data, **JSON))
    assert response.json() == {"lists": 10, "todos": 1000}
    # Session, user; in one transaction (BEGIN ... COMMIT): the default list (a new account's is made, in a
    # savepoint of its own), the lists, the todos (a limit); INSERT the lists; the lists' last positions;
    # INSERT the todos, at most 1000 rows a statement. Every round trip counts, BEGIN and COMMIT too.
    assert len(sql) <= 15, sql


class ImportRoundTripTests(TestCase):
    """Whatever lists and todos an account holds, exporting and importing them into a new account keeps them."""

    @settings(max_examples=25)
    @given(
        lists=st.lists(
            st.tuples(
                st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zs", "Zl", "Zp"]), min_size=1,
                        max_size=20),
                st.lists(
                    st.tuples(
                        st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=30)
                        .map(str.strip).filter(bool),
                        st.booleans(),
                        st.none() | st.dates(date(2000, 1, 1), date(2100, 12, 31)),
                    ),
                    max_size=5,
                ),
            ),
            max_size=4,
            unique_by=lambda item: item[0].casefold(),
        )
    )  # fmt: skip
    def test_round_trip(self, lists):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        owner = User.objects.create_user(email=f"owner{User.objects.count()}@example.com")
        default = TodoList.objects.default_for(owner)
        for name, todos in lists:
            if name.casefold() == default.name.casefold():
                continue
            todo_list = TodoList.objects.create(owner=owner, name=name)
            for title, completed, due in todos:
                todo = Todo.objects.add(todo_list=todo_list, title=title, due=due)
                if completed:
                    Todo.objects.filter(pk=todo.pk).update(completed=True)
        source, target = Client(), Client()
        source.force_login(owner)
        target.force_login(User.objects.create_user(email=f"target{User.objects.count()}@example.com"))
        exported = export(source)
        assert import_(target, exported, **JSON).status_code == 201
        assert shape(export(target)) == shape(exported)


def test_one_list_is_exported_on_its_own(user_client, user, make_todo, other_user):
    make_todo("milk")
    work = TodoList.objects.create(owner=user, name="Work")
    Todo.objects.add(todo_list=work, title="report")
    response = user_client.get(reverse("todos:export"), {"list": work.pk})
    assert shape(json.loads(response.content)) == [("Work", False, [("report", False, None)])]
    theirs = TodoList.objects.create(owner=other_user, name="Theirs")
    for wrong in (theirs.pk, "x", "", "²", "9" * 5000):
        assert user_client.get(reverse("todos:export"), {"list": wrong}).status_code == 404


def test_an_export_larger_than_a_lambda_answer_is_a_413_that_says_what_to_do(user_client, user, settings):
    default = TodoList.objects.default_for(user)
    Todo.objects.bulk_create(Todo(owner=user, todo_list=default, title="买牛奶" * 60) for _ in range(30))
    # Each Chinese character is six bytes in Lambda's answer (\\uXXXX): the limit sits between the raw
    # file's size and that.
    size = len(user_client.get(reverse("todos:export")).content)
    settings.RESPONSE_MAX_BYTES = size + 1000
    response = user_client.get(reverse("todos:export"), **JSON)
    assert response.status_code == 413
    assert "Download your lists one by one" in response.json()["error"]
    assert user_client.get(reverse("todos:export")).status_code == 413


def test_an_import_without_a_file_says_so(user_client):
    response = user_client.post(reverse("todos:import"), {})
    assert response.status_code == 400
    assert response.context["form"].has_error("file", "required")


WRONG_KIND = "list 1, todo 1: title and due must be text."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": 2, "lists": [{"name": "A", "todos": [{"title": "t", "due": 5}]}]}, WRONG_KIND),
        ({"version": 2, "lists": [{"name": "A", "todos": [{"title": ["t"]}]}]}, WRONG_KIND),
        (b"[" * 100_000, "The file is not JSON (UTF-8)."),
    ],
    ids=["number-for-a-date", "list-for-a-title", "nested-too-deep"],
)
def test_values_of_the_wrong_kind_are_named_not_a_500(user_client, data, message):
    response = import_(user_client, data)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [message]
