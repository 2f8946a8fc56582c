import pytest

from todos.models import Todo


@pytest.fixture
def make_todo(user):
    def make_todo(title="Buy milk", *, owner=None, completed=False):
        return Todo.objects.create(owner=owner or user, title=title, completed=completed)

    return make_todo
