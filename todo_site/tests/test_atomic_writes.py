"""Writes that stand or fall together share one short transaction: when the last fails, none of the others remain."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from todos.models import Todo

pytestmark = pytest.mark.django_db(transaction=True)

REFUSE_USER_DELETION = {
    "sqlite": [
        """CREATE TRIGGER refuse_user_deletion BEFORE DELETE ON accounts_user
           BEGIN SELECT RAISE(ABORT, 'user deletion refused'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION refuse_user_deletion() RETURNS trigger LANGUAGE plpgsql
           AS $$ BEGIN RAISE EXCEPTION 'user deletion refused'; END $$""",
        """CREATE TRIGGER refuse_user_deletion BEFORE DELETE ON accounts_user
           FOR EACH ROW EXECUTE FUNCTION refuse_user_deletion()""",
    ],
}
ALLOW_USER_DELETION = {
    "sqlite": ["DROP TRIGGER refuse_user_deletion"],
    "postgresql": ["DROP TRIGGER refuse_user_deletion ON accounts_user", "DROP FUNCTION refuse_user_deletion()"],
}


@pytest.fixture
def user_deletion_fails():
    """The database refuses to delete a user, as a failure between a request's writes would."""
    with connection.cursor() as cursor:
        for statement in REFUSE_USER_DELETION[connection.vendor]:
            cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        for statement in ALLOW_USER_DELETION[connection.vendor]:
            cursor.execute(statement)


def test_an_account_deletion_that_fails_at_its_last_write_leaves_everything(user, password, user_deletion_fails):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    session_key = client.cookies["sessionid"].value
    Todo.objects.bulk_create(Todo(owner=user, title=f"todo {n}") for n in range(3))

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_delete"), {"password": password})
    writes = [query["sql"].split()[:3] for query in queries if query["sql"].startswith("DELETE")]

    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()
    # The request had deleted the session and the todos before the user's row refused to go...
    assert ["DELETE", "FROM", '"django_session"'] in writes
    assert ["DELETE", "FROM", '"todos_todo"'] in writes
    assert writes[-1] == ["DELETE", "FROM", '"accounts_user"']
    # ...and all of it was rolled back.
    assert Todo.objects.filter(owner=user).count() == 3
    assert Session.objects.filter(session_key=session_key).exists()
    user.refresh_from_db()
    assert user.check_password(password)
