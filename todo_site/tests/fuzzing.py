"""Hypothesis strategies and checks for posting anything at all to the site's forms.

A field's value is bytes, sent percent-encoded as a browser sends it: any text in UTF-8, any
bytes at all (which need not be UTF-8), or a plausible value that gets through the form.
"""

from urllib.parse import quote_from_bytes

from django.contrib.auth import get_user_model
from hypothesis import strategies as st

from todos.models import Todo

FORM = "application/x-www-form-urlencoded"


def field(*plausible):
    """Any text, any bytes, or a value drawn from one of the `plausible` text strategies."""
    return st.one_of(
        st.text(max_size=300).map(str.encode), st.binary(max_size=300), *(s.map(str.encode) for s in plausible)
    )


def extra_fields(known):
    """Up to three fields the form does not expect, with any names and values."""
    names = st.text(min_size=1, max_size=20).filter(lambda name: name not in known)
    return st.dictionaries(names.map(str.encode), field(), max_size=3)


def form(**fields):
    """The given fields (name -> strategy of bytes) plus some unexpected ones."""
    return st.tuples(
        st.fixed_dictionaries({name.encode(): value for name, value in fields.items()}), extra_fields(fields)
    ).map(lambda parts: {**parts[1], **parts[0]})


def as_text(value):
    """A field's value as the site reads it: bytes that are not UTF-8 become U+FFFD."""
    return value.decode("utf-8", errors="replace")


def post(client, path, fields, **extra):
    """Post the fields form-encoded; any answer below 500 is acceptable, the checks come after."""
    body = "&".join(
        f"{quote_from_bytes(name, safe='')}={quote_from_bytes(value, safe='')}" for name, value in fields.items()
    )
    response = client.post(path, body, content_type=FORM, **extra)
    assert response.status_code < 500, response.content[:500]
    return response


def assert_every_todo_is_valid():
    for todo in Todo.objects.all():
        todo.full_clean()
        assert todo.title == todo.title.strip()
        assert 1 <= len(todo.title) <= 200
        assert "\x00" not in todo.title
        assert "\ufffd" not in todo.title


def assert_every_user_is_valid():
    User = get_user_model()
    for user in User.objects.all():
        user.full_clean()
        assert user.email == User.objects.normalize_email(user.email)
        assert user.has_usable_password()
