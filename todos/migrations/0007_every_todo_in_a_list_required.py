import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0006: on PostgreSQL a table whose rows were just updated cannot be altered in that transaction."""

    dependencies = [
        ("todos", "0006_every_todo_in_a_list"),
    ]

    operations = [
        migrations.AlterField(
            model_name="todo",
            name="todo_list",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="todos",
                to="todos.todolist",
                verbose_name="list",
            ),
        ),
    ]
