import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from todos.models import Todo

pytestmark = pytest.mark.django_db


def count_queries(client, name):
    """SQL statements of one page view, without the savepoints the test's own transaction adds."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name)).status_code == 200
    return sum(1 for query in captured if "SAVEPOINT" not in query["sql"])


@pytest.mark.parametrize("name", ["todos:list", "todos:active", "todos:completed"])
def test_the_list_runs_the_same_few_queries_for_1_and_200_todos(user_client, user, name):
    Todo.objects.create(owner=user, title="one")
    one = count_queries(user_client, name)
    Todo.objects.bulk_create(Todo(owner=user, title=f"todo {n}", completed=n % 2 == 0) for n in range(199))
    assert count_queries(user_client, name) == one
    assert one == 4  # session, user, counts, todos


def test_the_page_with_its_css_and_js_stays_under_30_kb():
    result = subprocess.run(
        [sys.executable, "scripts/page_weight.py", "--todos", "20", "--budget-kb", "30"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    total = re.search(r"total with 20 todos: ([\d.]+) KB", result.stdout)
    assert float(total.group(1)) <= 30
    assert "/static/todos/todos.js" in result.stdout
