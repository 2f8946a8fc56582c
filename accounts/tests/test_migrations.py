"""The migration that gives every account its address key, on a database that has accounts already."""

import pytest
from django.core.management import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("accounts", "0002_login_throttle")]
KEYED = [("accounts", "0003_user_email_key")]


@pytest.fixture
def accounts_before_keys():
    """Migrate back to before the key; yields the User model of then; migrates forward again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    user = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
    yield user
    user.objects.all().delete()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to_keys():
    executor = MigrationExecutor(connection)
    executor.migrate(KEYED)
    return executor.loader.project_state(KEYED).apps.get_model("accounts", "User")


def test_existing_accounts_get_their_keys(accounts_before_keys):
    accounts_before_keys.objects.create(email="Ann@example.com", password="x")
    accounts_before_keys.objects.create(email="bob@example.com", password="x")
    user = migrate_to_keys()
    assert sorted(user.objects.values_list("email_key", flat=True)) == ["ann@example.com", "bob@example.com"]


def test_two_accounts_of_one_address_stop_the_migration_with_their_names(accounts_before_keys):
    first = accounts_before_keys.objects.create(email="alice@example.com", password="x")
    second = accounts_before_keys.objects.create(email="\uff41lice@example.com", password="x")
    accounts_before_keys.objects.create(email="bob@example.com", password="x")
    with pytest.raises(CommandError) as stopped:
        migrate_to_keys()
    message = str(stopped.value)
    assert f"alice@example.com (id {first.pk}), \uff41lice@example.com (id {second.pk})" in message
    assert "bob@example.com" not in message
    assert accounts_before_keys.objects.count() == 3


def test_no_data_migration_imports_the_projects_live_code():
    """A data migration runs long after it was written: it freezes the helpers it uses, never importing them.
    (Schema migrations name validators and managers by path, as Django writes them; those are not run code.)"""
    import ast
    from pathlib import Path

    from django.conf import settings

    apps = {"accounts", "todos", "todo_site"}
    for path in Path(settings.BASE_DIR).glob("*/migrations/0*.py"):
        if "RunPython" not in path.read_text():
            continue
        tree = ast.parse(path.read_text())
        imported = {
            name.split(".")[0]
            for node in ast.walk(tree)
            for name in (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
        }
        assert not imported & apps, f"{path} imports {imported & apps}"
