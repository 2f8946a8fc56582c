import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from todos import services
from todos.models import TITLE_MAX_LENGTH, Todo

pytestmark = pytest.mark.django_db


def test_create_trims_the_title(user):
    todo = services.todo_create(owner=user, title="  Buy milk \n")
    todo.refresh_from_db()
    assert todo.title == "Buy milk"
    assert not todo.completed


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_a_blank_title_is_refused(user, title):
    with pytest.raises(ValidationError) as error:
        services.todo_create(owner=user, title=title)
    assert error.value.error_dict["title"][0].code == "blank"
    assert not Todo.objects.exists()


def test_a_title_over_the_limit_is_refused(user):
    with pytest.raises(ValidationError) as error:
        services.todo_create(owner=user, title="x" * (TITLE_MAX_LENGTH + 1))
    assert error.value.error_dict["title"][0].code == "max_length"
    assert not Todo.objects.exists()


def test_a_title_at_the_limit_is_kept_whole(user):
    todo = services.todo_create(owner=user, title="x" * TITLE_MAX_LENGTH)
    todo.refresh_from_db()
    assert len(todo.title) == TITLE_MAX_LENGTH


@pytest.mark.parametrize(
    "title", ["", " padded ", "x" * (TITLE_MAX_LENGTH + 1)], ids=["empty", "untrimmed", "too-long"]
)
def test_the_database_refuses_titles_the_model_refuses(user, title):
    # PostgreSQL's varchar(200) refuses an over-long title before the check constraint does.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Todo.objects.create(owner=user, title=title)
    assert not Todo.objects.exists()


def test_todos_are_ordered_by_creation(user):
    titles = ["first", "second", "third"]
    for title in titles:
        services.todo_create(owner=user, title=title)
    assert [todo.title for todo in Todo.objects.filter(owner=user)] == titles


def test_renaming_trims_and_saves(make_todo):
    todo = make_todo("old")
    services.todo_rename(todo=todo, title="  new  ")
    todo.refresh_from_db()
    assert todo.title == "new"


def test_renaming_to_an_empty_title_deletes_the_todo(make_todo):
    todo = make_todo("old")
    assert services.todo_rename(todo=todo, title="   ") is None
    assert not Todo.objects.exists()


def test_renaming_to_an_over_long_title_changes_nothing(make_todo):
    todo = make_todo("old")
    with pytest.raises(ValidationError):
        services.todo_rename(todo=todo, title="x" * (TITLE_MAX_LENGTH + 1))
    todo.refresh_from_db()
    assert todo.title == "old"


def test_counts_are_per_queryset(user, other_user, make_todo):
    make_todo("a")
    make_todo("b", completed=True)
    make_todo("c", owner=other_user)
    assert Todo.objects.filter(owner=user).counts() == {"total": 2, "completed": 1, "active": 1}


def test_mark_all_touches_only_the_owner(user, other_user, make_todo):
    mine = [make_todo("a"), make_todo("b", completed=True)]
    theirs = make_todo("c", owner=other_user)
    assert services.todos_mark_all(owner=user, completed=True) == 1
    assert all(Todo.objects.filter(pk__in=[t.pk for t in mine]).values_list("completed", flat=True))
    theirs.refresh_from_db()
    assert not theirs.completed


def test_clear_completed_deletes_only_the_owners_completed_todos(user, other_user, make_todo):
    active = make_todo("a")
    done = make_todo("b", completed=True)
    theirs = make_todo("c", owner=other_user, completed=True)
    assert services.todos_clear_completed(owner=user) == [done.pk]
    assert set(Todo.objects.values_list("pk", flat=True)) == {active.pk, theirs.pk}


def test_deleting_the_owner_deletes_their_todos(user, other_user, make_todo):
    make_todo("a")
    theirs = make_todo("b", owner=other_user)
    user.delete()
    assert list(Todo.objects.all()) == [theirs]
