"""Whatever is posted to the todo forms and JSON endpoints, the answer is never a server error and every stored
todo is valid; nobody else's todo ever changes."""

import json

from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from todo_site.tests.fuzzing import as_text, assert_every_todo_is_valid, field, form, post
from todos.models import Todo

User = get_user_model()
TITLES = st.text(min_size=1, max_size=200)
ACCEPT = st.sampled_from(["text/html", "application/json"])
ACTIONS = ["toggle", "edit", "delete", "toggle_all", "clear_completed", "list"]


class TodoFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create_user(email="ann@example.com")
        cls.other = User.objects.create_user(email="bob@example.com")
        cls.mine = Todo.objects.create(owner=cls.user, title="mine")
        cls.done = Todo.objects.create(owner=cls.user, title="done", completed=True)
        cls.theirs = Todo.objects.create(owner=cls.other, title="theirs")

    def assert_theirs_unchanged(self):
        theirs = Todo.objects.filter(owner=self.other).values_list("pk", "title", "completed")
        assert list(theirs) == [(self.theirs.pk, "theirs", False)]

    @given(fields=form(title=field(TITLES), next=field()), accept=ACCEPT)
    @example(fields={b"title": b"  buy milk  "}, accept="application/json")
    def test_create(self, fields, accept):
        self.client.force_login(self.user)
        response = post(self.client, reverse("todos:list"), fields, HTTP_ACCEPT=accept)
        event(f"answered {response.status_code}")
        assert_every_todo_is_valid()
        created = Todo.objects.filter(owner=self.user).exclude(pk__in=[self.mine.pk, self.done.pk])
        if response.status_code in (201, 302):
            assert [todo.title for todo in created] == [as_text(fields[b"title"]).strip()]
        else:
            assert response.status_code in (200, 400)
            assert not created.exists()
        self.assert_theirs_unchanged()

    @given(fields=form(title=field(TITLES, st.just("   ")), next=field()), accept=ACCEPT)
    @example(fields={b"title": b"  renamed  "}, accept="application/json")
    @example(fields={b"title": b"   "}, accept="text/html")
    def test_edit(self, fields, accept):
        self.client.force_login(self.user)
        response = post(self.client, reverse("todos:edit", args=[self.mine.pk]), fields, HTTP_ACCEPT=accept)
        event(f"answered {response.status_code}")
        assert_every_todo_is_valid()
        title = Todo.objects.filter(pk=self.mine.pk).values_list("title", flat=True).first()
        # A post without a title field is a 400; a title the form refuses shows the page again (HTML).
        saved, refused = (200, (400,)) if accept == "application/json" else (302, (200, 400))
        assert response.status_code in (saved, *refused)
        if response.status_code == saved:
            assert title == (as_text(fields[b"title"]).strip() or None)  # an empty title deletes
        else:
            assert title == "mine"
        self.assert_theirs_unchanged()

    @given(
        action=st.sampled_from(ACTIONS),
        pk=st.one_of(st.sampled_from(["mine", "done", "theirs"]), st.integers(min_value=0, max_value=2**70)),
        fields=form(title=field(TITLES), completed=field(st.sampled_from(["true", "false"]))),
    )
    def test_json_endpoints(self, action, pk, fields):
        self.client.force_login(self.user)
        if isinstance(pk, str):
            pk = getattr(self, pk).pk
        path = reverse(f"todos:{action}", args=[pk] if action in ("toggle", "edit", "delete") else [])
        response = post(self.client, path, fields, HTTP_ACCEPT="application/json")
        event(f"{action} answered {response.status_code}")
        assert response.status_code in (200, 201, 400, 404)
        assert response["Content-Type"] == "application/json"
        data = json.loads(response.content)
        if response.status_code >= 400:
            assert data.get("errors") or data.get("error")
        else:
            assert data["counts"] == Todo.objects.filter(owner=self.user).counts()
        assert_every_todo_is_valid()
        self.assert_theirs_unchanged()
