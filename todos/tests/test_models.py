import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction

from todos.forms import TodoEditForm, TodoForm
from todos.models import TITLE_MAX_LENGTH, Todo

pytestmark = pytest.mark.django_db


def test_the_form_trims_the_title():
    form = TodoForm({"title": "  Buy milk \n"})
    assert form.is_valid()
    assert form.cleaned_data["title"] == "Buy milk"


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_a_blank_title_is_refused(user, title):
    form = TodoForm({"title": title})
    assert not form.is_valid()
    assert form.errors["title"] == ["Write something to do."]
    with pytest.raises(ValidationError) as error:
        Todo(owner=user, title=title.strip()).full_clean()
    assert error.value.error_dict["title"][0].messages == ["Write something to do."]


def test_an_emptied_title_is_a_valid_edit_that_the_view_reads_as_delete():
    form = TodoEditForm({"title": "   "})
    assert form.is_valid()
    assert form.cleaned_data["title"] == ""


@pytest.mark.parametrize("form_class", [TodoForm, TodoEditForm])
def test_a_title_over_the_limit_is_refused_once(form_class):
    form = form_class({"title": "x" * (TITLE_MAX_LENGTH + 1)})
    assert not form.is_valid()
    assert [error["code"] for error in form.errors.get_json_data()["title"]] == ["max_length"]


def test_a_title_at_the_limit_is_kept_whole(user):
    form = TodoForm({"title": "x" * TITLE_MAX_LENGTH})
    assert form.is_valid()
    todo = Todo.objects.create(owner=user, title=form.cleaned_data["title"])
    todo.refresh_from_db()
    assert len(todo.title) == TITLE_MAX_LENGTH


@pytest.mark.parametrize(
    ("title", "message"),
    [
        (" padded ", "A title cannot start or end with spaces."),
        ("x" * (TITLE_MAX_LENGTH + 1), "Ensure this value has at most 200 characters (it has 201)."),
    ],
    ids=["untrimmed", "too-long"],
)
def test_the_model_refuses_what_the_form_would_not_send(user, title, message):
    with pytest.raises(ValidationError) as error:
        Todo(owner=user, title=title).full_clean()
    assert message in error.value.messages


@pytest.mark.parametrize(
    "title", ["", " padded ", "x" * (TITLE_MAX_LENGTH + 1)], ids=["empty", "untrimmed", "too-long"]
)
def test_the_database_refuses_titles_the_model_refuses(user, title):
    # PostgreSQL's varchar(200) refuses an over-long title before the check constraint does.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Todo.objects.create(owner=user, title=title)
    assert not Todo.objects.exists()


def test_the_owners_and_the_lists_lookups_use_the_wider_indexes():
    """Neither the owner nor the list has an index of its own: the indexes that start with them serve them (the
    due dates' index holds only todos with a due date, so it cannot)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Todo._meta.db_table)
    indexes = {name: c["columns"] for name, c in constraints.items() if c["index"] and not c["primary_key"]}
    assert indexes == {
        "todos_owner_created_idx": ["owner_id", "created", "id"],
        "todos_list_position_idx": ["todo_list_id", "position", "id"],
        "todos_owner_due_idx": ["owner_id", "due"],
    }


def test_todos_are_ordered_by_creation(user):
    titles = ["first", "second", "third"]
    for title in titles:
        Todo.objects.create(owner=user, title=title)
    assert [todo.title for todo in Todo.objects.filter(owner=user)] == titles


def test_counts_are_per_queryset(user, other_user, make_todo):
    make_todo("a")
    make_todo("b", completed=True)
    make_todo("c", owner=other_user)
    assert Todo.objects.filter(owner=user).counts() == {"total": 2, "completed": 1, "active": 1}


def test_mark_touches_only_the_queryset_and_counts_what_changed(user, other_user, make_todo):
    mine = [make_todo("a"), make_todo("b", completed=True)]
    theirs = make_todo("c", owner=other_user)
    assert Todo.objects.filter(owner=user).mark(completed=True) == 1
    assert all(Todo.objects.filter(pk__in=[t.pk for t in mine]).values_list("completed", flat=True))
    theirs.refresh_from_db()
    assert not theirs.completed


def test_clear_completed_deletes_only_the_querysets_completed_todos(user, other_user, make_todo):
    active = make_todo("a")
    done = make_todo("b", completed=True)
    theirs = make_todo("c", owner=other_user, completed=True)
    assert Todo.objects.filter(owner=user).clear_completed() == [done.pk]
    assert set(Todo.objects.values_list("pk", flat=True)) == {active.pk, theirs.pk}


def test_deleting_the_owner_deletes_their_todos(user, other_user, make_todo):
    make_todo("a")
    theirs = make_todo("b", owner=other_user)
    user.delete()
    assert list(Todo.objects.all()) == [theirs]
