"""Todos keep a manual order within their list: a new todo goes to the end, and POST /todos/<id>/move/ puts one at an
index of its list or of another list of the user's, in one UPDATE in the common case."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from todos.models import POSITION_GAP, Todo, TodoList

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def titles(todo_list):
    return list(todo_list.todos.values_list("title", flat=True))


@pytest.fixture
def todos(user):
    default = TodoList.objects.default_for(user)
    return default, [Todo.objects.add(todo_list=default, title=title) for title in "abcd"]


def move(client, todo, position, **fields):
    return client.post(reverse("todos:move", args=[todo.pk]), {"position": position, **fields}, **JSON)


def test_a_new_todo_goes_to_the_end(user_client, todos):
    default, _ = todos
    user_client.post(reverse("todos:list"), {"title": "e"})
    assert titles(default) == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("index", "position", "expected"),
    [(3, 0, "dabc"), (0, 3, "bcda"), (0, 1, "bacd"), (2, 1, "acbd"), (1, 99, "acdb"), (1, 1, "abcd")],
)
def test_a_move_puts_the_todo_at_the_index(user_client, todos, index, position, expected):
    default, items = todos
    response = move(user_client, items[index], position)
    assert response.status_code == 200
    assert response.json()["todo"]["id"] == items[index].pk
    assert titles(default) == list(expected)


def test_a_move_to_another_list_of_the_users(user_client, user, todos):
    default, items = todos
    work = TodoList.objects.create(owner=user, name="Work")
    Todo.objects.add(todo_list=work, title="x")
    response = move(user_client, items[1], 0, list=work.pk)
    assert response.json()["counts"] == {"total": 3, "completed": 0, "active": 3}
    assert titles(work) == ["b", "x"]
    assert titles(default) == ["a", "c", "d"]


def test_a_move_to_another_users_list_or_with_a_bad_position_is_a_400(user_client, other_user, todos):
    default, items = todos
    theirs = TodoList.objects.create(owner=other_user, name="Theirs")
    for fields in ({"position": 0, "list": theirs.pk}, {"position": -1}, {"position": "x"}, {}):
        response = user_client.post(reverse("todos:move", args=[items[0].pk]), fields, **JSON)
        assert response.status_code == 400
        assert response.json()["errors"]
    assert titles(default) == list("abcd")
    assert not theirs.todos.exists()


def test_another_users_todo_cannot_be_moved(user_client, other_user):
    theirs = Todo.objects.create(owner=other_user, title="theirs")
    assert move(user_client, theirs, 0).status_code == 404


def test_a_move_without_javascript_goes_back_to_the_page(user_client, todos):
    default, items = todos
    response = user_client.post(
        reverse("todos:move", args=[items[2].pk]), {"position": 1, "next": reverse("todos:list")}
    )
    assert response.url == reverse("todos:list")
    assert titles(default) == list("acbd")


def test_the_move_buttons_carry_the_neighbouring_indexes(user_client, todos):
    _, items = todos
    html = user_client.get(reverse("todos:list")).content.decode()
    url = reverse("todos:move", args=[items[1].pk])
    assert f'formaction="{url}" name="position" value="0"' in html
    assert f'formaction="{url}" name="position" value="2"' in html


def test_a_move_is_one_update_while_there_is_room(user_client, todos, statements):
    _, items = todos
    _, sql = statements(lambda: move(user_client, items[3], 1))
    assert [statement.split()[0] for statement in sql].count("UPDATE") == 1


def test_when_neighbours_have_no_room_the_list_is_renumbered_once(user_client, todos):
    default, items = todos
    Todo.objects.filter(pk__in=[items[0].pk, items[1].pk]).update(position=5)
    Todo.objects.filter(pk=items[1].pk).update(position=6)
    move(user_client, items[3], 1)
    assert titles(default) == list("adbc")
    assert list(default.todos.values_list("position", flat=True)) == [
        0,
        POSITION_GAP // 2,
        POSITION_GAP,
        2 * POSITION_GAP,
    ]


class OrderTests(TestCase):
    """Whatever moves are made, in whatever order, the list's order is the one the same moves give a Python list."""

    @given(
        size=st.integers(1, 6),
        moves=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 7)), max_size=12),
        squeeze=st.booleans(),
    )
    def test_any_sequence_of_moves_keeps_the_order_a_permutation(self, size, moves, squeeze):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        owner = User.objects.create_user(email=f"o{User.objects.count()}@example.com")
        todo_list = TodoList.objects.default_for(owner)
        items = [Todo.objects.add(todo_list=todo_list, title=str(n)) for n in range(size)]
        if squeeze:
            # Positions with no room between them, as after many moves to one place.
            for n, item in enumerate(items):
                Todo.objects.filter(pk=item.pk).update(position=n)
        expected = [str(n) for n in range(size)]
        for index, position in moves:
            todo = Todo.objects.get(todo_list=todo_list, title=expected[index % size])
            todo.move(position)
            expected.remove(todo.title)
            expected.insert(min(position, size - 1), todo.title)
        stored = list(todo_list.todos.values_list("title", "position"))
        assert [title for title, _ in stored] == expected
        assert len({position for _, position in stored}) == size
