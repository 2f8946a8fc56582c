from django.db import migrations

# As todos.models had them when this migration was written.
DEFAULT_LIST_NAME = "Todos"
POSITION_GAP = 1024


def give_every_user_a_default_list(apps, schema_editor):
    """Each user gets a default list holding their todos, in the order they had (creation order)."""
    User = apps.get_model("accounts", "User")
    TodoList = apps.get_model("todos", "TodoList")
    Todo = apps.get_model("todos", "Todo")
    with_list = TodoList.objects.filter(is_default=True).values("owner")
    TodoList.objects.bulk_create(
        TodoList(owner_id=pk, name=DEFAULT_LIST_NAME, is_default=True)
        for pk in User.objects.exclude(pk__in=with_list).values_list("pk", flat=True)
    )
    defaults = dict(TodoList.objects.filter(is_default=True).values_list("owner", "pk"))
    todos, index = [], {}
    for todo in Todo.objects.filter(todo_list=None).order_by("owner", "created", "pk").only("pk", "owner"):
        todo.todo_list_id = defaults[todo.owner_id]
        todo.position = index.get(todo.owner_id, 0) * POSITION_GAP
        index[todo.owner_id] = index.get(todo.owner_id, 0) + 1
        todos.append(todo)
    Todo.objects.bulk_update(todos, ["todo_list", "position"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_attempts"),
        ("todos", "0005_lists_order_due"),
    ]

    operations = [
        migrations.RunPython(give_every_user_a_default_list, migrations.RunPython.noop, elidable=False),
    ]
