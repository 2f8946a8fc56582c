"""The migration that gives every user a default list holding their todos, on a database that has todos already."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("todos", "0004_owner_without_an_index_of_its_own"), ("accounts", "0006_attempts")]
AFTER = [("todos", "0007_every_todo_in_a_list_required")]


@pytest.fixture
def apps_before_lists():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_every_user_gets_a_default_list_with_their_todos_in_their_order(apps_before_lists):
    User, Todo = apps_before_lists.get_model("accounts", "User"), apps_before_lists.get_model("todos", "Todo")
    ann = User.objects.create(email="ann@example.com", email_key="ann@example.com")
    bob = User.objects.create(email="bob@example.com", email_key="bob@example.com")
    User.objects.create(email="cy@example.com", email_key="cy@example.com")
    now = timezone.now()
    for title, owner, age in [("ann second", ann, 1), ("bob only", bob, 5), ("ann first", ann, 2)]:
        todo = Todo.objects.create(owner=owner, title=title)
        Todo.objects.filter(pk=todo.pk).update(created=now - timedelta(days=age))

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    TodoList, Todo = apps.get_model("todos", "TodoList"), apps.get_model("todos", "Todo")

    assert sorted(TodoList.objects.values_list("owner__email", "name", "is_default")) == [
        ("ann@example.com", "Todos", True),
        ("bob@example.com", "Todos", True),
        ("cy@example.com", "Todos", True),
    ]
    ann_list = TodoList.objects.get(owner__email="ann@example.com")
    assert list(Todo.objects.filter(todo_list=ann_list).order_by("position").values_list("title", flat=True)) == [
        "ann first",
        "ann second",
    ]
    Todo.objects.all().delete()
    TodoList.objects.all().delete()
    apps.get_model("accounts", "User").objects.all().delete()
