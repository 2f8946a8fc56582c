"""The rules for changing todos, in one place for the views, the admin and the shell."""

from django.db import transaction

from .models import Todo


def todo_create(*, owner, title: str) -> Todo:
    todo = Todo(owner=owner, title=title.strip())
    todo.full_clean()
    todo.save()
    return todo


def todo_rename(*, todo: Todo, title: str) -> Todo | None:
    """Give a todo a new title. An empty title deletes the todo, as in TodoMVC; then None is returned."""
    title = title.strip()
    if not title:
        todo.delete()
        return None
    todo.title = title
    todo.full_clean()
    todo.save(update_fields=["title", "updated"])
    return todo


def todo_set_completed(*, todo: Todo, completed: bool) -> Todo:
    todo.completed = completed
    todo.save(update_fields=["completed", "updated"])
    return todo


def todos_mark_all(*, owner, completed: bool) -> int:
    """Mark every one of the owner's todos completed (or active); returns how many changed."""
    return Todo.objects.filter(owner=owner).mark(completed=completed)


@transaction.atomic
def todos_clear_completed(*, owner) -> list[int]:
    """Delete the owner's completed todos; returns their ids."""
    completed = Todo.objects.filter(owner=owner).completed().select_for_update()
    ids = list(completed.values_list("pk", flat=True))
    Todo.objects.filter(pk__in=ids).delete()
    return ids
