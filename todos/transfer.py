"""The export file, and importing one: `{"version": 2, "lists": [{"name", "default", "todos": [...]}]}`.

Version 1 files (`{"todos": [...]}`, before lists) import into the default list.
"""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .forms import TodoListForm, due_field, title_field
from .models import POSITION_GAP, Todo, TodoList

VERSION = 2


def export(user, todo_list=None):
    """The user's lists (or the one list) and their todos in their order; `due` an ISO date or None."""
    if todo_list is None:
        TodoList.objects.default_for(user)
        owned, todos = TodoList.objects.filter(owner=user), Todo.objects.filter(owner=user)
    else:
        owned, todos = [todo_list], todo_list.todos.all()
    lists = {owned.pk: {"name": owned.name, "default": owned.is_default, "todos": []} for owned in owned}
    fields = ("todo_list", "title", "completed", "due", "created", "updated")
    for list_id, title, completed, due, created, updated in todos.order_by("todo_list", "position", "pk").values_list(
        *fields
    ):
        lists[list_id]["todos"].append(
            {
                "title": title,
                "completed": completed,
                "due": due.isoformat() if due else None,
                "created": created.isoformat(),
                "updated": updated.isoformat(),
            }
        )
    return {"version": VERSION, "lists": list(lists.values())}


class Entry:
    """Where in the file a value came from, for the error that names the first bad entry."""

    def __init__(self, path):
        self.path = path

    def error(self, message):
        return ValidationError(
            _("%(entry)s: %(message)s"), code="bad_entry", params={"entry": self.path, "message": message}
        )

    def clean(self, field, value):
        try:
            return field.clean(value)
        except ValidationError as error:
            raise self.error(" ".join(error.messages)) from None


def read(file):
    """The file's lists as [(name or None for the default list, [todo fields])], checked entry by entry."""
    try:
        data = json.loads(file.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError(_("The file is not JSON (UTF-8)."), code="not_json") from None
    if not isinstance(data, dict):
        raise ValidationError(_("The file is not an export of todos."), code="not_an_export")
    if data.get("version") == VERSION and isinstance(data.get("lists"), list):
        raw_lists = data["lists"]
    elif "version" not in data and isinstance(data.get("todos"), list):
        raw_lists = [{"default": True, "todos": data["todos"]}]
    else:
        raise ValidationError(_("The file is not an export of todos."), code="not_an_export")
    title, due = title_field(), due_field()
    lists = []
    for list_number, raw in enumerate(raw_lists, 1):
        entry = Entry(_("list %(number)d") % {"number": list_number})
        if not isinstance(raw, dict) or not isinstance(raw.get("todos"), list):
            raise entry.error(_("a list needs its todos."))
        name = None if raw.get("default") is True else entry.clean(TodoListForm.base_fields["name"], raw.get("name"))
        todos = []
        for todo_number, item in enumerate(raw["todos"], 1):
            where = Entry(_("list %(list)d, todo %(todo)d") % {"list": list_number, "todo": todo_number})
            if not isinstance(item, dict):
                raise where.error(_("a todo needs a title."))
            completed = item.get("completed", False)
            if not isinstance(completed, bool):
                raise where.error(_("completed must be true or false."))
            if not isinstance(item.get("due"), str | None) or not isinstance(item.get("title"), str | None):
                raise where.error(_("title and due must be text."))
            todos.append(
                {"title": where.clean(title, item.get("title")), "completed": completed,
                 "due": where.clean(due, item.get("due"))}
            )  # fmt: skip
        lists.append((name, todos))
    return lists


def import_file(user, file):
    """Add the file's lists and todos to the user's, in one transaction: all of them or, past a limit or at a
    bad entry, none. A list whose name the user has already (whatever the letter case) gets the todos; so does
    the default list the file's default list. Returns {"lists": lists made, "todos": todos added}."""
    lists = read(file)
    with transaction.atomic():
        default = TodoList.objects.default_for(user)
        owned = {todo_list.name.casefold(): todo_list for todo_list in TodoList.objects.filter(owner=user)}
        new = {}
        for name, _todos in lists:
            if name is not None and name.casefold() not in owned and name.casefold() not in new:
                new[name.casefold()] = TodoList(owner=user, name=name)
        if len(owned) + len(new) > settings.TODO_LISTS_PER_USER:
            raise ValidationError(
                _("The file would give you more than %(limit)d lists."),
                code="too_many_lists",
                params={"limit": settings.TODO_LISTS_PER_USER},
            )
        adding = sum(len(todos) for _name, todos in lists)
        if Todo.objects.filter(owner=user).count() + adding > settings.TODOS_PER_USER:
            raise ValidationError(
                _("The file would give you more than %(limit)d todos."),
                code="too_many_todos",
                params={"limit": settings.TODOS_PER_USER},
            )
        try:
            with transaction.atomic():
                made = TodoList.objects.bulk_create(new.values())
        except IntegrityError:
            # A name Python's case folding keeps apart and the database's LOWER() does not (İx and Ix).
            raise ValidationError(_("The file has a list of a name you have already."), code="duplicate") from None
        targets = {**owned, **{todo_list.name.casefold(): todo_list for todo_list in made}}
        last = dict(
            Todo.objects.filter(todo_list__in=owned.values()).values("todo_list").annotate(last=Max("position"))
            .values_list("todo_list", "last")
        )  # fmt: skip
        rows = []
        for name, todos in lists:
            todo_list = default if name is None else targets[name.casefold()]
            for todo in todos:
                last[todo_list.pk] = last.get(todo_list.pk, -POSITION_GAP) + POSITION_GAP
                rows.append(Todo(owner=user, todo_list=todo_list, position=last[todo_list.pk], **todo))
        Todo.objects.bulk_create(rows, batch_size=1000)
    return {"lists": len(made), "todos": len(rows)}
