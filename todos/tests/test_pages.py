import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def page(client, name="todos:list"):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def titles(html):
    return re.findall(r"<label>(.*?)</label>", html)


def test_anonymous_visitors_are_sent_to_login_with_next(client):
    for name in ("todos:list", "todos:active", "todos:completed"):
        response = client.get(reverse(name))
        assert response.url == f"{reverse('login')}?next={reverse(name)}"


def test_the_new_todo_input_is_labelled_and_focused(user_client):
    html = page(user_client)
    assert '<label for="id_title" class="visually-hidden">New todo</label>' in html
    field = re.search(r'<input type="text" name="title"[^>]*>', html).group()
    for attribute in ('class="new-todo"', 'placeholder="What needs to be done?"', "autofocus", 'id="id_title"'):
        assert attribute in field


def test_main_and_footer_are_hidden_without_todos(user_client):
    html = page(user_client)
    assert '<section class="main" hidden>' in html
    assert '<footer class="footer" hidden>' in html


def test_main_and_footer_show_with_todos(user_client, make_todo):
    make_todo()
    html = page(user_client)
    assert '<section class="main">' in html
    assert '<footer class="footer">' in html


def test_the_list_shows_todos_in_creation_order_with_their_state(user_client, make_todo):
    make_todo("first")
    make_todo("second", completed=True)
    html = page(user_client)
    assert titles(html) == ["first", "second"]
    assert re.search(r'<li class="completed"><div class="view">\s*<label>second', html)


@pytest.mark.parametrize(
    ("active", "text"), [(0, "0</strong> items left"), (1, "1</strong> item left"), (2, "2</strong> items left")]
)
def test_the_counter_counts_active_todos(user_client, make_todo, active, text):
    make_todo("done", completed=True)
    for number in range(active):
        make_todo(f"todo {number}")
    assert f'<span class="todo-count"><strong>{text}</span>' in page(user_client)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("todos:list", ["active", "done"]), ("todos:active", ["active"]), ("todos:completed", ["done"])],
)
def test_filters_show_their_todos_and_mark_their_link(user_client, make_todo, name, expected):
    make_todo("active")
    make_todo("done", completed=True)
    html = page(user_client, name)
    assert titles(html) == expected
    selected = re.findall(r'<a href="([^"]+)" class="selected" aria-current="page">', html)
    assert selected == [reverse(name)]


def test_toggle_all_is_checked_only_when_every_todo_is_completed(user_client, make_todo):
    todo = make_todo("a", completed=True)
    assert re.search(r'id="toggle-all"[^>]* checked>', page(user_client))
    todo.completed = False
    todo.save()
    assert not re.search(r'id="toggle-all"[^>]* checked>', page(user_client))
    assert '<label for="toggle-all" class="js-only">Mark all as complete</label>' in page(user_client)


def test_clear_completed_shows_only_while_completed_todos_exist(user_client, make_todo):
    todo = make_todo("a")
    assert re.search(r'class="clear-completed"[^>]* hidden>Clear completed', page(user_client))
    todo.completed = True
    todo.save()
    assert re.search(r'class="clear-completed"[^>]*"\s*>Clear completed', page(user_client))


def test_each_item_has_the_todomvc_controls(user_client, make_todo):
    todo = make_todo("a")
    html = page(user_client)
    # The checkbox and the drag handle are the script's, made by it: the page without it has no use for them.
    controls = ('class="toggle-button"', "<label>a</label>", 'class="destroy"', 'class="edit-link"', 'class="move"')
    for control in controls:
        assert control in html
    assert f'formaction="{reverse("todos:toggle", args=[todo.pk])}"' in html
    assert f'formaction="{reverse("todos:delete", args=[todo.pk])}"' in html
    assert f'formaction="{reverse("todos:move", args=[todo.pk])}"' in html
    assert f'href="{reverse("todos:edit", args=[todo.pk])}?next=' in html


def test_markup_in_a_title_is_escaped(user_client, make_todo):
    make_todo('<script>alert("x")</script>')
    html = page(user_client)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_page_a_todo_returns_to_is_quoted_in_its_edit_link(user_client, make_todo):
    todo = make_todo("a")
    html = user_client.get(reverse("todos:list"), {"page": "1", "q": '"><b>&'}).content.decode()
    # The page's own address, query string included, goes in each edit link's ?next=, quoted: no markup survives.
    edit = reverse("todos:edit", args=[todo.pk])
    assert f'href="{edit}?next={reverse("todos:list")}%3Fpage%3D1%26q%3D%2522%253E%253Cb%253E%2526"' in html
    assert "<b>" not in html


def test_the_page_script_is_a_static_file_and_there_is_no_inline_script(user_client, make_todo):
    make_todo()
    html = page(user_client)
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/todos/todos.js">']


def test_the_page_is_not_cached(user_client):
    response = user_client.get(reverse("todos:list"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_edit_page_shows_a_plain_form(user_client, make_todo):
    todo = make_todo("a title")
    response = user_client.get(reverse("todos:edit", args=[todo.pk]), {"next": reverse("todos:active")})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{reverse("todos:edit", args=[todo.pk])}"' in html
    assert 'value="a title"' in html
    assert f'<input type="hidden" name="next" value="{reverse("todos:active")}">' in html


def test_a_refused_todo_shows_its_errors_on_the_page(user_client):
    response = user_client.post(reverse("todos:list"), {"title": "milk", "due": "someday"})
    html = response.content.decode()
    assert 'class="errorlist"' in html
    assert "Enter a valid date." in html


def test_the_page_has_no_error_list_when_nothing_was_refused(user_client, make_todo):
    make_todo("a")
    assert "errorlist" not in page(user_client)
