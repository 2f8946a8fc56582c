"""Oversized, damaged or malformed requests get a 400/404 or a form error: never a 500, never a stored todo."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse

from todos.forms import TodoEditForm, TodoForm
from todos.models import Todo

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
FORM = "application/x-www-form-urlencoded"
THREE_MB = 3 * 1024 * 1024
UNREADABLE = "This title could not be read. Please type it again."


@pytest.fixture
def user_client(user):
    """The signed-in user's browser; an error becomes an error page, as it would for them."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def state():
    return list(Todo.objects.values_list("title", "completed"))


@pytest.fixture
def todo(make_todo):
    return make_todo("unchanged")


def url(name, todo=None):
    return reverse(f"todos:{name}", args=[todo.pk] if todo else [])


def test_a_10000_character_title_is_a_form_error(user_client, todo):
    response = user_client.post(url("list"), {"title": "x" * 10_000})
    assert response.status_code == 200
    assert response.context["form"].has_error("title", "max_length")
    response = user_client.post(url("edit", todo), {"title": "x" * 10_000}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["title"][0]["code"] == "max_length"
    assert state() == [("unchanged", False)]


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_3_mb_body_is_a_400(user_client, todo, django_user_model, encoding, accept):
    if encoding == "urlencoded":
        body, content_type = f"title={'x' * THREE_MB}&email=a%40example.com", FORM
    else:
        body, content_type = {"title": "x" * THREE_MB}, MULTIPART_CONTENT  # the client encodes it
    anonymous = Client(raise_request_exception=False)
    for client, path in [
        (user_client, url("list")),
        (user_client, url("edit", todo)),
        (anonymous, reverse("login")),
        (anonymous, reverse("signup")),
    ]:
        response = client.post(path, body, content_type=content_type, HTTP_ACCEPT=accept)
        assert response.status_code == 400
    assert state() == [("unchanged", False)]
    assert django_user_model.objects.count() == 1


def test_more_than_1000_fields_are_a_400(user_client, todo):
    body = "&".join(["title=a", *(f"field{number}=x" for number in range(1000))])
    for path in (url("list"), url("toggle", todo), url("toggle_all"), reverse("login")):
        response = user_client.post(path, body, content_type=FORM, **JSON)
        assert response.status_code == 400
        assert response.json() == {"error": "The request could not be read."}
    assert state() == [("unchanged", False)]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"title=%FF%FEbuy+milk", FORM),
        (
            b"--B\r\nContent-Disposition: form-data; name=title\r\n\r\nbuy \xc3\x28 milk\r\n--B--\r\n",
            "multipart/form-data; boundary=B",
        ),
    ],
    ids=["percent-encoded", "multipart"],
)
def test_a_title_that_is_not_utf_8_is_refused_as_unreadable(user_client, todo, body, content_type):
    response = user_client.post(url("list"), body, content_type=content_type)
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [UNREADABLE]
    response = user_client.post(url("list"), body, content_type=content_type, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["title"][0] == {"message": UNREADABLE, "code": "unreadable"}
    response = user_client.post(url("edit", todo), body, content_type=content_type, **JSON)
    assert response.status_code == 400
    assert state() == [("unchanged", False)]


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_form_body_of_raw_bytes_that_are_not_utf_8_is_a_400(user_client, todo, django_user_model, accept):
    # Read as Latin-1, these bytes would become a valid-looking "buy ÿþ milk".
    for path in (url("list"), url("edit", todo), reverse("signup")):
        response = user_client.post(
            path, b"title=buy+\xff\xfe+milk&email=ann@ex\xe4mple.com", content_type=FORM, HTTP_ACCEPT=accept
        )
        assert response.status_code == 400
    assert state() == [("unchanged", False)]
    assert django_user_model.objects.count() == 1


def test_a_title_with_a_nul_character_is_a_form_error(user_client, todo):
    response = user_client.post(url("list"), {"title": "buy\x00milk"}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["title"][0]["code"] == "null_characters_not_allowed"
    assert state() == [("unchanged", False)]


@pytest.mark.parametrize("body", ['{"title": "buy milk"', '{"completed": true}', "not json at all", ""])
@pytest.mark.parametrize("name", ["list", "toggle", "edit", "delete", "toggle_all", "clear_completed"])
def test_a_json_body_is_a_json_400_and_changes_nothing(user_client, make_todo, todo, name, body):
    make_todo("done", completed=True)
    before = state()
    needs_todo = name in {"toggle", "edit", "delete"}
    response = user_client.post(url(name, todo if needs_todo else None), body, content_type="application/json", **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "The request could not be read."}
    assert state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/todos/abc/toggle/",
        "/todos/-1/edit/",
        "/todos/1.5/delete/",
        "/todos/%FF/edit/",
        "/todos/0/toggle/",
        "/todos/9223372036854775808/toggle/",
        "/todos/99999999999999999999999/delete/",
    ],
)
def test_malformed_and_unknown_ids_are_404_and_change_nothing(user_client, todo, path):
    assert user_client.post(path, {"title": "changed"}).status_code == 404
    response = user_client.post(path, {"title": "changed"}, **JSON)
    assert response.status_code == 404
    assert "error" in json.loads(response.content)
    assert state() == [("unchanged", False)]


@pytest.mark.parametrize(
    ("title", "code"), [("buy \ufffd milk", "unreadable"), ("buy\x00milk", "null_characters_not_allowed")]
)
def test_the_rules_refuse_damaged_titles_from_anywhere(user, todo, title, code):
    """The page's forms and the model (the admin, the shell) refuse them alike."""
    for form_class in (TodoForm, TodoEditForm):
        form = form_class({"title": title})
        assert not form.is_valid()
        assert [error["code"] for error in form.errors.get_json_data()["title"]] == [code]
    todo.title = title
    with pytest.raises(ValidationError) as error:
        todo.full_clean()
    assert error.value.error_dict["title"][0].code == code
    assert state() == [("unchanged", False)]


@pytest.mark.parametrize(
    ("next_url", "location"), [("0", "0"), (":", ":"), ("a b", "a%20b"), ("todos:list", "/todos/")]
)
def test_a_next_that_looks_like_a_view_name_is_never_reversed(user_client, todo, next_url, location):
    response = user_client.post(url("toggle", todo), {"next": next_url})
    assert response.status_code == 302
    assert response.url == location


@pytest.mark.parametrize("name", ["toggle", "toggle_all"])
@pytest.mark.parametrize("value", ["banana", "yes", "2", "TRUE "])
def test_a_completed_value_that_is_neither_true_nor_false_is_a_400_and_changes_nothing(user_client, todo, name, value):
    path = url(name, todo if name == "toggle" else None)
    assert user_client.post(path, {"completed": value}).status_code == 400
    response = user_client.post(path, {"completed": value}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["completed"][0]["code"] == "invalid_choice"
    assert state() == [("unchanged", False)]


def test_an_edit_post_without_a_title_is_a_400_and_keeps_the_todo(user_client, todo):
    assert user_client.post(url("edit", todo), {}).status_code == 400
    assert user_client.post(url("edit", todo), {"next": url("list")}).status_code == 400
    response = user_client.post(url("edit", todo), {}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["title"][0]["code"] == "missing"
    assert state() == [("unchanged", False)]
